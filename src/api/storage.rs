//! PersistentVolume, PersistentVolumeClaim and StorageClass.

use super::meta::{LabelSelector, ObjectMeta};
use super::pod::NodeSelector;
use super::resources::ResourceList;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `kind: PersistentVolume`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PersistentVolume {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Spec.
    pub spec: PersistentVolumeSpec,
}

/// `spec` of a PV.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PersistentVolumeSpec {
    /// `storage` capacity.
    pub capacity: ResourceList,
    /// Access modes.
    pub access_modes: Vec<String>,
    /// Class.
    pub storage_class_name: Option<String>,
    /// Nodes that can reach the volume.
    pub node_affinity: Option<VolumeNodeAffinity>,
    /// Pre-bound claim.
    pub claim_ref: Option<ClaimRef>,
    /// Reclaim policy.
    pub persistent_volume_reclaim_policy: Option<String>,
    /// `Filesystem` (default) or `Block`.
    pub volume_mode: Option<String>,
}

/// `spec.nodeAffinity` of a PV.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VolumeNodeAffinity {
    /// Required node selector.
    pub required: Option<NodeSelector>,
}

/// `spec.claimRef` of a PV.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ClaimRef {
    /// Claim namespace.
    pub namespace: Option<String>,
    /// Claim name.
    pub name: Option<String>,
}

/// `kind: PersistentVolumeClaim`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PersistentVolumeClaim {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Spec.
    pub spec: PersistentVolumeClaimSpec,
}

/// `spec` of a PVC.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PersistentVolumeClaimSpec {
    /// Access modes.
    pub access_modes: Vec<String>,
    /// Requested `storage`.
    pub resources: PvcResources,
    /// Class (absent: the default class).
    pub storage_class_name: Option<String>,
    /// Pre-bound volume.
    pub volume_name: Option<String>,
    /// Volume selector.
    pub selector: Option<LabelSelector>,
    /// `Filesystem` (default) or `Block`.
    pub volume_mode: Option<String>,
}

/// `spec.resources` of a PVC.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PvcResources {
    /// Requests (`storage`).
    pub requests: ResourceList,
}

/// `kind: StorageClass`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StorageClass {
    /// Metadata (`storageclass.kubernetes.io/is-default-class` annotation).
    pub metadata: ObjectMeta,
    /// Provisioner name.
    pub provisioner: String,
    /// `Immediate` (default) or `WaitForFirstConsumer`.
    pub volume_binding_mode: Option<String>,
    /// Topologies where volumes can be provisioned.
    pub allowed_topologies: Vec<TopologySelectorTerm>,
    /// Reclaim policy.
    pub reclaim_policy: Option<String>,
    /// Provisioner parameters.
    pub parameters: BTreeMap<String, String>,
}

/// `allowedTopologies[]`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TopologySelectorTerm {
    /// Label requirements.
    pub match_label_expressions: Vec<TopologyRequirement>,
}

/// `matchLabelExpressions[]`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TopologyRequirement {
    /// Label key.
    pub key: String,
    /// Allowed values.
    pub values: Vec<String>,
}
