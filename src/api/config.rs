//! ConfigMap and Secret (their existence and keys matter to container start-up; a ConfigMap's
//! string values are kept for the Cluster Autoscaler's priority expander).

use super::meta::ObjectMeta;
use serde::{Deserialize, Serialize};

/// `kind: ConfigMap`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConfigMap {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// String data (the priority expander reads its `priorities` value).
    pub data: super::StringData,
    /// Binary data (only keys matter).
    pub binary_data: super::Keys,
}

/// `kind: Secret`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Secret {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Base64 data (only keys matter).
    pub data: super::Keys,
    /// Plain data (only keys matter).
    pub string_data: super::Keys,
    /// Secret type.
    #[serde(rename = "type")]
    pub type_: Option<String>,
}
