//! `kubesim get pods|nodes|deployments|hpa|pdb SCENARIO --at T [-o wide|yaml|json]`: what
//! `kubectl get` would print at a simulated time (the run is replayed to `T`, never past it).
//!
//! Columns follow kubectl's printers (`pkg/printers/internalversion/printers.go`). `-o
//! yaml|json` prints a `v1/List` of the objects in Kubernetes shape, best effort from the
//! model (docs/cli.md lists the fields).

use super::printers::{self as pr, age, parse_at, table};
use crate::api::Kind;
use crate::api::autoscaling::{MetricSourceType, MetricTargetType};
use crate::api::meta::IntOrPercent;
use crate::controllers::disruption::Budget;
use crate::engine::{SimDuration, SimTime};
use crate::model::{Pod, PodId};
use crate::sim::Simulation;
use clap::{Args, ValueEnum};
use serde_json::{Value, json};
use std::path::PathBuf;

/// What to list.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum GetWhat {
    /// Pods.
    #[value(alias = "pod", alias = "po")]
    Pods,
    /// Nodes.
    #[value(alias = "node", alias = "no")]
    Nodes,
    /// Deployments.
    #[value(alias = "deployment", alias = "deploy")]
    Deployments,
    /// HorizontalPodAutoscalers.
    #[value(alias = "horizontalpodautoscaler", alias = "horizontalpodautoscalers")]
    Hpa,
    /// PodDisruptionBudgets.
    #[value(alias = "poddisruptionbudget", alias = "poddisruptionbudgets")]
    Pdb,
}

/// `-o` formats.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// More columns.
    Wide,
    /// A `v1/List` in YAML.
    Yaml,
    /// A `v1/List` in JSON.
    Json,
}

/// Arguments of `get`.
#[derive(Args, Debug)]
pub struct GetArgs {
    /// `pods`, `nodes`, `deployments`, `hpa` or `pdb` (kubectl's singular and short names too).
    #[arg(value_enum)]
    pub what: GetWhat,
    /// The scenario file.
    pub scenario: PathBuf,
    /// Simulated time to look at (e.g. 4m, 2h15m).
    #[arg(long, value_parser = parse_at)]
    pub at: SimDuration,
    /// Output format.
    #[arg(long, short = 'o', value_enum)]
    pub output: Option<Output>,
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

/// Runs the verb.
pub fn get(a: GetArgs) -> i32 {
    let mut sim = match pr::replay(&a.scenario, a.seed, Some(a.at), false) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let ns = pr::namespace_filter(&a.namespace, a.all_namespaces);
    let (out, empty) = render(&mut sim, a.what, a.output, ns.as_deref());
    if empty && !matches!(a.output, Some(Output::Yaml | Output::Json)) {
        match (&ns, a.what) {
            (_, GetWhat::Nodes) | (None, _) => eprintln!("No resources found"),
            (Some(n), _) => eprintln!("No resources found in {n} namespace."),
        }
        return 0;
    }
    print!("{out}");
    0
}

/// The view of `sim` now, and whether it lists nothing.
pub fn render(
    sim: &mut Simulation,
    what: GetWhat,
    output: Option<Output>,
    ns: Option<&str>,
) -> (String, bool) {
    let (rows, items) = match what {
        GetWhat::Pods => pods(sim, output, ns),
        GetWhat::Nodes => nodes(sim, output),
        GetWhat::Deployments => deployments(sim, output, ns),
        GetWhat::Hpa => hpas(sim, ns),
        GetWhat::Pdb => pdbs(sim, ns),
    };
    let empty = items.is_empty();
    match output {
        Some(Output::Yaml) | Some(Output::Json) => {
            let list = json!({
                "apiVersion": "v1",
                "kind": "List",
                "items": items,
                "metadata": {"resourceVersion": ""},
            });
            let text = if output == Some(Output::Json) {
                serde_json::to_string_pretty(&list).unwrap_or_default() + "\n"
            } else {
                serde_yaml::to_string(&list).unwrap_or_default()
            };
            (text, empty)
        }
        _ => {
            let mut rows = rows;
            if what == GetWhat::Nodes {
            } else if ns.is_none() {
                for (i, r) in rows.iter_mut().enumerate() {
                    let first = if i == 0 {
                        "NAMESPACE".to_string()
                    } else {
                        r.pop().unwrap_or_default()
                    };
                    r.insert(0, first);
                }
            } else {
                for r in rows.iter_mut().skip(1) {
                    r.pop();
                }
            }
            (table(&rows), empty)
        }
    }
}

/// Drops nulls, empty strings, empty lists and empty maps, as `omitempty` does.
pub fn prune(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| (k, prune(v)))
                .filter(|(_, v)| !is_empty(v))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(prune).collect()),
        v => v,
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
        _ => false,
    }
}

type Rows = (Vec<Vec<String>>, Vec<Value>);

/// Each row ends with the object's namespace (moved to the front under `-A`, else dropped).
fn pods(sim: &Simulation, output: Option<Output>, ns: Option<&str>) -> Rows {
    let store = &sim.store;
    let now = store.now();
    let wide = output == Some(Output::Wide);
    let mut head: Vec<String> = ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
        .map(String::from)
        .to_vec();
    if wide {
        head.extend(["IP", "NODE", "NOMINATED NODE", "READINESS GATES"].map(String::from));
    }
    let mut rows = vec![head];
    let mut items = Vec::new();
    for (id, p) in pr::pods_sorted(store, ns) {
        let st = sim.kubelet().container_statuses(id, store);
        let mut r = vec![
            p.name.to_string(),
            format!(
                "{}/{}",
                pr::ready_containers(p, &st),
                pr::container_count(p)
            ),
            pr::pod_status(p),
            pr::restarts(now, &st, p.status.restarts),
            age(now, p.created),
        ];
        if wide {
            let node = |n: Option<crate::model::NodeId>| {
                n.and_then(|n| store.node(n))
                    .map_or("<none>".to_string(), |n| {
                        store.interner.resolve(n.name).to_string()
                    })
            };
            r.push(pr::pod_ip(p).unwrap_or_else(|| "<none>".into()));
            r.push(node(p.status.node));
            r.push(node(p.status.nominated_node));
            r.push("<none>".into());
        }
        r.push(store.interner.resolve(p.namespace).to_string());
        rows.push(r);
        if matches!(output, Some(Output::Yaml | Output::Json)) {
            items.push(pod_object(sim, id, p));
        } else {
            items.push(Value::Null);
        }
    }
    (rows, items)
}

/// A pod in Kubernetes shape (`v1/Pod`), best effort.
pub fn pod_object(sim: &Simulation, id: PodId, p: &Pod) -> Value {
    let store = &sim.store;
    let i = &store.interner;
    let labels: serde_json::Map<String, Value> = p
        .labels
        .to_strings(i)
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    let owner = pr::controlled_by(p, store).map(|c| {
        let (kind, name) = c.split_once('/').unwrap_or(("", ""));
        json!([{"apiVersion": if kind == "Job" {"batch/v1"} else {"apps/v1"}, "kind": kind,
                "name": name, "controller": true, "blockOwnerDeletion": true}])
    });
    let res = |r: &crate::model::Resources| {
        let mut m = serde_json::Map::new();
        if r.cpu > 0 {
            m.insert("cpu".into(), Value::String(pr::cpu(r.cpu)));
        }
        if r.memory > 0 {
            m.insert("memory".into(), Value::String(pr::mem(r.memory)));
        }
        Value::Object(m)
    };
    let containers: Vec<Value> = p
        .spec
        .containers
        .iter()
        .map(|c| {
            json!({"name": &*c.name, "image": i.resolve(c.image),
                   "resources": {"requests": res(&c.requests), "limits": res(&c.limits)}})
        })
        .collect();
    let node = p
        .status
        .node
        .and_then(|n| store.node(n))
        .map(|n| i.resolve(n.name).to_string());
    let st = sim.kubelet().container_statuses(id, store);
    let cstats: Vec<Value> = st
        .iter()
        .map(|c| {
            let term = |t: &crate::kubelet::restart::Terminated| {
                json!({"terminated": {"reason": t.reason.as_str(), "exitCode": t.exit_code,
                       "startedAt": pr::rfc3339(t.started), "finishedAt": pr::rfc3339(t.finished)}})
            };
            let state = if let Some(w) = c.waiting {
                json!({"waiting": {"reason": w}})
            } else if let Some(t) = &c.terminated {
                term(t)
            } else if let Some(s) = c.running_since {
                json!({"running": {"startedAt": pr::rfc3339(s)}})
            } else {
                json!({"waiting": {"reason": "ContainerCreating"}})
            };
            json!({"name": &*c.name, "restartCount": c.restart_count,
                   "ready": p.is_ready(), "started": c.running_since.is_some(),
                   "state": state, "lastState": c.last_state.as_ref().map(term)})
        })
        .collect();
    let cond = |t: &str, ok: bool| json!({"type": t, "status": if ok {"True"} else {"False"}});
    let conditions = vec![
        cond("PodScheduled", p.status.node.is_some()),
        cond(
            "Initialized",
            p.status.initialized_at.is_some()
                || p.status.node.is_some() && p.spec.init_containers.is_empty(),
        ),
        cond("ContainersReady", p.is_ready()),
        cond("Ready", p.is_ready()),
    ];
    prune(json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": &*p.name,
            "namespace": i.resolve(p.namespace),
            "uid": p.uid_string(),
            "creationTimestamp": pr::rfc3339(p.created),
            "deletionTimestamp": p.status.deletion_at.map(pr::rfc3339),
            "labels": labels,
            "ownerReferences": owner,
        },
        "spec": {
            "containers": containers,
            "nodeName": node,
            "priority": p.priority,
            "restartPolicy": pr::restart_policy(p.spec.restart_policy),
            "schedulerName": i.resolve(p.spec.scheduler_name),
        },
        "status": {
            "phase": p.status.phase.as_str(),
            "reason": p.status.message.as_ref().and(p.status.reason.map(|r| r.as_str())),
            "message": p.status.message.as_deref(),
            "conditions": conditions,
            "podIP": pr::pod_ip(p),
            "hostIP": p.status.node.and_then(|n| store.node(n)).map(pr::node_ip),
            "startTime": p.status.start_time.map(pr::rfc3339),
            "containerStatuses": cstats,
            "qosClass": p.qos.as_str(),
            "nominatedNodeName": p.status.nominated_node.and_then(|n| store.node(n)).map(|n| i.resolve(n.name).to_string()),
        },
    }))
}

fn nodes(sim: &Simulation, output: Option<Output>) -> Rows {
    let store = &sim.store;
    let i = &store.interner;
    let now = store.now();
    let wide = output == Some(Output::Wide);
    let mut head: Vec<String> = ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
        .map(String::from)
        .to_vec();
    if wide {
        head.extend(
            [
                "INTERNAL-IP",
                "EXTERNAL-IP",
                "OS-IMAGE",
                "KERNEL-VERSION",
                "CONTAINER-RUNTIME",
            ]
            .map(String::from),
        );
    }
    let mut rows = vec![head];
    let mut items = Vec::new();
    let mut list: Vec<_> = store.nodes().collect();
    list.sort_by_key(|(_, n)| i.resolve(n.name).to_string());
    for (_, n) in list {
        let mut r = vec![
            i.resolve(n.name).to_string(),
            pr::node_status(n),
            pr::node_roles(n, store),
            age(now, n.created),
            pr::KUBELET_VERSION.to_string(),
        ];
        if wide {
            r.extend([
                pr::node_ip(n),
                "<none>".into(),
                "kubesim".into(),
                "<unknown>".into(),
                "containerd://kubesim".into(),
            ]);
        }
        rows.push(r);
        items.push(node_object(sim, n));
    }
    (rows, items)
}

/// A node in Kubernetes shape (`v1/Node`), best effort.
pub fn node_object(sim: &Simulation, n: &crate::model::Node) -> Value {
    let store = &sim.store;
    let i = &store.interner;
    let labels: serde_json::Map<String, Value> = n
        .labels
        .to_strings(i)
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    let res = |r: &crate::model::Resources, pods: i64| json!({"cpu": pr::cpu(r.cpu), "memory": pr::mem(r.memory), "pods": pods.to_string()});
    let taints: Vec<Value> = n
        .taints
        .iter()
        .map(|t| json!({"key": i.resolve(t.key), "value": i.resolve(t.value), "effect": t.effect.as_str()}))
        .collect();
    let b = |x: bool| if x { "True" } else { "False" };
    prune(json!({
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": i.resolve(n.name), "uid": format!("00000000-0000-4000-9000-{:012x}", n.uid),
                     "creationTimestamp": pr::rfc3339(n.created), "labels": labels},
        "spec": {"unschedulable": if n.unschedulable { Some(true) } else { None }, "taints": taints},
        "status": {
            "capacity": res(&n.capacity, n.allowed_pods),
            "allocatable": res(&n.allocatable, n.allowed_pods),
            "conditions": [
                {"type": "MemoryPressure", "status": b(n.memory_pressure)},
                {"type": "DiskPressure", "status": b(n.disk_pressure)},
                {"type": "PIDPressure", "status": b(n.pid_pressure)},
                {"type": "Ready", "status": n.ready.as_str(), "lastTransitionTime": pr::rfc3339(n.ready_changed)},
            ],
            "addresses": [{"type": "InternalIP", "address": pr::node_ip(n)},
                          {"type": "Hostname", "address": i.resolve(n.name)}],
            "nodeInfo": {"kubeletVersion": pr::KUBELET_VERSION, "containerRuntimeVersion": "containerd://kubesim"},
        },
    }))
}

fn deployments(sim: &Simulation, output: Option<Output>, ns: Option<&str>) -> Rows {
    let store = &sim.store;
    let i = &store.interner;
    let now = store.now();
    let wide = output == Some(Output::Wide);
    let mut head: Vec<String> = ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
        .map(String::from)
        .to_vec();
    if wide {
        head.extend(["CONTAINERS", "IMAGES", "SELECTOR"].map(String::from));
    }
    let mut rows = vec![head];
    let mut items = Vec::new();
    let mut list: Vec<_> = store
        .deployments()
        .filter(|(_, d)| !d.deleted && ns.is_none_or(|n| i.resolve(d.namespace) == n))
        .collect();
    list.sort_by(|a, b| {
        (i.resolve(a.1.namespace), &a.1.name).cmp(&(i.resolve(b.1.namespace), &b.1.name))
    });
    for (_, d) in list {
        let s = &d.status;
        let mut r = vec![
            d.name.to_string(),
            format!("{}/{}", s.ready_replicas, d.replicas),
            s.updated_replicas.to_string(),
            s.available_replicas.to_string(),
            age(now, d.created),
        ];
        if wide {
            let spec = &d.template.spec;
            r.push(
                spec.containers
                    .iter()
                    .map(|c| c.name.to_string())
                    .collect::<Vec<_>>()
                    .join(","),
            );
            r.push(
                spec.containers
                    .iter()
                    .map(|c| i.resolve(c.image).to_string())
                    .collect::<Vec<_>>()
                    .join(","),
            );
            r.push(d.selector.render(i));
        }
        r.push(i.resolve(d.namespace).to_string());
        rows.push(r);
        let mut v = serde_json::to_value(d.source.as_ref()).unwrap_or(Value::Null);
        if let Some(m) = v.as_object_mut() {
            m.insert("apiVersion".into(), json!("apps/v1"));
            m.insert("kind".into(), json!("Deployment"));
            if let Some(md) = m.get_mut("metadata").and_then(|x| x.as_object_mut()) {
                md.insert("namespace".into(), json!(i.resolve(d.namespace)));
                md.insert("creationTimestamp".into(), json!(pr::rfc3339(d.created)));
                md.insert("generation".into(), json!(d.revision));
                let ann = md.entry("annotations").or_insert(json!({}));
                if let Some(a) = ann.as_object_mut() {
                    a.insert(
                        "deployment.kubernetes.io/revision".into(),
                        json!(d.revision.to_string()),
                    );
                }
            }
            if let Some(sp) = m.get_mut("spec").and_then(|x| x.as_object_mut()) {
                sp.insert("replicas".into(), json!(d.replicas));
            }
            m.insert(
                "status".into(),
                json!({"replicas": s.replicas, "updatedReplicas": s.updated_replicas,
                       "readyReplicas": s.ready_replicas, "availableReplicas": s.available_replicas,
                       "unavailableReplicas": s.unavailable_replicas}),
            );
        }
        items.push(prune(v));
    }
    (rows, items)
}

fn int_or_percent(v: Option<IntOrPercent>) -> String {
    match v {
        Some(IntOrPercent::Int(n)) => n.to_string(),
        Some(IntOrPercent::Percent(p)) => format!("{p}%"),
        None => "N/A".into(),
    }
}

/// A metric value in milli-units as a quantity (`500m`, `2`).
fn milli(v: i64) -> String {
    if v % 1000 == 0 {
        (v / 1000).to_string()
    } else {
        format!("{v}m")
    }
}

/// The TARGETS column (`formatHPAMetrics`): `cpu: 45%/50%`, `<unknown>` before the first
/// measurement, two metrics then `+ N more...`.
pub fn hpa_targets(h: &crate::controllers::hpa::Hpa) -> String {
    let spec = h.spec();
    if spec.metrics.is_empty() {
        return "<none>".into();
    }
    let mut list = Vec::new();
    for (k, m) in spec.metrics.iter().enumerate() {
        let cur = h.status.current_metrics.get(k).map(|c| c.value);
        let q = |t: &crate::api::autoscaling::MetricTarget| {
            t.average_value
                .as_ref()
                .or(t.value.as_ref())
                .map_or("<unset>".to_string(), |q| q.to_string())
        };
        let s = match m.type_ {
            MetricSourceType::Resource | MetricSourceType::ContainerResource => {
                let (name, t) = match (&m.resource, &m.container_resource) {
                    (Some(r), _) => (r.name.clone(), &r.target),
                    (None, Some(c)) => (c.name.clone(), &c.target),
                    _ => continue,
                };
                if t.type_ == MetricTargetType::Utilization {
                    let c = cur.map_or("<unknown>".to_string(), |v| format!("{v}%"));
                    let tg = t
                        .average_utilization
                        .map_or("<auto>".to_string(), |u| format!("{u}%"));
                    format!("{name}: {c}/{tg}")
                } else {
                    let c = cur.map_or("<unknown>".to_string(), |v| {
                        if name == "memory" {
                            pr::mem(v / 1000)
                        } else {
                            milli(v)
                        }
                    });
                    format!("{name}: {c}/{}", q(t))
                }
            }
            MetricSourceType::Pods => {
                let Some(p) = &m.pods else { continue };
                let c = cur.map_or("<unknown>".to_string(), milli);
                format!("{c}/{}", q(&p.target))
            }
            MetricSourceType::External => {
                let Some(e) = &m.external else { continue };
                let c = cur.map_or("<unknown>".to_string(), milli);
                if e.target.average_value.is_some() {
                    format!("{c}/{} (avg)", q(&e.target))
                } else {
                    format!("{c}/{}", q(&e.target))
                }
            }
            MetricSourceType::Object => {
                let Some(o) = &m.object else { continue };
                format!("<unknown>/{}", q(&o.target))
            }
        };
        list.push(s);
    }
    if list.len() > 2 {
        let more = list.len() - 2;
        return format!("{} + {more} more...", list[..2].join(", "));
    }
    list.join(", ")
}

fn hpas(sim: &Simulation, ns: Option<&str>) -> Rows {
    let store = &sim.store;
    let i = &store.interner;
    let now = store.now();
    let mut rows = vec![
        [
            "NAME",
            "REFERENCE",
            "TARGETS",
            "MINPODS",
            "MAXPODS",
            "REPLICAS",
            "AGE",
        ]
        .map(String::from)
        .to_vec(),
    ];
    let mut items = Vec::new();
    let mut list: Vec<_> = sim
        .hpa
        .hpas()
        .filter(|h| ns.is_none_or(|n| i.resolve(h.namespace) == n))
        .collect();
    list.sort_by(|a, b| (i.resolve(a.namespace), &a.name).cmp(&(i.resolve(b.namespace), &b.name)));
    for h in list {
        let spec = h.spec();
        let created = store
            .object(Kind::HorizontalPodAutoscaler, h.namespace, &h.name)
            .map_or(SimTime::ZERO, |o| o.created);
        rows.push(vec![
            h.name.to_string(),
            format!(
                "{}/{}",
                spec.scale_target_ref.kind, spec.scale_target_ref.name
            ),
            hpa_targets(h),
            spec.min_replicas
                .map_or("<unset>".into(), |m| m.to_string()),
            spec.max_replicas.to_string(),
            h.status.current_replicas.to_string(),
            age(now, created),
            i.resolve(h.namespace).to_string(),
        ]);
        let metrics: Vec<Value> = h
            .status
            .current_metrics
            .iter()
            .map(|m| json!({"name": m.name, "value": m.value}))
            .collect();
        let cond = |t: &str, c: &Option<crate::controllers::hpa::Condition>| {
            c.as_ref().map(|c| json!({"type": t, "status": if c.status {"True"} else {"False"}, "reason": c.reason, "message": c.message}))
        };
        items.push(prune(json!({
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": &*h.name, "namespace": i.resolve(h.namespace), "creationTimestamp": pr::rfc3339(created)},
            "spec": spec,
            "status": {
                "currentReplicas": h.status.current_replicas,
                "desiredReplicas": h.status.desired_replicas,
                "lastScaleTime": h.status.last_scale_time.map(pr::rfc3339),
                "currentMetrics": metrics,
                "conditions": [cond("AbleToScale", &h.status.able_to_scale), cond("ScalingActive", &h.status.scaling_active), cond("ScalingLimited", &h.status.scaling_limited)],
            },
        })));
    }
    (rows, items)
}

fn pdbs(sim: &mut Simulation, ns: Option<&str>) -> Rows {
    let budgets = Budget::all(&mut sim.store);
    let store = &sim.store;
    let i = &store.interner;
    let now = store.now();
    let mut rows = vec![
        [
            "NAME",
            "MIN AVAILABLE",
            "MAX UNAVAILABLE",
            "ALLOWED DISRUPTIONS",
            "AGE",
        ]
        .map(String::from)
        .to_vec(),
    ];
    let mut items = Vec::new();
    let mut list: Vec<&Budget> = budgets
        .iter()
        .filter(|b| ns.is_none_or(|n| i.resolve(b.namespace) == n))
        .collect();
    list.sort_by(|a, b| (i.resolve(a.namespace), &a.name).cmp(&(i.resolve(b.namespace), &b.name)));
    for b in list {
        let st = b.status(store);
        let obj = store.object(Kind::PodDisruptionBudget, b.namespace, &b.name);
        let created = obj.map_or(SimTime::ZERO, |o| o.created);
        rows.push(vec![
            b.name.to_string(),
            int_or_percent(b.min_available),
            int_or_percent(b.max_unavailable),
            st.disruptions_allowed.to_string(),
            age(now, created),
            i.resolve(b.namespace).to_string(),
        ]);
        let spec = match obj.map(|o| o.object.as_ref()) {
            Some(crate::api::Object::PodDisruptionBudget(p)) => {
                serde_json::to_value(&p.spec).unwrap_or(Value::Null)
            }
            _ => Value::Null,
        };
        items.push(prune(json!({
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": {"name": &*b.name, "namespace": i.resolve(b.namespace), "creationTimestamp": pr::rfc3339(created)},
            "spec": spec,
            "status": {"expectedPods": st.expected, "desiredHealthy": st.desired_healthy,
                       "currentHealthy": st.current_healthy, "disruptionsAllowed": st.disruptions_allowed},
        })));
    }
    (rows, items)
}
