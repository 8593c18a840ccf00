//! Operator procedures that take simulated time: `kubectl drain` through the Eviction API,
//! and rolling node-pool upgrades. The simulation (`sim::maintenance`) wires them to nodes.

pub mod drain;
pub mod eviction;
pub mod upgrade;
