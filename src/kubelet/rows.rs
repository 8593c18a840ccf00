//! The kubelet's usage table: one small row per pod slot (cpu in use, cumulative cpu, memory
//! working set, and a mirror of the run's stage, first running container, node and limits),
//! and the usage groups ([`super::groups`]) that hold the usage of most running pods.
//!
//! A present row is either in a group (its usage is the group's; it stores its anchor) or on
//! the *solo* list (it holds its own usage). The load tick and the scrape work per group and
//! per solo row, so their cost follows the number of groups and of pods that changed, not the
//! number of pods.
//!
//! The mirrored fields are copied from the pod's run (`PodRun`) when the run changes: every
//! mutable access to a run marks its slot dirty, and [`Rows::sync`] refreshes dirty slots
//! before a pass. A row whose mirror changed leaves its group, so that the next tick looks at
//! it afresh.

use super::groups::{Group, GroupKey, advance};
use crate::engine::SimTime;
use crate::model::{ArenaId, NodeId, PodId};
use std::collections::BTreeMap;

/// One pod slot's usage row.
#[derive(Copy, Clone, Debug)]
pub(super) struct Row {
    /// The pod whose run occupies the slot (meaningful when `present`).
    pub(super) pod: PodId,
    /// Solo: cpu in use since the last load tick (millicores, after throttling).
    pub(super) cpu: f64,
    /// Solo: cumulative cpu at `cpu_at` (core-nanoseconds, wrapping). In a group: the anchor,
    /// the row's counter minus the group's.
    pub(super) cum: u64,
    /// Solo: when `cum` was brought up to date. In a group: when the row joined it.
    pub(super) cpu_at: SimTime,
    /// Solo: memory in use at the last load tick (bytes; counted against the node).
    pub(super) memory: i64,
    /// Mirror: the slot of the node the containers run on ([`NO_NODE`]: not set).
    pub(super) node: u32,
    /// The usage group ([`NO_GROUP`]: solo).
    pub(super) group: u32,
    /// Position in the group's member list, or in the solo list ([`NO_POS`]: in neither).
    pos: u32,
    /// Mirror: the first app container with `running_since` set ([`NO_CONTAINER`]: none).
    pub(super) first_running: u16,
    /// [`PRESENT`], [`RUNNING`], [`REGISTERED`], [`FRESH`].
    flags: u8,
    /// Debug builds: the row's counter advanced on its own at every tick, to check the
    /// groups' bookkeeping against.
    #[cfg(debug_assertions)]
    pub(super) shadow: u64,
}

/// A run exists for the row's pod.
const PRESENT: u8 = 1;
/// Mirror: the run's stage is `Running` (every container started).
const RUNNING: u8 = 2;
/// In a group, and metrics-server was told so at a scrape (see [`Rows::take_fresh`]).
const REGISTERED: u8 = 8;
/// Listed in [`Rows::fresh`] (so listed once however often it joins before the next scrape).
const FRESH: u8 = 16;
/// The mirrored flags.
const MIRRORED: u8 = PRESENT | RUNNING;

/// A limit that is not set (no demand exceeds it).
pub(super) const NO_LIMIT: i64 = i64::MAX;
/// No node.
pub(super) const NO_NODE: u32 = u32::MAX;
/// No running container.
pub(super) const NO_CONTAINER: u16 = u16::MAX;
/// No group.
pub(super) const NO_GROUP: u32 = u32::MAX;
/// In no list.
const NO_POS: u32 = u32::MAX;
/// No limits at all.
const UNLIMITED: (i64, i64) = (NO_LIMIT, NO_LIMIT);

impl Row {
    /// A row for `pod` with no usage yet (mirrors unset until the next sync).
    fn new(pod: PodId) -> Row {
        Row {
            pod,
            cpu: 0.0,
            cum: 0,
            cpu_at: SimTime::ZERO,
            memory: 0,
            node: NO_NODE,
            group: NO_GROUP,
            pos: NO_POS,
            first_running: NO_CONTAINER,
            flags: 0,
            #[cfg(debug_assertions)]
            shadow: 0,
        }
    }

    /// A run exists for `pod`.
    #[inline]
    pub(super) fn present(&self) -> bool {
        self.flags & PRESENT != 0
    }

    /// The run's stage is `Running`.
    #[inline]
    pub(super) fn running(&self) -> bool {
        self.flags & RUNNING != 0
    }

    /// Running on a node with a running container: its memory counts against the node.
    #[inline]
    pub(super) fn counted(&self) -> bool {
        self.present()
            && self.running()
            && self.first_running != NO_CONTAINER
            && self.node != NO_NODE
    }
}

/// What a row mirrors from a pod run.
#[derive(Copy, Clone, Debug, PartialEq)]
pub(super) struct Mirror {
    /// The run's pod.
    pub(super) pod: PodId,
    /// Stage `Running`.
    pub(super) running: bool,
    /// First running app container.
    pub(super) first_running: Option<u16>,
    /// Node.
    pub(super) node: Option<NodeId>,
    /// Limits.
    pub(super) limits: (Option<i64>, Option<i64>),
}

/// A group stint that ended since the last scrape, of a row metrics-server knew in the group.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Left {
    /// The pod.
    pub pod: PodId,
    /// The group it was in.
    pub group: u32,
    /// Its anchor there: its counter was `anchor + group counter`.
    pub anchor: u64,
}

/// The rows of every pod slot, the usage groups, and the bookkeeping that links them.
#[derive(Debug, Default)]
pub(super) struct Rows {
    /// Rows by pod slot.
    pub(super) rows: Vec<Row>,
    /// Mirror: each slot's cpu (millicores) and memory (bytes) limits, [`NO_LIMIT`] where unset.
    pub(super) limits: Vec<(i64, i64)>,
    dirty: Vec<u32>,
    is_dirty: Vec<bool>,
    /// Present rows in no group.
    pub(super) solo: Vec<u32>,
    /// The usage groups (never removed: a run has a few hundred at most).
    pub(super) groups: Vec<Group>,
    index: BTreeMap<GroupKey, u32>,
    /// The last load tick: when the groups' and solo rows' counters were brought up to date.
    pub(super) last_tick: SimTime,
    /// Rows that joined a group since the last scrape.
    fresh: Vec<u32>,
    /// Stints metrics-server knew of that ended since the last scrape.
    left: Vec<Left>,
    /// Per node slot: (memory limits of the counted rows on it, counted rows on it without a
    /// memory limit). A node whose pods cannot use more than that needs no memory sum.
    node_bound: Vec<(i64, u32)>,
}

impl Rows {
    /// Marks slot `i` for a refresh of its mirrored fields.
    #[inline]
    pub(super) fn mark(&mut self, i: usize) {
        if self.is_dirty.len() <= i {
            self.is_dirty.resize(i + 1, false);
        }
        if !self.is_dirty[i] {
            self.is_dirty[i] = true;
            self.dirty.push(i as u32);
        }
    }

    /// A new run of `pod` (or none) in its slot: its usage starts from zero, as a new run's
    /// does.
    pub(super) fn reset(&mut self, pod: PodId) {
        let i = pod.index() as usize;
        self.grow(i);
        self.bound(i, -1);
        self.detach(i);
        self.rows[i] = Row::new(pod);
        self.limits[i] = UNLIMITED;
        self.mark(i);
    }

    fn grow(&mut self, i: usize) {
        if self.rows.len() <= i {
            self.rows.resize(i + 1, Row::new(vacant()));
            self.limits.resize(i + 1, UNLIMITED);
        }
    }

    /// Refreshes the mirrored fields of every dirty slot from `mirror(i)` (None: no run). A
    /// row whose mirror changed leaves its group.
    pub(super) fn sync(&mut self, mut mirror: impl FnMut(usize) -> Option<Mirror>) {
        for k in 0..self.dirty.len() {
            let i = self.dirty[k] as usize;
            self.is_dirty[i] = false;
            self.grow(i);
            let (flags, first_running, node, limits) = match mirror(i) {
                Some(m) => {
                    self.rows[i].pod = m.pod;
                    (
                        PRESENT | if m.running { RUNNING } else { 0 },
                        m.first_running.unwrap_or(NO_CONTAINER),
                        m.node.map_or(NO_NODE, |n| n.index()),
                        (
                            m.limits.0.unwrap_or(NO_LIMIT),
                            m.limits.1.unwrap_or(NO_LIMIT),
                        ),
                    )
                }
                None => (0, NO_CONTAINER, NO_NODE, UNLIMITED),
            };
            let r = self.rows[i];
            if (r.flags & MIRRORED, r.first_running, r.node, self.limits[i])
                == (flags, first_running, node, limits)
            {
                continue;
            }
            self.bound(i, -1);
            if r.group != NO_GROUP {
                self.leave(i);
            }
            let r = &mut self.rows[i];
            r.flags = (r.flags & !MIRRORED) | flags;
            r.first_running = first_running;
            r.node = node;
            self.limits[i] = limits;
            if flags & PRESENT == 0 {
                self.detach(i);
            } else if self.rows[i].pos == NO_POS {
                self.rows[i].pos = self.solo.len() as u32;
                self.solo.push(i as u32);
            }
            self.bound(i, 1);
        }
        self.dirty.clear();
    }

    /// Adds (`sign` 1) or removes (-1) row `i`'s part of its node's memory bound.
    fn bound(&mut self, i: usize, sign: i64) {
        let r = &self.rows[i];
        if !r.counted() {
            return;
        }
        let n = r.node as usize;
        if self.node_bound.len() <= n {
            self.node_bound.resize(n + 1, (0, 0));
        }
        let b = &mut self.node_bound[n];
        match self.limits[i].1 {
            NO_LIMIT => b.1 = (b.1 as i64 + sign) as u32,
            l => b.0 += sign * l,
        }
    }

    /// Whether the pods counted on node slot `n` may use more than `most` bytes of memory (if
    /// not, none of them can push the node below its eviction threshold).
    pub(super) fn node_may_exceed(&self, n: usize, most: i64) -> bool {
        self.node_bound
            .get(n)
            .is_some_and(|&(limits, unlimited)| unlimited > 0 || limits > most)
    }

    /// Takes row `i` off its group's member list or the solo list.
    fn detach(&mut self, i: usize) {
        if self.rows[i].group != NO_GROUP {
            self.leave(i);
        }
        let pos = self.rows[i].pos;
        if pos != NO_POS {
            self.solo.swap_remove(pos as usize);
            if let Some(&moved) = self.solo.get(pos as usize) {
                self.rows[moved as usize].pos = pos;
            }
            self.rows[i].pos = NO_POS;
        }
    }

    /// Row `i` leaves its group for the solo list, with the group's usage as its own (as of
    /// the last tick).
    pub(super) fn leave(&mut self, i: usize) {
        let r = self.rows[i];
        let gi = r.group as usize;
        let g = &mut self.groups[gi];
        let pos = r.pos as usize;
        g.members.swap_remove(pos);
        if let Some(&moved) = g.members.get(pos) {
            self.rows[moved as usize].pos = pos as u32;
        }
        if r.flags & REGISTERED != 0 {
            self.left.push(Left {
                pod: r.pod,
                group: r.group,
                anchor: r.cum,
            });
        }
        let g = &self.groups[gi];
        let r = &mut self.rows[i];
        r.cum = r.cum.wrapping_add(g.cum);
        r.cpu = g.cpu;
        r.cpu_at = self.last_tick;
        r.memory = g.memory;
        r.group = NO_GROUP;
        r.flags &= !REGISTERED;
        r.pos = self.solo.len() as u32;
        self.solo.push(i as u32);
    }

    /// Solo row `i` (brought up to date at the last tick, `now`) joins the group with `key`.
    /// Returns the group.
    /// `new_group` makes the group when it does not exist yet.
    pub(super) fn join(
        &mut self,
        i: usize,
        key: GroupKey,
        now: SimTime,
        new_group: impl FnOnce(GroupKey) -> Group,
    ) -> u32 {
        debug_assert!(self.rows[i].group == NO_GROUP && self.last_tick == now);
        let g = match self.index.get(&key) {
            Some(&g) => g,
            None => {
                let g = self.groups.len() as u32;
                let mut grp = new_group(key);
                // A new group's counter starts from nothing at this tick.
                grp.cum = 0;
                self.groups.push(grp);
                self.index.insert(key, g);
                g
            }
        };
        let pos = self.rows[i].pos;
        self.solo.swap_remove(pos as usize);
        if let Some(&moved) = self.solo.get(pos as usize) {
            self.rows[moved as usize].pos = pos;
        }
        let grp = &mut self.groups[g as usize];
        let r = &mut self.rows[i];
        debug_assert_eq!(r.cpu_at, now, "a solo row is brought up to date first");
        r.cum = r.cum.wrapping_sub(grp.cum);
        r.cpu_at = now;
        r.group = g;
        r.pos = grp.members.len() as u32;
        grp.members.push(i as u32);
        if r.flags & FRESH == 0 {
            r.flags |= FRESH;
            self.fresh.push(i as u32);
            // Entries of rows reset since they were listed stay until the next scrape; without
            // scrapes (no HPA) the list is rebuilt before it outgrows the rows.
            if self.fresh.len() > self.rows.len() {
                self.rebuild_fresh();
            }
        }
        g
    }

    /// Lists exactly the rows in a group that metrics-server was not told of.
    fn rebuild_fresh(&mut self) {
        self.fresh.clear();
        for r in &mut self.rows {
            r.flags &= !FRESH;
        }
        for g in &self.groups {
            for &i in &g.members {
                let r = &mut self.rows[i as usize];
                if r.flags & REGISTERED == 0 {
                    r.flags |= FRESH;
                    self.fresh.push(i);
                }
            }
        }
    }

    /// Brings every group's and solo row's counter up to `now` at the cpu of the interval
    /// that ends, and makes `now` the last tick.
    pub(super) fn advance(&mut self, now: SimTime) {
        #[cfg(debug_assertions)]
        for i in 0..self.rows.len() {
            if self.rows[i].present() {
                let (cpu, _) = self.usage(i);
                let r = &mut self.rows[i];
                r.shadow = advance(r.shadow, cpu, self.last_tick, now);
            }
        }
        let last = self.last_tick;
        for g in &mut self.groups {
            g.cum = advance(g.cum, g.cpu, last, now);
        }
        for &i in &self.solo {
            let r = &mut self.rows[i as usize];
            r.cum = advance(r.cum, r.cpu, r.cpu_at, now);
            r.cpu_at = now;
        }
        self.last_tick = now;
        #[cfg(debug_assertions)]
        for i in 0..self.rows.len() {
            if self.rows[i].present() {
                assert_eq!(
                    self.cum_at(i, now),
                    self.rows[i].shadow,
                    "slot {i}: the group bookkeeping lost cpu"
                );
            }
        }
    }

    /// Row `i`'s counter at `now` (core-nanoseconds).
    #[inline]
    pub(super) fn cum_at(&self, i: usize, now: SimTime) -> u64 {
        let r = &self.rows[i];
        if r.group == NO_GROUP {
            advance(r.cum, r.cpu, r.cpu_at, now)
        } else {
            r.cum
                .wrapping_add(self.groups[r.group as usize].cum_at(self.last_tick, now))
        }
    }

    /// Row `i`'s cpu in use (millicores) and memory (bytes).
    #[inline]
    pub(super) fn usage(&self, i: usize) -> (f64, i64) {
        let r = &self.rows[i];
        if r.group == NO_GROUP {
            (r.cpu, r.memory)
        } else {
            let g = &self.groups[r.group as usize];
            (g.cpu, g.memory)
        }
    }

    /// The stints metrics-server knew of that ended since the last scrape.
    pub(super) fn take_left(&mut self) -> Vec<Left> {
        std::mem::take(&mut self.left)
    }

    /// Gives back the buffer of [`Rows::take_left`], emptied.
    pub(super) fn put_left(&mut self, mut left: Vec<Left>) {
        left.clear();
        if self.left.is_empty() {
            self.left = left;
        }
    }

    /// Rows that joined a group since the last scrape and are still in it, unregistered;
    /// `f(slot, group)` registers each (metrics-server knows it in the group from now on).
    pub(super) fn take_fresh(&mut self, mut f: impl FnMut(&Rows, usize, u32)) {
        let fresh = std::mem::take(&mut self.fresh);
        for &i in &fresh {
            let i = i as usize;
            self.rows[i].flags &= !FRESH;
            let r = self.rows[i];
            if r.group != NO_GROUP && r.flags & REGISTERED == 0 {
                f(self, i, r.group);
                self.rows[i].flags |= REGISTERED;
            }
        }
        self.fresh = fresh;
        self.fresh.clear();
    }

    /// The row of `pod` (its usage; the caller checks that the pod's run exists).
    #[inline]
    pub(super) fn get(&self, pod: PodId) -> Option<&Row> {
        self.rows.get(pod.index() as usize).filter(|r| r.pod == pod)
    }

    /// The slot of `pod`'s row.
    #[inline]
    pub(super) fn slot(&self, pod: PodId) -> Option<usize> {
        self.get(pod).map(|_| pod.index() as usize)
    }

    /// Debug builds: every list position and group membership is consistent.
    #[cfg(debug_assertions)]
    pub(super) fn check_lists(&self) {
        for (k, &i) in self.solo.iter().enumerate() {
            let r = &self.rows[i as usize];
            assert!(r.present() && r.group == NO_GROUP && r.pos as usize == k);
        }
        for (g, grp) in self.groups.iter().enumerate() {
            for (k, &i) in grp.members.iter().enumerate() {
                let r = &self.rows[i as usize];
                assert!(r.present() && r.group as usize == g && r.pos as usize == k);
            }
        }
        for r in &self.rows {
            assert_eq!(r.present(), r.pos != NO_POS, "{r:?}");
        }
        // Metrics-server hears of every group member: registered, or listed to be.
        let mut listed = vec![false; self.rows.len()];
        for &i in &self.fresh {
            listed[i as usize] = true;
        }
        for g in &self.groups {
            for &i in &g.members {
                let r = &self.rows[i as usize];
                assert!(r.flags & (REGISTERED | FRESH) != 0, "{r:?}");
                assert!(r.flags & FRESH == 0 || listed[i as usize]);
            }
        }
    }
}

/// Limits as `usage::pod_limits` gives them.
pub(super) fn as_options((c, m): (i64, i64)) -> (Option<i64>, Option<i64>) {
    let l = |v: i64| (v != NO_LIMIT).then_some(v);
    (l(c), l(m))
}

/// The id of no pod (never allocated: arenas hold fewer than `u32::MAX` slots).
fn vacant() -> PodId {
    PodId::from_parts(u32::MAX, u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SimDuration;

    #[test]
    fn group_members_keep_exactly_their_own_counters() {
        let t = |s: u64| SimTime::ZERO + SimDuration::from_secs(s);
        let (a, b) = (PodId::from_parts(0, 0), PodId::from_parts(1, 0));
        let mut rows = Rows::default();
        rows.reset(a);
        rows.reset(b);
        let m = |pod| Mirror {
            pod,
            running: true,
            first_running: Some(0),
            node: Some(NodeId::from_parts(0, 0)),
            limits: (None, None),
        };
        rows.sync(|i| Some(m(PodId::from_parts(i as u32, 0))));
        let key = GroupKey {
            source: 0,
            ready: true,
            loaded: true,
            limits: UNLIMITED,
        };
        let group = Group::idle;
        // a runs alone at 100m for 15 s, then joins the group at 15 s; b joins at 30 s.
        rows.rows[0].cpu = 100.0;
        rows.advance(t(15));
        rows.join(0, key, t(15), group);
        rows.groups[0].cpu = 300.0;
        rows.advance(t(30));
        rows.join(1, key, t(30), group);
        rows.groups[0].cpu = 200.0;
        rows.advance(t(45));
        let ns = |m: u64, s: u64| m * s * 1_000_000;
        assert_eq!(
            rows.cum_at(0, t(45)),
            ns(100, 15) + ns(300, 15) + ns(200, 15)
        );
        assert_eq!(rows.cum_at(1, t(45)), ns(200, 15));
        // Between ticks, at the group's rate.
        assert_eq!(rows.cum_at(1, t(50)), ns(200, 20));
        assert_eq!(rows.usage(1), (200.0, 0));
        // a's run changes (its container stopped): it leaves with its counter and rate, and
        // the change is reported for metrics-server only once it was registered.
        rows.take_fresh(|_, i, _| assert!(i == 0 || i == 1));
        rows.mark(0);
        rows.sync(|i| {
            Some(Mirror {
                first_running: None,
                ..m(PodId::from_parts(i as u32, 0))
            })
        });
        assert_eq!(rows.rows[0].group, NO_GROUP);
        assert_eq!(rows.solo, vec![0]);
        assert_eq!(
            rows.take_left(),
            vec![Left {
                pod: a,
                group: 0,
                anchor: ns(100, 15),
            }]
        );
        rows.advance(t(60));
        assert_eq!(
            rows.cum_at(0, t(60)),
            ns(100, 15) + ns(300, 15) + ns(200, 30)
        );
        assert_eq!(rows.cum_at(1, t(60)), ns(200, 30));
        #[cfg(debug_assertions)]
        rows.check_lists();
    }

    #[test]
    fn rows_joining_without_scrapes_stay_listed_once() {
        // Without an HPA nothing scrapes: the list of rows to register must not grow with every
        // new run of a pod.
        let t = SimTime::ZERO;
        let key = GroupKey {
            source: 0,
            ready: true,
            loaded: true,
            limits: UNLIMITED,
        };
        let mut rows = Rows::default();
        for generation in 0..50 {
            for slot in 0..4 {
                let pod = PodId::from_parts(slot, generation);
                rows.reset(pod);
                rows.sync(|_| {
                    Some(Mirror {
                        pod,
                        running: true,
                        first_running: Some(0),
                        node: Some(NodeId::from_parts(0, 0)),
                        limits: (None, None),
                    })
                });
                rows.advance(t);
                rows.join(slot as usize, key, t, Group::idle);
                assert!(rows.fresh.len() <= rows.rows.len(), "{:?}", rows.fresh);
                #[cfg(debug_assertions)]
                rows.check_lists();
            }
        }
        let mut registered = Vec::new();
        rows.take_fresh(|_, i, _| registered.push(i));
        registered.sort();
        assert_eq!(registered, vec![0, 1, 2, 3], "each member once");
        assert!(rows.fresh.is_empty());
    }

    #[test]
    fn rows_mirror_runs_and_keep_solo_counters() {
        let p = PodId::from_parts(2, 1);
        let mut rows = Rows::default();
        rows.reset(p);
        let m = Mirror {
            pod: p,
            running: true,
            first_running: Some(1),
            node: Some(NodeId::from_parts(4, 0)),
            limits: (Some(500), Some(1 << 30)),
        };
        rows.sync(|i| (i == 2).then_some(m));
        let r = rows.get(p).expect("row");
        assert!(r.present() && r.running() && r.counted());
        assert_eq!((r.first_running, r.node), (1, 4));
        assert_eq!(as_options(rows.limits[2]), (Some(500), Some(1 << 30)));
        assert_eq!(rows.solo, vec![2], "a present row starts solo");
        assert!(!rows.node_may_exceed(4, 1 << 30));
        assert!(rows.node_may_exceed(4, (1 << 30) - 1));
        // Usage integrates at the current rate: 200m for 15 s is 3 core-seconds.
        rows.rows[2].cpu = 200.0;
        let t = SimTime::ZERO + SimDuration::from_secs(15);
        assert_eq!(rows.cum_at(2, t), 3_000_000_000);
        rows.advance(t);
        assert_eq!((rows.rows[2].cum, rows.rows[2].cpu_at), (3_000_000_000, t));
        // The run goes away: the row is no longer present, nor listed, nor counted.
        rows.mark(2);
        rows.sync(|_| None);
        assert!(!rows.get(p).expect("row").present());
        assert!(rows.solo.is_empty());
        assert!(!rows.node_may_exceed(4, 0));
        assert!(
            rows.get(PodId::from_parts(2, 2)).is_none(),
            "another pod in the slot"
        );
    }
}
