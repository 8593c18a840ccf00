//! The scheduler's cache: the node tree and incrementally maintained counts of assigned pods,
//! so topology-aware plugins never rescan the cluster in a scheduling cycle.
//!
//! - **Selector counts**: for each (namespaces, label selector) a plugin asks about, the number of
//!   matching assigned pods per node and per topology domain. Created on first use by one scan,
//!   then kept exact on every pod bind, termination and deletion.
//! - **Term index**: the (anti-)affinity terms of assigned pods, grouped by identical term, with
//!   the number of pods per topology domain, so an incoming pod is checked against each distinct
//!   term once instead of against every pod.
//!
//! Upstream (`pkg/scheduler/backend/cache`) keeps NodeInfos and plugins rescan them each cycle
//! (in parallel); the counts here are the same numbers, maintained incrementally.

use super::node_tree::NodeTree;
use crate::model::pod::PodAffinityTerm;
use crate::model::{ArenaId, LabelSet, NodeId, Pod, PodId, Selector, Sym};
use crate::store::Store;
use std::cell::RefCell;
use std::collections::BTreeMap;

/// Which pods a count covers.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct CountKey {
    /// Namespaces (`None`: all namespaces).
    pub namespaces: Option<Vec<Sym>>,
    /// Label selector.
    pub selector: Selector,
    /// Leave out terminating pods (PodTopologySpread does; InterPodAffinity does not).
    pub skip_terminating: bool,
}

/// Handle of a selector count.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct CountId(usize);

#[derive(Debug)]
struct CountEntry {
    key: CountKey,
    per_node: Vec<u32>,
    domains: BTreeMap<Sym, BTreeMap<Sym, u32>>,
}

/// The kind of an assigned pod's (anti-)affinity term.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TermKind {
    /// `podAntiAffinity.required...`.
    RequiredAntiAffinity,
    /// `podAffinity.required...`.
    RequiredAffinity,
    /// `podAffinity.preferred...` with its weight.
    PreferredAffinity(i32),
    /// `podAntiAffinity.preferred...` with its weight.
    PreferredAntiAffinity(i32),
}

/// A distinct term of assigned pods and where those pods are.
#[derive(Debug, Clone)]
pub struct TermEntry {
    /// Namespace of the pods that carry the term (the term's default namespace).
    pub owner_ns: Sym,
    /// The term.
    pub term: PodAffinityTerm,
    /// Its kind.
    pub kind: TermKind,
    /// Pods carrying it, per node.
    pub per_node: BTreeMap<NodeId, u32>,
    /// Pods carrying it, per value of `term.topology_key` of their node.
    pub domains: BTreeMap<Sym, u32>,
}

const COUNTED: u8 = 1;
const ACTIVE: u8 = 2;

/// The scheduler cache.
#[derive(Debug, Default)]
pub struct Cache {
    /// Nodes in iteration order.
    pub tree: NodeTree,
    state: Vec<u8>,
    counts: RefCell<Vec<CountEntry>>,
    count_index: RefCell<BTreeMap<CountKey, CountId>>,
    terms: Vec<TermEntry>,
    term_index: BTreeMap<(Sym, TermKind, PodAffinityTerm), usize>,
    /// Assigned pods carrying any (anti-)affinity term.
    pub with_affinity: usize,
    /// Service selectors per namespace (for the default spreading selector).
    pub services: BTreeMap<Sym, Vec<Selector>>,
    /// PodDisruptionBudgets (for preemption).
    pub pdbs: Vec<crate::controllers::disruption::Budget>,
}

/// Whether an assigned pod is in a selector count: `(counted at all, counted as active)`.
fn pod_state(p: &Pod) -> u8 {
    if p.deleted || p.status.node.is_none() || p.status.phase.is_terminal() {
        return 0;
    }
    if p.status.deletion_at.is_some() {
        COUNTED
    } else {
        COUNTED | ACTIVE
    }
}

fn ns_matches(key: &CountKey, ns: Sym) -> bool {
    key.namespaces
        .as_ref()
        .is_none_or(|v| v.binary_search(&ns).is_ok())
}

impl Cache {
    fn slot(&mut self, p: PodId) -> &mut u8 {
        let i = p.index() as usize;
        if self.state.len() <= i {
            self.state.resize(i + 1, 0);
        }
        &mut self.state[i]
    }

    /// Re-evaluates whether pod `p` is counted, after a change (bind, termination, deletion).
    /// Call before the store reaps a deleted pod.
    pub fn pod_changed(&mut self, p: PodId, store: &Store) {
        let Some(pod) = store.pod(p) else { return };
        let new = pod_state(pod);
        let old = std::mem::replace(self.slot(p), new);
        if old == new {
            return;
        }
        let node = match pod.status.node {
            Some(n) => n,
            None => return,
        };
        let counted_delta = ((new & COUNTED) as i32) - ((old & COUNTED) as i32);
        let active_delta = (((new & ACTIVE) >> 1) as i32) - (((old & ACTIVE) >> 1) as i32);
        let node_labels = store
            .node(node)
            .map(|n| n.labels.clone())
            .unwrap_or_default();
        {
            let mut counts = self.counts.borrow_mut();
            for e in counts.iter_mut() {
                let d = if e.key.skip_terminating {
                    active_delta
                } else {
                    counted_delta
                };
                if d == 0
                    || !ns_matches(&e.key, pod.namespace)
                    || !e.key.selector.matches(&pod.labels, &store.interner)
                {
                    continue;
                }
                let i = node.index() as usize;
                if e.per_node.len() <= i {
                    e.per_node.resize(i + 1, 0);
                }
                e.per_node[i] = (e.per_node[i] as i32 + d) as u32;
                for (k, map) in e.domains.iter_mut() {
                    if let Some(v) = node_labels.get(*k) {
                        let c = map.entry(v).or_default();
                        *c = (*c as i32 + d) as u32;
                    }
                }
            }
        }
        if counted_delta != 0 {
            self.update_terms(pod, node, &node_labels, counted_delta);
        }
    }

    fn update_terms(&mut self, pod: &Pod, node: NodeId, labels: &LabelSet, d: i32) {
        let s = &pod.spec;
        let mut any = false;
        let mut apply = |kind: TermKind, t: &PodAffinityTerm, this: &mut Cache| {
            any = true;
            let key = (pod.namespace, kind, t.clone());
            let idx = match this.term_index.get(&key) {
                Some(&i) => i,
                None => {
                    this.terms.push(TermEntry {
                        owner_ns: pod.namespace,
                        term: t.clone(),
                        kind,
                        per_node: BTreeMap::new(),
                        domains: BTreeMap::new(),
                    });
                    this.term_index.insert(key, this.terms.len() - 1);
                    this.terms.len() - 1
                }
            };
            let e = &mut this.terms[idx];
            let c = e.per_node.entry(node).or_default();
            *c = (*c as i32 + d) as u32;
            if *c == 0 {
                e.per_node.remove(&node);
            }
            if let Some(v) = labels.get(t.topology_key) {
                let c = e.domains.entry(v).or_default();
                *c = (*c as i32 + d) as u32;
                if *c == 0 {
                    e.domains.remove(&v);
                }
            }
        };
        for t in &s.pod_anti_affinity.required {
            apply(TermKind::RequiredAntiAffinity, t, self);
        }
        for t in &s.pod_affinity.required {
            apply(TermKind::RequiredAffinity, t, self);
        }
        for (w, t) in &s.pod_affinity.preferred {
            apply(TermKind::PreferredAffinity(*w), t, self);
        }
        for (w, t) in &s.pod_anti_affinity.preferred {
            apply(TermKind::PreferredAntiAffinity(*w), t, self);
        }
        if any {
            self.with_affinity = (self.with_affinity as i64 + d as i64) as usize;
        }
    }

    /// Node labels changed or a node went away: topology domain maps are rebuilt on next use.
    pub fn node_changed(&mut self, store: &Store) {
        for e in self.counts.get_mut().iter_mut() {
            e.domains.clear();
        }
        for e in self.terms.iter_mut() {
            e.domains.clear();
            for (&n, &c) in &e.per_node {
                if let Some(v) = store
                    .node(n)
                    .and_then(|n| n.labels.get(e.term.topology_key))
                {
                    *e.domains.entry(v).or_default() += c;
                }
            }
        }
    }

    /// The count for `key`, creating it with one scan of the assigned pods.
    pub fn count_id(&self, key: CountKey, store: &Store) -> CountId {
        if let Some(&id) = self.count_index.borrow().get(&key) {
            return id;
        }
        let mut per_node = Vec::new();
        for (_, pod) in store.pods() {
            let st = pod_state(pod);
            let counted = if key.skip_terminating {
                st & ACTIVE != 0
            } else {
                st & COUNTED != 0
            };
            if !counted
                || !ns_matches(&key, pod.namespace)
                || !key.selector.matches(&pod.labels, &store.interner)
            {
                continue;
            }
            let i = pod.status.node.expect("counted pods are bound").index() as usize;
            if per_node.len() <= i {
                per_node.resize(i + 1, 0);
            }
            per_node[i] += 1;
        }
        let mut counts = self.counts.borrow_mut();
        let id = CountId(counts.len());
        counts.push(CountEntry {
            key: key.clone(),
            per_node,
            domains: BTreeMap::new(),
        });
        self.count_index.borrow_mut().insert(key, id);
        id
    }

    /// Matching pods on `node`.
    pub fn node_count(&self, id: CountId, node: NodeId) -> u32 {
        self.counts.borrow()[id.0]
            .per_node
            .get(node.index() as usize)
            .copied()
            .unwrap_or(0)
    }

    /// Calls `f` with the per-domain counts of `topology_key` (domain value → matching pods),
    /// building them on first use.
    pub fn with_domains<R>(
        &self,
        id: CountId,
        topology_key: Sym,
        store: &Store,
        f: impl FnOnce(&BTreeMap<Sym, u32>) -> R,
    ) -> R {
        let mut counts = self.counts.borrow_mut();
        let e = &mut counts[id.0];
        if !e.domains.contains_key(&topology_key) {
            let mut m = BTreeMap::new();
            for (nid, n) in store.nodes() {
                let c = e.per_node.get(nid.index() as usize).copied().unwrap_or(0);
                if c > 0
                    && let Some(v) = n.labels.get(topology_key)
                {
                    *m.entry(v).or_default() += c;
                }
            }
            e.domains.insert(topology_key, m);
        }
        f(&e.domains[&topology_key])
    }

    /// Rebuilds the Service selectors (after a Service changed).
    pub fn rebuild_services(&mut self, store: &mut Store) {
        self.services.clear();
        let svcs: Vec<(String, Vec<(String, String)>)> = store
            .objects_of(crate::api::Kind::Service)
            .filter_map(|o| match o.object.as_ref() {
                crate::api::Object::Service(s) => s.spec.selector.as_ref().map(|sel| {
                    (
                        o.object.namespace().to_string(),
                        sel.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
                    )
                }),
                _ => None,
            })
            .collect();
        for (ns, sel) in svcs {
            if sel.is_empty() {
                continue;
            }
            let pairs: Vec<(Sym, Sym)> = sel
                .iter()
                .map(|(k, v)| (store.interner.intern(k), store.interner.intern(v)))
                .collect();
            let ns = store.interner.intern(&ns);
            self.services
                .entry(ns)
                .or_default()
                .push(Selector::from_pairs(&pairs));
        }
    }

    /// Rebuilds the PodDisruptionBudget list (after a budget changed).
    pub fn rebuild_pdbs(&mut self, store: &mut Store) {
        self.pdbs = crate::controllers::disruption::Budget::all(store);
    }

    /// Recounts everything from the store and compares it with the incremental counts.
    pub fn check(&self, store: &Store) -> Result<(), String> {
        let trim = |v: &[u32]| -> Vec<u32> {
            let mut v = v.to_vec();
            while v.last() == Some(&0) {
                v.pop();
            }
            v
        };
        for e in self.counts.borrow().iter() {
            let mut per_node: Vec<u32> = Vec::new();
            for (_, pod) in store.pods() {
                let st = pod_state(pod);
                let counted = if e.key.skip_terminating {
                    st & ACTIVE != 0
                } else {
                    st & COUNTED != 0
                };
                if !counted
                    || !ns_matches(&e.key, pod.namespace)
                    || !e.key.selector.matches(&pod.labels, &store.interner)
                {
                    continue;
                }
                let i = pod.status.node.expect("counted pods are bound").index() as usize;
                if per_node.len() <= i {
                    per_node.resize(i + 1, 0);
                }
                per_node[i] += 1;
            }
            if trim(&per_node) != trim(&e.per_node) {
                return Err(format!(
                    "per-node count of {:?} is {:?}, recount {:?}",
                    e.key,
                    trim(&e.per_node),
                    trim(&per_node)
                ));
            }
            for (&k, m) in &e.domains {
                let mut fresh: BTreeMap<Sym, u32> = BTreeMap::new();
                for (nid, n) in store.nodes() {
                    let c = per_node.get(nid.index() as usize).copied().unwrap_or(0);
                    if c > 0
                        && let Some(v) = n.labels.get(k)
                    {
                        *fresh.entry(v).or_default() += c;
                    }
                }
                let kept: BTreeMap<Sym, u32> = m
                    .iter()
                    .filter(|(_, c)| **c > 0)
                    .map(|(a, b)| (*a, *b))
                    .collect();
                if kept != fresh {
                    return Err(format!(
                        "per-domain count of {:?} for key {k:?} is {kept:?}, recount {fresh:?}",
                        e.key
                    ));
                }
            }
        }
        let mut fresh = Cache::default();
        for (id, _) in store.pods() {
            fresh.pod_changed(id, store);
        }
        type Summary =
            BTreeMap<(Sym, TermKind, PodAffinityTerm), (BTreeMap<NodeId, u32>, BTreeMap<Sym, u32>)>;
        let summary = |c: &Cache| -> Summary {
            c.term_index
                .iter()
                .map(|(k, &i)| {
                    (
                        k.clone(),
                        (c.terms[i].per_node.clone(), c.terms[i].domains.clone()),
                    )
                })
                .filter(|(_, (n, _))| !n.is_empty())
                .collect()
        };
        if summary(self) != summary(&fresh) {
            return Err("affinity term index differs from a recount".into());
        }
        if self.with_affinity != fresh.with_affinity {
            return Err(format!(
                "{} assigned pods with affinity terms, recount {}",
                self.with_affinity, fresh.with_affinity
            ));
        }
        Ok(())
    }

    /// Distinct (anti-)affinity terms of assigned pods.
    pub fn terms(&self) -> &[TermEntry] {
        &self.terms
    }
}
