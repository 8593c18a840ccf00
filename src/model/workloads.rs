//! Runtime workload objects: pod templates, Deployments and ReplicaSets.

use super::labels::{LabelSet, Selector, Sym};
use super::pod::PodSpec;
use super::{DeploymentId, OwnerRef, PodId};
use crate::api;
use crate::engine::{SimDuration, SimTime};
use std::sync::Arc;

/// A pod template after conversion, with the manifest it came from (edits such as `setImage`
/// change the manifest and convert again).
#[derive(Clone, Debug)]
pub struct PodTemplate {
    /// Labels given to each pod.
    pub labels: LabelSet,
    /// Annotations given to each pod.
    pub annotations: Arc<[(Sym, Sym)]>,
    /// The shared pod spec.
    pub spec: Arc<PodSpec>,
    /// Hash of the template, rendered as the `pod-template-hash` label value.
    pub hash: Sym,
    /// The manifest form.
    pub source: Arc<api::pod::PodTemplateSpec>,
}

/// Deployment strategy after defaulting.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// Kill all old pods before creating new ones.
    Recreate,
    /// Replace gradually.
    RollingUpdate {
        /// Extra pods above the desired count.
        max_surge: api::IntOrPercent,
        /// Pods that may be unavailable.
        max_unavailable: api::IntOrPercent,
    },
}

/// A Deployment condition (Progressing or Available).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    /// `True`, `False` or `Unknown`.
    pub status: &'static str,
    /// Machine-readable reason.
    pub reason: &'static str,
    /// Human-readable message.
    pub message: String,
    /// Last time the condition was updated.
    pub last_update: SimTime,
    /// Last time the status changed.
    pub last_transition: SimTime,
}

/// Observed state of a Deployment.
#[derive(Clone, Debug, Default)]
pub struct DeploymentStatus {
    /// Pods (spec replicas summed over active ReplicaSets' pods).
    pub replicas: i32,
    /// Pods of the current template.
    pub updated_replicas: i32,
    /// Ready pods.
    pub ready_replicas: i32,
    /// Available pods.
    pub available_replicas: i32,
    /// Unavailable pods.
    pub unavailable_replicas: i32,
    /// Progressing condition.
    pub progressing: Option<Condition>,
    /// Available condition.
    pub available: Option<Condition>,
}

/// A Deployment.
#[derive(Clone, Debug)]
pub struct Deployment {
    /// Unique id.
    pub uid: u64,
    /// Name.
    pub name: Arc<str>,
    /// Namespace.
    pub namespace: Sym,
    /// Labels.
    pub labels: LabelSet,
    /// Desired replicas.
    pub replicas: i32,
    /// Selector.
    pub selector: Selector,
    /// Pod template.
    pub template: PodTemplate,
    /// Strategy.
    pub strategy: Strategy,
    /// `minReadySeconds`.
    pub min_ready: SimDuration,
    /// `revisionHistoryLimit`.
    pub revision_history_limit: i32,
    /// `progressDeadlineSeconds`.
    pub progress_deadline: Option<SimDuration>,
    /// Paused.
    pub paused: bool,
    /// Creation time.
    pub created: SimTime,
    /// The newest revision number.
    pub revision: i64,
    /// Observed state.
    pub status: DeploymentStatus,
    /// The manifest it was applied from.
    pub source: Arc<api::workloads::Deployment>,
    /// Tombstone flag (see `Pod::deleted`).
    pub deleted: bool,
}

/// Observed state of a ReplicaSet.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReplicaSetStatus {
    /// Active pods.
    pub replicas: i32,
    /// Ready pods.
    pub ready_replicas: i32,
    /// Available pods (ready for `minReadySeconds`).
    pub available_replicas: i32,
}

/// A ReplicaSet (created by a Deployment, or standalone).
#[derive(Clone, Debug)]
pub struct ReplicaSet {
    /// Unique id.
    pub uid: u64,
    /// Name.
    pub name: Arc<str>,
    /// Namespace.
    pub namespace: Sym,
    /// Labels.
    pub labels: LabelSet,
    /// Controlling owner (a Deployment).
    pub owner: Option<OwnerRef>,
    /// Desired replicas.
    pub replicas: i32,
    /// Selector.
    pub selector: Selector,
    /// Pod template.
    pub template: PodTemplate,
    /// `minReadySeconds`.
    pub min_ready: SimDuration,
    /// `deployment.kubernetes.io/revision`.
    pub revision: i64,
    /// `deployment.kubernetes.io/desired-replicas`.
    pub desired_annotation: Option<i32>,
    /// `deployment.kubernetes.io/max-replicas`.
    pub max_annotation: Option<i32>,
    /// Creation time.
    pub created: SimTime,
    /// Observed state.
    pub status: ReplicaSetStatus,
    /// Pods it owns (including terminating ones until they are gone).
    pub pods: super::SortedSet<PodId>,
    /// Of `pods`, the active ones (not terminal, not being deleted); kept by the store.
    pub active_pods: u32,
    /// Of the active pods, the Ready ones; kept by the store.
    pub ready_pods: u32,
    /// Bumped by the store whenever a pod joins or leaves `pods` or a member's brief (see
    /// `store::brief`) changes: unchanged means every member's hot fields are as they were,
    /// which lets the HPA reuse what it derived from them.
    pub members_gen: u64,
    /// Tombstone flag.
    pub deleted: bool,
}

impl ReplicaSet {
    /// The owning Deployment, if any.
    pub fn deployment(&self) -> Option<DeploymentId> {
        match self.owner {
            Some(OwnerRef::Deployment(d)) => Some(d),
            _ => None,
        }
    }
}
