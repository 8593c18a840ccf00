//! `kind: Node`.

use super::meta::ObjectMeta;
use super::pod::Taint;
use super::resources::ResourceList;
use serde::{Deserialize, Serialize};

/// `kind: Node`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Node {
    /// Metadata (labels carry zone, instance type, hostname).
    pub metadata: ObjectMeta,
    /// Taints and cordon state.
    pub spec: NodeSpec,
    /// Capacity, allocatable, conditions and cached images.
    pub status: NodeStatus,
}

/// `spec` of a Node.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NodeSpec {
    /// Cordoned.
    pub unschedulable: bool,
    /// Taints.
    pub taints: Vec<Taint>,
    /// Cloud provider id.
    #[serde(rename = "providerID")]
    pub provider_id: Option<String>,
}

/// `status` of a Node.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NodeStatus {
    /// Total resources.
    pub capacity: ResourceList,
    /// Resources available to pods (defaults to capacity).
    pub allocatable: ResourceList,
    /// Conditions (Ready and pressure conditions).
    pub conditions: Vec<NodeCondition>,
    /// Images already on the node.
    pub images: Vec<ContainerImage>,
}

/// A node condition.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NodeCondition {
    /// `Ready`, `MemoryPressure`, `DiskPressure`, `PIDPressure`, `NetworkUnavailable`.
    #[serde(rename = "type")]
    pub type_: String,
    /// `True`, `False` or `Unknown`.
    pub status: String,
    /// Reason.
    pub reason: Option<String>,
}

/// `status.images[]`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ContainerImage {
    /// Names (tags and digests) of the image.
    pub names: Vec<String>,
    /// Size in bytes.
    pub size_bytes: Option<i64>,
}
