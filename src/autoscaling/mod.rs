//! Autoscalers: the HorizontalPodAutoscaler's algorithms (`hpa`). The controller that runs
//! them against the store, the metrics pipeline, the Cluster Autoscaler and the VPA
//! recommender build on these.

pub mod backoff;
pub mod cluster_autoscaler;
pub mod expander;
pub mod hpa;
pub mod metrics_server;
pub mod vpa;
