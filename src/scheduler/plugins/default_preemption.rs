//! `DefaultPreemption` (`pkg/scheduler/framework/plugins/defaultpreemption/default_preemption.go`
//! with `pkg/scheduler/framework/preemption/preemption.go` and `pkg/scheduler/util/utils.go`).
//!
//! PostFilter, when no node fits: checks the preemptor is eligible; takes the nodes whose
//! filter status was Unschedulable (never UnschedulableAndUnresolvable); dry-runs victim
//! selection on them from a random offset until enough candidates are found
//! (`max(n × minCandidateNodesPercentage / 100, minCandidateNodesAbsolute)`, capped at n, and
//! stopping once one candidate violates no PodDisruptionBudget); picks one node by upstream's
//! criteria; and returns the nomination with its victims, which the scheduler evicts.
//!
//! Victim selection on a node removes every lower-priority pod, checks the preemptor then
//! fits, and reprieves pods in importance order — first those whose eviction would violate a
//! budget, then the others — keeping each one whose return still lets the preemptor fit.

use crate::engine::SimTime;
use crate::model::ArenaId;
use crate::model::pod::DisruptionReason;
use crate::model::{NodeId, Pod, PodId};
use crate::scenario::TieBreak;
use crate::scheduler::FitError;
use crate::scheduler::framework::{Code, NodeDelta, Plugin, PreEnqueuePlugin, Status};
use crate::scheduler::postfilter::{
    Nominating, Nomination, PostFilterPlugin, PostFilterResult, Preemptor,
};

/// Status of nodes preemption cannot help.
pub const NOT_HELPFUL: &str = "Preemption is not helpful for scheduling";
/// Status of nodes without lower-priority pods.
pub const NO_VICTIMS: &str = "No preemption victims found for incoming pod";
/// The preemptor may not preempt.
pub const NOT_ELIGIBLE_POLICY: &str = "not eligible due to preemptionPolicy=Never.";
/// A victim of an earlier preemption is still terminating on the nominated node.
pub const NOT_ELIGIBLE_TERMINATING: &str =
    "not eligible due to a terminating pod on the nominated node.";

/// The plugin, with `DefaultPreemptionArgs`.
#[derive(Debug, Clone)]
pub struct DefaultPreemption {
    /// `minCandidateNodesPercentage` (default 10).
    pub min_candidate_nodes_percentage: i64,
    /// `minCandidateNodesAbsolute` (default 100).
    pub min_candidate_nodes_absolute: i64,
}

impl Default for DefaultPreemption {
    fn default() -> Self {
        DefaultPreemption {
            min_candidate_nodes_percentage: 10,
            min_candidate_nodes_absolute: 100,
        }
    }
}

impl Plugin for DefaultPreemption {
    fn name(&self) -> &'static str {
        "DefaultPreemption"
    }
}

/// Upstream's PreEnqueue holds a preemptor while its asynchronous preemption API calls run.
/// kubesim issues those calls in zero simulated time, so the pod is never held.
impl PreEnqueuePlugin for DefaultPreemption {
    fn pre_enqueue(&self, _pod: &Pod) -> Status {
        Status::success()
    }
}

/// Victims chosen on one node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Victims {
    /// The node.
    pub node: NodeId,
    /// Victims, most important first.
    pub pods: Vec<PodId>,
    /// How many of them violate a PodDisruptionBudget.
    pub num_pdb_violations: usize,
}

/// `GetPodStartTime`: `status.startTime`, or now when the pod has not started.
fn start_time(p: &Pod, now: SimTime) -> SimTime {
    p.status.start_time.unwrap_or(now)
}

/// `MoreImportantPod`: higher priority, then earlier start.
pub fn more_important(a: &Pod, b: &Pod, now: SimTime) -> bool {
    if a.priority != b.priority {
        return a.priority > b.priority;
    }
    start_time(a, now) < start_time(b, now)
}

impl DefaultPreemption {
    /// `calculateNumCandidates`.
    pub fn num_candidates(&self, num_nodes: usize) -> usize {
        let n = num_nodes as i64;
        let mut c = n * self.min_candidate_nodes_percentage / 100;
        if c < self.min_candidate_nodes_absolute {
            c = self.min_candidate_nodes_absolute;
        }
        c.min(n).max(0) as usize
    }

    /// `PodEligibleToPreemptOthers`.
    fn eligible(
        &self,
        p: &Preemptor<'_, '_>,
        pod: &Pod,
        nominated_code: Code,
    ) -> Result<(), &'static str> {
        if !pod.preempt_lower {
            return Err(NOT_ELIGIBLE_POLICY);
        }
        if let Some(nn) = pod.status.nominated_node {
            if nominated_code == Code::UnschedulableAndUnresolvable {
                return Ok(());
            }
            if let Some(node) = p.view.store.node(nn) {
                for &q in &node.pods {
                    if let Some(other) = p.view.store.pod(q)
                        && other.priority < pod.priority
                        && other.is_terminating()
                        && other.status.disruption_target
                            == Some(DisruptionReason::PreemptionByScheduler)
                    {
                        return Err(NOT_ELIGIBLE_TERMINATING);
                    }
                }
            }
        }
        Ok(())
    }

    /// `SelectVictimsOnNode`.
    fn select_victims_on_node(
        &self,
        p: &Preemptor<'_, '_>,
        pod: &Pod,
        id: NodeId,
        pdb_allowed: &mut Option<Vec<i32>>,
    ) -> Result<Victims, Status> {
        let store = p.view.store;
        let now = store.now();
        let Some(node) = store.node(id) else {
            return Err(Status::unresolvable("node not found"));
        };
        // No pod here is a potential victim: the answer needs no pod lookups.
        if !node.has_priority_below(pod.priority) {
            return Err(Status::unresolvable(NO_VICTIMS));
        }
        let mut state = p.state.clone();
        let mut delta = NodeDelta::default();
        let mut potential: Vec<PodId> = node
            .pods
            .iter()
            .copied()
            .filter(|&q| {
                store
                    .pod(q)
                    .is_some_and(|o| o.holds_resources() && o.priority < pod.priority)
            })
            .collect();
        for &q in &potential {
            let o = store.pod(q).expect("filtered");
            delta.remove(q, o);
            p.remove_pod(&mut state, pod, o, node);
        }
        if potential.is_empty() {
            return Err(Status::unresolvable(NO_VICTIMS));
        }
        let st = p.filters_with_nominated(&state, pod, id, &delta);
        if !st.is_success() {
            return Err(st);
        }
        potential.sort_by(|&a, &b| {
            let (pa, pb) = (store.pod(a).expect("exists"), store.pod(b).expect("exists"));
            if more_important(pa, pb, now) {
                std::cmp::Ordering::Less
            } else if more_important(pb, pa, now) {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        });
        // filterPodsWithPDBViolation.
        let mut allowed = pdb_allowed
            .get_or_insert_with(|| {
                p.view
                    .cache
                    .pdbs
                    .iter()
                    .map(|b| b.status(store).disruptions_allowed)
                    .collect()
            })
            .clone();
        let (mut violating, mut non_violating) = (Vec::new(), Vec::new());
        for &q in &potential {
            let o = store.pod(q).expect("exists");
            let mut violated = false;
            for (i, b) in p.view.cache.pdbs.iter().enumerate() {
                if b.preemption_matches(o, &store.interner) {
                    allowed[i] -= 1;
                    if allowed[i] < 0 {
                        violated = true;
                    }
                }
            }
            if violated {
                violating.push(q)
            } else {
                non_violating.push(q)
            }
        }
        let mut victims = Vec::new();
        let mut num_violations = 0;
        let both = !violating.is_empty() && !non_violating.is_empty();
        for (group, is_violating) in [(&violating, true), (&non_violating, false)] {
            for &q in group.iter() {
                let o = store.pod(q).expect("exists");
                delta.restore(q, o);
                p.add_pod(&mut state, pod, o, node);
                let fits = p
                    .filters_with_nominated(&state, pod, id, &delta)
                    .is_success();
                if !fits {
                    delta.remove(q, o);
                    p.remove_pod(&mut state, pod, o, node);
                    victims.push(q);
                    if is_violating {
                        num_violations += 1;
                    }
                }
            }
        }
        if both {
            victims.sort_by(|&a, &b| {
                let (pa, pb) = (store.pod(a).expect("exists"), store.pod(b).expect("exists"));
                if more_important(pa, pb, now) {
                    std::cmp::Ordering::Less
                } else if more_important(pb, pa, now) {
                    std::cmp::Ordering::Greater
                } else {
                    std::cmp::Ordering::Equal
                }
            });
        }
        Ok(Victims {
            node: id,
            pods: victims,
            num_pdb_violations: num_violations,
        })
    }

    /// `Preempt`, returning the status before the "preemption: " prefix.
    fn preempt(&self, p: &mut Preemptor<'_, '_>, pod: &Pod, fit: &FitError) -> PostFilterResult {
        // The status code of every node, indexed by arena index (the last status of a node
        // wins, as when collecting into a map).
        let mut codes: Vec<Option<(NodeId, Code)>> = Vec::new();
        for (n, _, s) in &fit.node_statuses {
            let i = n.index() as usize;
            if codes.len() <= i {
                codes.resize(i + 1, None);
            }
            codes[i] = Some((*n, s.code));
        }
        let code_of = |n: NodeId| match codes.get(n.index() as usize) {
            Some(Some((id, c))) if *id == n => *c,
            _ => fit.absent.code,
        };
        let nominated_code = pod
            .status
            .nominated_node
            .map(code_of)
            .unwrap_or(fit.absent.code);
        if let Err(msg) = self.eligible(p, pod, nominated_code) {
            return PostFilterResult {
                status: Status::unschedulable(msg),
                nominating: Nominating::Noop,
            };
        }
        let all = p.view.nodes;
        let not_helpful = |statuses: Vec<(NodeId, &'static str, Status)>| {
            let f = FitError {
                num_all_nodes: all.len(),
                node_statuses: statuses,
                absent: Status::unresolvable(NOT_HELPFUL),
                pre_filter_msg: None,
                post_filter_msg: None,
                pre_filter_plugins: Vec::new(),
            };
            PostFilterResult {
                status: Status::unschedulable(f.message()),
                nominating: Nominating::Clear,
            }
        };
        let potential: Vec<NodeId> = all
            .iter()
            .copied()
            .filter(|&n| code_of(n) == Code::Unschedulable)
            .collect();
        if potential.is_empty() {
            return not_helpful(Vec::new());
        }
        let store = p.view.store;
        // Read once, when the first node with potential victims needs it.
        let mut pdb_allowed: Option<Vec<i32>> = None;
        // No pod anywhere has a lower priority: every node has no victims (the per-node answer,
        // without reading each node's pods).
        let no_victims_anywhere = !store.may_have_priority_below(pod.priority);
        let offset = p.rng.below(potential.len() as u64) as usize;
        if no_victims_anywhere && potential.iter().all(|&n| store.node(n).is_some()) {
            // Every candidate has no victims: the diagnosis the loop below would build, without
            // a status per node.
            return PostFilterResult {
                status: Status::unschedulable(FitError::uniform_message(
                    all.len(),
                    potential.len(),
                    &Status::unresolvable(NO_VICTIMS),
                    &Status::unresolvable(NOT_HELPFUL),
                )),
                nominating: Nominating::Clear,
            };
        }
        let wanted = self.num_candidates(potential.len());
        let (mut non_violating, mut violating) = (Vec::new(), Vec::new());
        let mut statuses = Vec::with_capacity(if no_victims_anywhere {
            potential.len()
        } else {
            0
        });
        for i in 0..potential.len() {
            let id = potential[(offset + i) % potential.len()];
            let victims = if no_victims_anywhere && store.node(id).is_some() {
                Err(Status::unresolvable(NO_VICTIMS))
            } else {
                self.select_victims_on_node(p, pod, id, &mut pdb_allowed)
            };
            match victims {
                Ok(v) if v.pods.is_empty() => {
                    statuses.push((
                        id,
                        "DefaultPreemption",
                        Status::new(Code::Error, "expected at least one victim pod on node"),
                    ));
                }
                Ok(v) => {
                    if v.num_pdb_violations == 0 {
                        non_violating.push(v);
                    } else {
                        violating.push(v);
                    }
                    if !non_violating.is_empty() && non_violating.len() + violating.len() >= wanted
                    {
                        break;
                    }
                }
                Err(st) => statuses.push((id, "DefaultPreemption", st)),
            }
        }
        non_violating.extend(violating);
        let candidates = non_violating;
        if candidates.is_empty() {
            return not_helpful(statuses);
        }
        let best = pick_one_node_for_preemption(&candidates, p, store.now());
        let c = &candidates[best];
        PostFilterResult {
            status: Status::success(),
            nominating: Nominating::Set(Nomination {
                node: c.node,
                victims: c.pods.clone(),
            }),
        }
    }
}

/// `pickOneNodeForPreemption`: fewest PDB violations, then the lowest highest-victim priority,
/// the smallest sum of (priority + 2³¹), the fewest victims, the latest start among the
/// highest-priority victims; remaining ties (upstream: Go map order) on the seeded stream,
/// or the first candidate with the `lowest-index` tie-break.
pub fn pick_one_node_for_preemption(
    candidates: &[Victims],
    p: &mut Preemptor<'_, '_>,
    now: SimTime,
) -> usize {
    if candidates.len() == 1 {
        return 0;
    }
    let store = p.view.store;
    let prio = |q: PodId| store.pod(q).map(|o| o.priority).unwrap_or(0);
    let start = |q: PodId| store.pod(q).map(|o| start_time(o, now)).unwrap_or(now);
    let funcs: [&dyn Fn(&Victims) -> i64; 5] = [
        &|v| -(v.num_pdb_violations as i64),
        &|v| -(v.pods.first().map(|&q| prio(q)).unwrap_or(0) as i64),
        &|v| {
            -v.pods
                .iter()
                .map(|&q| prio(q) as i64 + (i32::MAX as i64 + 1))
                .sum::<i64>()
        },
        &|v| -(v.pods.len() as i64),
        &|v| {
            // GetEarliestPodStartTime among the highest-priority victims.
            let Some(&first) = v.pods.first() else {
                return i64::MIN;
            };
            let (mut max_p, mut earliest) = (prio(first), start(first));
            for &q in &v.pods {
                let (pq, sq) = (prio(q), start(q));
                if pq == max_p {
                    earliest = earliest.min(sq);
                } else if pq > max_p {
                    max_p = pq;
                    earliest = sq;
                }
            }
            earliest.as_micros() as i64
        },
    ];
    let mut remaining: Vec<usize> = (0..candidates.len()).collect();
    for f in funcs {
        let mut best = i64::MIN;
        let mut selected = Vec::new();
        for &i in &remaining {
            let s = f(&candidates[i]);
            if s > best {
                best = s;
                selected.clear();
            }
            if s == best {
                selected.push(i);
            }
        }
        if selected.len() == 1 {
            return selected[0];
        }
        remaining = selected;
    }
    match p.tie_break {
        TieBreak::Random => remaining[p.rng.below(remaining.len() as u64) as usize],
        TieBreak::LowestIndex => remaining[0],
    }
}

impl PostFilterPlugin for DefaultPreemption {
    fn post_filter(
        &self,
        p: &mut Preemptor<'_, '_>,
        pod: &Pod,
        fit: &FitError,
    ) -> PostFilterResult {
        let mut r = self.preempt(p, pod, fit);
        if !r.status.is_success() {
            let msg = r.status.message();
            if !msg.is_empty() {
                r.status = Status::new(r.status.code, format!("preemption: {msg}"));
            }
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidate_count_follows_calculate_num_candidates() {
        // default_preemption_test.go TestCalculateNumCandidates.
        let p = |pct, abs| DefaultPreemption {
            min_candidate_nodes_percentage: pct,
            min_candidate_nodes_absolute: abs,
        };
        assert_eq!(
            p(10, 100).num_candidates(10),
            10,
            "nodes < minCandidateNodesAbsolute"
        );
        assert_eq!(
            p(40, 100).num_candidates(1000),
            400,
            "nodes > minCandidateNodesAbsolute"
        );
        assert_eq!(p(5, 50).num_candidates(500), 50, "all nodes are candidates");
        assert_eq!(
            p(20, 0).num_candidates(500),
            100,
            "minCandidateNodesAbsolute = 0"
        );
        assert_eq!(
            p(0, 100).num_candidates(1000),
            100,
            "minCandidateNodesPercentage = 0"
        );
    }
}
