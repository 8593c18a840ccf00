//! kubesim: a deterministic discrete-event simulator of a Kubernetes cluster.
//!
//! See `docs/architecture.md` for how an event flows through the components.

pub mod api;
pub mod autoscaling;
pub mod bench;
pub mod cli;
pub mod controllers;
pub mod diag;
pub mod engine;
pub mod gpu;
pub mod kubelet;
pub mod load;
pub mod model;
pub mod ops;
pub mod report;
pub mod scenario;
pub mod scheduler;
pub mod sim;
pub mod store;
pub mod traffic;
