//! `kubesim explain pod|node|hpa NAME SCENARIO [--at T]`: the causal story of one object.
//!
//! The run is replayed with the causal trace on (`store::trace`); the story joins the trace's
//! causes (HPA syncs, Cluster Autoscaler decisions and the nodes they asked for, OOM kills with
//! usage and limit, readiness, deletion) with the Kubernetes events of the object and of the
//! objects that acted on it, matched by object name and simulated time: a pod's
//! `SuccessfulCreate` names the ReplicaSet; the Deployment's `ScalingReplicaSet` at or before
//! it names why the ReplicaSet grew; an HPA's `SuccessfulRescale` at that same instant names
//! why the Deployment did.

use super::events::object_name;
use super::printers::{self as pr, parse_at};
use crate::api::Kind;
use crate::engine::{SimDuration, SimTime};
use crate::sim::Simulation;
use crate::store::events::{KEvent, ObjRef};
use crate::store::trace::Cause;
use clap::{Args, ValueEnum};
use std::fmt::Write;
use std::path::PathBuf;

/// What to explain.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExplainWhat {
    /// A pod's life.
    #[value(alias = "pods", alias = "po")]
    Pod,
    /// A node's life.
    #[value(alias = "nodes", alias = "no")]
    Node,
    /// An HPA's decisions.
    #[value(alias = "horizontalpodautoscaler")]
    Hpa,
}

/// Arguments of `explain`.
#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// `pod`, `node` or `hpa`.
    #[arg(value_enum)]
    pub what: ExplainWhat,
    /// The object's name (pods have generated names: list them with `kubesim get pods`).
    pub name: String,
    /// The scenario file.
    pub scenario: PathBuf,
    /// Stop the story at this simulated time (default: the end of the run).
    #[arg(long, value_parser = parse_at)]
    pub at: Option<SimDuration>,
    /// Seed (default: the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Namespace (default: default).
    #[arg(long, short)]
    pub namespace: Option<String>,
}

/// Runs the verb.
pub fn explain(a: ExplainArgs) -> i32 {
    let sim = match pr::replay(&a.scenario, a.seed, a.at, true) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let ns = a.namespace.clone().unwrap_or_else(|| "default".into());
    match render(&sim, a.what, &a.name, &ns) {
        Ok(t) => {
            print!("{t}");
            0
        }
        Err(existing) => {
            let res = match a.what {
                ExplainWhat::Pod => "pods",
                ExplainWhat::Node => "nodes",
                ExplainWhat::Hpa => "horizontalpodautoscalers",
            };
            let where_ = if a.what == ExplainWhat::Node {
                " in this run".to_string()
            } else {
                format!(" in namespace {ns} in this run")
            };
            pr::not_found(res, &a.name, &where_, &existing)
        }
    }
}

/// A story under construction: (time, text) lines, kept in the order added within an instant.
struct Story {
    lines: Vec<(SimTime, usize, String)>,
}

impl Story {
    fn add(&mut self, t: SimTime, s: String) {
        let n = self.lines.len();
        self.lines.push((t, n, s));
    }

    fn finish(mut self, head: String) -> String {
        self.lines.sort_by_key(|l| (l.0, l.1));
        let mut out = head;
        for (t, _, s) in self.lines {
            let mut first = true;
            for line in s.lines() {
                if first {
                    let _ = writeln!(out, "{}  {line}", clock(t));
                    first = false;
                } else {
                    let _ = writeln!(out, "{:width$}  {line}", "", width = clock(t).len());
                }
            }
        }
        out
    }
}

/// `h:mm:ss` of a simulated instant.
fn clock(t: SimTime) -> String {
    let s = t.since(SimTime::ZERO).as_micros() / 1_000_000;
    format!("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
}

fn events_of<'a>(sim: &'a Simulation, obj: &'a ObjRef) -> impl Iterator<Item = &'a KEvent> + 'a {
    sim.store
        .events
        .events
        .iter()
        .filter(move |e| &e.object == obj)
}

fn causes_of<'a>(sim: &'a Simulation, obj: &'a ObjRef) -> impl Iterator<Item = &'a Cause> + 'a {
    sim.store.trace.about(obj)
}

/// Names of objects of `kind` in `ns` the run's events or trace mention, sorted.
fn seen_names(sim: &Simulation, kind: Kind, ns: Option<crate::model::Sym>) -> Vec<String> {
    let ok = |o: &ObjRef| o.kind == kind && ns.is_none_or(|n| o.namespace == n);
    let mut v: Vec<String> = sim
        .store
        .events
        .events
        .iter()
        .map(|e| &e.object)
        .chain(sim.store.trace.causes.iter().flat_map(|c| c.objects.iter()))
        .filter(|o| ok(o))
        .map(|o| o.name.to_string())
        .collect();
    v.sort();
    v.dedup();
    v
}

/// The story of pod, node or HPA `name`; `Err` lists the names the run knows.
pub fn render(
    sim: &Simulation,
    what: ExplainWhat,
    name: &str,
    ns: &str,
) -> Result<String, Vec<String>> {
    let store = &sim.store;
    let nsym = store.interner.lookup(ns);
    match what {
        ExplainWhat::Pod => {
            let known = seen_names(sim, Kind::Pod, nsym);
            let Some(nsym) = nsym.filter(|_| known.iter().any(|n| n == name)) else {
                return Err(known);
            };
            Ok(pod(
                sim,
                &ObjRef {
                    kind: Kind::Pod,
                    namespace: nsym,
                    name: name.into(),
                },
            ))
        }
        ExplainWhat::Node => {
            let known = seen_names(sim, Kind::Node, None);
            let Some(obj) = sim
                .store
                .events
                .events
                .iter()
                .map(|e| &e.object)
                .chain(sim.store.trace.causes.iter().flat_map(|c| c.objects.iter()))
                .find(|o| o.kind == Kind::Node && &*o.name == name)
                .cloned()
                .or_else(|| {
                    let id = store
                        .interner
                        .lookup(name)
                        .and_then(|s| store.node_by_name(s))?;
                    Some(store.node_ref(id))
                })
            else {
                let mut all = known;
                all.extend(
                    store
                        .nodes()
                        .map(|(_, n)| store.interner.resolve(n.name).to_string()),
                );
                all.sort();
                all.dedup();
                return Err(all);
            };
            Ok(node(sim, &obj))
        }
        ExplainWhat::Hpa => {
            let exists = nsym.is_some_and(|s| sim.hpa.get(s, name).is_some());
            let Some(nsym) = nsym.filter(|_| exists) else {
                let mut v: Vec<String> = sim
                    .hpa
                    .hpas()
                    .filter(|h| store.interner.resolve(h.namespace) == ns)
                    .map(|h| h.name.to_string())
                    .collect();
                v.sort();
                return Err(v);
            };
            Ok(hpa(
                sim,
                &ObjRef {
                    kind: Kind::HorizontalPodAutoscaler,
                    namespace: nsym,
                    name: name.into(),
                },
            ))
        }
    }
}

/// Why ReplicaSet `rs` created a pod at `t`: the Deployment's scaling of it and what drove
/// that (an HPA rescale at the same instant, a rollout's new revision, a replacement).
fn why_created(sim: &Simulation, rs: &ObjRef, t: SimTime) -> String {
    let evs = &sim.store.events.events;
    let needle = format!("replica set {} ", rs.name);
    let scaled = evs.iter().rev().find(|e| {
        e.time <= t
            && e.reason == "ScalingReplicaSet"
            && e.object.namespace == rs.namespace
            && (e.message.contains(&needle)
                || e.message.ends_with(&format!("replica set {}", rs.name)))
    });
    let rev = sim
        .store
        .replicaset_by_name(rs.namespace, &rs.name)
        .and_then(|r| sim.store.replicaset(r))
        .map(|r| r.revision);
    let rev_s = rev.map_or(String::new(), |r| format!(" (rollout revision {r})"));
    let mut out = String::new();
    match scaled {
        Some(s) if s.time == t || s.message.contains("up") => {
            let _ = write!(
                out,
                "  because {} scaled ReplicaSet {}{rev_s} at {}: {}",
                object_name(&s.object),
                rs.name,
                clock(s.time),
                s.message
            );
            let created_new = evs.iter().any(|e| {
                e.object == s.object
                    && e.time == s.time
                    && e.message == format!("Created new replica set \"{}\"", rs.name)
            });
            if created_new && rev.is_some_and(|r| r > 1) {
                let _ = write!(
                    out,
                    "\n  because the Deployment's pod template changed: a rollout to revision {}",
                    rev.unwrap_or(0)
                );
            }
            // An HPA that rescaled this Deployment at that instant.
            for h in sim.hpa.hpas() {
                let r = &h.spec().scale_target_ref;
                if r.kind != "Deployment"
                    || r.name != *s.object.name
                    || h.namespace != s.object.namespace
                {
                    continue;
                }
                let hobj = ObjRef {
                    kind: Kind::HorizontalPodAutoscaler,
                    namespace: h.namespace,
                    name: h.name.clone(),
                };
                if let Some(e) = evs.iter().find(|e| {
                    e.object == hobj && e.time == s.time && e.reason == "SuccessfulRescale"
                }) {
                    let _ = write!(
                        out,
                        "\n  because HPA {} rescaled Deployment {} at {}: {}",
                        h.name,
                        r.name,
                        clock(e.time),
                        e.message
                    );
                    if let Some(c) = causes_of(sim, &hobj).filter(|c| c.time == e.time).last() {
                        let _ = write!(out, "\n    HPA sync: {}", c.detail);
                    }
                }
            }
            if s.time != t {
                let _ = write!(
                    out,
                    "\n  (created at {} to reach that size, or to replace a pod that went away)",
                    clock(t)
                );
            }
        }
        _ => {
            let _ = write!(
                out,
                "  because ReplicaSet {}{rev_s} had fewer pods than its replicas (a replacement)",
                rs.name
            );
        }
    }
    out
}

fn pod(sim: &Simulation, obj: &ObjRef) -> String {
    let store = &sim.store;
    let evs = &store.events.events;
    let mut st = Story { lines: Vec::new() };
    // Creation.
    let created_msg = format!("Created pod: {}", obj.name);
    if let Some(c) = evs.iter().find(|e| {
        e.reason == "SuccessfulCreate"
            && e.message == created_msg
            && e.object.namespace == obj.namespace
    }) {
        let mut s = format!("created by {} ({})", object_name(&c.object), c.source);
        if c.object.kind == Kind::ReplicaSet {
            s.push('\n');
            s.push_str(&why_created(sim, &c.object, c.time));
        }
        st.add(c.time, s);
    } else if let Some(id) = store.pod_by_name(obj.namespace, &obj.name)
        && let Some(p) = store.pod(id)
    {
        st.add(
            p.created,
            "created from the scenario's manifests (no controller)".to_string(),
        );
    }
    // Cluster Autoscaler decisions naming this pod, and the nodes they brought.
    let mut scale_up_nodes: Vec<(String, u32)> = Vec::new();
    for c in causes_of(sim, obj) {
        match c.what {
            "ScaleUpDecision" => {
                let mut s = format!("Cluster Autoscaler scale-up for this pod: {}", c.detail);
                for n in store.trace.causes.iter().filter(|n| n.parent == Some(c.id)) {
                    let nn = n.objects.first().map_or("?".into(), |o| o.name.to_string());
                    let _ = write!(
                        s,
                        "\n  -> node {nn} joined at {}: {}",
                        clock(n.time),
                        n.detail
                    );
                    scale_up_nodes.push((nn, c.id));
                }
                st.add(c.time, s);
            }
            "OOMKilled" => st.add(c.time, format!("OOMKilled: {}", c.detail)),
            "Ready" => st.add(c.time, format!("Ready: {}", c.detail)),
            "NotReady" => st.add(c.time, format!("not Ready: {}", c.detail)),
            "Deleting" => st.add(c.time, format!("deletion: {}", c.detail)),
            "Deleted" => st.add(c.time, format!("gone: {}", c.detail)),
            _ => st.add(c.time, format!("{}: {}", c.what, c.detail)),
        }
    }
    // The pod's own events, with the scheduling attempts grouped.
    let mine: Vec<&KEvent> = events_of(sim, obj).collect();
    let mut k = 0;
    while k < mine.len() {
        let e = mine[k];
        if e.reason == "FailedScheduling" {
            let mut j = k;
            while j + 1 < mine.len()
                && mine[j + 1].reason == "FailedScheduling"
                && mine[j + 1].message == e.message
            {
                j += 1;
            }
            let n = j - k + 1;
            let times = if n > 1 {
                format!(" ({n} attempts, last at {})", clock(mine[j].time))
            } else {
                String::new()
            };
            st.add(
                e.time,
                format!(
                    "scheduling attempt failed{times}: unschedulable: {}",
                    e.message
                ),
            );
            k = j + 1;
            continue;
        }
        let s = match e.reason {
            "Scheduled" => {
                let node = e.message.rsplit(" to ").next().unwrap_or("");
                let mut s = format!("bound to node {node} ({}: {})", e.source, e.message);
                if let Some((_, id)) = scale_up_nodes.iter().find(|(n, _)| n == node) {
                    let _ = write!(
                        s,
                        "\n  on the node the Cluster Autoscaler added for it (decision #{id})"
                    );
                }
                s
            }
            "TriggeredScaleUp" | "NotTriggerScaleUp" => {
                format!("{}: {}", e.reason, e.message)
            }
            "Pulling" | "Pulled" => format!("image: {}", e.message),
            "Created" | "Started" => format!("container: {}", e.message),
            "BackOff" => format!("restart back-off (CrashLoopBackOff): {}", e.message),
            "Killing" => format!("stopping: {}", e.message),
            _ => format!(
                "{} {} ({}): {}",
                e.type_.as_str(),
                e.reason,
                e.source,
                e.message
            ),
        };
        st.add(e.time, s);
        k += 1;
    }
    // Restarts: each container restart follows its termination.
    if let Some(id) = store.pod_by_name(obj.namespace, &obj.name)
        && let Some(p) = store.pod(id)
    {
        for cs in sim.kubelet().container_statuses(id, store) {
            if cs.restart_count > 0 {
                let lim = p
                    .spec
                    .containers
                    .iter()
                    .find(|c| c.name == cs.name)
                    .map(|c| c.limits.memory)
                    .unwrap_or(0);
                let last = cs.last_state.map_or(String::new(), |t| {
                    format!(
                        "; last termination: {} (exit code {}) at {}",
                        t.reason.as_str(),
                        t.exit_code,
                        clock(t.finished)
                    )
                });
                let lim = if lim > 0 {
                    format!("; memory limit {}", pr::mem(lim))
                } else {
                    String::new()
                };
                st.add(
                    store.now(),
                    format!(
                        "now: container {} restarted {} time(s){last}{lim}",
                        cs.name, cs.restart_count
                    ),
                );
            }
        }
        st.add(
            store.now(),
            format!(
                "now: {} {} (phase {})",
                pr::pod_status(p),
                if p.is_ready() { "Ready" } else { "not Ready" },
                p.status.phase.as_str()
            ),
        );
    }
    st.finish(format!(
        "Pod {}/{} (times are h:mm:ss into the run)\n",
        store.interner.resolve(obj.namespace),
        obj.name
    ))
}

fn node(sim: &Simulation, obj: &ObjRef) -> String {
    let store = &sim.store;
    let mut st = Story { lines: Vec::new() };
    let mut provisioned = false;
    for c in causes_of(sim, obj) {
        let s = match c.what {
            "NodeProvisioned" => {
                provisioned = true;
                let mut s = format!("created: {}", c.detail);
                if let Some(p) = c.parent.and_then(|p| store.trace.get(p)) {
                    let _ = write!(s, "\n  because (at {}): {}", clock(p.time), p.detail);
                }
                s
            }
            "ScaleDownDecision" => format!("Cluster Autoscaler scale-down: {}", c.detail),
            "NodeRemoved" => format!("removed: {}", c.detail),
            _ => format!("{}: {}", c.what, c.detail),
        };
        st.add(c.time, s);
    }
    if !provisioned
        && let Some(id) = store
            .interner
            .lookup(&obj.name)
            .and_then(|s| store.node_by_name(s))
        && let Some(n) = store.node(id)
    {
        let pool = n
            .pool
            .and_then(|p| sim.scenario.pools.get(p.0 as usize))
            .map_or("(no pool)".to_string(), |p| format!("pool {}", p.name));
        st.add(
            n.created,
            format!("created: a node of {pool} from the scenario (present from the start or added by an action)"),
        );
    }
    for e in events_of(sim, obj) {
        st.add(
            e.time,
            format!(
                "{} {} ({}): {}",
                e.type_.as_str(),
                e.reason,
                e.source,
                e.message
            ),
        );
    }
    let suffix = format!(" to {}", obj.name);
    for e in store.events.events.iter() {
        if e.reason == "Scheduled" && e.message.ends_with(&suffix) {
            st.add(e.time, format!("pod bound: {}", object_name(&e.object)));
        }
    }
    if let Some(id) = store
        .interner
        .lookup(&obj.name)
        .and_then(|s| store.node_by_name(s))
        && let Some(n) = store.node(id)
    {
        let taints: Vec<String> = n
            .taints
            .iter()
            .map(|t| format!("{}:{}", store.interner.resolve(t.key), t.effect.as_str()))
            .collect();
        st.add(
            store.now(),
            format!(
                "now: {} with {} pod(s); taints: {}",
                pr::node_status(n),
                n.pods.len(),
                if taints.is_empty() {
                    "<none>".to_string()
                } else {
                    taints.join(", ")
                }
            ),
        );
    }
    st.finish(format!(
        "Node {} (times are h:mm:ss into the run)\n",
        obj.name
    ))
}

fn hpa(sim: &Simulation, obj: &ObjRef) -> String {
    let mut st = Story { lines: Vec::new() };
    // Consecutive syncs with the same detail are folded.
    let syncs: Vec<&Cause> = causes_of(sim, obj).collect();
    let mut k = 0;
    while k < syncs.len() {
        let c = syncs[k];
        let mut j = k;
        while j + 1 < syncs.len() && syncs[j + 1].detail == c.detail {
            j += 1;
        }
        let n = j - k + 1;
        let rep = if n > 1 {
            format!(" (same at {n} syncs, until {})", clock(syncs[j].time))
        } else {
            String::new()
        };
        st.add(c.time, format!("sync{rep}: {}", c.detail));
        k = j + 1;
    }
    for e in events_of(sim, obj) {
        st.add(
            e.time,
            format!("{} {}: {}", e.type_.as_str(), e.reason, e.message),
        );
    }
    let h = sim
        .hpa
        .get(obj.namespace, &obj.name)
        .expect("checked by render");
    let spec = h.spec();
    st.finish(format!(
        "HorizontalPodAutoscaler {}/{} -> {}/{} (min {}, max {}; times are h:mm:ss into the run)\n",
        sim.store.interner.resolve(obj.namespace),
        obj.name,
        spec.scale_target_ref.kind,
        spec.scale_target_ref.name,
        spec.min_replicas.unwrap_or(1),
        spec.max_replicas
    ))
}
