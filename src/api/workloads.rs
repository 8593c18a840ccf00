//! Workload controllers' manifests: Deployment, ReplicaSet (and ReplicationController),
//! DaemonSet, StatefulSet and Job.

use super::meta::{IntOrPercent, LabelSelector, ObjectMeta};
use super::pod::PodTemplateSpec;
use super::storage::PersistentVolumeClaim;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `kind: Deployment`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Deployment {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Desired state.
    pub spec: DeploymentSpec,
}

/// `spec` of a Deployment.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DeploymentSpec {
    /// Desired pods (default 1).
    pub replicas: Option<i32>,
    /// Pods managed.
    pub selector: Option<LabelSelector>,
    /// Pod template.
    pub template: PodTemplateSpec,
    /// Rollout strategy.
    pub strategy: Option<DeploymentStrategy>,
    /// Seconds a pod must be ready to count as available.
    pub min_ready_seconds: Option<i32>,
    /// Old ReplicaSets kept for rollback (default 10).
    pub revision_history_limit: Option<i32>,
    /// Seconds before a stalled rollout is reported (default 600).
    pub progress_deadline_seconds: Option<i32>,
    /// Paused rollouts do not progress.
    pub paused: bool,
}

/// `spec.strategy`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DeploymentStrategy {
    /// `RollingUpdate` (default) or `Recreate`.
    #[serde(rename = "type")]
    pub type_: Option<DeploymentStrategyType>,
    /// Rolling update parameters.
    pub rolling_update: Option<RollingUpdateParams>,
}

/// Deployment strategy types.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum DeploymentStrategyType {
    /// Replace pods gradually.
    RollingUpdate,
    /// Delete all old pods before creating new ones.
    Recreate,
}

/// `rollingUpdate` of a Deployment or DaemonSet.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct RollingUpdateParams {
    /// Extra pods allowed above the desired count (default 25%).
    pub max_surge: Option<IntOrPercent>,
    /// Pods allowed to be unavailable (default 25%).
    pub max_unavailable: Option<IntOrPercent>,
}

/// `kind: ReplicaSet` (and `ReplicationController`, whose selector is a plain map).
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ReplicaSet {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Desired state.
    pub spec: ReplicaSetSpec,
}

/// `spec` of a ReplicaSet.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ReplicaSetSpec {
    /// Desired pods (default 1).
    pub replicas: Option<i32>,
    /// Pods managed.
    pub selector: Option<LabelSelector>,
    /// Pod template.
    pub template: Option<PodTemplateSpec>,
    /// Seconds a pod must be ready to count as available.
    pub min_ready_seconds: Option<i32>,
}

/// `kind: ReplicationController` (legacy): loaded as a ReplicaSet.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ReplicationController {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Desired state.
    pub spec: ReplicationControllerSpec,
}

/// `spec` of a ReplicationController.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ReplicationControllerSpec {
    /// Desired pods (default 1).
    pub replicas: Option<i32>,
    /// Equality selector (defaults to the template labels).
    pub selector: Option<BTreeMap<String, String>>,
    /// Pod template.
    pub template: Option<PodTemplateSpec>,
    /// Seconds a pod must be ready to count as available.
    pub min_ready_seconds: Option<i32>,
}

/// `kind: DaemonSet`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DaemonSet {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Desired state.
    pub spec: DaemonSetSpec,
}

/// `spec` of a DaemonSet.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DaemonSetSpec {
    /// Pods managed (defaults to the template labels in extensions/v1beta1).
    pub selector: Option<LabelSelector>,
    /// Pod template.
    pub template: PodTemplateSpec,
    /// Update strategy.
    pub update_strategy: Option<DaemonSetUpdateStrategy>,
    /// Seconds a pod must be ready to count as available.
    pub min_ready_seconds: Option<i32>,
    /// Old revisions kept.
    pub revision_history_limit: Option<i32>,
}

/// `spec.updateStrategy` of a DaemonSet.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct DaemonSetUpdateStrategy {
    /// `RollingUpdate` (default) or `OnDelete`.
    #[serde(rename = "type")]
    pub type_: Option<String>,
    /// Rolling update parameters.
    pub rolling_update: Option<RollingUpdateParams>,
}

/// `kind: StatefulSet`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StatefulSet {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Desired state.
    pub spec: StatefulSetSpec,
}

/// `spec` of a StatefulSet.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StatefulSetSpec {
    /// Desired pods (default 1).
    pub replicas: Option<i32>,
    /// Pods managed.
    pub selector: Option<LabelSelector>,
    /// Pod template.
    pub template: PodTemplateSpec,
    /// Governing service.
    pub service_name: Option<String>,
    /// `OrderedReady` (default) or `Parallel`.
    pub pod_management_policy: Option<PodManagementPolicy>,
    /// Update strategy.
    pub update_strategy: Option<StatefulSetUpdateStrategy>,
    /// Per-pod claims.
    pub volume_claim_templates: Vec<PersistentVolumeClaim>,
    /// Seconds a pod must be ready to count as available.
    pub min_ready_seconds: Option<i32>,
    /// Old revisions kept.
    pub revision_history_limit: Option<i32>,
    /// First ordinal.
    pub ordinals: Option<StatefulSetOrdinals>,
}

/// StatefulSet pod management policies.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum PodManagementPolicy {
    /// One at a time, in order.
    OrderedReady,
    /// All at once.
    Parallel,
}

/// `spec.updateStrategy` of a StatefulSet.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StatefulSetUpdateStrategy {
    /// `RollingUpdate` (default) or `OnDelete`.
    #[serde(rename = "type")]
    pub type_: Option<String>,
    /// Rolling update parameters.
    pub rolling_update: Option<StatefulSetRollingUpdate>,
}

/// `rollingUpdate` of a StatefulSet.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StatefulSetRollingUpdate {
    /// Ordinals below the partition are not updated.
    pub partition: Option<i32>,
    /// Pods allowed to be unavailable.
    pub max_unavailable: Option<IntOrPercent>,
}

/// `spec.ordinals`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StatefulSetOrdinals {
    /// First ordinal.
    pub start: i32,
}

/// `kind: Job`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Job {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Desired state.
    pub spec: JobSpec,
}

/// `spec` of a Job.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct JobSpec {
    /// Pods running at once (default 1).
    pub parallelism: Option<i32>,
    /// Successful pods needed (default 1, or `parallelism` when unset with a work queue).
    pub completions: Option<i32>,
    /// Retries before the Job fails (default 6).
    pub backoff_limit: Option<i32>,
    /// Deadline for the whole Job.
    pub active_deadline_seconds: Option<i64>,
    /// Seconds after finishing before the Job is deleted.
    pub ttl_seconds_after_finished: Option<i32>,
    /// `NonIndexed` (default) or `Indexed`.
    pub completion_mode: Option<String>,
    /// Suspended Jobs create no pods.
    pub suspend: Option<bool>,
    /// Pods managed (normally generated).
    pub selector: Option<LabelSelector>,
    /// Pod template.
    pub template: PodTemplateSpec,
}
