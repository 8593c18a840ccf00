//! Applying manifests to the store (`kubectl apply`): create objects, or update the ones that
//! exist (a Deployment with a changed template starts a rollout). Also the dry-run conversion
//! used to check scenarios before they run.

use crate::api::{self, Kind, Object};
use crate::diag::Diagnostic;
use crate::engine::{SimDuration, SimRng};
use crate::load::Loaded;
use crate::model::convert::{self, Conv};
use crate::model::workloads::{Deployment, DeploymentStatus, ReplicaSet, ReplicaSetStatus};
use crate::model::{Interner, NodeId, PoolId};
use crate::store::events::{EventType, ObjRef};
use crate::store::{NewPod, Store};
use std::sync::Arc;

/// autoscaling/v2 validation of `spec.metrics` (`ValidateMetricSpec`): the source named by
/// `type` is present, and targets are positive.
fn check_hpa_metrics(
    metrics: &[api::autoscaling::MetricSpec],
    o: &crate::load::Origin,
) -> Result<(), Diagnostic> {
    use api::autoscaling::{MetricSourceType as T, MetricTarget, MetricTargetType as TT};
    for (i, m) in metrics.iter().enumerate() {
        let path = format!("spec.metrics[{i}]");
        let target: Option<&MetricTarget> = match m.type_ {
            T::Resource => m.resource.as_ref().map(|r| &r.target),
            T::ContainerResource => m.container_resource.as_ref().map(|r| &r.target),
            T::Pods => m.pods.as_ref().map(|r| &r.target),
            T::Object => m.object.as_ref().map(|r| &r.target),
            T::External => m.external.as_ref().map(|r| &r.target),
        };
        let Some(t) = target else {
            return Err(o.error(
                &path,
                "Required value: must populate information for the given metric source",
            ));
        };
        let positive = |q: &Option<api::Quantity>, f: &str| match q {
            None => Err(o.error(
                &format!("{path}.target.{f}"),
                "Required value: must set the value for the target type",
            )),
            Some(q) if q.milli_value().is_ok_and(|v| v > 0) => Ok(()),
            Some(_) => Err(o.error(&format!("{path}.target.{f}"), "must be positive")),
        };
        match t.type_ {
            TT::Utilization => match t.average_utilization {
                Some(u) if u > 0 => {}
                Some(_) => {
                    return Err(o.error(
                        &format!("{path}.target.averageUtilization"),
                        "must be greater than 0",
                    ));
                }
                None => {
                    return Err(o.error(
                        &format!("{path}.target.averageUtilization"),
                        "Required value: must set the value for the target type",
                    ));
                }
            },
            TT::AverageValue => positive(&t.average_value, "averageValue")?,
            TT::Value => positive(&t.value, "value")?,
        }
    }
    Ok(())
}

/// The VPA CRD's enumerations (`updatePolicy.updateMode`, container `mode` and
/// `controlledValues`), as the API server's schema validation rejects other values.
fn check_vpa(spec: &api::autoscaling::VpaSpec, o: &crate::load::Origin) -> Result<(), Diagnostic> {
    let one_of = |v: &Option<String>, path: &str, allowed: &[&str]| match v {
        Some(x) if !allowed.contains(&x.as_str()) => Err(o.error(
            path,
            format!(
                "Unsupported value: {x:?}: supported values: {}",
                allowed
                    .iter()
                    .map(|a| format!("\"{a}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )),
        _ => Ok(()),
    };
    if let Some(u) = &spec.update_policy {
        one_of(
            &u.update_mode,
            "spec.updatePolicy.updateMode",
            &["Off", "Initial", "Recreate", "InPlaceOrRecreate", "Auto"],
        )?;
    }
    if let Some(r) = &spec.resource_policy {
        for (i, c) in r.container_policies.iter().enumerate() {
            let path = format!("spec.resourcePolicy.containerPolicies[{i}]");
            one_of(&c.mode, &format!("{path}.mode"), &["Auto", "Off"])?;
            one_of(
                &c.controlled_values,
                &format!("{path}.controlledValues"),
                &["RequestsAndLimits", "RequestsOnly"],
            )?;
        }
    }
    Ok(())
}

/// Checks that an object converts into the runtime model (everything `apply` would reject).
pub fn convert_check(l: &Loaded, i: &mut Interner) -> Result<(), Diagnostic> {
    let o = &l.origin;
    check_name(l)?;
    match &l.object {
        Object::Node(n) => convert::node(n, i, o, 0, crate::engine::SimTime::ZERO).map(|_| ()),
        Object::Pod(p) => convert::pod_spec(&p.spec, i, o, "spec").map(|_| ()),
        Object::Deployment(d) => {
            deployment(d, &l.api_version, i, o, 0, crate::engine::SimTime::ZERO).map(|_| ())
        }
        Object::ReplicaSet(r) => replicaset(r, i, o, 0, crate::engine::SimTime::ZERO).map(|_| ()),
        Object::DaemonSet(d) => {
            let sel = convert::default_selector(
                &l.api_version,
                &d.spec.selector,
                &d.spec.template,
                o,
                "spec",
            )?;
            convert::check_selector_matches(&sel, &d.spec.template, o, "spec")?;
            convert::pod_spec(&d.spec.template.spec, i, o, "spec.template.spec").map(|_| ())
        }
        Object::StatefulSet(s) => {
            let sel = convert::default_selector(
                &l.api_version,
                &s.spec.selector,
                &s.spec.template,
                o,
                "spec",
            )?;
            convert::check_selector_matches(&sel, &s.spec.template, o, "spec")?;
            if let Some(r) = s.spec.replicas
                && r < 0
            {
                return Err(o.error(
                    "spec.replicas",
                    format!("Invalid value: {r}: must be greater than or equal to 0"),
                ));
            }
            convert::pod_spec(&s.spec.template.spec, i, o, "spec.template.spec").map(|_| ())
        }
        Object::Job(j) => {
            for (f, v) in [
                ("parallelism", j.spec.parallelism),
                ("completions", j.spec.completions),
                ("backoffLimit", j.spec.backoff_limit),
            ] {
                if let Some(v) = v
                    && v < 0
                {
                    return Err(o.error(
                        &format!("spec.{f}"),
                        format!("Invalid value: {v}: must be greater than or equal to 0"),
                    ));
                }
            }
            let rp = j.spec.template.spec.restart_policy;
            if rp.is_none() || rp == Some(api::pod::RestartPolicy::Always) {
                return Err(o.error(
                    "spec.template.spec.restartPolicy",
                    "Required value: valid values: \"OnFailure\", \"Never\"",
                ));
            }
            convert::pod_spec(&j.spec.template.spec, i, o, "spec.template.spec").map(|_| ())
        }
        Object::VerticalPodAutoscaler(v) => check_vpa(&v.spec, o),
        Object::HorizontalPodAutoscaler(h) => {
            let s = &h.spec;
            if s.max_replicas < 1 {
                return Err(o.error(
                    "spec.maxReplicas",
                    format!(
                        "Invalid value: {}: must be greater than or equal to 1",
                        s.max_replicas
                    ),
                ));
            }
            if let Some(min) = s.min_replicas {
                if min < 1 {
                    return Err(o.error(
                        "spec.minReplicas",
                        format!("Invalid value: {min}: must be greater than or equal to 1"),
                    ));
                }
                if min > s.max_replicas {
                    return Err(o.error(
                        "spec.maxReplicas",
                        format!(
                            "Invalid value: {}: must be greater than or equal to `minReplicas`",
                            s.max_replicas
                        ),
                    ));
                }
            }
            // A target of another kind (a custom resource) is valid: the HPA just has nothing
            // to scale in the simulation, as with a missing target upstream (FailedGetScale).
            if s.scale_target_ref.kind.is_empty() {
                return Err(o.error("spec.scaleTargetRef.kind", "Required value"));
            }
            if s.scale_target_ref.name.is_empty() {
                return Err(o.error("spec.scaleTargetRef.name", "Required value"));
            }
            check_hpa_metrics(&s.metrics, o)
        }
        Object::PodDisruptionBudget(p) => {
            if p.spec.min_available.is_some() && p.spec.max_unavailable.is_some() {
                return Err(o.error(
                    "spec",
                    "Invalid value: minAvailable and maxUnavailable cannot be both set",
                ));
            }
            Ok(())
        }
        Object::PriorityClass(pc) => {
            if pc.value > 1_000_000_000 {
                return Err(o.error("value", format!("Invalid value: {}: must be less than or equal to 1000000000 (higher values are reserved for system classes)", pc.value)));
            }
            Ok(())
        }
        Object::Service(s) => {
            if let Some(sel) = &s.spec.selector {
                for (k, v) in sel {
                    api::validation::check_qualified_name(k)
                        .map_err(|e| o.error("spec.selector", e))?;
                    api::validation::check_label_value(v)
                        .map_err(|e| o.error("spec.selector", e))?;
                }
            }
            Ok(())
        }
        Object::PersistentVolumeClaim(c) => {
            check_access_modes(&c.spec.access_modes, o, "spec.accessModes")?;
            check_volume_mode(c.spec.volume_mode.as_deref(), o, "spec.volumeMode")?;
            check_storage(&c.spec.resources.requests, o, "spec.resources.requests")?;
            if let Some(sel) = &c.spec.selector {
                convert::selector(sel, i);
            }
            Ok(())
        }
        Object::PersistentVolume(v) => {
            check_access_modes(&v.spec.access_modes, o, "spec.accessModes")?;
            check_volume_mode(v.spec.volume_mode.as_deref(), o, "spec.volumeMode")?;
            check_storage(&v.spec.capacity, o, "spec.capacity")?;
            if let Some(p) = v.spec.persistent_volume_reclaim_policy.as_deref()
                && !matches!(p, "Retain" | "Delete" | "Recycle")
            {
                return Err(o.error(
                    "spec.persistentVolumeReclaimPolicy",
                    format!("Unsupported value: {p:?}: supported values: \"Delete\", \"Recycle\", \"Retain\""),
                ));
            }
            if let Some(sel) = v
                .spec
                .node_affinity
                .as_ref()
                .and_then(|a| a.required.as_ref())
            {
                if sel.node_selector_terms.is_empty() {
                    return Err(o.error(
                        "spec.nodeAffinity.required.nodeSelectorTerms",
                        "Required value: must have at least one node selector term",
                    ));
                }
                convert::node_selector_terms(sel, i, o, "spec.nodeAffinity.required")?;
            }
            Ok(())
        }
        Object::StorageClass(sc) => {
            if sc.provisioner.is_empty() {
                return Err(o.error("provisioner", "Required value"));
            }
            if let Some(m) = sc.volume_binding_mode.as_deref()
                && !matches!(m, "Immediate" | "WaitForFirstConsumer")
            {
                return Err(o.error(
                    "volumeBindingMode",
                    format!("Unsupported value: {m:?}: supported values: \"Immediate\", \"WaitForFirstConsumer\""),
                ));
            }
            if let Some(p) = sc.reclaim_policy.as_deref()
                && !matches!(p, "Retain" | "Delete")
            {
                return Err(o.error(
                    "reclaimPolicy",
                    format!("Unsupported value: {p:?}: supported values: \"Delete\", \"Retain\""),
                ));
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn check_access_modes(modes: &[String], o: &crate::load::Origin, path: &str) -> Conv<()> {
    if modes.is_empty() {
        return Err(o.error(path, "Required value: at least 1 access mode is required"));
    }
    for (n, m) in modes.iter().enumerate() {
        if !matches!(
            m.as_str(),
            "ReadWriteOnce" | "ReadOnlyMany" | "ReadWriteMany" | "ReadWriteOncePod"
        ) {
            return Err(o.error(
                &format!("{path}[{n}]"),
                format!("Unsupported value: {m:?}: supported values: \"ReadOnlyMany\", \"ReadWriteMany\", \"ReadWriteOnce\", \"ReadWriteOncePod\""),
            ));
        }
    }
    if modes.len() > 1 && modes.iter().any(|m| m == "ReadWriteOncePod") {
        return Err(o.error(
            path,
            "Forbidden: may not use ReadWriteOncePod with other access modes",
        ));
    }
    Ok(())
}

fn check_volume_mode(mode: Option<&str>, o: &crate::load::Origin, path: &str) -> Conv<()> {
    match mode {
        None | Some("Filesystem") | Some("Block") => Ok(()),
        Some(m) => Err(o.error(
            path,
            format!("Unsupported value: {m:?}: supported values: \"Block\", \"Filesystem\""),
        )),
    }
}

fn check_storage(
    list: &api::resources::ResourceList,
    o: &crate::load::Origin,
    path: &str,
) -> Conv<()> {
    match list.get("storage") {
        None => Err(o.error(&format!("{path}[storage]"), "Required value")),
        Some(q) => match q.value() {
            Ok(v) if v > 0 => Ok(()),
            Ok(_) => Err(o.error(
                &format!("{path}[storage]"),
                "Invalid value: must be greater than zero",
            )),
            Err(e) => Err(o.error(&format!("{path}[storage]"), format!("Invalid value: {e}"))),
        },
    }
}

fn check_name(l: &Loaded) -> Conv<()> {
    let m = l.object.metadata();
    let o = &l.origin;
    match (&m.name, &m.generate_name) {
        (Some(n), _) if !n.is_empty() => {
            let r = match l.object.kind() {
                Kind::Namespace | Kind::Service => api::validation::check_dns_label(n),
                _ => api::validation::check_subdomain(n),
            };
            r.map_err(|e| o.error("metadata.name", e))?;
        }
        (_, Some(g)) if !g.is_empty() && l.object.kind() == Kind::Pod => {}
        _ => {
            return Err(o.error(
                "metadata.name",
                "Required value: name or generateName is required",
            ));
        }
    }
    if let Some(ns) = &m.namespace
        && l.object.kind().is_namespaced()
    {
        api::validation::check_dns_label(ns).map_err(|e| o.error("metadata.namespace", e))?;
    }
    Ok(())
}

/// Converts a Deployment manifest.
pub fn deployment(
    d: &api::workloads::Deployment,
    api_version: &str,
    i: &mut Interner,
    o: &crate::load::Origin,
    uid: u64,
    now: crate::engine::SimTime,
) -> Conv<Deployment> {
    let sel =
        convert::default_selector(api_version, &d.spec.selector, &d.spec.template, o, "spec")?;
    convert::check_selector_matches(&sel, &d.spec.template, o, "spec")?;
    let replicas = d.spec.replicas.unwrap_or(1);
    if replicas < 0 {
        return Err(o.error(
            "spec.replicas",
            format!("Invalid value: {replicas}: must be greater than or equal to 0"),
        ));
    }
    let strategy = convert::strategy(&d.spec.strategy, o)?;
    let template = convert::template(&d.spec.template, i, o, "spec.template")?;
    let nonneg = |v: Option<i32>, f: &str| -> Conv<()> {
        match v {
            Some(x) if x < 0 => Err(o.error(
                &format!("spec.{f}"),
                format!("Invalid value: {x}: must be greater than or equal to 0"),
            )),
            _ => Ok(()),
        }
    };
    nonneg(d.spec.min_ready_seconds, "minReadySeconds")?;
    nonneg(d.spec.revision_history_limit, "revisionHistoryLimit")?;
    nonneg(d.spec.progress_deadline_seconds, "progressDeadlineSeconds")?;
    if let (Some(p), Some(m)) = (d.spec.progress_deadline_seconds, d.spec.min_ready_seconds)
        && p <= m
    {
        return Err(o.error(
            "spec.progressDeadlineSeconds",
            format!("Invalid value: {p}: must be greater than minReadySeconds"),
        ));
    }
    Ok(Deployment {
        uid,
        name: Arc::from(d.metadata.name.as_deref().unwrap_or("")),
        namespace: i.intern(d.metadata.namespace.as_deref().unwrap_or("default")),
        labels: convert::labels(&d.metadata.labels, i),
        replicas,
        selector: convert::selector(&sel, i),
        template,
        strategy,
        min_ready: SimDuration::from_secs(d.spec.min_ready_seconds.unwrap_or(0) as u64),
        revision_history_limit: d.spec.revision_history_limit.unwrap_or(10),
        progress_deadline: Some(SimDuration::from_secs(
            d.spec.progress_deadline_seconds.unwrap_or(600) as u64,
        )),
        paused: d.spec.paused,
        created: now,
        revision: 0,
        status: DeploymentStatus::default(),
        source: Arc::new(d.clone()),
        deleted: false,
    })
}

/// Converts a standalone ReplicaSet manifest.
pub fn replicaset(
    r: &api::workloads::ReplicaSet,
    i: &mut Interner,
    o: &crate::load::Origin,
    uid: u64,
    now: crate::engine::SimTime,
) -> Conv<ReplicaSet> {
    let Some(t) = &r.spec.template else {
        return Err(o.error("spec.template", "Required value"));
    };
    let sel = match &r.spec.selector {
        Some(s) => s.clone(),
        None => api::LabelSelector {
            match_labels: t.metadata.labels.clone(),
            match_expressions: vec![],
        },
    };
    convert::check_selector_matches(&sel, t, o, "spec")?;
    let replicas = r.spec.replicas.unwrap_or(1);
    if replicas < 0 {
        return Err(o.error(
            "spec.replicas",
            format!("Invalid value: {replicas}: must be greater than or equal to 0"),
        ));
    }
    let template = convert::template(t, i, o, "spec.template")?;
    Ok(ReplicaSet {
        uid,
        name: Arc::from(r.metadata.name.as_deref().unwrap_or("")),
        namespace: i.intern(r.metadata.namespace.as_deref().unwrap_or("default")),
        labels: convert::labels(&r.metadata.labels, i),
        owner: None,
        replicas,
        selector: convert::selector(&sel, i),
        template,
        min_ready: SimDuration::from_secs(r.spec.min_ready_seconds.unwrap_or(0).max(0) as u64),
        revision: 0,
        desired_annotation: None,
        max_annotation: None,
        created: now,
        status: ReplicaSetStatus::default(),
        pods: Default::default(),
        active_pods: 0,
        ready_pods: 0,
        members_gen: 0,
        deleted: false,
    })
}

/// Applies one loaded object. Conversion errors (which scenario checks already caught) are
/// recorded as Warning events instead of stopping the run.
pub fn apply(l: &Loaded, store: &mut Store, names: &mut SimRng, pool: Option<PoolId>) {
    let now = store.now();
    let o = &l.origin;
    let kind = l.object.kind();
    let ns_name = l.object.namespace().to_string();
    if kind.is_namespaced() {
        let ns = store.interner.intern(&ns_name);
        if !store.has_namespace(ns) {
            store.add_namespace(ns);
            let name: Arc<str> = Arc::from(ns_name.as_str());
            store.record(ObjRef { kind: Kind::Namespace, namespace: crate::model::Sym(0), name }, EventType::Warning, "NamespaceAutoCreated", "kubesim", |_| {
                format!("namespace {ns_name:?} did not exist and was created for {} {:?} (a real cluster would refuse the object)", kind, l.object.name())
            });
        }
    }
    let result: Conv<()> = (|| {
        match &l.object {
            Object::Namespace(n) => {
                let ns = store
                    .interner
                    .intern(n.metadata.name.as_deref().unwrap_or(""));
                let labels = convert::labels(&n.metadata.labels, &mut store.interner);
                store.add_namespace_with_labels(ns, labels.pairs());
                store.put_object(l.object.clone(), o.clone());
            }
            Object::Node(n) => {
                let uid = store.next_uid();
                let mut node = convert::node(n, &mut store.interner, o, uid, now)?;
                node.pool = pool;
                if store.node_by_name(node.name).is_none() {
                    store.add_node(node);
                }
            }
            Object::Pod(p) => {
                let spec = Arc::new(convert::pod_spec(&p.spec, &mut store.interner, o, "spec")?);
                let ns = store.interner.intern(&ns_name);
                let name = match (&p.metadata.name, &p.metadata.generate_name) {
                    (Some(n), _) if !n.is_empty() => n.clone(),
                    (_, Some(g)) => crate::controllers::replicaset::generate_name(g, names),
                    _ => String::new(),
                };
                let labels = convert::labels(&p.metadata.labels, &mut store.interner);
                let annotations = convert::annotations(&p.metadata, &mut store.interner);
                let node_name = spec.node_name;
                let name: Arc<str> = Arc::from(name);
                // A pod from `kubectl get -o yaml` stays owned by its ReplicaSet.
                let owner = controller_owner(&p.metadata, "ReplicaSet")
                    .or_else(|| controller_owner(&p.metadata, "ReplicationController"))
                    .and_then(|rs| store.replicaset_by_name(ns, &rs))
                    .map(crate::model::OwnerRef::ReplicaSet);
                match store.create_pod(NewPod {
                    name: name.clone(),
                    namespace: ns,
                    labels,
                    annotations,
                    owner,
                    spec,
                }) {
                    Ok(id) => {
                        if let Some(node) = node_name.and_then(|nn| store.node_by_name(nn)) {
                            bind_direct(store, id, node);
                        }
                    }
                    Err(e) => {
                        store.record(
                            ObjRef {
                                kind: Kind::Pod,
                                namespace: ns,
                                name,
                            },
                            EventType::Warning,
                            "FailedCreate",
                            "kubesim",
                            |_| e.to_string(),
                        );
                    }
                }
            }
            Object::Deployment(d) => {
                let uid = store.next_uid();
                let dep = deployment(d, &l.api_version, &mut store.interner, o, uid, now)?;
                match store.deployment_by_name(dep.namespace, &dep.name) {
                    Some(id) => store.update_deployment(id, |cur| {
                        cur.replicas = dep.replicas;
                        cur.template = dep.template;
                        cur.strategy = dep.strategy;
                        cur.min_ready = dep.min_ready;
                        cur.revision_history_limit = dep.revision_history_limit;
                        cur.progress_deadline = dep.progress_deadline;
                        cur.paused = dep.paused;
                        cur.selector = dep.selector;
                        cur.labels = dep.labels;
                        cur.source = dep.source;
                    }),
                    None => {
                        store.add_deployment(dep);
                    }
                }
            }
            Object::ReplicaSet(r) => {
                let uid = store.next_uid();
                let mut rs = replicaset(r, &mut store.interner, o, uid, now)?;
                // A ReplicaSet from `kubectl get -o yaml` keeps its Deployment owner and the
                // deployment.kubernetes.io annotations.
                if let Some(d) = controller_owner(&r.metadata, "Deployment")
                    .and_then(|name| store.deployment_by_name(rs.namespace, &name))
                {
                    rs.owner = Some(crate::model::OwnerRef::Deployment(d));
                    let ann = |k: &str| {
                        r.metadata
                            .annotations
                            .get(k)
                            .and_then(|v| v.parse::<i64>().ok())
                    };
                    rs.revision = ann("deployment.kubernetes.io/revision").unwrap_or(0);
                    rs.desired_annotation =
                        ann("deployment.kubernetes.io/desired-replicas").map(|v| v as i32);
                    rs.max_annotation =
                        ann("deployment.kubernetes.io/max-replicas").map(|v| v as i32);
                }
                match store.replicaset_by_name(rs.namespace, &rs.name) {
                    Some(id) => store.update_replicaset(id, |cur| {
                        cur.replicas = rs.replicas;
                        cur.template = rs.template;
                        cur.min_ready = rs.min_ready;
                    }),
                    None => {
                        store.add_replicaset(rs);
                    }
                }
            }
            _ => store.put_object(l.object.clone(), o.clone()),
        }
        Ok(())
    })();
    if let Err(d) = result {
        let ns = store.interner.intern(&ns_name);
        let name: Arc<str> = Arc::from(l.object.name());
        store.record(
            ObjRef {
                kind,
                namespace: ns,
                name,
            },
            EventType::Warning,
            "FailedApply",
            "kubesim",
            |_| d.to_string(),
        );
    }
}

/// The name of the controlling owner of kind `kind` in `ownerReferences`, if any.
fn controller_owner(meta: &api::ObjectMeta, kind: &str) -> Option<String> {
    meta.owner_references
        .iter()
        .find(|r| r.kind == kind && r.controller != Some(false))
        .map(|r| r.name.clone())
}

/// Binds a pod created with `spec.nodeName` (it never goes through the scheduler).
fn bind_direct(store: &mut Store, pod: crate::model::PodId, node: NodeId) {
    store.bind_pod(pod, node);
}
