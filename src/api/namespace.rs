//! Namespace, ResourceQuota and LimitRange.

use super::meta::ObjectMeta;
use super::resources::ResourceList;
use serde::{Deserialize, Serialize};

/// `kind: Namespace`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Namespace {
    /// Metadata (labels are matched by namespace selectors).
    pub metadata: ObjectMeta,
}

/// `kind: ResourceQuota`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ResourceQuota {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Hard limits.
    pub spec: ResourceQuotaSpec,
}

/// `spec` of a ResourceQuota.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ResourceQuotaSpec {
    /// Limits per resource (`requests.cpu`, `limits.memory`, `pods`, `count/deployments.apps`...).
    pub hard: ResourceList,
    /// Scopes (`BestEffort`, `NotBestEffort`, `Terminating`, `NotTerminating`, `PriorityClass`).
    pub scopes: Vec<String>,
}

/// `kind: LimitRange`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LimitRange {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Limits.
    pub spec: LimitRangeSpec,
}

/// `spec` of a LimitRange.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LimitRangeSpec {
    /// Limit items.
    pub limits: Vec<LimitRangeItem>,
}

/// One limit item.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LimitRangeItem {
    /// `Container`, `Pod` or `PersistentVolumeClaim`.
    #[serde(rename = "type")]
    pub type_: String,
    /// Maximum.
    pub max: ResourceList,
    /// Minimum.
    pub min: ResourceList,
    /// Default limits.
    pub default: ResourceList,
    /// Default requests.
    pub default_request: ResourceList,
    /// Maximum limit/request ratio.
    pub max_limit_request_ratio: ResourceList,
}
