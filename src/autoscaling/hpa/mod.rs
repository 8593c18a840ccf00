//! The HorizontalPodAutoscaler's algorithms, as pure functions over plain inputs so upstream's
//! unit tests can be replayed: the replica calculator (per-metric proposals) and the
//! normalization of a proposal (stabilization, rate policies, min/max).

pub mod normalize;
pub mod replica_calculator;
pub mod spec;
pub mod sums;
