//! `kind: HorizontalPodAutoscaler` (autoscaling/v2, v2beta2 and v1, normalised to v2).

use super::meta::{LabelSelector, ObjectMeta};
use super::quantity::Quantity;
use serde::{Deserialize, Serialize};

/// `kind: HorizontalPodAutoscaler`, in its autoscaling/v2 shape.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HorizontalPodAutoscaler {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Desired behaviour.
    pub spec: HpaSpec,
}

/// `spec` of an autoscaling/v2 HPA.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HpaSpec {
    /// The scaled workload.
    pub scale_target_ref: CrossVersionObjectReference,
    /// Lower bound (default 1).
    pub min_replicas: Option<i32>,
    /// Upper bound.
    pub max_replicas: i32,
    /// Metrics (default: 80 % cpu utilization).
    pub metrics: Vec<MetricSpec>,
    /// Scaling behaviour.
    pub behavior: Option<HpaBehavior>,
}

/// `spec` of an autoscaling/v1 HPA.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HpaSpecV1 {
    /// The scaled workload.
    pub scale_target_ref: CrossVersionObjectReference,
    /// Lower bound (default 1).
    pub min_replicas: Option<i32>,
    /// Upper bound.
    pub max_replicas: i32,
    /// Target average cpu utilization in percent of requests.
    #[serde(rename = "targetCPUUtilizationPercentage")]
    pub target_cpu_utilization_percentage: Option<i32>,
}

/// An autoscaling/v1 HPA before conversion.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HorizontalPodAutoscalerV1 {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// v1 spec.
    pub spec: HpaSpecV1,
}

impl From<HorizontalPodAutoscalerV1> for HorizontalPodAutoscaler {
    /// Converts as the API server does: `targetCPUUtilizationPercentage` becomes one Resource
    /// metric on cpu with a Utilization target.
    fn from(v1: HorizontalPodAutoscalerV1) -> Self {
        let metrics = v1
            .spec
            .target_cpu_utilization_percentage
            .map(|p| {
                vec![MetricSpec {
                    type_: MetricSourceType::Resource,
                    resource: Some(ResourceMetricSource {
                        name: "cpu".into(),
                        target: MetricTarget {
                            type_: MetricTargetType::Utilization,
                            average_utilization: Some(p),
                            ..Default::default()
                        },
                    }),
                    ..Default::default()
                }]
            })
            .unwrap_or_default();
        HorizontalPodAutoscaler {
            metadata: v1.metadata,
            spec: HpaSpec {
                scale_target_ref: v1.spec.scale_target_ref,
                min_replicas: v1.spec.min_replicas,
                max_replicas: v1.spec.max_replicas,
                metrics,
                behavior: None,
            },
        }
    }
}

/// `kind: VerticalPodAutoscaler` (`autoscaling.k8s.io/v1`): the fields the recommender reads.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VerticalPodAutoscaler {
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Desired behaviour.
    pub spec: VpaSpec,
}

/// `spec` of a VPA.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VpaSpec {
    /// The workload whose pods are measured.
    pub target_ref: CrossVersionObjectReference,
    /// `updatePolicy`.
    pub update_policy: Option<VpaUpdatePolicy>,
    /// `resourcePolicy`.
    pub resource_policy: Option<VpaResourcePolicy>,
}

/// `updatePolicy`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VpaUpdatePolicy {
    /// `Off`, `Initial`, `Recreate`, `InPlaceOrRecreate`, `Auto`.
    pub update_mode: Option<String>,
}

/// `resourcePolicy`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VpaResourcePolicy {
    /// Per-container bounds.
    pub container_policies: Vec<VpaContainerPolicy>,
}

/// `resourcePolicy.containerPolicies[]`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct VpaContainerPolicy {
    /// Container name, or `*`.
    pub container_name: String,
    /// Lower bounds (`cpu`, `memory`).
    pub min_allowed: std::collections::BTreeMap<String, Quantity>,
    /// Upper bounds.
    pub max_allowed: std::collections::BTreeMap<String, Quantity>,
    /// `Auto` (default) or `Off`: whether this container gets recommendations.
    pub mode: Option<String>,
    /// `RequestsAndLimits` (default) or `RequestsOnly`: whether limits follow the requests.
    pub controlled_values: Option<String>,
}

/// A reference to the scaled object.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CrossVersionObjectReference {
    /// API version.
    pub api_version: Option<String>,
    /// Kind (Deployment, StatefulSet, ReplicaSet).
    pub kind: String,
    /// Name.
    pub name: String,
}

/// Metric source types.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub enum MetricSourceType {
    /// Pod cpu/memory from the metrics pipeline.
    #[default]
    Resource,
    /// One container's cpu/memory.
    ContainerResource,
    /// A per-pod custom metric.
    Pods,
    /// A metric of another object.
    Object,
    /// A metric from outside the cluster.
    External,
}

/// `metrics[]`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MetricSpec {
    /// Source type.
    #[serde(rename = "type")]
    pub type_: MetricSourceType,
    /// Resource metric.
    pub resource: Option<ResourceMetricSource>,
    /// Container resource metric.
    pub container_resource: Option<ContainerResourceMetricSource>,
    /// Pods metric.
    pub pods: Option<PodsMetricSource>,
    /// Object metric.
    pub object: Option<ObjectMetricSource>,
    /// External metric.
    pub external: Option<ExternalMetricSource>,
}

/// `metrics[].resource`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ResourceMetricSource {
    /// `cpu` or `memory`.
    pub name: String,
    /// Target.
    pub target: MetricTarget,
}

/// `metrics[].containerResource`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ContainerResourceMetricSource {
    /// `cpu` or `memory`.
    pub name: String,
    /// Container name.
    pub container: String,
    /// Target.
    pub target: MetricTarget,
}

/// `metrics[].pods`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PodsMetricSource {
    /// The metric.
    pub metric: MetricIdentifier,
    /// Target.
    pub target: MetricTarget,
}

/// `metrics[].object`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ObjectMetricSource {
    /// The object described.
    pub described_object: CrossVersionObjectReference,
    /// The metric.
    pub metric: MetricIdentifier,
    /// Target.
    pub target: MetricTarget,
}

/// `metrics[].external`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ExternalMetricSource {
    /// The metric.
    pub metric: MetricIdentifier,
    /// Target.
    pub target: MetricTarget,
}

/// A metric name and selector.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MetricIdentifier {
    /// Metric name.
    pub name: String,
    /// Selector.
    pub selector: Option<LabelSelector>,
}

/// Target types.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
pub enum MetricTargetType {
    /// Percent of requests.
    #[default]
    Utilization,
    /// Total value.
    Value,
    /// Value per pod.
    AverageValue,
}

/// A metric target.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct MetricTarget {
    /// Target type.
    #[serde(rename = "type")]
    pub type_: MetricTargetType,
    /// Percent of requests.
    pub average_utilization: Option<i32>,
    /// Per-pod value.
    pub average_value: Option<Quantity>,
    /// Total value.
    pub value: Option<Quantity>,
}

/// `spec.behavior`.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HpaBehavior {
    /// Scale-up rules.
    pub scale_up: Option<HpaScalingRules>,
    /// Scale-down rules.
    pub scale_down: Option<HpaScalingRules>,
}

/// Scaling rules for one direction.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HpaScalingRules {
    /// Window over which recommendations are considered.
    pub stabilization_window_seconds: Option<i32>,
    /// `Max` (default), `Min` or `Disabled`.
    pub select_policy: Option<SelectPolicy>,
    /// Rate limits.
    pub policies: Vec<HpaScalingPolicy>,
    /// Per-HPA tolerance (alpha in 1.33).
    pub tolerance: Option<Quantity>,
}

/// `selectPolicy`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum SelectPolicy {
    /// The policy allowing the largest change.
    Max,
    /// The policy allowing the smallest change.
    Min,
    /// No scaling in this direction.
    Disabled,
}

/// A scaling policy.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HpaScalingPolicy {
    /// `Pods` or `Percent`.
    #[serde(rename = "type")]
    pub type_: ScalingPolicyType,
    /// Amount.
    pub value: i32,
    /// Window in seconds.
    pub period_seconds: i32,
}

/// Scaling policy types.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub enum ScalingPolicyType {
    /// Absolute pods.
    Pods,
    /// Percent of current replicas.
    Percent,
}
