//! Kubernetes manifest types: our own serde structs for the fields kubesim simulates.
//!
//! Unknown fields are ignored so that real files load (the loader reports the ones that are not
//! Kubernetes fields at all, which are usually typos). Values are checked while they are read —
//! quantities, label keys and values, selector operators — so that errors carry the exact line,
//! column and field path. These types never reach the simulation's hot path: `model::convert`
//! turns them into compact, interned runtime objects.

pub mod autoscaling;
pub mod config;
pub mod duration;
pub mod meta;
pub mod namespace;
pub mod node;
pub mod pod;
pub mod policy;
pub mod quantity;
pub mod resources;
pub mod service;
pub mod storage;
pub mod validation;
pub mod workloads;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use std::fmt;

pub use meta::{IntOrPercent, LabelSelector, Labels, ObjectMeta};
pub use quantity::Quantity;

/// The keys of a map whose values do not matter (ConfigMap/Secret data).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Keys(pub Vec<String>);

impl<'de> Deserialize<'de> for Keys {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Keys;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Keys, E> {
                Ok(Keys::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Keys, A::Error> {
                let mut out = Vec::new();
                while let Some(k) = m.next_key::<String>()? {
                    m.next_value::<serde_yaml::Value>()?;
                    out.push(k);
                }
                out.sort();
                Ok(Keys(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// A ConfigMap's `data`: string values by key (scalars are kept as their text, other values as
/// the empty string).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct StringData(pub std::collections::BTreeMap<String, String>);

impl<'de> Deserialize<'de> for StringData {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Option::<std::collections::BTreeMap<String, serde_yaml::Value>>::deserialize(d)?;
        let mut out = std::collections::BTreeMap::new();
        for (k, v) in v.unwrap_or_default() {
            let s = match v {
                serde_yaml::Value::String(s) => s,
                serde_yaml::Value::Number(n) => n.to_string(),
                serde_yaml::Value::Bool(b) => b.to_string(),
                _ => String::new(),
            };
            out.insert(k, s);
        }
        Ok(StringData(out))
    }
}

/// A field whose presence matters but whose content does not.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Present;

impl<'de> Deserialize<'de> for Present {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde_yaml::Value::deserialize(d).map(|_| Present)
    }
}

/// Every manifest kind kubesim simulates, after parsing.
#[derive(Clone, Debug)]
#[allow(clippy::large_enum_variant)]
pub enum Object {
    /// `v1/Node`.
    Node(node::Node),
    /// `v1/Pod`.
    Pod(pod::Pod),
    /// `apps/v1/Deployment`.
    Deployment(workloads::Deployment),
    /// `apps/v1/ReplicaSet` (and `v1/ReplicationController`, converted).
    ReplicaSet(workloads::ReplicaSet),
    /// `apps/v1/DaemonSet`.
    DaemonSet(workloads::DaemonSet),
    /// `apps/v1/StatefulSet`.
    StatefulSet(workloads::StatefulSet),
    /// `batch/v1/Job`.
    Job(workloads::Job),
    /// `v1/Service`.
    Service(service::Service),
    /// `autoscaling/v2/HorizontalPodAutoscaler` (v1 converted).
    HorizontalPodAutoscaler(autoscaling::HorizontalPodAutoscaler),
    /// `autoscaling.k8s.io/v1/VerticalPodAutoscaler`.
    VerticalPodAutoscaler(autoscaling::VerticalPodAutoscaler),
    /// `policy/v1/PodDisruptionBudget`.
    PodDisruptionBudget(policy::PodDisruptionBudget),
    /// `v1/Namespace`.
    Namespace(namespace::Namespace),
    /// `v1/ResourceQuota`.
    ResourceQuota(namespace::ResourceQuota),
    /// `v1/LimitRange`.
    LimitRange(namespace::LimitRange),
    /// `scheduling.k8s.io/v1/PriorityClass`.
    PriorityClass(policy::PriorityClass),
    /// `v1/ConfigMap`.
    ConfigMap(config::ConfigMap),
    /// `v1/Secret`.
    Secret(config::Secret),
    /// `v1/PersistentVolume`.
    PersistentVolume(storage::PersistentVolume),
    /// `v1/PersistentVolumeClaim`.
    PersistentVolumeClaim(storage::PersistentVolumeClaim),
    /// `storage.k8s.io/v1/StorageClass`.
    StorageClass(storage::StorageClass),
}

/// The simulated kinds, for messages and tables.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Node.
    Node,
    /// Pod.
    Pod,
    /// Deployment.
    Deployment,
    /// ReplicaSet.
    ReplicaSet,
    /// DaemonSet.
    DaemonSet,
    /// StatefulSet.
    StatefulSet,
    /// Job.
    Job,
    /// Service.
    Service,
    /// HorizontalPodAutoscaler.
    HorizontalPodAutoscaler,
    /// VerticalPodAutoscaler.
    VerticalPodAutoscaler,
    /// PodDisruptionBudget.
    PodDisruptionBudget,
    /// Namespace.
    Namespace,
    /// ResourceQuota.
    ResourceQuota,
    /// LimitRange.
    LimitRange,
    /// PriorityClass.
    PriorityClass,
    /// ConfigMap.
    ConfigMap,
    /// Secret.
    Secret,
    /// PersistentVolume.
    PersistentVolume,
    /// PersistentVolumeClaim.
    PersistentVolumeClaim,
    /// StorageClass.
    StorageClass,
}

impl Kind {
    /// Every simulated kind.
    pub const ALL: [Kind; 20] = [
        Kind::Node,
        Kind::Pod,
        Kind::Deployment,
        Kind::ReplicaSet,
        Kind::DaemonSet,
        Kind::StatefulSet,
        Kind::Job,
        Kind::Service,
        Kind::HorizontalPodAutoscaler,
        Kind::VerticalPodAutoscaler,
        Kind::PodDisruptionBudget,
        Kind::Namespace,
        Kind::ResourceQuota,
        Kind::LimitRange,
        Kind::PriorityClass,
        Kind::ConfigMap,
        Kind::Secret,
        Kind::PersistentVolume,
        Kind::PersistentVolumeClaim,
        Kind::StorageClass,
    ];

    /// The kind's name as written in manifests.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Node => "Node",
            Kind::Pod => "Pod",
            Kind::Deployment => "Deployment",
            Kind::ReplicaSet => "ReplicaSet",
            Kind::DaemonSet => "DaemonSet",
            Kind::StatefulSet => "StatefulSet",
            Kind::Job => "Job",
            Kind::Service => "Service",
            Kind::HorizontalPodAutoscaler => "HorizontalPodAutoscaler",
            Kind::VerticalPodAutoscaler => "VerticalPodAutoscaler",
            Kind::PodDisruptionBudget => "PodDisruptionBudget",
            Kind::Namespace => "Namespace",
            Kind::ResourceQuota => "ResourceQuota",
            Kind::LimitRange => "LimitRange",
            Kind::PriorityClass => "PriorityClass",
            Kind::ConfigMap => "ConfigMap",
            Kind::Secret => "Secret",
            Kind::PersistentVolume => "PersistentVolume",
            Kind::PersistentVolumeClaim => "PersistentVolumeClaim",
            Kind::StorageClass => "StorageClass",
        }
    }

    /// Parses a kind name, case-insensitively, also accepting kubectl's short names and plurals
    /// (`deploy`, `deployments`, `hpa`, `pdb`, `sts`, `ds`, `rs`, `svc`, `ns`, `pvc`, ...).
    pub fn parse(s: &str) -> Option<Kind> {
        let l = s.to_ascii_lowercase();
        Some(match l.as_str() {
            "node" | "nodes" | "no" => Kind::Node,
            "pod" | "pods" | "po" => Kind::Pod,
            "deployment" | "deployments" | "deploy" => Kind::Deployment,
            "replicaset" | "replicasets" | "rs" => Kind::ReplicaSet,
            "daemonset" | "daemonsets" | "ds" => Kind::DaemonSet,
            "statefulset" | "statefulsets" | "sts" => Kind::StatefulSet,
            "job" | "jobs" => Kind::Job,
            "service" | "services" | "svc" => Kind::Service,
            "horizontalpodautoscaler" | "horizontalpodautoscalers" | "hpa" => {
                Kind::HorizontalPodAutoscaler
            }
            "verticalpodautoscaler" | "verticalpodautoscalers" | "vpa" => {
                Kind::VerticalPodAutoscaler
            }
            "poddisruptionbudget" | "poddisruptionbudgets" | "pdb" => Kind::PodDisruptionBudget,
            "namespace" | "namespaces" | "ns" => Kind::Namespace,
            "resourcequota" | "resourcequotas" | "quota" => Kind::ResourceQuota,
            "limitrange" | "limitranges" | "limits" => Kind::LimitRange,
            "priorityclass" | "priorityclasses" | "pc" => Kind::PriorityClass,
            "configmap" | "configmaps" | "cm" => Kind::ConfigMap,
            "secret" | "secrets" => Kind::Secret,
            "persistentvolume" | "persistentvolumes" | "pv" => Kind::PersistentVolume,
            "persistentvolumeclaim" | "persistentvolumeclaims" | "pvc" => {
                Kind::PersistentVolumeClaim
            }
            "storageclass" | "storageclasses" | "sc" => Kind::StorageClass,
            _ => return None,
        })
    }

    /// True for kinds that live in a namespace.
    pub fn is_namespaced(self) -> bool {
        !matches!(
            self,
            Kind::Node
                | Kind::Namespace
                | Kind::PriorityClass
                | Kind::PersistentVolume
                | Kind::StorageClass
        )
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Object {
    /// The object's kind.
    pub fn kind(&self) -> Kind {
        match self {
            Object::Node(_) => Kind::Node,
            Object::Pod(_) => Kind::Pod,
            Object::Deployment(_) => Kind::Deployment,
            Object::ReplicaSet(_) => Kind::ReplicaSet,
            Object::DaemonSet(_) => Kind::DaemonSet,
            Object::StatefulSet(_) => Kind::StatefulSet,
            Object::Job(_) => Kind::Job,
            Object::Service(_) => Kind::Service,
            Object::HorizontalPodAutoscaler(_) => Kind::HorizontalPodAutoscaler,
            Object::VerticalPodAutoscaler(_) => Kind::VerticalPodAutoscaler,
            Object::PodDisruptionBudget(_) => Kind::PodDisruptionBudget,
            Object::Namespace(_) => Kind::Namespace,
            Object::ResourceQuota(_) => Kind::ResourceQuota,
            Object::LimitRange(_) => Kind::LimitRange,
            Object::PriorityClass(_) => Kind::PriorityClass,
            Object::ConfigMap(_) => Kind::ConfigMap,
            Object::Secret(_) => Kind::Secret,
            Object::PersistentVolume(_) => Kind::PersistentVolume,
            Object::PersistentVolumeClaim(_) => Kind::PersistentVolumeClaim,
            Object::StorageClass(_) => Kind::StorageClass,
        }
    }

    /// The object's metadata.
    pub fn metadata(&self) -> &ObjectMeta {
        match self {
            Object::Node(o) => &o.metadata,
            Object::Pod(o) => &o.metadata,
            Object::Deployment(o) => &o.metadata,
            Object::ReplicaSet(o) => &o.metadata,
            Object::DaemonSet(o) => &o.metadata,
            Object::StatefulSet(o) => &o.metadata,
            Object::Job(o) => &o.metadata,
            Object::Service(o) => &o.metadata,
            Object::HorizontalPodAutoscaler(o) => &o.metadata,
            Object::VerticalPodAutoscaler(o) => &o.metadata,
            Object::PodDisruptionBudget(o) => &o.metadata,
            Object::Namespace(o) => &o.metadata,
            Object::ResourceQuota(o) => &o.metadata,
            Object::LimitRange(o) => &o.metadata,
            Object::PriorityClass(o) => &o.metadata,
            Object::ConfigMap(o) => &o.metadata,
            Object::Secret(o) => &o.metadata,
            Object::PersistentVolume(o) => &o.metadata,
            Object::PersistentVolumeClaim(o) => &o.metadata,
            Object::StorageClass(o) => &o.metadata,
        }
    }

    /// Mutable metadata (for namespace defaulting and name generation).
    pub fn metadata_mut(&mut self) -> &mut ObjectMeta {
        match self {
            Object::Node(o) => &mut o.metadata,
            Object::Pod(o) => &mut o.metadata,
            Object::Deployment(o) => &mut o.metadata,
            Object::ReplicaSet(o) => &mut o.metadata,
            Object::DaemonSet(o) => &mut o.metadata,
            Object::StatefulSet(o) => &mut o.metadata,
            Object::Job(o) => &mut o.metadata,
            Object::Service(o) => &mut o.metadata,
            Object::HorizontalPodAutoscaler(o) => &mut o.metadata,
            Object::VerticalPodAutoscaler(o) => &mut o.metadata,
            Object::PodDisruptionBudget(o) => &mut o.metadata,
            Object::Namespace(o) => &mut o.metadata,
            Object::ResourceQuota(o) => &mut o.metadata,
            Object::LimitRange(o) => &mut o.metadata,
            Object::PriorityClass(o) => &mut o.metadata,
            Object::ConfigMap(o) => &mut o.metadata,
            Object::Secret(o) => &mut o.metadata,
            Object::PersistentVolume(o) => &mut o.metadata,
            Object::PersistentVolumeClaim(o) => &mut o.metadata,
            Object::StorageClass(o) => &mut o.metadata,
        }
    }

    /// The object's name (empty if it only has `generateName`).
    pub fn name(&self) -> &str {
        self.metadata().name.as_deref().unwrap_or("")
    }

    /// The object's namespace after defaulting (`default` for namespaced kinds, empty otherwise).
    pub fn namespace(&self) -> &str {
        if self.kind().is_namespaced() {
            self.metadata().namespace.as_deref().unwrap_or("default")
        } else {
            ""
        }
    }
}
