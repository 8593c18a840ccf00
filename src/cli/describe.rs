//! `kubesim describe pod|node NAME SCENARIO --at T`: `kubectl describe`'s layout
//! (`pkg/describe/describe.go`, `PodDescriber` and `NodeDescriber`) at a simulated time, with
//! the object's Events section.

use super::events::{aggregate, seen};
use super::printers::{self as pr, parse_at, tabwrite};
use crate::api::Kind;
use crate::engine::SimDuration;
use crate::kubelet::restart::{ContainerStatus, Terminated};
use crate::model::pod::{Container, TolerationOp};
use crate::model::{NodeId, PodId, Resources};
use crate::sim::Simulation;
use crate::store::Store;
use crate::store::events::ObjRef;
use clap::{Args, ValueEnum};
use std::fmt::Write;
use std::path::PathBuf;

/// What to describe.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum DescribeWhat {
    /// A pod.
    #[value(alias = "pods", alias = "po")]
    Pod,
    /// A node.
    #[value(alias = "nodes", alias = "no")]
    Node,
}

/// Arguments of `describe`.
#[derive(Args, Debug)]
pub struct DescribeArgs {
    /// `pod` or `node`.
    #[arg(value_enum)]
    pub what: DescribeWhat,
    /// The object's name (list pods with `kubesim get pods` first: their names are generated).
    pub name: String,
    /// The scenario file.
    pub scenario: PathBuf,
    /// Simulated time to look at (e.g. 4m, 2h15m).
    #[arg(long, value_parser = parse_at)]
    pub at: SimDuration,
    /// Seed (default: the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Namespace of the pod (default: default).
    #[arg(long, short)]
    pub namespace: Option<String>,
}

/// Runs the verb.
pub fn describe(a: DescribeArgs) -> i32 {
    let sim = match pr::replay(&a.scenario, a.seed, Some(a.at), false) {
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
            let (res, where_) = match a.what {
                DescribeWhat::Pod => ("pods", format!(" in namespace {ns} at {}", a.at)),
                DescribeWhat::Node => ("nodes", format!(" at {}", a.at)),
            };
            pr::not_found(res, &a.name, &where_, &existing)
        }
    }
}

/// The description of pod or node `name` now; `Err` lists the names that exist.
pub fn render(
    sim: &Simulation,
    what: DescribeWhat,
    name: &str,
    ns: &str,
) -> Result<String, Vec<String>> {
    let store = &sim.store;
    match what {
        DescribeWhat::Pod => {
            let found = store
                .interner
                .lookup(ns)
                .and_then(|s| store.pod_by_name(s, name))
                .filter(|&id| store.pod(id).is_some_and(|p| !p.deleted));
            match found {
                Some(id) => Ok(pod(sim, id)),
                None => Err(pr::pods_sorted(store, Some(ns))
                    .into_iter()
                    .map(|(_, p)| p.name.to_string())
                    .collect()),
            }
        }
        DescribeWhat::Node => {
            let found = store
                .interner
                .lookup(name)
                .and_then(|s| store.node_by_name(s));
            match found {
                Some(id) => Ok(node(sim, id)),
                None => {
                    let mut v: Vec<String> = store
                        .nodes()
                        .map(|(_, n)| store.interner.resolve(n.name).to_string())
                        .collect();
                    v.sort();
                    Err(v)
                }
            }
        }
    }
}

fn labels(out: &mut String, title: &str, pairs: Vec<(String, String)>) {
    if pairs.is_empty() {
        let _ = writeln!(out, "{title}\t<none>");
        return;
    }
    for (k, (key, v)) in pairs.iter().enumerate() {
        let head = if k == 0 { title } else { "" };
        let _ = writeln!(out, "{head}\t{key}={v}");
    }
}

/// describe's Events section for `obj`.
pub fn events_section(out: &mut String, store: &Store, obj: &ObjRef) {
    let now = store.now();
    let agg = aggregate(
        store
            .events
            .events
            .iter()
            .filter(|e| e.time <= now && &e.object == obj),
    );
    if agg.is_empty() {
        out.push_str("Events:\t<none>\n");
        return;
    }
    out.push_str("Events:\n");
    out.push_str("  Type\tReason\tAge\tFrom\tMessage\n");
    out.push_str("  ----\t------\t----\t----\t-------\n");
    for a in &agg {
        let e = a.event;
        let _ = writeln!(
            out,
            "  {}\t{}\t{}\t{}\t{}",
            e.type_.as_str(),
            e.reason,
            seen(now, a),
            e.source,
            e.message
        );
    }
}

fn resources(out: &mut String, title: &str, r: &Resources) {
    if r.cpu <= 0 && r.memory <= 0 {
        return;
    }
    let _ = writeln!(out, "    {title}:");
    if r.cpu > 0 {
        let _ = writeln!(out, "      cpu:\t{}", pr::cpu(r.cpu));
    }
    if r.memory > 0 {
        let _ = writeln!(out, "      memory:\t{}", pr::mem(r.memory));
    }
}

fn terminated(out: &mut String, title: &str, t: &Terminated) {
    let _ = writeln!(out, "    {title}:\tTerminated");
    let _ = writeln!(out, "      Reason:\t{}", t.reason.as_str());
    let _ = writeln!(out, "      Exit Code:\t{}", t.exit_code);
    let _ = writeln!(out, "      Started:\t{}", pr::timestamp(t.started));
    let _ = writeln!(out, "      Finished:\t{}", pr::timestamp(t.finished));
}

fn container(
    out: &mut String,
    store: &Store,
    c: &Container,
    st: Option<&ContainerStatus>,
    pod_ready: bool,
) {
    let i = &store.interner;
    let _ = writeln!(out, "  {}:", c.name);
    let _ = writeln!(out, "    Image:\t{}", i.resolve(c.image));
    let _ = writeln!(out, "    Port:\t<none>");
    let _ = writeln!(out, "    Host Port:\t<none>");
    match st {
        Some(s) if s.waiting.is_some() => {
            let _ = writeln!(out, "    State:\tWaiting");
            let _ = writeln!(out, "      Reason:\t{}", s.waiting.unwrap_or(""));
        }
        Some(s) if s.terminated.is_some() => {
            terminated(out, "State", s.terminated.as_ref().expect("checked"));
        }
        Some(s) if s.running_since.is_some() => {
            let _ = writeln!(out, "    State:\tRunning");
            let _ = writeln!(
                out,
                "      Started:\t{}",
                pr::timestamp(s.running_since.expect("checked"))
            );
        }
        _ => {
            let _ = writeln!(out, "    State:\tWaiting");
            let _ = writeln!(out, "      Reason:\tContainerCreating");
        }
    }
    if let Some(t) = st.and_then(|s| s.last_state.as_ref()) {
        terminated(out, "Last State", t);
    }
    let ready = pod_ready || st.is_some_and(|s| s.running_since.is_some() && c.readiness.is_none());
    let _ = writeln!(out, "    Ready:\t{}", if ready { "True" } else { "False" });
    let _ = writeln!(
        out,
        "    Restart Count:\t{}",
        st.map_or(0, |s| s.restart_count)
    );
    resources(out, "Limits", &c.limits);
    resources(out, "Requests", &c.requests);
    if let Some(p) = c.readiness {
        let _ = writeln!(
            out,
            "    Readiness:\texec delay={}s timeout=1s period={}s #success={} #failure={}",
            p.initial_delay.as_micros() / 1_000_000,
            p.period.as_micros() / 1_000_000,
            p.success_threshold,
            p.failure_threshold
        );
    }
    let _ = writeln!(out, "    Environment:\t<none>");
    let _ = writeln!(out, "    Mounts:\t<none>");
}

fn pod(sim: &Simulation, id: PodId) -> String {
    let store = &sim.store;
    let i = &store.interner;
    let p = store.pod(id).expect("found");
    let mut o = String::new();
    let _ = writeln!(o, "Name:\t{}", p.name);
    let _ = writeln!(o, "Namespace:\t{}", i.resolve(p.namespace));
    let _ = writeln!(o, "Priority:\t{}", p.priority);
    if let Some(pc) = p.spec.priority_class {
        let _ = writeln!(o, "Priority Class Name:\t{}", i.resolve(pc));
    }
    let _ = writeln!(o, "Service Account:\tdefault");
    match p.status.node.and_then(|n| store.node(n)) {
        Some(n) => {
            let _ = writeln!(o, "Node:\t{}/{}", i.resolve(n.name), pr::node_ip(n));
        }
        None => {
            let _ = writeln!(o, "Node:\t<none>");
        }
    }
    if let Some(t) = p.status.start_time {
        let _ = writeln!(o, "Start Time:\t{}", pr::timestamp(t));
    }
    labels(&mut o, "Labels:", p.labels.to_strings(i));
    // printAnnotationsMultiline: `key: value`, sorted by key.
    let mut notes: Vec<(&str, &str)> = p
        .annotations
        .iter()
        .map(|&(k, v)| (i.resolve(k), i.resolve(v)))
        .collect();
    notes.sort();
    if notes.is_empty() {
        let _ = writeln!(o, "Annotations:\t<none>");
    }
    for (n, (k, v)) in notes.iter().enumerate() {
        let head = if n == 0 { "Annotations:" } else { "" };
        let _ = writeln!(o, "{head}\t{k}: {v}");
    }
    if let Some(t) = p.status.deletion_at {
        let _ = writeln!(
            o,
            "Status:\tTerminating (lasts {})",
            pr::human_duration(store.now().since(t.min(store.now())))
        );
        let _ = writeln!(
            o,
            "Termination Grace Period:\t{}s",
            p.status.deletion_grace.as_micros() / 1_000_000
        );
    } else {
        let _ = writeln!(o, "Status:\t{}", p.status.phase.as_str());
    }
    if let Some(m) = &p.status.message {
        if let Some(r) = p.status.reason {
            let _ = writeln!(o, "Reason:\t{}", r.as_str());
        }
        let _ = writeln!(o, "Message:\t{m}");
    }
    let ip = pr::pod_ip(p);
    let _ = writeln!(o, "IP:\t{}", ip.clone().unwrap_or_default());
    match ip {
        Some(ip) => {
            let _ = writeln!(o, "IPs:\n  IP:\t{ip}");
        }
        None => {
            let _ = writeln!(o, "IPs:\t<none>");
        }
    }
    if let Some(c) = pr::controlled_by(p, store) {
        let _ = writeln!(o, "Controlled By:\t{c}");
    }
    let st = sim.kubelet().container_statuses(id, store);
    if !p.spec.init_containers.is_empty() {
        let _ = writeln!(o, "Init Containers:");
        for c in &p.spec.init_containers {
            container(&mut o, store, c, None, p.is_ready());
        }
    }
    let _ = writeln!(o, "Containers:");
    for (k, c) in p.spec.containers.iter().enumerate() {
        container(&mut o, store, c, st.get(k), p.is_ready());
    }
    let b = |x: bool| if x { "True " } else { "False " };
    let _ = writeln!(o, "Conditions:");
    let _ = writeln!(o, "  Type\tStatus");
    let started = p.status.start_time.is_some();
    let _ = writeln!(o, "  PodReadyToStartContainers \t{}", b(started));
    let _ = writeln!(
        o,
        "  Initialized \t{}",
        b(p.status.initialized_at.is_some() || (started && p.spec.init_containers.is_empty()))
    );
    let _ = writeln!(o, "  Ready \t{}", b(p.is_ready()));
    let _ = writeln!(o, "  ContainersReady \t{}", b(p.is_ready()));
    let _ = writeln!(o, "  PodScheduled \t{}", b(p.status.node.is_some()));
    if let Some(d) = p.status.disruption_target {
        let _ = writeln!(o, "  DisruptionTarget \tTrue ({})", d.as_str());
    }
    let _ = writeln!(o, "Volumes:\t<none>");
    let _ = writeln!(o, "QoS Class:\t{}", p.qos.as_str());
    let sel: Vec<String> = p
        .spec
        .node_selector
        .iter()
        .map(|(k, v)| format!("{}={}", i.resolve(*k), i.resolve(*v)))
        .collect();
    let _ = writeln!(
        o,
        "Node-Selectors:\t{}",
        if sel.is_empty() {
            "<none>".to_string()
        } else {
            sel.join(",")
        }
    );
    let tol: Vec<String> = p
        .spec
        .tolerations
        .iter()
        .map(|t| {
            let mut s = t.key.map_or(String::new(), |k| i.resolve(k).to_string());
            if t.op == TolerationOp::Equal {
                let _ = write!(s, "={}", i.resolve(t.value));
            }
            if let Some(e) = t.effect {
                let _ = write!(s, ":{}", e.as_str());
            }
            if t.op == TolerationOp::Exists {
                s.push_str(" op=Exists");
            }
            if let Some(secs) = t.toleration_seconds {
                let _ = write!(s, " for {secs}s");
            }
            s
        })
        .collect();
    if tol.is_empty() {
        let _ = writeln!(o, "Tolerations:\t<none>");
    } else {
        for (k, t) in tol.iter().enumerate() {
            let _ = writeln!(o, "{}\t{t}", if k == 0 { "Tolerations:" } else { "" });
        }
    }
    events_section(&mut o, store, &store.pod_ref(id));
    tabwrite(&o)
}

fn pct(v: i64, of: i64) -> i64 {
    if of > 0 {
        (v as f64 / of as f64 * 100.0) as i64
    } else {
        0
    }
}

fn node(sim: &Simulation, id: NodeId) -> String {
    let store = &sim.store;
    let i = &store.interner;
    let now = store.now();
    let n = store.node(id).expect("found");
    let mut o = String::new();
    let _ = writeln!(o, "Name:\t{}", i.resolve(n.name));
    let _ = writeln!(o, "Roles:\t{}", pr::node_roles(n, store));
    labels(&mut o, "Labels:", n.labels.to_strings(i));
    let _ = writeln!(o, "Annotations:\t<none>");
    let _ = writeln!(o, "CreationTimestamp:\t{}", pr::timestamp(n.created));
    if n.taints.is_empty() {
        let _ = writeln!(o, "Taints:\t<none>");
    }
    for (k, t) in n.taints.iter().enumerate() {
        let v = i.resolve(t.value);
        let kv = if v.is_empty() {
            i.resolve(t.key).to_string()
        } else {
            format!("{}={v}", i.resolve(t.key))
        };
        let _ = writeln!(
            o,
            "{}\t{kv}:{}",
            if k == 0 { "Taints:" } else { "" },
            t.effect.as_str()
        );
    }
    let _ = writeln!(o, "Unschedulable:\t{}", n.unschedulable);
    let _ = writeln!(o, "Conditions:");
    let _ = writeln!(
        o,
        "  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage"
    );
    let _ = writeln!(
        o,
        "  ----\t------\t-----------------\t------------------\t------\t-------"
    );
    let hb = pr::timestamp(now);
    let created = pr::timestamp(n.created);
    let cond = |o: &mut String, t: &str, on: bool, yes: (&str, &str), no: (&str, &str)| {
        let (r, m) = if on { yes } else { no };
        let _ = writeln!(
            o,
            "  {t}\t{}\t{hb}\t{created}\t{r}\t{m}",
            if on { "True" } else { "False" }
        );
    };
    cond(
        &mut o,
        "MemoryPressure",
        n.memory_pressure,
        (
            "KubeletHasInsufficientMemory",
            "kubelet has insufficient memory available",
        ),
        (
            "KubeletHasSufficientMemory",
            "kubelet has sufficient memory available",
        ),
    );
    cond(
        &mut o,
        "DiskPressure",
        n.disk_pressure,
        ("KubeletHasDiskPressure", "kubelet has disk pressure"),
        ("KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    );
    cond(
        &mut o,
        "PIDPressure",
        n.pid_pressure,
        (
            "KubeletHasInsufficientPID",
            "kubelet has insufficient PID available",
        ),
        (
            "KubeletHasSufficientPID",
            "kubelet has sufficient PID available",
        ),
    );
    let (rs, reason, msg) = match n.ready {
        crate::model::node::CondStatus::True => {
            ("True", "KubeletReady", "kubelet is posting ready status")
        }
        crate::model::node::CondStatus::False => (
            "False",
            "KubeletNotReady",
            "container runtime network not ready",
        ),
        crate::model::node::CondStatus::Unknown => (
            "Unknown",
            "NodeStatusUnknown",
            "Kubelet stopped posting node status.",
        ),
    };
    let _ = writeln!(
        o,
        "  Ready\t{rs}\t{hb}\t{}\t{reason}\t{msg}",
        pr::timestamp(n.ready_changed)
    );
    let _ = writeln!(o, "Addresses:");
    let _ = writeln!(o, "  InternalIP:\t{}", pr::node_ip(n));
    let _ = writeln!(o, "  Hostname:\t{}", i.resolve(n.name));
    for (title, r) in [("Capacity:", &n.capacity), ("Allocatable:", &n.allocatable)] {
        let _ = writeln!(o, "{title}");
        let _ = writeln!(o, "  cpu:\t{}", pr::cpu(r.cpu));
        let _ = writeln!(o, "  memory:\t{}", pr::mem(r.memory));
        let _ = writeln!(o, "  pods:\t{}", n.allowed_pods);
    }
    let _ = writeln!(o, "System Info:");
    let _ = writeln!(o, "  Kubelet Version:\t{}", pr::KUBELET_VERSION);
    let _ = writeln!(o, "  Container Runtime Version:\tcontainerd://kubesim");
    if let Some(pool) = n.pool {
        let name = sim
            .scenario
            .pools
            .get(pool.0 as usize)
            .map_or("", |p| p.name.as_str());
        let _ = writeln!(o, "ProviderID:\tkubesim://{name}/{}", i.resolve(n.name));
    }
    let mut pods: Vec<_> = n
        .pods
        .iter()
        .filter_map(|&p| store.pod(p).map(|x| (p, x)))
        .filter(|(_, p)| !p.status.phase.is_terminal())
        .collect();
    pods.sort_by(|a, b| {
        (i.resolve(a.1.namespace), &a.1.name).cmp(&(i.resolve(b.1.namespace), &b.1.name))
    });
    let a = &n.allocatable;
    let _ = writeln!(o, "Non-terminated Pods:\t({} in total)", pods.len());
    let _ = writeln!(
        o,
        "  Namespace\tName\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge"
    );
    let _ = writeln!(
        o,
        "  ---------\t----\t------------\t----------\t---------------\t-------------\t---"
    );
    let (mut rc, mut rm, mut lc, mut lm) = (0, 0, 0, 0);
    for (_, p) in &pods {
        let (cl, ml) = crate::kubelet::usage::pod_limits(p);
        let (cl, ml) = (cl.unwrap_or(0), ml.unwrap_or(0));
        rc += p.requests.cpu;
        rm += p.requests.memory;
        lc += cl;
        lm += ml;
        let _ = writeln!(
            o,
            "  {}\t{}\t{} ({}%)\t{} ({}%)\t{} ({}%)\t{} ({}%)\t{}",
            i.resolve(p.namespace),
            p.name,
            pr::cpu(p.requests.cpu),
            pct(p.requests.cpu, a.cpu),
            pr::cpu(cl),
            pct(cl, a.cpu),
            pr::mem(p.requests.memory),
            pct(p.requests.memory, a.memory),
            pr::mem(ml),
            pct(ml, a.memory),
            pr::age(now, p.created)
        );
    }
    let _ = writeln!(o, "Allocated resources:");
    let _ = writeln!(
        o,
        "  (Total limits may be over 100 percent, i.e., overcommitted.)"
    );
    let _ = writeln!(o, "  Resource\tRequests\tLimits");
    let _ = writeln!(o, "  --------\t--------\t------");
    let _ = writeln!(
        o,
        "  cpu\t{} ({}%)\t{} ({}%)",
        pr::cpu(rc),
        pct(rc, a.cpu),
        pr::cpu(lc),
        pct(lc, a.cpu)
    );
    let _ = writeln!(
        o,
        "  memory\t{} ({}%)\t{} ({}%)",
        pr::mem(rm),
        pct(rm, a.memory),
        pr::mem(lm),
        pct(lm, a.memory)
    );
    events_section(&mut o, store, &store.node_ref(id));
    tabwrite(&o)
}

/// Unused kinds of `describe` are rejected by clap; this keeps the `Kind` import meaningful for
/// callers that map a kind to a describer.
pub fn describable(k: Kind) -> Option<DescribeWhat> {
    match k {
        Kind::Pod => Some(DescribeWhat::Pod),
        Kind::Node => Some(DescribeWhat::Node),
        _ => None,
    }
}
