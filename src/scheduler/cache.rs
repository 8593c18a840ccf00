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
use crate::model::{ArenaId, NodeId, Pod, PodId, Selector, Sym};
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

/// Handle of a topology key's domain index.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct TopologyId(usize);

/// Handle of a selector count.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct CountId(usize);

#[derive(Debug)]
struct CountEntry {
    key: CountKey,
    per_node: Vec<u32>,
    /// Per topology (index into the cache's topologies): matching pods per domain id.
    dense: BTreeMap<usize, Vec<u32>>,
}

/// Sentinel domain id: the node lacks the topology key (or is gone).
const NO_DOMAIN: u32 = u32::MAX;

/// The domains of one topology key: node → domain id → label value. Lets plugins turn "pods
/// in this node's domain" into two array lookups.
#[derive(Debug, Default)]
struct Topology {
    key: Sym,
    node_domain: Vec<u32>,
    values: Vec<Sym>,
    by_value: BTreeMap<Sym, u32>,
}

impl Topology {
    fn build(key: Sym, store: &Store) -> Self {
        let mut t = Topology {
            key,
            ..Default::default()
        };
        for (id, n) in store.nodes() {
            t.set_node(id, n.labels.get(key));
        }
        t
    }

    fn set_node(&mut self, id: NodeId, value: Option<Sym>) {
        let i = id.index() as usize;
        if self.node_domain.len() <= i {
            self.node_domain.resize(i + 1, NO_DOMAIN);
        }
        self.node_domain[i] = match value {
            None => NO_DOMAIN,
            Some(v) => match self.by_value.get(&v) {
                Some(&d) => d,
                None => {
                    let d = self.values.len() as u32;
                    self.values.push(v);
                    self.by_value.insert(v, d);
                    d
                }
            },
        };
    }

    fn domain(&self, id: NodeId) -> u32 {
        self.node_domain
            .get(id.index() as usize)
            .copied()
            .unwrap_or(NO_DOMAIN)
    }
}

/// Counts per domain id from per-node counts.
fn dense_from(per_node: &[u32], topo: &Topology) -> Vec<u32> {
    let mut v = vec![0; topo.values.len()];
    for (i, &c) in per_node.iter().enumerate() {
        if c > 0
            && let Some(&d) = topo.node_domain.get(i)
            && d != NO_DOMAIN
        {
            v[d as usize] += c;
        }
    }
    v
}

fn bump(v: &mut Vec<u32>, d: u32, delta: i32) {
    let d = d as usize;
    if v.len() <= d {
        v.resize(d + 1, 0);
    }
    v[d] = (v[d] as i32 + delta) as u32;
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
    /// The same per domain id of the term's topology (`topo`).
    dense: Vec<u32>,
    topo: usize,
}

impl TermEntry {
    /// Pods carrying the term in `node`'s domain of the term's topology key.
    pub fn count_at_node(&self, cache: &Cache, node: NodeId) -> u32 {
        let d = cache.topologies.borrow()[self.topo].domain(node);
        if d == NO_DOMAIN {
            0
        } else {
            self.dense.get(d as usize).copied().unwrap_or(0)
        }
    }
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
    topologies: RefCell<Vec<Topology>>,
    topology_index: RefCell<BTreeMap<Sym, usize>>,
    terms: Vec<TermEntry>,
    term_index: BTreeMap<(Sym, TermKind, PodAffinityTerm), usize>,
    /// Assigned pods carrying any (anti-)affinity term.
    pub with_affinity: usize,
    /// Service selectors per namespace (for the default spreading selector).
    pub services: BTreeMap<Sym, Vec<Selector>>,
    /// PodDisruptionBudgets (for preemption).
    pub pdbs: Vec<crate::controllers::disruption::Budget>,
    /// Assigned, non-terminal pods per PersistentVolumeClaim (namespace, claim name): the
    /// `PVCRefCounts` of upstream's NodeInfos, summed (VolumeRestrictions).
    pub claim_users: BTreeMap<(Sym, Sym), u32>,
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
                let topologies = self.topologies.borrow();
                for (&t, dense) in e.dense.iter_mut() {
                    let dom = topologies[t].domain(node);
                    if dom != NO_DOMAIN {
                        bump(dense, dom, d);
                    }
                }
            }
        }
        if counted_delta != 0 {
            self.update_terms(pod, node, counted_delta, store);
            for v in &pod.spec.volumes {
                if let crate::model::pod::VolumeRef::Claim(c) = v {
                    let n = self.claim_users.entry((pod.namespace, *c)).or_default();
                    *n = (*n as i32 + counted_delta) as u32;
                }
            }
        }
    }

    fn update_terms(&mut self, pod: &Pod, node: NodeId, d: i32, store: &Store) {
        let s = &pod.spec;
        let mut any = false;
        let mut apply = |kind: TermKind, t: &PodAffinityTerm, this: &mut Cache| {
            any = true;
            let key = (pod.namespace, kind, t.clone());
            let idx = match this.term_index.get(&key) {
                Some(&i) => i,
                None => {
                    let topo = this.topology(t.topology_key, store);
                    this.terms.push(TermEntry {
                        owner_ns: pod.namespace,
                        term: t.clone(),
                        kind,
                        per_node: BTreeMap::new(),
                        domains: BTreeMap::new(),
                        dense: Vec::new(),
                        topo,
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
            // The node's domain as the cache's topology has it (a deleted node has none,
            // whether or not its object is still readable).
            let topologies = this.topologies.borrow();
            let dom = topologies[e.topo].domain(node);
            if dom != NO_DOMAIN {
                let v = topologies[e.topo].values[dom as usize];
                let c = e.domains.entry(v).or_default();
                *c = (*c as i32 + d) as u32;
                if *c == 0 {
                    e.domains.remove(&v);
                }
                bump(&mut e.dense, dom, d);
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

    /// A node was added: it gets its domain in every topology (it holds no pods yet).
    pub fn node_added(&mut self, id: NodeId, store: &Store) {
        let labels = store.node(id).map(|n| n.labels.clone()).unwrap_or_default();
        for t in self.topologies.get_mut().iter_mut() {
            let v = labels.get(t.key);
            t.set_node(id, v);
        }
    }

    /// Node `n` went away: it leaves every topology, and its pods' counts leave their
    /// domains. Its domains stay, possibly without nodes (no node reports them, so they read
    /// as absent; a node with the same value later joins the same domain id).
    pub fn node_deleted(&mut self, n: NodeId) {
        let i = n.index() as usize;
        let topologies = self.topologies.get_mut();
        for e in self.counts.get_mut().iter_mut() {
            let c = e.per_node.get(i).copied().unwrap_or(0);
            if c == 0 {
                continue;
            }
            for (&t, dense) in e.dense.iter_mut() {
                let d = topologies[t].domain(n);
                if d != NO_DOMAIN {
                    dense[d as usize] -= c;
                }
            }
        }
        for e in self.terms.iter_mut() {
            let Some(&c) = e.per_node.get(&n) else {
                continue;
            };
            let d = topologies[e.topo].domain(n);
            if d != NO_DOMAIN {
                let v = topologies[e.topo].values[d as usize];
                if let Some(x) = e.domains.get_mut(&v) {
                    *x -= c;
                    if *x == 0 {
                        e.domains.remove(&v);
                    }
                }
                e.dense[d as usize] -= c;
            }
        }
        for t in topologies.iter_mut() {
            if let Some(d) = t.node_domain.get_mut(i) {
                *d = NO_DOMAIN;
            }
        }
    }

    /// The index of the topology of `key`, built on first use.
    fn topology(&self, key: Sym, store: &Store) -> usize {
        if let Some(&t) = self.topology_index.borrow().get(&key) {
            return t;
        }
        let mut topologies = self.topologies.borrow_mut();
        topologies.push(Topology::build(key, store));
        let t = topologies.len() - 1;
        self.topology_index.borrow_mut().insert(key, t);
        t
    }

    /// A topology handle for `key` (for repeated [`Cache::count_at_node`] calls).
    pub fn topology_id(&self, key: Sym, store: &Store) -> TopologyId {
        TopologyId(self.topology(key, store))
    }

    /// Makes sure count `id` has per-domain counts for topology `t`.
    fn ensure_dense(&self, id: CountId, t: usize) {
        let needs = !self.counts.borrow()[id.0].dense.contains_key(&t);
        if needs {
            let topologies = self.topologies.borrow();
            let mut counts = self.counts.borrow_mut();
            let e = &mut counts[id.0];
            let v = dense_from(&e.per_node, &topologies[t]);
            e.dense.insert(t, v);
        }
    }

    /// Matching pods of count `id` in `node`'s domain of topology `t` (0 when the node lacks
    /// the key).
    pub fn count_at_node(&self, id: CountId, t: TopologyId, node: NodeId) -> u32 {
        self.ensure_dense(id, t.0);
        let d = self.topologies.borrow()[t.0].domain(node);
        if d == NO_DOMAIN {
            return 0;
        }
        self.counts.borrow()[id.0].dense[&t.0]
            .get(d as usize)
            .copied()
            .unwrap_or(0)
    }

    /// The domain id of `node` in topology `t` (`None`: the node lacks the key).
    pub fn domain_of(&self, t: TopologyId, node: NodeId) -> Option<u32> {
        let d = self.topologies.borrow()[t.0].domain(node);
        (d != NO_DOMAIN).then_some(d)
    }

    /// How many domains topology `t` has seen (domain ids are below this).
    pub fn domains_len(&self, t: TopologyId) -> usize {
        self.topologies.borrow()[t.0].values.len()
    }

    /// Matching pods of count `id` per domain id of topology `t`.
    pub fn domain_counts(&self, id: CountId, t: TopologyId) -> Vec<u32> {
        self.ensure_dense(id, t.0);
        let mut v = self.counts.borrow()[id.0].dense[&t.0].clone();
        v.resize(self.domains_len(t), 0);
        v
    }

    /// Matching pods of count `id` in the domain where `key` has `value`.
    pub fn count_in_domain(&self, id: CountId, key: Sym, value: Sym, store: &Store) -> u32 {
        let t = self.topology(key, store);
        self.ensure_dense(id, t);
        let Some(&d) = self.topologies.borrow()[t].by_value.get(&value) else {
            return 0;
        };
        self.counts.borrow()[id.0].dense[&t]
            .get(d as usize)
            .copied()
            .unwrap_or(0)
    }

    /// Calls `f(value, count)` for every domain of `key` where count `id` has matching pods,
    /// in domain order.
    pub fn for_each_domain(
        &self,
        id: CountId,
        key: Sym,
        store: &Store,
        mut f: impl FnMut(Sym, u32),
    ) {
        let t = self.topology(key, store);
        self.ensure_dense(id, t);
        let topologies = self.topologies.borrow();
        let counts = self.counts.borrow();
        let mut pairs: Vec<(Sym, u32)> = counts[id.0].dense[&t]
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(d, &c)| (topologies[t].values[d], c))
            .collect();
        pairs.sort();
        for (v, c) in pairs {
            f(v, c);
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
            dense: BTreeMap::new(),
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
            let topologies = self.topologies.borrow();
            // Compared per domain value: a deleted node's domain keeps its id.
            let by_value = |dense: &[u32], topo: &Topology| -> BTreeMap<Sym, u32> {
                dense
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| **c > 0)
                    .map(|(d, &c)| (topo.values[d], c))
                    .collect()
            };
            for (&t, dense) in &e.dense {
                let topo = Topology::build(topologies[t].key, store);
                let fresh = dense_from(&per_node, &topo);
                if by_value(dense, &topologies[t]) != by_value(&fresh, &topo) {
                    return Err(format!(
                        "per-domain count of {:?} for key {:?} is {:?}, recount {:?}",
                        e.key,
                        topologies[t].key,
                        trim(dense),
                        trim(&fresh)
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
