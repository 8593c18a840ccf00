//! Conversion from manifest types (`crate::api`) to runtime objects, applying the API server's
//! defaulting and validation on the way. Every problem becomes a [`Diagnostic`] that names the
//! object's file and line and the field path.

use super::labels::{Interner, LabelSet, Requirement, SelOp, Selector, Sym};
use super::node::{CondStatus, Node, NodeHealth};
use super::pod::{
    ConfigRef, Container, HostPort, NodeAffinity, NodeSelectorTerm, PodAffinity, PodAffinityTerm,
    PodSpec, Probe, PullPolicy, RestartPolicy, SpreadConstraint, Taint, TaintEffect, Toleration,
    TolerationOp, VolumeRef,
};
use super::resources::Resources;
use super::workloads::{PodTemplate, Strategy};
use crate::api::{self, pod as ap};
use crate::diag::Diagnostic;
use crate::engine::{SimDuration, SimTime};
use crate::load::Origin;
use std::collections::BTreeSet;
use std::sync::Arc;

/// Result of a conversion step.
pub type Conv<T> = Result<T, Diagnostic>;

/// Label key carrying the zone (`topology.kubernetes.io/zone`).
pub const ZONE_LABEL: &str = "topology.kubernetes.io/zone";
/// Label key carrying the region.
pub const REGION_LABEL: &str = "topology.kubernetes.io/region";
/// Legacy zone label.
pub const LEGACY_ZONE_LABEL: &str = "failure-domain.beta.kubernetes.io/zone";
/// Label key carrying the node name.
pub const HOSTNAME_LABEL: &str = "kubernetes.io/hostname";
/// The Deployment controller's template hash label.
pub const POD_TEMPLATE_HASH: &str = "pod-template-hash";
/// Default scheduler profile name.
pub const DEFAULT_SCHEDULER: &str = "default-scheduler";
/// The kubelet's default `maxPods`, used when a node lists no `pods` allocatable.
pub const DEFAULT_MAX_PODS: i64 = 110;

fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_string()
    } else {
        format!("{path}.{field}")
    }
}

/// Converts a resource list into integer resources (cpu in millicores, the rest in base units).
/// `pods` is returned separately. Values were range-checked when the manifest was read.
pub fn resources(
    list: &api::resources::ResourceList,
    i: &mut Interner,
) -> (Resources, Option<i64>) {
    let mut r = Resources::zero();
    let mut pods = None;
    for (name, q) in list.iter() {
        match name.as_str() {
            "cpu" => r.cpu = q.milli_value().unwrap_or(i64::MAX),
            "memory" => r.memory = q.value().unwrap_or(i64::MAX),
            "ephemeral-storage" => r.ephemeral = q.value().unwrap_or(i64::MAX),
            "pods" => pods = Some(q.value().unwrap_or(i64::MAX)),
            "storage" => {}
            other => {
                let v = q.value().unwrap_or(i64::MAX);
                let s = i.intern(other);
                r.set_scalar(s, v);
            }
        }
    }
    (r, pods)
}

/// Converts a label selector.
pub fn selector(sel: &api::LabelSelector, i: &mut Interner) -> Selector {
    let mut reqs = Vec::new();
    for (k, v) in sel.match_labels.iter() {
        reqs.push(Requirement {
            key: i.intern(k),
            op: SelOp::In(vec![i.intern(v)]),
        });
    }
    for e in &sel.match_expressions {
        let vals: Vec<Sym> = e.values.iter().map(|v| i.intern(v)).collect();
        let op = match e.operator {
            api::meta::SelectorOperator::In => SelOp::In(vals),
            api::meta::SelectorOperator::NotIn => SelOp::NotIn(vals),
            api::meta::SelectorOperator::Exists => SelOp::Exists,
            api::meta::SelectorOperator::DoesNotExist => SelOp::DoesNotExist,
        };
        reqs.push(Requirement {
            key: i.intern(&e.key),
            op,
        });
    }
    Selector { reqs }
}

/// Converts a label map.
pub fn labels(l: &api::Labels, i: &mut Interner) -> LabelSet {
    LabelSet::from_pairs(l.iter().map(|(k, v)| (i.intern(k), i.intern(v))).collect())
}

/// Converts a `NodeSelector` (a PersistentVolume's `nodeAffinity.required`) into ORed terms.
pub fn node_selector_terms(
    sel: &ap::NodeSelector,
    i: &mut Interner,
    o: &Origin,
    path: &str,
) -> Conv<Vec<NodeSelectorTerm>> {
    let mut out = Vec::new();
    for (n, t) in sel.node_selector_terms.iter().enumerate() {
        out.push(node_term(
            t,
            i,
            o,
            &format!("{}[{n}]", join(path, "nodeSelectorTerms")),
        )?);
    }
    Ok(out)
}

fn node_term(
    t: &ap::NodeSelectorTerm,
    i: &mut Interner,
    o: &Origin,
    path: &str,
) -> Conv<NodeSelectorTerm> {
    let conv = |reqs: &[ap::NodeSelectorRequirement],
                i: &mut Interner,
                field: &str|
     -> Conv<Selector> {
        let mut out = Vec::new();
        for (n, r) in reqs.iter().enumerate() {
            let p = format!("{}[{n}]", join(path, field));
            let Some(op) = r.operator else {
                return Err(o.error(&join(&p, "operator"), "Required value"));
            };
            if field == "matchExpressions" {
                api::validation::check_qualified_name(&r.key)
                    .map_err(|e| o.error(&join(&p, "key"), e))?;
            } else if r.key != "metadata.name" {
                return Err(o.error(
                    &join(&p, "key"),
                    format!(
                        "Unsupported value: {:?}: supported values: \"metadata.name\"",
                        r.key
                    ),
                ));
            }
            let vals: Vec<Sym> = r.values.iter().map(|v| i.intern(v)).collect();
            use ap::NodeSelectorOperator as N;
            let need_vals = matches!(op, N::In | N::NotIn);
            if need_vals && vals.is_empty() {
                return Err(o.error(
                    &join(&p, "values"),
                    "Required value: must be specified when `operator` is 'In' or 'NotIn'",
                ));
            }
            if matches!(op, N::Exists | N::DoesNotExist) && !vals.is_empty() {
                return Err(o.error(
                    &join(&p, "values"),
                    "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
                ));
            }
            let num = |r: &ap::NodeSelectorRequirement| -> Conv<i64> {
                if r.values.len() != 1 {
                    return Err(o.error(&join(&p, "values"), "Required value: must be specified single value when `operator` is 'Lt' or 'Gt'"));
                }
                r.values[0].parse::<i64>().map_err(|_| {
                    o.error(
                        &join(&p, "values[0]"),
                        format!("Invalid value: {:?}: must be an integer", r.values[0]),
                    )
                })
            };
            let op = match op {
                N::In => SelOp::In(vals),
                N::NotIn => SelOp::NotIn(vals),
                N::Exists => SelOp::Exists,
                N::DoesNotExist => SelOp::DoesNotExist,
                N::Gt => SelOp::Gt(num(r)?),
                N::Lt => SelOp::Lt(num(r)?),
            };
            out.push(Requirement {
                key: i.intern(&r.key),
                op,
            });
        }
        Ok(Selector { reqs: out })
    };
    Ok(NodeSelectorTerm {
        labels: conv(&t.match_expressions, i, "matchExpressions")?,
        fields: conv(&t.match_fields, i, "matchFields")?,
    })
}

fn pod_affinity_term(
    t: &ap::PodAffinityTerm,
    i: &mut Interner,
    o: &Origin,
    path: &str,
) -> Conv<PodAffinityTerm> {
    if t.topology_key.is_empty() {
        return Err(o.error(
            &join(path, "topologyKey"),
            "Required value: can not be empty",
        ));
    }
    api::validation::check_qualified_name(&t.topology_key)
        .map_err(|e| o.error(&join(path, "topologyKey"), e))?;
    let mut sel = t
        .label_selector
        .as_ref()
        .map(|s| selector(s, i))
        .unwrap_or_default();
    if t.label_selector.is_none() {
        // A nil selector matches nothing.
        sel.reqs.push(Requirement {
            key: i.intern(""),
            op: SelOp::In(vec![]),
        });
    }
    Ok(PodAffinityTerm {
        selector: sel,
        namespaces: t.namespaces.iter().map(|n| i.intern(n)).collect(),
        namespace_selector: t.namespace_selector.as_ref().map(|s| selector(s, i)),
        topology_key: i.intern(&t.topology_key),
    })
}

fn pod_affinity(
    a: &ap::PodAffinity,
    i: &mut Interner,
    o: &Origin,
    path: &str,
) -> Conv<PodAffinity> {
    let mut out = PodAffinity::default();
    for (n, t) in a
        .required_during_scheduling_ignored_during_execution
        .iter()
        .enumerate()
    {
        out.required.push(pod_affinity_term(
            t,
            i,
            o,
            &format!("{path}.requiredDuringSchedulingIgnoredDuringExecution[{n}]"),
        )?);
    }
    for (n, w) in a
        .preferred_during_scheduling_ignored_during_execution
        .iter()
        .enumerate()
    {
        let p = format!("{path}.preferredDuringSchedulingIgnoredDuringExecution[{n}]");
        if !(1..=100).contains(&w.weight) {
            return Err(o.error(
                &join(&p, "weight"),
                format!("Invalid value: {}: must be in the range 1-100", w.weight),
            ));
        }
        out.preferred.push((
            w.weight,
            pod_affinity_term(&w.pod_affinity_term, i, o, &join(&p, "podAffinityTerm"))?,
        ));
    }
    Ok(out)
}

fn probe(p: &Option<ap::Probe>) -> Option<Probe> {
    p.as_ref().map(|p| Probe {
        initial_delay: SimDuration::from_secs(p.initial_delay_seconds.unwrap_or(0).max(0) as u64),
        period: SimDuration::from_secs(p.period_seconds.unwrap_or(10).max(1) as u64),
        success_threshold: p.success_threshold.unwrap_or(1).max(1) as u32,
        failure_threshold: p.failure_threshold.unwrap_or(3).max(1) as u32,
    })
}

fn container(
    c: &ap::Container,
    i: &mut Interner,
    o: &Origin,
    path: &str,
    init: bool,
) -> Conv<Container> {
    if c.name.is_empty() {
        return Err(o.error(&join(path, "name"), "Required value"));
    }
    api::validation::check_dns_label(&c.name).map_err(|e| o.error(&join(path, "name"), e))?;
    let (image, pull_policy, image_key) = match c.image.as_deref() {
        Some(img) if !img.trim().is_empty() => {
            let policy = match c.image_pull_policy.as_deref() {
                None | Some("") => PullPolicy::default_for(img),
                Some("Always") => PullPolicy::Always,
                Some("IfNotPresent") => PullPolicy::IfNotPresent,
                Some("Never") => PullPolicy::Never,
                Some(other) => {
                    return Err(o.error(
                        &join(path, "imagePullPolicy"),
                        format!("Unsupported value: {other:?}: supported values: \"Always\", \"IfNotPresent\", \"Never\""),
                    ));
                }
            };
            (
                i.intern(img),
                policy,
                i.intern(&crate::scheduler::plugins::image_locality::normalize_image(
                    img,
                )),
            )
        }
        _ => return Err(o.error(&join(path, "image"), "Required value")),
    };
    let (mut requests, _) = resources(&c.resources.requests, i);
    let (limits, _) = resources(&c.resources.limits, i);
    // API defaulting: a limit without a request sets the request (SetDefaults_Container).
    for (name, _) in c.resources.limits.iter() {
        if c.resources.requests.get(name).is_none() {
            match name.as_str() {
                "cpu" => requests.cpu = limits.cpu,
                "memory" => requests.memory = limits.memory,
                "ephemeral-storage" => requests.ephemeral = limits.ephemeral,
                other => {
                    let s = i.intern(other);
                    requests.set_scalar(s, limits.scalar(s));
                }
            }
        }
    }
    // Validation: request must not exceed limit.
    for (name, lq) in c.resources.limits.iter() {
        if let Some(rq) = c.resources.requests.get(name)
            && rq.as_f64() > lq.as_f64()
        {
            return Err(o.error(
                &format!("{path}.resources.requests[{name}]"),
                format!(
                    "Invalid value: \"{rq}\": must be less than or equal to {name} limit of {lq}"
                ),
            ));
        }
    }
    let has =
        |n: &str| c.resources.requests.get(n).is_some() || c.resources.limits.get(n).is_some();
    let mut config_refs = Vec::new();
    for e in &c.env_from {
        if let Some(r) = &e.config_map_ref {
            config_refs.push(ConfigRef {
                secret: false,
                name: i.intern(&r.name),
                optional: r.optional.unwrap_or(false),
            });
        }
        if let Some(r) = &e.secret_ref {
            config_refs.push(ConfigRef {
                secret: true,
                name: i.intern(&r.name),
                optional: r.optional.unwrap_or(false),
            });
        }
    }
    for e in &c.env {
        if let Some(vf) = &e.value_from {
            if let Some(r) = &vf.config_map_key_ref {
                config_refs.push(ConfigRef {
                    secret: false,
                    name: i.intern(&r.name),
                    optional: r.optional.unwrap_or(false),
                });
            }
            if let Some(r) = &vf.secret_key_ref {
                config_refs.push(ConfigRef {
                    secret: true,
                    name: i.intern(&r.name),
                    optional: r.optional.unwrap_or(false),
                });
            }
        }
    }
    let sidecar = init && c.restart_policy == Some(ap::RestartPolicy::Always);
    if !init && c.restart_policy.is_some() {
        return Err(o.error(
            &join(path, "restartPolicy"),
            "Forbidden: may not be set for non-init containers",
        ));
    }
    Ok(Container {
        name: Arc::from(c.name.as_str()),
        image,
        image_key,
        has_cpu_request: has("cpu"),
        has_memory_request: has("memory"),
        requests,
        limits,
        readiness: probe(&c.readiness_probe),
        startup: probe(&c.startup_probe),
        liveness: probe(&c.liveness_probe),
        sidecar,
        config_refs,
        pull_policy,
    })
}

fn toleration(t: &ap::Toleration, i: &mut Interner, o: &Origin, path: &str) -> Conv<Toleration> {
    let op = match t.operator {
        None | Some(ap::TolerationOperator::Equal) => TolerationOp::Equal,
        Some(ap::TolerationOperator::Exists) => TolerationOp::Exists,
        Some(ap::TolerationOperator::Lt) => TolerationOp::Lt,
        Some(ap::TolerationOperator::Gt) => TolerationOp::Gt,
    };
    let key = t.key.as_deref().filter(|k| !k.is_empty());
    if key.is_none() && op != TolerationOp::Exists {
        return Err(o.error(&join(path, "operator"), "Invalid value: operator must be Exists when `key` is empty, which means \"match all values and all keys\""));
    }
    if op == TolerationOp::Exists && t.value.as_deref().is_some_and(|v| !v.is_empty()) {
        return Err(o.error(
            &join(path, "operator"),
            "Invalid value: value must be empty when `operator` is 'Exists'",
        ));
    }
    if let Some(k) = key {
        api::validation::check_qualified_name(k).map_err(|e| o.error(&join(path, "key"), e))?;
    }
    let effect = t.effect.map(taint_effect);
    if t.toleration_seconds.is_some() && effect.is_some_and(|e| e != TaintEffect::NoExecute) {
        return Err(o.error(
            &join(path, "effect"),
            "Invalid value: effect must be 'NoExecute' when `tolerationSeconds` is set",
        ));
    }
    Ok(Toleration {
        key: key.map(|k| i.intern(k)),
        op,
        value: i.intern(t.value.as_deref().unwrap_or("")),
        effect,
        toleration_seconds: t.toleration_seconds,
    })
}

/// Converts a taint effect.
pub fn taint_effect(e: ap::TaintEffect) -> TaintEffect {
    match e {
        ap::TaintEffect::NoSchedule => TaintEffect::NoSchedule,
        ap::TaintEffect::PreferNoSchedule => TaintEffect::PreferNoSchedule,
        ap::TaintEffect::NoExecute => TaintEffect::NoExecute,
    }
}

/// Converts a pod spec, applying API defaulting and validation.
pub fn pod_spec(s: &ap::PodSpec, i: &mut Interner, o: &Origin, path: &str) -> Conv<PodSpec> {
    if s.containers.is_empty() {
        return Err(o.error(&join(path, "containers"), "Required value"));
    }
    let mut names = BTreeSet::new();
    let mut containers = Vec::new();
    for (n, c) in s.containers.iter().enumerate() {
        let p = format!("{}[{n}]", join(path, "containers"));
        let c = container(c, i, o, &p, false)?;
        if !names.insert(c.name.clone()) {
            return Err(o.error(&join(&p, "name"), format!("Duplicate value: {:?}", c.name)));
        }
        containers.push(c);
    }
    let mut init_containers = Vec::new();
    for (n, c) in s.init_containers.iter().enumerate() {
        let p = format!("{}[{n}]", join(path, "initContainers"));
        let c = container(c, i, o, &p, true)?;
        if !names.insert(c.name.clone()) {
            return Err(o.error(&join(&p, "name"), format!("Duplicate value: {:?}", c.name)));
        }
        init_containers.push(c);
    }
    let mut node_selector = Vec::new();
    for (k, v) in &s.node_selector {
        let p = format!("{path}.nodeSelector");
        api::validation::check_qualified_name(k).map_err(|e| o.error(&p, e))?;
        api::validation::check_label_value(v).map_err(|e| o.error(&p, e))?;
        node_selector.push((i.intern(k), i.intern(v)));
    }
    node_selector.sort();
    let mut node_affinity = NodeAffinity::default();
    let mut pod_aff = PodAffinity::default();
    let mut pod_anti = PodAffinity::default();
    if let Some(a) = &s.affinity {
        let ap = format!("{path}.affinity");
        if let Some(na) = &a.node_affinity {
            let np = format!("{ap}.nodeAffinity");
            if let Some(req) = &na.required_during_scheduling_ignored_during_execution {
                let rp = format!("{np}.requiredDuringSchedulingIgnoredDuringExecution");
                if req.node_selector_terms.is_empty() {
                    return Err(o.error(
                        &join(&rp, "nodeSelectorTerms"),
                        "Required value: must have at least one node selector term",
                    ));
                }
                let mut terms = Vec::new();
                for (n, t) in req.node_selector_terms.iter().enumerate() {
                    terms.push(node_term(t, i, o, &format!("{rp}.nodeSelectorTerms[{n}]"))?);
                }
                node_affinity.required = Some(terms);
            }
            for (n, p) in na
                .preferred_during_scheduling_ignored_during_execution
                .iter()
                .enumerate()
            {
                let pp = format!("{np}.preferredDuringSchedulingIgnoredDuringExecution[{n}]");
                if !(1..=100).contains(&p.weight) {
                    return Err(o.error(
                        &join(&pp, "weight"),
                        format!("Invalid value: {}: must be in the range 1-100", p.weight),
                    ));
                }
                node_affinity.preferred.push((
                    p.weight,
                    node_term(&p.preference, i, o, &join(&pp, "preference"))?,
                ));
            }
        }
        if let Some(pa) = &a.pod_affinity {
            pod_aff = pod_affinity(pa, i, o, &format!("{ap}.podAffinity"))?;
        }
        if let Some(pa) = &a.pod_anti_affinity {
            pod_anti = pod_affinity(pa, i, o, &format!("{ap}.podAntiAffinity"))?;
        }
    }
    let mut tolerations = Vec::new();
    for (n, t) in s.tolerations.iter().enumerate() {
        tolerations.push(toleration(t, i, o, &format!("{path}.tolerations[{n}]"))?);
    }
    let mut spread = Vec::new();
    for (n, c) in s.topology_spread_constraints.iter().enumerate() {
        let p = format!("{path}.topologySpreadConstraints[{n}]");
        if c.max_skew <= 0 {
            return Err(o.error(
                &join(&p, "maxSkew"),
                format!("Invalid value: {}: must be greater than zero", c.max_skew),
            ));
        }
        if c.topology_key.is_empty() {
            return Err(o.error(&join(&p, "topologyKey"), "Required value: can not be empty"));
        }
        let hard = c.when_unsatisfiable == ap::UnsatisfiableConstraintAction::DoNotSchedule;
        if let Some(md) = c.min_domains {
            if md <= 0 {
                return Err(o.error(
                    &join(&p, "minDomains"),
                    format!("Invalid value: {md}: must be greater than zero"),
                ));
            }
            if !hard {
                return Err(o.error(
                    &join(&p, "minDomains"),
                    "Invalid value: can only use minDomains if whenUnsatisfiable=DoNotSchedule",
                ));
            }
        }
        spread.push(SpreadConstraint {
            max_skew: c.max_skew,
            topology_key: i.intern(&c.topology_key),
            hard,
            selector: c
                .label_selector
                .as_ref()
                .map(|s| selector(s, i))
                .unwrap_or_else(|| Selector {
                    reqs: vec![Requirement {
                        key: Sym(0),
                        op: SelOp::In(vec![]),
                    }],
                }),
            min_domains: c.min_domains,
            honor_node_affinity: c.node_affinity_policy != Some(ap::NodeInclusionPolicy::Ignore),
            honor_taints: c.node_taints_policy == Some(ap::NodeInclusionPolicy::Honor),
            match_label_keys: c.match_label_keys.iter().map(|k| i.intern(k)).collect(),
        });
    }
    let (overhead, _) = resources(&s.overhead, i);
    let mut volumes = Vec::new();
    for v in &s.volumes {
        if let Some(pvc) = &v.persistent_volume_claim {
            volumes.push(VolumeRef::Claim(i.intern(&pvc.claim_name)));
        } else if let Some(cm) = &v.config_map {
            volumes.push(VolumeRef::ConfigMap {
                name: i.intern(&cm.name),
                optional: cm.optional.unwrap_or(false),
            });
        } else if let Some(sec) = &v.secret {
            volumes.push(VolumeRef::Secret {
                name: i.intern(&sec.secret_name),
                optional: sec.optional.unwrap_or(false),
            });
        } else if v.empty_dir.is_some() || v.host_path.is_some() {
            volumes.push(VolumeRef::Local);
        }
    }
    // Host ports of regular and sidecar containers (`schedutil.GetHostPorts`): plain init
    // containers have exited before the others start, so their ports are not held.
    let mut host_ports = Vec::new();
    let sidecars = s
        .init_containers
        .iter()
        .filter(|c| c.restart_policy == Some(ap::RestartPolicy::Always));
    for c in s.containers.iter().chain(sidecars) {
        for p in &c.ports {
            let port = if s.host_network {
                Some(p.container_port)
            } else {
                p.host_port.filter(|&h| h > 0)
            };
            if let Some(port) = port {
                host_ports.push(HostPort {
                    protocol: i.intern(p.protocol.as_deref().unwrap_or("TCP")),
                    ip: i.intern(
                        p.host_ip
                            .as_deref()
                            .filter(|s| !s.is_empty())
                            .unwrap_or("0.0.0.0"),
                    ),
                    port,
                });
            }
        }
    }
    let (pod_requests, pod_limits) = match &s.resources {
        Some(r) => (
            (!r.requests.is_empty()).then(|| resources(&r.requests, i).0),
            (!r.limits.is_empty()).then(|| resources(&r.limits, i).0),
        ),
        None => (None, None),
    };
    if let Some(g) = s.termination_grace_period_seconds
        && g < 0
    {
        return Err(o.error(
            &join(path, "terminationGracePeriodSeconds"),
            format!("Invalid value: {g}: must be greater than or equal to 0"),
        ));
    }
    Ok(PodSpec {
        containers,
        init_containers,
        node_name: s
            .node_name
            .as_deref()
            .filter(|n| !n.is_empty())
            .map(|n| i.intern(n)),
        node_selector,
        node_affinity,
        pod_affinity: pod_aff,
        pod_anti_affinity: pod_anti,
        tolerations,
        spread,
        priority_class: s
            .priority_class_name
            .as_deref()
            .filter(|n| !n.is_empty())
            .map(|n| i.intern(n)),
        priority: s.priority,
        preempt_lower: s
            .preemption_policy
            .map(|p| p == ap::PreemptionPolicy::PreemptLowerPriority),
        scheduler_name: i.intern(s.scheduler_name.as_deref().unwrap_or(DEFAULT_SCHEDULER)),
        overhead,
        scheduling_gates: s
            .scheduling_gates
            .iter()
            .map(|g| i.intern(&g.name))
            .collect(),
        restart_policy: match s.restart_policy {
            None | Some(ap::RestartPolicy::Always) => RestartPolicy::Always,
            Some(ap::RestartPolicy::OnFailure) => RestartPolicy::OnFailure,
            Some(ap::RestartPolicy::Never) => RestartPolicy::Never,
        },
        termination_grace: SimDuration::from_secs(
            s.termination_grace_period_seconds.unwrap_or(30).max(0) as u64,
        ),
        active_deadline: s
            .active_deadline_seconds
            .map(|d| SimDuration::from_secs(d.max(0) as u64)),
        volumes,
        host_ports,
        pod_requests,
        pod_limits,
    })
}

/// Annotation pairs as symbols.
pub fn annotations(meta: &api::ObjectMeta, i: &mut Interner) -> Arc<[(Sym, Sym)]> {
    let mut v: Vec<(Sym, Sym)> = meta
        .annotations
        .iter()
        .map(|(k, v)| (i.intern(k), i.intern(v)))
        .collect();
    v.sort();
    v.into()
}

/// FNV-32a, as Go's `hash/fnv` computes it.
pub fn fnv32a(bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for &b in bytes {
        h ^= b as u32;
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// `rand.SafeEncodeString` (apimachinery `util/rand`): maps each character to an alphabet without
/// vowels or look-alike digits.
pub fn safe_encode(s: &str) -> String {
    const ALPHANUMS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    s.bytes()
        .map(|b| ALPHANUMS[b as usize % ALPHANUMS.len()] as char)
        .collect()
}

/// Converts a pod template. The `pod-template-hash` follows `controller.ComputeHash` in shape
/// (FNV-32a rendered through `SafeEncodeString`) over a canonical JSON form of the template; the
/// exact hash bytes differ from upstream, which hashes Go's in-memory object dump.
pub fn template(
    t: &ap::PodTemplateSpec,
    i: &mut Interner,
    o: &Origin,
    path: &str,
) -> Conv<PodTemplate> {
    let spec = pod_spec(&t.spec, i, o, &join(path, "spec"))?;
    let canonical = serde_json::to_vec(t).unwrap_or_default();
    let hash = safe_encode(&fnv32a(&canonical).to_string());
    Ok(PodTemplate {
        labels: labels(&t.metadata.labels, i),
        annotations: annotations(&t.metadata, i),
        spec: Arc::new(spec),
        hash: i.intern(&hash),
        source: Arc::new(t.clone()),
    })
}

/// Checks that `sel` is non-empty and selects the template's labels (apps/v1 validation).
pub fn check_selector_matches(
    sel: &api::LabelSelector,
    t: &ap::PodTemplateSpec,
    o: &Origin,
    path: &str,
) -> Conv<()> {
    if sel.is_empty() {
        return Err(o.error(
            &join(path, "selector"),
            "Invalid value: empty selector is invalid for deployment",
        ));
    }
    if !sel.matches(&t.metadata.labels) {
        return Err(o.error(
            &join(path, "template.metadata.labels"),
            format!(
                "Invalid value: {:?}: `selector` does not match template `labels`",
                t.metadata.labels.0
            ),
        ));
    }
    Ok(())
}

/// A legacy (`extensions/v1beta1`, `apps/v1beta1`) selector default: the template's labels.
pub fn default_selector(
    api_version: &str,
    sel: &Option<api::LabelSelector>,
    t: &ap::PodTemplateSpec,
    o: &Origin,
    path: &str,
) -> Conv<api::LabelSelector> {
    match sel {
        Some(s) => Ok(s.clone()),
        None if api_version != "apps/v1" => Ok(api::LabelSelector {
            match_labels: t.metadata.labels.clone(),
            match_expressions: vec![],
        }),
        None => Err(o.error(&join(path, "selector"), "Required value")),
    }
}

/// Deployment strategy after defaulting and validation (`ValidateRollingUpdateDeployment`).
pub fn strategy(s: &Option<api::workloads::DeploymentStrategy>, o: &Origin) -> Conv<Strategy> {
    use api::workloads::DeploymentStrategyType as T;
    let s = s.clone().unwrap_or_default();
    match s.type_.unwrap_or(T::RollingUpdate) {
        T::Recreate => {
            if s.rolling_update.is_some() {
                return Err(o.error(
                    "spec.strategy.rollingUpdate",
                    "Forbidden: may not be specified when strategy `type` is 'Recreate'",
                ));
            }
            Ok(Strategy::Recreate)
        }
        T::RollingUpdate => {
            let ru = s.rolling_update.unwrap_or_default();
            let max_surge = ru.max_surge.unwrap_or(api::IntOrPercent::Percent(25));
            let max_unavailable = ru.max_unavailable.unwrap_or(api::IntOrPercent::Percent(25));
            let zero = |v: api::IntOrPercent| {
                matches!(v, api::IntOrPercent::Int(0) | api::IntOrPercent::Percent(0))
            };
            if zero(max_surge) && zero(max_unavailable) {
                return Err(o.error(
                    "spec.strategy.rollingUpdate.maxUnavailable",
                    "Invalid value: 0: may not be 0 when `maxSurge` is 0",
                ));
            }
            if let api::IntOrPercent::Percent(p) = max_unavailable
                && p > 100
            {
                return Err(o.error(
                    "spec.strategy.rollingUpdate.maxUnavailable",
                    format!("Invalid value: \"{p}%\": must not be greater than 100%"),
                ));
            }
            Ok(Strategy::RollingUpdate {
                max_surge,
                max_unavailable,
            })
        }
    }
}

/// Converts a Node manifest. `now` is the creation time; a node without a `pods` allocatable
/// gets the kubelet default of 110.
pub fn node(
    n: &api::node::Node,
    i: &mut Interner,
    o: &Origin,
    uid: u64,
    now: SimTime,
) -> Conv<Node> {
    let name = n.metadata.name.clone().unwrap_or_default();
    if name.is_empty() {
        return Err(o.error("metadata.name", "Required value: name is required"));
    }
    api::validation::check_subdomain(&name).map_err(|e| o.error("metadata.name", e))?;
    let (capacity, cap_pods) = resources(&n.status.capacity, i);
    let (mut allocatable, alloc_pods) = if n.status.allocatable.is_empty() {
        (capacity.clone(), cap_pods)
    } else {
        resources(&n.status.allocatable, i)
    };
    if n.status.allocatable.is_empty() && n.status.capacity.is_empty() {
        return Err(o.error(
            "status.allocatable",
            "Required value: a simulated node needs allocatable (or capacity) cpu and memory",
        ));
    }
    if allocatable.cpu == 0 && allocatable.memory == 0 && allocatable.scalars.is_empty() {
        return Err(o.error(
            "status.allocatable",
            "node has no cpu or memory allocatable",
        ));
    }
    if allocatable.ephemeral == 0 {
        allocatable.ephemeral = i64::MAX / 4; // unlimited unless stated
    }
    let mut label_pairs: Vec<(Sym, Sym)> = n
        .metadata
        .labels
        .iter()
        .map(|(k, v)| (i.intern(k), i.intern(v)))
        .collect();
    let host = i.intern(HOSTNAME_LABEL);
    if !label_pairs.iter().any(|&(k, _)| k == host) {
        label_pairs.push((host, i.intern(&name)));
    }
    let labels = LabelSet::from_pairs(label_pairs);
    let zone_key = i.intern(ZONE_LABEL);
    let legacy = i.intern(LEGACY_ZONE_LABEL);
    let region_key = i.intern(REGION_LABEL);
    let mut taints = Vec::new();
    for t in &n.spec.taints {
        taints.push(Taint {
            key: i.intern(&t.key),
            value: i.intern(t.value.as_deref().unwrap_or("")),
            effect: taint_effect(t.effect),
            added: now,
        });
    }
    let ready = n
        .status
        .conditions
        .iter()
        .find(|c| c.type_ == "Ready")
        .map(|c| match c.status.as_str() {
            "True" => CondStatus::True,
            "False" => CondStatus::False,
            _ => CondStatus::Unknown,
        })
        .unwrap_or(CondStatus::True);
    let cond = |t: &str| {
        n.status
            .conditions
            .iter()
            .any(|c| c.type_ == t && c.status == "True")
    };
    let mut images = Vec::new();
    for img in &n.status.images {
        for nm in &img.names {
            let key = crate::scheduler::plugins::image_locality::normalize_image(nm);
            images.push((i.intern(&key), img.size_bytes.unwrap_or(0)));
        }
    }
    images.sort();
    images.dedup_by_key(|(s, _)| *s);
    Ok(Node {
        uid,
        name: i.intern(&name),
        zone: labels.get(zone_key).or_else(|| labels.get(legacy)),
        region: labels.get(region_key),
        labels,
        taints,
        unschedulable: n.spec.unschedulable,
        capacity,
        allocatable,
        allowed_pods: alloc_pods.unwrap_or(DEFAULT_MAX_PODS),
        ready,
        memory_pressure: cond("MemoryPressure"),
        disk_pressure: cond("DiskPressure"),
        pid_pressure: cond("PIDPressure"),
        health: if ready == CondStatus::True {
            NodeHealth::Up
        } else {
            NodeHealth::Down
        },
        created: now,
        ready_changed: now,
        pool: None,
        images,
        pull_bandwidth: DEFAULT_PULL_BANDWIDTH,
        puller_free_at: now,
        requested: Resources::zero(),
        non_zero_cpu: 0,
        non_zero_memory: 0,
        pod_count: 0,
        priorities: Default::default(),
        pods: BTreeSet::new(),
        used_ports: Vec::new(),
        deleting: false,
    })
}

/// Default image pull bandwidth (bytes per second) for nodes that do not state one: 50 MiB/s.
pub const DEFAULT_PULL_BANDWIDTH: i64 = 50 * 1024 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_encode_matches_upstream_alphabet() {
        // SafeEncodeString maps '0'..'9' (48..57) modulo 27.
        assert_eq!(safe_encode("0123456789"), "456789bcdf");
        assert_eq!(fnv32a(b""), 0x811c_9dc5);
        assert_eq!(fnv32a(b"a"), 0xe40c_292c);
    }

    #[test]
    fn limits_default_requests_and_validate() {
        let o = Origin::inline("t");
        let mut i = Interner::new();
        let s: ap::PodSpec = serde_yaml::from_str(
            "containers:\n- name: c\n  image: x\n  resources: {limits: {cpu: 500m, memory: 1Gi}}\n",
        )
        .unwrap();
        let p = pod_spec(&s, &mut i, &o, "spec").unwrap();
        assert_eq!(p.containers[0].requests.cpu, 500);
        assert_eq!(p.qos_class(), super::super::pod::QosClass::Guaranteed);
        let bad: ap::PodSpec = serde_yaml::from_str(
            "containers:\n- name: c\n  image: x\n  resources: {requests: {cpu: 2}, limits: {cpu: 1}}\n",
        )
        .unwrap();
        let e = pod_spec(&bad, &mut i, &o, "spec").unwrap_err();
        assert_eq!(
            e.path.as_deref(),
            Some("spec.containers[0].resources.requests[cpu]")
        );
        let noimg: ap::PodSpec = serde_yaml::from_str("containers:\n- name: c\n").unwrap();
        assert_eq!(
            pod_spec(&noimg, &mut i, &o, "spec")
                .unwrap_err()
                .path
                .as_deref(),
            Some("spec.containers[0].image")
        );
    }
}
