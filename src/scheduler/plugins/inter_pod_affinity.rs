//! `InterPodAffinity` (`pkg/scheduler/framework/plugins/interpodaffinity/{plugin,filtering,
//! scoring}.go`).
//!
//! Filter, in order: every required affinity term needs a matching pod in the node's domain
//! (unless no pod anywhere matches and the incoming pod matches its own terms — the first pod of
//! a self-affine group) → UnschedulableAndUnresolvable; a required anti-affinity term with a
//! matching pod in the node's domain → Unschedulable; an existing pod's required anti-affinity
//! term that matches the incoming pod, in the node's domain → Unschedulable.
//! Score: preferred terms of the incoming pod (±weight per matching pod), existing pods' required
//! affinity terms matching it (hardPodAffinityWeight) and their preferred terms (±weight), summed
//! per topology domain; normalised by `100 × (raw − min) / (max − min)`.
//!
//! A term matches a pod when the pod's namespace is in the term's namespaces (default: the term
//! owner's) or matches its namespace selector, and its labels match the label selector. Matching
//! pod counts per domain come from the scheduler cache.

use crate::model::pod::PodAffinityTerm;
use crate::model::{LabelSet, Node, NodeId, Pod, Selector, Sym};
use crate::scheduler::cache::{CountId, CountKey, TermKind, TopologyId};
use crate::scheduler::framework::{
    CycleState, FilterPlugin, MAX_NODE_SCORE, NodeInfo, Plugin, PreFilterPlugin, PreFilterResult,
    PreScorePlugin, ScorePlugin, Status, View,
};
use std::collections::BTreeMap;

/// Required affinity not satisfied.
pub const REASON_AFFINITY: &str = "node(s) didn't match pod affinity rules";
/// Required anti-affinity not satisfied.
pub const REASON_ANTI: &str = "node(s) didn't match pod anti-affinity rules";
/// An existing pod's anti-affinity forbids the node.
pub const REASON_EXISTING: &str = "node(s) didn't satisfy existing pods anti-affinity rules";

/// `InterPodAffinityArgs`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Args {
    /// Weight of existing pods' required affinity terms in scoring (default 1).
    pub hard_pod_affinity_weight: i64,
    /// Skip existing pods' preferred terms when the incoming pod has none (default false).
    pub ignore_preferred_terms_of_existing_pods: bool,
}

impl Default for Args {
    fn default() -> Self {
        Args {
            hard_pod_affinity_weight: 1,
            ignore_preferred_terms_of_existing_pods: false,
        }
    }
}

/// The plugin.
#[derive(Debug, Default)]
pub struct InterPodAffinity {
    /// Arguments.
    pub args: Args,
}

impl Plugin for InterPodAffinity {
    fn name(&self) -> &'static str {
        "InterPodAffinity"
    }
}

/// A term with its namespaces resolved (`AffinityTerm` after `mergeAffinityTermNamespacesIfNotEmpty`).
#[derive(Clone, Debug)]
struct Resolved {
    key: Sym,
    /// `None`: all namespaces.
    namespaces: Option<Vec<Sym>>,
    selector: Selector,
}

/// Resolves a term of a pod in namespace `owner_ns` into namespaces and a selector.
fn resolve(t: &PodAffinityTerm, owner_ns: Sym, view: &View<'_>) -> Resolved {
    let mut namespaces: Vec<Sym> = t.namespaces.clone();
    let mut all = false;
    match &t.namespace_selector {
        None => {
            if namespaces.is_empty() {
                namespaces.push(owner_ns);
            }
        }
        Some(sel) if sel.is_empty() => all = true,
        Some(sel) => {
            for ns in view.store.namespaces() {
                if view
                    .store
                    .namespace_labels(ns)
                    .is_some_and(|l| sel.matches(l, &view.store.interner))
                {
                    namespaces.push(ns);
                }
            }
        }
    }
    namespaces.sort();
    namespaces.dedup();
    Resolved {
        key: t.topology_key,
        namespaces: if all { None } else { Some(namespaces) },
        selector: t.selector.clone(),
    }
}

/// `AffinityTerm.Matches`: does `pod` match a term owned by a pod in `owner_ns`?
pub fn term_matches_pod(
    t: &PodAffinityTerm,
    owner_ns: Sym,
    pod: &Pod,
    ns_labels: Option<&LabelSet>,
    view: &View<'_>,
) -> bool {
    let i = &view.store.interner;
    let ns_ok = if t.namespaces.is_empty() && t.namespace_selector.is_none() {
        pod.namespace == owner_ns
    } else {
        t.namespaces.contains(&pod.namespace)
            || t.namespace_selector
                .as_ref()
                .is_some_and(|s| ns_labels.is_some_and(|l| s.matches(l, i)))
    };
    ns_ok && t.selector.matches(&pod.labels, i)
}

fn resolved_matches(r: &Resolved, pod: &Pod, view: &View<'_>) -> bool {
    r.namespaces
        .as_ref()
        .is_none_or(|v| v.binary_search(&pod.namespace).is_ok())
        && r.selector.matches(&pod.labels, &view.store.interner)
}

/// PreFilter state.
#[derive(Clone, Debug, Default)]
pub struct FilterState {
    affinity: Vec<Resolved>,
    anti: Vec<Resolved>,
    /// Count of pods matching *all* affinity terms.
    affinity_count: Option<CountId>,
    affinity_empty: bool,
    self_affine: bool,
    anti_counts: Vec<CountId>,
    anti_topologies: Vec<TopologyId>,
    /// Indexes of cache term entries (existing required anti-affinity) matching the incoming pod.
    existing: Vec<usize>,
    /// Their distinct topology keys (plus keys of adjustments).
    existing_keys: Vec<Sym>,
    adjust_affinity: BTreeMap<(Sym, Sym), i64>,
    adjust_anti: BTreeMap<(Sym, Sym), i64>,
    adjust_existing: BTreeMap<(Sym, Sym), i64>,
}

fn domain_count(view: &View<'_>, id: CountId, key: Sym, value: Sym) -> i64 {
    view.cache.count_in_domain(id, key, value, view.store) as i64
}

impl PreFilterPlugin for InterPodAffinity {
    fn pre_filter(
        &self,
        state: &mut CycleState,
        pod: &Pod,
        view: &View<'_>,
    ) -> (Status, PreFilterResult) {
        let ns_labels = view.store.namespace_labels(pod.namespace).cloned();
        // Existing pods' required anti-affinity terms that match the incoming pod.
        let existing: Vec<usize> = view
            .cache
            .terms()
            .iter()
            .enumerate()
            .filter(|(_, e)| e.kind == TermKind::RequiredAntiAffinity && !e.domains.is_empty())
            .filter(|(_, e)| term_matches_pod(&e.term, e.owner_ns, pod, ns_labels.as_ref(), view))
            .map(|(i, _)| i)
            .collect();
        let affinity: Vec<Resolved> = pod
            .spec
            .pod_affinity
            .required
            .iter()
            .map(|t| resolve(t, pod.namespace, view))
            .collect();
        let anti: Vec<Resolved> = pod
            .spec
            .pod_anti_affinity
            .required
            .iter()
            .map(|t| resolve(t, pod.namespace, view))
            .collect();
        if existing.is_empty() && affinity.is_empty() && anti.is_empty() {
            return (Status::skip(), PreFilterResult::default());
        }
        let mut existing_keys: Vec<Sym> = existing
            .iter()
            .map(|&e| view.cache.terms()[e].term.topology_key)
            .collect();
        existing_keys.sort();
        existing_keys.dedup();
        let mut st = FilterState {
            existing,
            existing_keys,
            ..Default::default()
        };
        if !affinity.is_empty() {
            // A pod counts for the affinity terms only if it matches all of them.
            let mut namespaces: Option<Vec<Sym>> = None;
            let mut selector = Selector::default();
            for r in &affinity {
                namespaces = match (namespaces, &r.namespaces) {
                    (None, n) => n.clone(),
                    (Some(a), None) => Some(a),
                    (Some(a), Some(b)) => Some(a.into_iter().filter(|x| b.contains(x)).collect()),
                };
                selector.reqs.extend(r.selector.reqs.iter().cloned());
            }
            let id = view.cache.count_id(
                CountKey {
                    namespaces,
                    selector,
                    skip_terminating: false,
                },
                view.store,
            );
            st.affinity_empty = affinity.iter().all(|r| {
                let mut any = false;
                view.cache
                    .for_each_domain(id, r.key, view.store, |_, c| any |= c > 0);
                !any
            });
            st.self_affine = affinity.iter().all(|r| resolved_matches(r, pod, view));
            st.affinity_count = Some(id);
        }
        st.anti_counts = anti
            .iter()
            .map(|r| {
                view.cache.count_id(
                    CountKey {
                        namespaces: r.namespaces.clone(),
                        selector: r.selector.clone(),
                        skip_terminating: false,
                    },
                    view.store,
                )
            })
            .collect();
        st.anti_topologies = anti
            .iter()
            .map(|r| view.cache.topology_id(r.key, view.store))
            .collect();
        st.affinity = affinity;
        st.anti = anti;
        state.ipa_filter = Some(st);
        (Status::success(), PreFilterResult::default())
    }

    fn add_pod(
        &self,
        state: &mut CycleState,
        pod: &Pod,
        other: &Pod,
        node: &Node,
        view: &View<'_>,
    ) {
        update_with_pod(state, pod, other, node, view, 1);
    }

    fn remove_pod(
        &self,
        state: &mut CycleState,
        pod: &Pod,
        other: &Pod,
        node: &Node,
        view: &View<'_>,
    ) {
        update_with_pod(state, pod, other, node, view, -1);
    }
}

/// `preFilterState.updateWithPod`.
fn update_with_pod(
    state: &mut CycleState,
    pod: &Pod,
    other: &Pod,
    node: &Node,
    view: &View<'_>,
    d: i64,
) {
    let Some(st) = state.ipa_filter.as_mut() else {
        return;
    };
    let ns_labels = view.store.namespace_labels(pod.namespace).cloned();
    for t in &other.spec.pod_anti_affinity.required {
        if term_matches_pod(t, other.namespace, pod, ns_labels.as_ref(), view)
            && let Some(v) = node.labels.get(t.topology_key)
        {
            *st.adjust_existing.entry((t.topology_key, v)).or_default() += d;
            if !st.existing_keys.contains(&t.topology_key) {
                st.existing_keys.push(t.topology_key);
            }
        }
    }
    if !st.affinity.is_empty() && st.affinity.iter().all(|r| resolved_matches(r, other, view)) {
        for r in &st.affinity {
            if let Some(v) = node.labels.get(r.key) {
                *st.adjust_affinity.entry((r.key, v)).or_default() += d;
            }
        }
    }
    for r in &st.anti {
        if resolved_matches(r, other, view)
            && let Some(v) = node.labels.get(r.key)
        {
            *st.adjust_anti.entry((r.key, v)).or_default() += d;
        }
    }
}

impl FilterPlugin for InterPodAffinity {
    fn filter(
        &self,
        state: &CycleState,
        _pod: &Pod,
        node: &NodeInfo<'_>,
        view: &View<'_>,
    ) -> Status {
        let Some(st) = &state.ipa_filter else {
            return Status::success();
        };
        let labels = &node.node.labels;
        // satisfyPodAffinity.
        if let Some(id) = st.affinity_count {
            let mut pods_exist = true;
            for r in &st.affinity {
                let Some(v) = labels.get(r.key) else {
                    return Status::unresolvable(REASON_AFFINITY);
                };
                let c = domain_count(view, id, r.key, v)
                    + st.adjust_affinity.get(&(r.key, v)).copied().unwrap_or(0);
                if c <= 0 {
                    pods_exist = false;
                }
            }
            let empty = st.affinity_empty && st.adjust_affinity.values().all(|&c| c <= 0);
            if !(pods_exist || empty && st.self_affine) {
                return Status::unresolvable(REASON_AFFINITY);
            }
        }
        // satisfyPodAntiAffinity (the node's domain read from the cache's topology index).
        for (k, r) in st.anti.iter().enumerate() {
            let mut c = view
                .cache
                .count_at_node(st.anti_counts[k], st.anti_topologies[k], node.id)
                as i64;
            if !st.adjust_anti.is_empty()
                && let Some(v) = labels.get(r.key)
            {
                c += st.adjust_anti.get(&(r.key, v)).copied().unwrap_or(0);
            }
            if c > 0 {
                return Status::unschedulable(REASON_ANTI);
            }
        }
        // satisfyExistingPodsAntiAffinity.
        let terms = view.cache.terms();
        for &k in &st.existing_keys {
            let mut c = 0;
            if !st.adjust_existing.is_empty() {
                let Some(v) = labels.get(k) else { continue };
                c = st.adjust_existing.get(&(k, v)).copied().unwrap_or(0);
            }
            for &e in &st.existing {
                if terms[e].term.topology_key == k {
                    c += terms[e].count_at_node(view.cache, node.id) as i64;
                }
            }
            if c > 0 {
                return Status::unschedulable(REASON_EXISTING);
            }
        }
        Status::success()
    }
}

/// PreScore state: per topology key, per domain value, the accumulated score.
#[derive(Clone, Debug, Default)]
pub struct ScoreState {
    topology_score: BTreeMap<Sym, BTreeMap<Sym, i64>>,
}

impl PreScorePlugin for InterPodAffinity {
    fn pre_score(
        &self,
        state: &mut CycleState,
        pod: &Pod,
        nodes: &[NodeId],
        view: &View<'_>,
    ) -> Status {
        if nodes.is_empty() {
            return Status::success();
        }
        let has_constraints = !pod.spec.pod_affinity.preferred.is_empty()
            || !pod.spec.pod_anti_affinity.preferred.is_empty();
        if self.args.ignore_preferred_terms_of_existing_pods && !has_constraints {
            return Status::skip();
        }
        let mut score: BTreeMap<Sym, BTreeMap<Sym, i64>> = BTreeMap::new();
        let mut add = |key: Sym, value: Sym, w: i64| {
            *score.entry(key).or_default().entry(value).or_default() += w;
        };
        // The incoming pod's preferred terms against existing pods.
        for (sign, terms) in [
            (1i64, &pod.spec.pod_affinity.preferred),
            (-1, &pod.spec.pod_anti_affinity.preferred),
        ] {
            for (w, t) in terms.iter() {
                let r = resolve(t, pod.namespace, view);
                let id = view.cache.count_id(
                    CountKey {
                        namespaces: r.namespaces.clone(),
                        selector: r.selector.clone(),
                        skip_terminating: false,
                    },
                    view.store,
                );
                view.cache.for_each_domain(id, r.key, view.store, |v, c| {
                    add(r.key, v, sign * *w as i64 * c as i64);
                });
            }
        }
        // Existing pods' terms against the incoming pod.
        let ns_labels = view.store.namespace_labels(pod.namespace).cloned();
        for e in view.cache.terms() {
            let w = match e.kind {
                TermKind::RequiredAntiAffinity => continue,
                TermKind::RequiredAffinity => {
                    if self.args.hard_pod_affinity_weight <= 0 {
                        continue;
                    }
                    self.args.hard_pod_affinity_weight
                }
                TermKind::PreferredAffinity(w) => w as i64,
                TermKind::PreferredAntiAffinity(w) => -(w as i64),
            };
            if e.domains.is_empty()
                || !term_matches_pod(&e.term, e.owner_ns, pod, ns_labels.as_ref(), view)
            {
                continue;
            }
            for (&v, &c) in &e.domains {
                add(e.term.topology_key, v, w * c as i64);
            }
        }
        if score.is_empty() {
            return Status::skip();
        }
        state.ipa_score = Some(ScoreState {
            topology_score: score,
        });
        Status::success()
    }
}

impl ScorePlugin for InterPodAffinity {
    fn normalizes(&self) -> bool {
        true
    }

    fn score(&self, state: &CycleState, _pod: &Pod, info: &NodeInfo<'_>, _view: &View<'_>) -> i64 {
        let node = info.node;
        let Some(st) = &state.ipa_score else { return 0 };
        let mut s = 0;
        for (k, values) in &st.topology_score {
            if let Some(v) = node.labels.get(*k) {
                s += values.get(&v).copied().unwrap_or(0);
            }
        }
        s
    }

    fn normalize(&self, state: &CycleState, scores: &mut [i64]) {
        if state
            .ipa_score
            .as_ref()
            .is_none_or(|s| s.topology_score.is_empty())
        {
            return;
        }
        let max = scores.iter().copied().max().unwrap_or(0);
        let min = scores.iter().copied().min().unwrap_or(0);
        let diff = max - min;
        for s in scores.iter_mut() {
            let f = if diff > 0 {
                MAX_NODE_SCORE as f64 * ((*s - min) as f64 / diff as f64)
            } else {
                0.0
            };
            *s = f as i64;
        }
    }
}
