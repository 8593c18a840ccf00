//! Node-local results reused across scheduling cycles.
//!
//! Most filter verdicts and several raw scores depend only on the node and on a few fields of
//! the pod (its [`crate::model::pod::NodeLocalSignature`]): NodeUnschedulable, NodeName,
//! TaintToleration, NodeAffinity, NodePorts, NodeResourcesFit and BalancedAllocation. Pods of
//! one Deployment share a signature, and one cycle changes one node, so the next pod of the
//! same shape can reuse every other node's results. Each node slot remembers the node's
//! generation (bumped by the store on any change), the signature, the profile and the
//! PreFilter skip mask it was computed for; any difference recomputes. This is exact — the
//! plugins are pure functions of those inputs — and `tests/memo_equivalence.rs` checks that
//! runs with and without the memo are byte-identical.

use super::framework::{CycleState, NodeInfo, Status, View};
use super::profile::Profile;
use crate::model::{ArenaId, NodeId, Pod};

/// What a slot was computed for.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct Key {
    node: NodeId,
    generation: u64,
    mask: u64,
    sig: u32,
    profile: u32,
}

/// Node-local filter verdict: not yet known, all passed, or `filter[i]` failed (its status
/// kept in the memo's side table).
const UNKNOWN: u8 = 0xff;
const PASS: u8 = 0xfe;

/// Cached results for one node (compact: the hot path touches only this).
#[derive(Copy, Clone, Debug)]
pub struct Slot {
    key: Option<Key>,
    verdict: u8,
    images_gen: u64,
    raw_valid: u64,
    raw: [i64; 8],
    /// Weighted sum of the summable plugins in `sum_mask` (valid when `sum_mask != 0`).
    sum: i64,
    sum_mask: u64,
}

impl Default for Slot {
    fn default() -> Self {
        Slot {
            key: None,
            verdict: UNKNOWN,
            images_gen: 0,
            raw_valid: 0,
            raw: [0; 8],
            sum: 0,
            sum_mask: 0,
        }
    }
}

/// The memo: one slot per node index, and the failing statuses.
#[derive(Debug, Default)]
pub struct Memo {
    slots: Vec<Slot>,
    failures: Vec<Option<Status>>,
}

impl Memo {
    /// The slot index of `id`, reset when anything it was computed for changed. Score plugins
    /// that read the cluster-wide image spread (`image_mask`) lose their results when
    /// `images_gen` moved.
    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    pub fn slot(
        &mut self,
        id: NodeId,
        generation: u64,
        sig: u32,
        profile: usize,
        mask: u64,
        images_gen: u64,
        image_mask: u64,
    ) -> usize {
        let i = id.index() as usize;
        if self.slots.len() <= i {
            self.slots.resize(i + 1, Slot::default());
            self.failures.resize(i + 1, None);
        }
        let key = Some(Key {
            node: id,
            generation,
            mask,
            sig,
            profile: profile as u32,
        });
        let s = &mut self.slots[i];
        if s.key != key {
            s.key = key;
            s.verdict = UNKNOWN;
            s.raw_valid = 0;
            s.sum_mask = 0;
            s.images_gen = images_gen;
        } else if s.images_gen != images_gen {
            s.raw_valid &= !image_mask;
            if s.sum_mask & image_mask != 0 {
                s.sum_mask = 0;
            }
            s.images_gen = images_gen;
        }
        i
    }

    /// The cached weighted sum of the plugins in `mask` at slot `i`.
    #[inline]
    pub fn sum(&self, i: usize, mask: u64) -> Option<i64> {
        let s = &self.slots[i];
        (s.sum_mask == mask).then_some(s.sum)
    }

    /// Caches the weighted sum of the plugins in `mask` at slot `i`.
    #[inline]
    pub fn set_sum(&mut self, i: usize, mask: u64, sum: i64) {
        let s = &mut self.slots[i];
        s.sum = sum;
        s.sum_mask = mask;
    }

    /// True when slot `i` already knows every node-local filter passes.
    #[inline]
    pub fn passes(&self, i: usize) -> bool {
        self.slots[i].verdict == PASS
    }

    /// The raw score of score plugin `k` at slot `i`, computed by `f` on a miss; returns the
    /// score and whether it was a hit.
    #[inline]
    pub fn raw_score(&mut self, i: usize, k: usize, f: impl FnOnce() -> i64) -> (i64, bool) {
        let s = &mut self.slots[i];
        if k < 64 && s.raw_valid & (1 << k) != 0 {
            return (s.raw[k.min(7)], true);
        }
        let v = f();
        if k < 8 {
            s.raw[k] = v;
            s.raw_valid |= 1 << k;
        }
        (v, false)
    }
}

/// What [`filter_slot`] found on a node.
#[derive(Debug)]
pub enum Outcome {
    /// Every filter passed.
    Pass,
    /// A node-local filter failed: its status is kept at the slot ([`Memo::failure`]).
    Local,
    /// A filter that is not node-local failed.
    Other(&'static str, Status),
}

/// Runs the profile's filters on node `id` (no hypothetical changes), taking node-local
/// verdicts from slot `i`: the first failure in filter order wins, as upstream's short
/// circuit. The node is only read when something has to be computed, and a node-local failure
/// is left at the slot (most cycles that meet one still find a node and never report it).
/// Returns the outcome and whether the node-local verdict was known.
#[inline]
pub fn filter_slot(
    profile: &Profile,
    state: &CycleState,
    pod: &Pod,
    id: NodeId,
    view: &View<'_>,
    memo: &mut Memo,
    i: usize,
) -> (Outcome, bool) {
    let mask = state.skip_filter_mask;
    let node = || NodeInfo::plain(id, view.store.node(id).expect("listed nodes exist"));
    let mut hit = true;
    if memo.slots[i].verdict == UNKNOWN {
        hit = false;
        let info = node();
        memo.slots[i].verdict = PASS;
        for (k, f) in profile.filter.iter().enumerate() {
            if mask & (1 << k) != 0 || profile.filter_local & (1 << k) == 0 {
                continue;
            }
            let st = f.filter(state, pod, &info, view);
            if !st.is_success() {
                memo.slots[i].verdict = k as u8;
                memo.failures[i] = Some(st);
                break;
            }
        }
    }
    let verdict = memo.slots[i].verdict;
    let limit = if verdict == PASS {
        profile.filter.len()
    } else {
        verdict as usize
    };
    let non_local = !profile.filter_local & !mask & ((1u128 << limit) - 1) as u64;
    if non_local != 0 {
        let info = node();
        for (k, f) in profile.filter.iter().enumerate().take(limit) {
            if non_local & (1 << k) == 0 {
                continue;
            }
            let st = f.filter(state, pod, &info, view);
            if !st.is_success() {
                return (Outcome::Other(f.name(), st), hit);
            }
        }
    }
    if verdict == PASS {
        (Outcome::Pass, hit)
    } else {
        (Outcome::Local, hit)
    }
}

impl Memo {
    /// The node-local failure at slot `i` (after [`filter_slot`] returned
    /// [`Outcome::Local`] for it): the plugin and its status.
    pub fn failure(&self, profile: &Profile, i: usize) -> (&'static str, Status) {
        let k = self.slots[i].verdict as usize;
        let st = self.failures[i].clone().expect("failure recorded");
        (profile.filter[k].name(), st)
    }
}
