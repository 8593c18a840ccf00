//! `kubesim events SCENARIO [--for KIND/NAME] [--at T] [-n NS | -A]`: what `kubectl events`
//! prints (`LAST SEEN  TYPE  REASON  OBJECT  MESSAGE`), from the run's Kubernetes events up to
//! `T` (the end of the run by default).
//!
//! Identical events (same object, type, reason, source and message) are aggregated as the
//! event recorder does (`count`, first and last timestamp): `5m (x3 over 10m)`. Events of
//! cluster-scoped objects (nodes) are listed in every namespace, as kubelets record them in
//! `default`.

use super::printers::{self as pr, age, parse_at, table};
use crate::api::Kind;
use crate::engine::{SimDuration, SimTime};
use crate::store::Store;
use crate::store::events::{KEvent, ObjRef};
use clap::Args;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Arguments of `events`.
#[derive(Args, Debug)]
pub struct EventsArgs {
    /// The scenario file.
    pub scenario: PathBuf,
    /// Only events about this object (`pod/NAME`, `node/NAME`, `deployment/NAME`, `hpa/NAME`...).
    #[arg(long = "for")]
    pub for_: Option<String>,
    /// Simulated time to look at (default: the end of the run).
    #[arg(long, value_parser = parse_at)]
    pub at: Option<SimDuration>,
    /// Seed (default: the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Namespace (default: default).
    #[arg(long, short)]
    pub namespace: Option<String>,
    /// Every namespace (adds a NAMESPACE column).
    #[arg(long, short = 'A')]
    pub all_namespaces: bool,
}

/// Events aggregated as the recorder's correlator does.
#[derive(Clone, Debug)]
pub struct Aggregated<'a> {
    /// The first occurrence.
    pub first: SimTime,
    /// The last occurrence.
    pub last: SimTime,
    /// How many.
    pub count: u32,
    /// The last occurrence's event.
    pub event: &'a KEvent,
}

/// Aggregates `events` (already filtered) by object, type, reason, source and message,
/// ordered by last occurrence (then first appearance).
pub fn aggregate<'a>(events: impl Iterator<Item = &'a KEvent>) -> Vec<Aggregated<'a>> {
    type Key<'a> = (&'a ObjRef, u8, &'static str, &'static str, &'a str);
    let mut index: BTreeMap<Key<'a>, usize> = BTreeMap::new();
    let mut out: Vec<(usize, Aggregated<'a>)> = Vec::new();
    for (n, e) in events.enumerate() {
        let key = (
            &e.object,
            e.type_ as u8,
            e.reason,
            e.source,
            e.message.as_str(),
        );
        match index.get(&key) {
            Some(&i) => {
                let a = &mut out[i].1;
                a.last = e.time;
                a.count += 1;
                a.event = e;
            }
            None => {
                index.insert(key, out.len());
                out.push((
                    n,
                    Aggregated {
                        first: e.time,
                        last: e.time,
                        count: 1,
                        event: e,
                    },
                ));
            }
        }
    }
    out.sort_by_key(|(n, a)| (a.last, *n));
    out.into_iter().map(|(_, a)| a).collect()
}

/// `LAST SEEN` / describe's `Age`: `45s`, or `5m (x3 over 10m)` for repeated events.
pub fn seen(now: SimTime, a: &Aggregated<'_>) -> String {
    if a.count > 1 {
        format!(
            "{} (x{} over {})",
            age(now, a.last),
            a.count,
            age(now, a.first)
        )
    } else {
        age(now, a.last)
    }
}

/// `kind/name` as kubectl events writes OBJECT.
pub fn object_name(o: &ObjRef) -> String {
    format!("{}/{}", o.kind.as_str().to_ascii_lowercase(), o.name)
}

/// Parses `KIND/NAME` (kubectl's kind names and short names).
pub fn parse_for(s: &str) -> Result<(Kind, String), String> {
    let (k, n) = s
        .split_once('/')
        .ok_or_else(|| format!("--for {s:?}: expected KIND/NAME, e.g. pod/web-0"))?;
    let kind = Kind::parse(k).ok_or_else(|| format!("--for {s:?}: unknown kind {k:?}"))?;
    if n.is_empty() {
        return Err(format!("--for {s:?}: missing name"));
    }
    Ok((kind, n.to_string()))
}

/// True when the event's object is in namespace `ns` (cluster-scoped objects always are).
pub fn in_namespace(store: &Store, o: &ObjRef, ns: Option<&str>) -> bool {
    match ns {
        None => true,
        Some(n) => !o.kind.is_namespaced() || store.interner.resolve(o.namespace) == n,
    }
}

/// The table for events of `store` matching the filters (`None` when there are none).
pub fn render(store: &Store, for_: Option<&(Kind, String)>, ns: Option<&str>) -> Option<String> {
    let now = store.now();
    let evs = store.events.events.iter().filter(|e| {
        e.time <= now
            && in_namespace(store, &e.object, ns)
            && for_.is_none_or(|(k, n)| e.object.kind == *k && &*e.object.name == n.as_str())
    });
    let agg = aggregate(evs);
    if agg.is_empty() {
        return None;
    }
    let mut rows = vec![vec![
        "LAST SEEN".to_string(),
        "TYPE".into(),
        "REASON".into(),
        "OBJECT".into(),
        "MESSAGE".into(),
    ]];
    if ns.is_none() {
        rows[0].insert(0, "NAMESPACE".into());
    }
    for a in &agg {
        let e = a.event;
        let mut r = vec![
            seen(now, a),
            e.type_.as_str().to_string(),
            e.reason.to_string(),
            object_name(&e.object),
            e.message.clone(),
        ];
        if ns.is_none() {
            let n = if e.object.kind.is_namespaced() {
                store.interner.resolve(e.object.namespace).to_string()
            } else {
                "default".to_string()
            };
            r.insert(0, n);
        }
        rows.push(r);
    }
    Some(table(&rows))
}

/// True when an object of `kind` named `name` exists now or appears in any event.
pub fn known_object(store: &Store, kind: Kind, name: &str, ns: Option<&str>) -> bool {
    store
        .events
        .events
        .iter()
        .any(|e| e.object.kind == kind && &*e.object.name == name)
        || match kind {
            Kind::Pod => store
                .pods()
                .any(|(_, p)| &*p.name == name && in_ns(store, p.namespace, ns)),
            Kind::Node => store
                .nodes()
                .any(|(_, n)| store.interner.resolve(n.name) == name),
            Kind::Deployment => store
                .deployments()
                .any(|(_, d)| &*d.name == name && in_ns(store, d.namespace, ns)),
            Kind::ReplicaSet => store
                .replicasets()
                .any(|(_, r)| &*r.name == name && in_ns(store, r.namespace, ns)),
            k => store.objects_of(k).any(|o| o.object.name() == name),
        }
}

fn in_ns(store: &Store, s: crate::model::Sym, ns: Option<&str>) -> bool {
    ns.is_none_or(|n| store.interner.resolve(s) == n)
}

/// Runs the verb.
pub fn events(a: EventsArgs) -> i32 {
    let for_ = match a.for_.as_deref().map(parse_for).transpose() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return super::EXIT_INPUT;
        }
    };
    let sim = match pr::replay(&a.scenario, a.seed, a.at, false) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let ns = pr::namespace_filter(&a.namespace, a.all_namespaces);
    if let Some((k, n)) = &for_
        && !known_object(&sim.store, *k, n, ns.as_deref())
    {
        let names: Vec<String> = {
            let mut v: Vec<String> = sim
                .store
                .events
                .events
                .iter()
                .filter(|e| e.object.kind == *k)
                .map(|e| e.object.name.to_string())
                .collect();
            v.sort();
            v.dedup();
            v
        };
        let res = format!("{}s", k.as_str().to_ascii_lowercase());
        return pr::not_found(&res, n, "", &names);
    }
    match render(&sim.store, for_.as_ref(), ns.as_deref()) {
        Some(t) => print!("{t}"),
        None => match &ns {
            Some(n) => eprintln!("No events found in {n} namespace."),
            None => eprintln!("No events found."),
        },
    }
    0
}
