//! `NodeAffinity` (`pkg/scheduler/framework/plugins/nodeaffinity/node_affinity.go`): Filter
//! applies `nodeSelector`, required node affinity and the profile's `addedAffinity`; PreFilter
//! narrows to the named nodes when every required term pins `metadata.name`; Score sums the
//! weights of matching preferred terms, normalised by the highest.

use crate::model::labels::SelOp;
use crate::model::pod::{NodeAffinity as Affinity, NodeSelectorTerm};
use crate::model::{Node, NodeId, Pod, Sym};
use crate::scheduler::framework::{
    CycleState, FilterPlugin, MAX_NODE_SCORE, NodeInfo, Plugin, PreFilterPlugin, PreFilterResult,
    PreScorePlugin, ScorePlugin, Status, View, default_normalize,
};
use std::collections::BTreeSet;

/// Reason upstream reports.
pub const REASON: &str = "node(s) didn't match Pod's node affinity/selector";
/// Reason for `addedAffinity` failures.
pub const ENFORCED_REASON: &str = "node(s) didn't match scheduler-enforced node affinity";

/// The NodeAffinity plugin, with the profile's `addedAffinity`.
#[derive(Debug, Default)]
pub struct NodeAffinity {
    /// `NodeAffinityArgs.addedAffinity`.
    pub added: Option<Affinity>,
}

impl Plugin for NodeAffinity {
    fn name(&self) -> &'static str {
        "NodeAffinity"
    }
}

/// Whether a node matches a node selector term (an empty term matches nothing, and so does a
/// term upstream cannot parse, see [`term_parses`]).
pub fn term_matches(t: &NodeSelectorTerm, node: &Node, interner: &crate::model::Interner) -> bool {
    if t.labels.is_empty() && t.fields.is_empty() {
        return false;
    }
    if !t.labels.matches(&node.labels, interner) {
        return false;
    }
    if !t.fields.is_empty() {
        // matchFields only supports metadata.name: evaluate against a one-label set.
        let key = t.fields.reqs[0].key;
        let set = crate::model::LabelSet::from_pairs(vec![(key, node.name)]);
        if !t.fields.matches(&set, interner) {
            return false;
        }
    }
    term_parses(t, interner)
}

/// Whether upstream can parse the term's `matchExpressions` (`labels.NewRequirement`): every
/// `In`/`NotIn` value must be a valid label value. API validation does not check these values,
/// so a pod may carry such a term; `nodeaffinity.LazyErrorNodeSelector` then never matches it.
fn term_parses(t: &NodeSelectorTerm, interner: &crate::model::Interner) -> bool {
    t.labels.reqs.iter().all(|r| match &r.op {
        SelOp::In(vals) | SelOp::NotIn(vals) => vals
            .iter()
            .all(|&v| crate::api::validation::check_label_value(interner.resolve(v)).is_ok()),
        _ => true,
    })
}

fn required_terms_match(a: &Affinity, node: &Node, interner: &crate::model::Interner) -> bool {
    match &a.required {
        Some(terms) => terms.iter().any(|t| term_matches(t, node, interner)),
        None => true,
    }
}

/// Whether the pod's node selector and required affinity admit `node` (`GetRequiredNodeAffinity`).
pub fn required_matches(pod: &Pod, node: &Node, interner: &crate::model::Interner) -> bool {
    pod.spec
        .node_selector
        .iter()
        .all(|&(k, v)| node.labels.get(k) == Some(v))
        && required_terms_match(&pod.spec.node_affinity, node, interner)
}

impl PreFilterPlugin for NodeAffinity {
    fn pre_filter(&self, _: &mut CycleState, pod: &Pod, _: &View<'_>) -> (Status, PreFilterResult) {
        let a = &pod.spec.node_affinity;
        let has_added = self.added.as_ref().is_some_and(|x| x.required.is_some());
        if pod.spec.node_selector.is_empty() && a.required.is_none() && !has_added {
            return (Status::skip(), PreFilterResult::default());
        }
        // If every term pins metadata.name with In, only those nodes are candidates.
        let Some(terms) = &a.required else {
            return (Status::success(), PreFilterResult::default());
        };
        let mut names: Option<BTreeSet<Sym>> = None;
        for t in terms {
            let mut term_names: Option<BTreeSet<Sym>> = None;
            for r in &t.fields.reqs {
                if let SelOp::In(vals) = &r.op {
                    let set: BTreeSet<Sym> = vals.iter().copied().collect();
                    term_names = Some(match term_names {
                        None => set,
                        Some(prev) => prev.intersection(&set).copied().collect(),
                    });
                }
            }
            match term_names {
                None => return (Status::success(), PreFilterResult::default()),
                Some(s) => names.get_or_insert_with(BTreeSet::new).extend(s),
            }
        }
        match names {
            Some(n) if n.is_empty() => (
                Status::unresolvable("pod affinity terms conflict"),
                PreFilterResult::default(),
            ),
            n => (Status::success(), PreFilterResult { node_names: n }),
        }
    }
}

impl FilterPlugin for NodeAffinity {
    fn node_local(&self) -> bool {
        true
    }

    fn filter(&self, _: &CycleState, pod: &Pod, node: &NodeInfo<'_>, view: &View<'_>) -> Status {
        let i = &view.store.interner;
        if let Some(added) = &self.added
            && !required_terms_match(added, node.node, i)
        {
            return Status::unresolvable(ENFORCED_REASON);
        }
        if required_matches(pod, node.node, i) {
            Status::success()
        } else {
            Status::unresolvable(REASON)
        }
    }
}

impl PreScorePlugin for NodeAffinity {
    fn pre_score(&self, _: &mut CycleState, pod: &Pod, _: &[NodeId], _: &View<'_>) -> Status {
        let added = self.added.as_ref().is_some_and(|a| !a.preferred.is_empty());
        if pod.spec.node_affinity.preferred.is_empty() && !added {
            Status::skip()
        } else {
            Status::success()
        }
    }
}

impl ScorePlugin for NodeAffinity {
    fn normalizes(&self) -> bool {
        true
    }

    fn node_local(&self) -> bool {
        true
    }

    fn score(&self, _: &CycleState, pod: &Pod, info: &NodeInfo<'_>, view: &View<'_>) -> i64 {
        let node = info.node;
        let i = &view.store.interner;
        let own: i64 = pod
            .spec
            .node_affinity
            .preferred
            .iter()
            .filter(|(_, t)| term_matches(t, node, i))
            .map(|(w, _)| *w as i64)
            .sum();
        let added: i64 = self
            .added
            .as_ref()
            .map(|a| {
                a.preferred
                    .iter()
                    .filter(|(_, t)| term_matches(t, node, i))
                    .map(|(w, _)| *w as i64)
                    .sum()
            })
            .unwrap_or(0);
        own + added
    }

    fn normalize(&self, _: &CycleState, scores: &mut [i64]) {
        default_normalize(MAX_NODE_SCORE, false, scores);
    }
}
