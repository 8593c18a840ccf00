//! What one scheduling attempt saw, recorded when explanations are asked for
//! (`kubesim schedule --explain`): every evaluated node's filter verdict and every scored
//! node's per-plugin scores. Recording is off in simulations, so the hot path pays nothing.

use super::framework::Status;
use crate::model::{NodeId, PodId};

/// A node's filter verdict.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FilterVerdict {
    /// All filters passed.
    Passed,
    /// Rejected by `plugin` with a status.
    Rejected(&'static str, Status),
    /// Not evaluated (enough feasible nodes were found first, or PreFilter narrowed the set).
    NotEvaluated,
}

/// One score plugin's contribution on a node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScoreEntry {
    /// Plugin name.
    pub plugin: &'static str,
    /// Normalised score, 0–100.
    pub score: i64,
    /// The plugin's weight in the profile.
    pub weight: i64,
}

/// One node's part in an attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeExplain {
    /// The node.
    pub node: NodeId,
    /// Filter verdict.
    pub filter: FilterVerdict,
    /// Scores (empty when the node was not scored).
    pub scores: Vec<ScoreEntry>,
    /// Weighted total (`None` when not scored).
    pub total: Option<i64>,
}

/// One scheduling attempt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    /// The pod.
    pub pod: PodId,
    /// The chosen node.
    pub node: Option<NodeId>,
    /// The unschedulable message, when no node was chosen.
    pub message: Option<String>,
    /// The node nominated by preemption in this attempt.
    pub nominated: Option<NodeId>,
    /// Pods preempted in this attempt.
    pub victims: Vec<PodId>,
    /// Per node, in the scheduler's node order.
    pub nodes: Vec<NodeExplain>,
}
