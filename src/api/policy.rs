//! PodDisruptionBudget and PriorityClass.

use super::meta::{IntOrPercent, LabelSelector, ObjectMeta};
use super::pod::PreemptionPolicy;
use serde::{Deserialize, Serialize};

/// `kind: PodDisruptionBudget`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PodDisruptionBudget {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Budget.
    pub spec: PdbSpec,
}

/// `spec` of a PDB.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PdbSpec {
    /// Pods that must stay available.
    pub min_available: Option<IntOrPercent>,
    /// Pods that may be unavailable.
    pub max_unavailable: Option<IntOrPercent>,
    /// Pods covered.
    pub selector: Option<LabelSelector>,
    /// `IfHealthyBudget` (default) or `AlwaysAllow`.
    pub unhealthy_pod_eviction_policy: Option<String>,
}

/// `kind: PriorityClass`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PriorityClass {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Priority value.
    pub value: i32,
    /// Default class for pods without one.
    pub global_default: bool,
    /// Preemption policy for its pods.
    pub preemption_policy: Option<PreemptionPolicy>,
    /// Description.
    pub description: Option<String>,
}
