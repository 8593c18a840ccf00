//! The load model: request-rate profiles aimed at workloads, split evenly over their ready
//! endpoints (as kube-proxy's random choice does on average), and the cpu/memory use that
//! results for each pod: `baseline + per-request cost × the pod's share of the rate`.
//!
//! Rates are evaluated on a fixed tick grid with seeded noise drawn per (source, tick), so the
//! offered load never depends on scheduling decisions: two scheduler policies on the same seed
//! see exactly the same arrivals.

use crate::engine::{RngStreams, SimDuration, SimTime, StreamId};
use crate::model::{ArenaId, PodId, Selector, Sym};
use crate::scenario::{Load, Rate};
use crate::store::{Change, Op, PodDelta, Store};

/// One load source at run time.
#[derive(Debug)]
pub struct Source {
    /// The scenario's definition.
    pub spec: Load,
    namespace: Sym,
    selector: Option<Selector>,
    /// Member pods with their readiness and phase as of the last status sync.
    members: Members,
    /// Rate at the last tick (requests per second, noise applied).
    pub rate: f64,
    /// Ready endpoints at the last tick.
    pub ready_endpoints: usize,
    /// Members counted as ready now (kept between ticks; published at each tick).
    live_ready: usize,
}

impl Source {
    /// Adds this source's part to the demand of a member with readiness and phase `m`: the
    /// baseline when it runs, and its share of the rate when it is also a ready endpoint.
    /// Every demand in the load model is summed through here, in source order, then
    /// [`PodDemand::finish`]ed.
    #[inline]
    fn add_to(&self, d: &mut PodDemand, m: Member) {
        if !m.running {
            return;
        }
        d.cpu_base += self.spec.cpu_per_pod as f64;
        d.memory += self.spec.memory_per_pod as f64;
        if m.ready && self.ready_endpoints > 0 {
            let share = self.rate / self.ready_endpoints as f64;
            d.rps += share;
            d.cpu += share * self.spec.cpu_per_request;
            d.memory += share * self.spec.memory_per_rps;
        }
    }
}

/// Which sources target the pod in one pod slot: lets the kubelet's load tick walk pod slots
/// in order and find each pod's demand without a lookup per (pod, source).
#[derive(Copy, Clone, Debug)]
struct SlotLoad {
    /// The pod in the slot (the id guards against a reused slot).
    pod: PodId,
    /// The lowest index of a source targeting it.
    first: u32,
    /// How many sources target it (0: none).
    sources: u16,
    /// Its readiness and phase, as in the sources' member lists.
    member: Member,
}

/// A loaded pod's demand at the last tick, with the index of the first source targeting it
/// (the order in which [`Traffic::fill_demands`] first meets the pod).
#[derive(Copy, Clone, Debug)]
pub struct SlotDemand {
    /// The lowest index of a source targeting the pod.
    pub first_source: u32,
    /// The demand.
    pub demand: PodDemand,
    /// `demand.memory` rounded to whole bytes (as `f64::round`).
    pub memory: i64,
}

/// What the load model knows of a member pod: kept current from the store's status log (see
/// [`Traffic::sync_status`]), so a tick reads no pod objects.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
struct Member {
    /// Ready (counted as a ready endpoint).
    ready: bool,
    /// In phase Running.
    running: bool,
}

impl Member {
    fn of(p: &crate::model::Pod) -> Self {
        Member {
            ready: p.is_ready(),
            running: p.status.phase == crate::model::pod::PodPhase::Running,
        }
    }
}

/// A source's member pods, sorted by id in one vector: ticks walk it in order without the
/// pointer chasing of a tree (a few hundred members; joins and leaves are rare).
#[derive(Debug, Default)]
struct Members(Vec<(PodId, Member)>);

impl Members {
    fn find(&self, id: &PodId) -> Result<usize, usize> {
        self.0.binary_search_by(|(p, _)| p.cmp(id))
    }
    fn clear(&mut self) {
        self.0.clear();
    }
    fn insert(&mut self, id: PodId, m: Member) {
        match self.find(&id) {
            Ok(i) => self.0[i].1 = m,
            Err(i) => self.0.insert(i, (id, m)),
        }
    }
    fn remove(&mut self, id: &PodId) -> Option<Member> {
        self.find(id).ok().map(|i| self.0.remove(i).1)
    }
    fn get_mut(&mut self, id: &PodId) -> Option<&mut Member> {
        self.find(id).ok().map(|i| &mut self.0[i].1)
    }
    fn contains_key(&self, id: &PodId) -> bool {
        self.find(id).is_ok()
    }
    fn keys(&self) -> impl Iterator<Item = &PodId> + '_ {
        self.0.iter().map(|(p, _)| p)
    }
    fn iter(&self) -> impl Iterator<Item = (&PodId, &Member)> + '_ {
        self.0.iter().map(|(p, m)| (p, m))
    }
}

/// A snapshot of what a source does at a tick.
#[derive(Copy, Clone, Debug, Default, PartialEq)]
pub struct SourceSample {
    /// Offered requests per second.
    pub offered: f64,
    /// Requests per second served (zero without ready endpoints).
    pub served: f64,
    /// Ready endpoints.
    pub endpoints: usize,
}

/// What one pod is asked to do at a tick (see [`Traffic::pod_demand`]).
#[derive(Copy, Clone, Debug, Default, PartialEq)]
pub struct PodDemand {
    /// cpu, millicores (baseline included).
    pub cpu: f64,
    /// The per-pod baseline part of `cpu`.
    pub cpu_base: f64,
    /// Memory, bytes.
    pub memory: f64,
    /// Requests per second routed to the pod.
    pub rps: f64,
}

impl PodDemand {
    /// Adds the baseline into `cpu`, once every source's part is in.
    #[inline]
    pub fn finish(&mut self) {
        self.cpu += self.cpu_base;
    }
}

/// All load sources.
pub struct Traffic {
    /// Sources, in scenario order.
    pub sources: Vec<Source>,
    seeds: RngStreams,
    tick: SimDuration,
    status_changes: Vec<PodId>,
    /// Per pod slot, the sources targeting the pod there.
    slots: Vec<SlotLoad>,
    /// Per source, at the last tick: (cpu in millicores, rounded memory in bytes) of a ready
    /// member ([0]) and of a running member serving no traffic ([1]); a small table the load
    /// tick reads for every pod.
    tick_usage: Vec<[(f64, i64); 2]>,
    /// Pod slots whose entry in `slots` changed since the last [`Traffic::clear_slot_changes`]
    /// (may repeat): the kubelet re-examines those pods' usage groups at its next tick.
    slot_changes: Vec<u32>,
}

/// Which load sources target a pod (see [`Traffic::slot_sources`]).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum SlotSources {
    /// None.
    None,
    /// Exactly one, with the pod's readiness and phase as the load model sees them.
    One {
        /// The source's index.
        source: u32,
        /// A ready endpoint.
        ready: bool,
        /// In phase Running.
        running: bool,
    },
    /// More than one.
    Many,
}

/// Evaluates a profile at `t` (requests per second, before noise).
pub fn rate_at(r: &Rate, t: SimTime) -> f64 {
    match r {
        Rate::Constant(v) => *v,
        Rate::Step(steps) => steps
            .iter()
            .take_while(|(at, _)| *at <= t)
            .last()
            .map(|s| s.1)
            .unwrap_or(0.0),
        Rate::Ramp {
            from,
            to,
            start,
            end,
        } => {
            if t <= *start {
                *from
            } else if t >= *end {
                *to
            } else {
                let f = t.since(*start).as_micros() as f64 / end.since(*start).as_micros() as f64;
                from + (to - from) * f
            }
        }
        Rate::Diurnal {
            base,
            amplitude,
            period,
            peak_at,
        } => {
            let p = period.as_micros() as f64;
            let x = (t.as_micros() as f64 - peak_at.as_micros() as f64) / p;
            (base + amplitude * (std::f64::consts::TAU * x).cos()).max(0.0)
        }
        Rate::Spike {
            base,
            peak,
            at,
            duration,
            ramp,
        } => {
            let r = ramp.as_micros() as f64;
            let start = at.as_micros() as f64;
            let top_end = start + r + duration.as_micros() as f64;
            let x = t.as_micros() as f64;
            if x < start || x >= top_end + r {
                *base
            } else if x < start + r {
                base + (peak - base) * (x - start) / r
            } else if x < top_end {
                *peak
            } else {
                peak - (peak - base) * (x - top_end) / r
            }
        }
        Rate::Trace { points, linear } => {
            let i = points.partition_point(|(pt, _)| *pt <= t);
            if i == 0 {
                return 0.0;
            }
            let (t0, v0) = points[i - 1];
            if !*linear || i == points.len() {
                return v0;
            }
            let (t1, v1) = points[i];
            let f = t.since(t0).as_micros() as f64 / t1.since(t0).as_micros().max(1) as f64;
            v0 + (v1 - v0) * f
        }
    }
}

impl Traffic {
    /// Sources for the scenario's loads, ticking every `tick`.
    pub fn new(loads: &[Load], seeds: &RngStreams, tick: SimDuration, store: &mut Store) -> Self {
        let sources = loads
            .iter()
            .map(|l| Source {
                namespace: store.interner.intern(&l.namespace),
                spec: l.clone(),
                selector: None,
                members: Members::default(),
                rate: 0.0,
                ready_endpoints: 0,
                live_ready: 0,
            })
            .collect();
        if !loads.is_empty() {
            store.keep_status_log();
        }
        Traffic {
            sources,
            seeds: *seeds,
            tick,
            status_changes: Vec::new(),
            slots: Vec::new(),
            slot_changes: Vec::new(),
            tick_usage: Vec::new(),
        }
    }

    /// The tick interval.
    pub fn tick(&self) -> SimDuration {
        self.tick
    }

    /// Resolves each source's selector from its target (called when objects change).
    fn resolve(&mut self, store: &mut Store) {
        let mut changed = false;
        for s in self.sources.iter_mut() {
            let sel = target_selector(&s.spec, s.namespace, store);
            if sel != s.selector {
                changed = true;
                s.selector = sel;
                s.members.clear();
                s.live_ready = 0;
                if let Some(sel) = &s.selector {
                    for (id, p) in store.pods() {
                        if p.namespace == s.namespace
                            && p.is_active()
                            && sel.matches(&p.labels, &store.interner)
                        {
                            s.members.insert(id, Member::of(p));
                            s.live_ready += p.is_ready() as usize;
                        }
                    }
                }
            }
        }
        if changed {
            self.rebuild_slots();
        }
    }

    /// Recomputes the per-slot index from the member lists.
    fn rebuild_slots(&mut self) {
        self.slots.iter_mut().for_each(|l| l.sources = 0);
        self.slot_changes.extend(0..self.slots.len() as u32);
        for (si, s) in self.sources.iter().enumerate() {
            for (&p, &m) in s.members.iter() {
                join_slot(&mut self.slots, p, si as u32, m);
                self.slot_changes.push(p.index());
            }
        }
    }

    /// Watch handler: keeps each source's endpoint set current.
    pub fn on_change(&mut self, ch: &Change, store: &mut Store) {
        if self.sources.is_empty() {
            return;
        }
        match *ch {
            Change::Pod(id, Op::Added, _) => {
                let Some(p) = store.pod(id) else { return };
                for (si, s) in self.sources.iter_mut().enumerate() {
                    if p.namespace == s.namespace
                        && let Some(sel) = &s.selector
                        && sel.matches(&p.labels, &store.interner)
                        && !s.members.contains_key(&id)
                    {
                        let m = Member::of(p);
                        s.members.insert(id, m);
                        s.live_ready += p.is_ready() as usize;
                        join_slot(&mut self.slots, id, si as u32, m);
                        self.slot_changes.push(id.index());
                    }
                }
            }
            Change::Pod(id, Op::Deleted, _) => self.forget(id),
            Change::Pod(id, Op::Updated, d) if d.has(PodDelta::DELETING) => self.forget(id),
            Change::Deployment(_, Op::Added | Op::Deleted) | Change::Other(..) => {
                self.resolve(store)
            }
            _ => {}
        }
    }

    /// Removes a pod from every source (deleted, or being deleted).
    fn forget(&mut self, id: PodId) {
        let Some(l) = self.slots.get_mut(id.index() as usize) else {
            return;
        };
        if l.pod != id || l.sources == 0 {
            return;
        }
        // A pod of one source leaves that source only; others are looked up everywhere.
        let only = (l.sources == 1).then_some(l.first as usize);
        l.sources = 0;
        self.slot_changes.push(id.index());
        for (si, s) in self.sources.iter_mut().enumerate() {
            if only.is_some_and(|o| o != si) {
                continue;
            }
            if let Some(m) = s.members.remove(&id) {
                s.live_ready -= m.ready as usize;
            }
        }
    }

    /// Brings the members' readiness and phase up to date from the store's status log (which,
    /// unlike watch notifications, is current at any instant). The count of ready endpoints
    /// follows at once but is published only at a tick ([`Traffic::on_tick`]).
    pub fn sync_status(&mut self, store: &mut Store) {
        if self.sources.is_empty() {
            return;
        }
        store.take_status_log(&mut self.status_changes);
        for &p in &self.status_changes {
            let Some(l) = self.slots.get_mut(p.index() as usize) else {
                continue;
            };
            if l.pod != p || l.sources == 0 {
                // Not targeted by any source.
                debug_assert!(self.sources.iter().all(|s| !s.members.contains_key(&p)));
                continue;
            }
            let now = store.pod(p).map(Member::of).unwrap_or_default();
            if l.member != now {
                l.member = now;
                self.slot_changes.push(p.index());
            }
            let only = (l.sources == 1).then_some(l.first as usize);
            for (si, s) in self.sources.iter_mut().enumerate() {
                if only.is_some_and(|o| o != si) {
                    continue;
                }
                if let Some(m) = s.members.get_mut(&p)
                    && *m != now
                {
                    s.live_ready = s.live_ready + now.ready as usize - m.ready as usize;
                    *m = now;
                }
            }
        }
    }

    /// Recomputes rates and ready endpoints at a tick. Ready endpoints are counted
    /// incrementally: members as they join and leave (watch notifications), readiness from
    /// the store's log of status changes, which is current at this instant.
    pub fn on_tick(&mut self, now: SimTime, store: &mut Store) {
        self.sync_status(store);
        let tick_index = now.as_micros() / self.tick.as_micros().max(1);
        for (i, s) in self.sources.iter_mut().enumerate() {
            let mut r: f64 = s.spec.rates.iter().map(|r| rate_at(r, now)).sum();
            if s.spec.noise > 0.0 {
                let id = StreamId::new(StreamId::TRAFFIC, i as u32);
                let u1 = 1.0 - self.seeds.counter_f64(id, tick_index, 0);
                let u2 = self.seeds.counter_f64(id, tick_index, 1);
                let z = (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
                r *= (1.0 + s.spec.noise * z).max(0.0);
            }
            s.rate = r.max(0.0);
            // Published only here: between ticks the load model's view stays the tick's.
            s.ready_endpoints = s.live_ready;
            debug_assert_eq!(
                s.ready_endpoints,
                s.members
                    .keys()
                    .filter(|&&p| store.pod(p).is_some_and(|p| p.is_ready()))
                    .count()
            );
            debug_assert!(
                s.members
                    .iter()
                    .all(|(&p, m)| store.pod(p).map(Member::of).unwrap_or_default() == *m)
            );
            debug_assert!(s.members.iter().all(|(&p, &m)| {
                let l = self.slots[p.index() as usize];
                l.pod == p && l.first <= i as u32 && (l.sources > 1 || l.member == m)
            }));
        }
        self.refresh_tick_usage();
    }

    /// Rebuilds the per-source usage table from the sources' rates at this tick.
    fn refresh_tick_usage(&mut self) {
        self.tick_usage.clear();
        self.tick_usage.extend(self.sources.iter().map(|s| {
            [true, false].map(|ready| {
                let mut d = PodDemand::default();
                s.add_to(
                    &mut d,
                    Member {
                        ready,
                        running: true,
                    },
                );
                d.finish();
                (d.cpu, crate::engine::num::round_i64(d.memory))
            })
        }));
    }

    /// What each source does now.
    pub fn samples(&self) -> Vec<SourceSample> {
        self.sources
            .iter()
            .map(|s| SourceSample {
                offered: s.rate,
                served: if s.ready_endpoints > 0 { s.rate } else { 0.0 },
                endpoints: s.ready_endpoints,
            })
            .collect()
    }

    /// cpu (millicores) and memory (bytes) used by a pod: the baseline of every source that
    /// targets it, plus its share of the traffic if it is a ready endpoint.
    pub fn pod_usage(&self, pod: PodId, store: &Store) -> (i64, i64) {
        let Some(p) = store.pod(pod) else {
            return (0, 0);
        };
        let running = p.status.phase == crate::model::pod::PodPhase::Running;
        let mut cpu = 0.0;
        let mut mem = 0.0;
        for s in &self.sources {
            if !s.members.contains_key(&pod) || !running {
                continue;
            }
            cpu += s.spec.cpu_per_pod as f64;
            mem += s.spec.memory_per_pod as f64;
            if p.is_ready() && s.ready_endpoints > 0 {
                let share = s.rate / s.ready_endpoints as f64;
                cpu += share * s.spec.cpu_per_request;
                mem += share * s.spec.memory_per_rps;
            }
        }
        (cpu.round() as i64, mem.round() as i64)
    }

    /// What a pod is asked to do now (unrounded): cpu in millicores, memory in bytes, the
    /// request rate it serves, and the part of the cpu that is the per-pod baseline.
    pub fn pod_demand(&self, pod: PodId, store: &Store) -> PodDemand {
        let mut d = PodDemand::default();
        let Some(p) = store.pod(pod) else { return d };
        let m = Member::of(p);
        for s in self.sources.iter().filter(|s| s.members.contains_key(&pod)) {
            s.add_to(&mut d, m);
        }
        d.finish();
        d
    }

    /// Every pod some source targets (a pod targeted by several sources comes several times).
    pub fn loaded_pods(&self) -> impl Iterator<Item = PodId> + '_ {
        self.sources.iter().flat_map(|s| s.members.keys().copied())
    }

    /// The demand of the pod in slot `slot` if it is `pod` and some source targets it: what
    /// [`Traffic::fill_demands`] gives it, with members' readiness and phase as of the last
    /// [`Traffic::sync_status`].
    #[inline]
    pub fn slot_demand(&self, slot: usize, pod: PodId) -> Option<SlotDemand> {
        let l = self.slots.get(slot)?;
        if l.pod != pod || l.sources == 0 {
            return None;
        }
        let demand = self.summed_demand(pod);
        let memory = crate::engine::num::round_i64(demand.memory);
        Some(SlotDemand {
            first_source: l.first,
            demand,
            memory,
        })
    }

    /// Which sources target the pod in slot `slot` if it is `pod`, with its readiness and
    /// phase as of the last [`Traffic::sync_status`].
    #[inline]
    pub fn slot_sources(&self, slot: usize, pod: PodId) -> SlotSources {
        match self.slots.get(slot) {
            Some(l) if l.pod == pod && l.sources == 1 => SlotSources::One {
                source: l.first,
                ready: l.member.ready,
                running: l.member.running,
            },
            Some(l) if l.pod == pod && l.sources > 1 => SlotSources::Many,
            _ => SlotSources::None,
        }
    }

    /// The cpu (millicores) and memory (bytes, rounded) that source `source` alone asks of a
    /// running member at the last tick: a ready endpoint's, or one serving no traffic.
    #[inline]
    pub fn source_usage(&self, source: usize, ready: bool) -> (f64, i64) {
        self.tick_usage[source][usize::from(!ready)]
    }

    /// Pod slots whose load-model membership (sources, readiness, phase) changed since the
    /// last [`Traffic::clear_slot_changes`]; may repeat.
    pub fn slot_changes(&self) -> &[u32] {
        &self.slot_changes
    }

    /// Forgets the slot changes (the kubelet has looked at them).
    pub fn clear_slot_changes(&mut self) {
        self.slot_changes.clear();
    }

    /// What the load tick needs of the pod in slot `slot` if it is `pod` and some source
    /// targets it: (first source targeting it, cpu demand in millicores, memory demand in
    /// bytes rounded), equal to [`Traffic::slot_demand`]'s `cpu` and `memory`.
    #[inline]
    pub fn slot_usage(&self, slot: usize, pod: PodId) -> Option<(u32, f64, i64)> {
        let l = self.slots.get(slot)?;
        if l.pod != pod || l.sources == 0 {
            return None;
        }
        if l.sources > 1 {
            let d = self.summed_demand(pod);
            return Some((l.first, d.cpu, crate::engine::num::round_i64(d.memory)));
        }
        if !l.member.running {
            return Some((l.first, 0.0, 0));
        }
        let (cpu, memory) = self.tick_usage[l.first as usize][usize::from(!l.member.ready)];
        Some((l.first, cpu, memory))
    }

    /// A pod's demand over every source that targets it, in source order (as
    /// [`Traffic::fill_demands`] sums it).
    fn summed_demand(&self, pod: PodId) -> PodDemand {
        let mut d = PodDemand::default();
        for s in &self.sources {
            if let Ok(i) = s.members.find(&pod) {
                s.add_to(&mut d, s.members.0[i].1);
            }
        }
        d.finish();
        d
    }

    /// Every targeted pod's demand now, in one pass over the sources (what [`pod_demand`]
    /// gives for each pod, without a membership lookup per (pod, source)). `demands` is indexed
    /// by pod slot and `mark` remembers which slots this `round` filled; `touched` receives
    /// each targeted pod once, in first-seen order. The buffers are reused across calls.
    /// Readiness and phase are the members' as of the last [`Traffic::sync_status`].
    ///
    /// [`pod_demand`]: Traffic::pod_demand
    pub fn fill_demands(
        &self,
        round: u32,
        demands: &mut Vec<PodDemand>,
        mark: &mut Vec<u32>,
        touched: &mut Vec<PodId>,
    ) {
        touched.clear();
        for s in &self.sources {
            for (&p, &m) in s.members.iter() {
                let i = p.index() as usize;
                if demands.len() <= i {
                    demands.resize(i + 1, PodDemand::default());
                    mark.resize(i + 1, 0);
                }
                if mark[i] != round {
                    mark[i] = round;
                    demands[i] = PodDemand::default();
                    touched.push(p);
                }
                s.add_to(&mut demands[i], m);
            }
        }
        for &p in touched.iter() {
            demands[p.index() as usize].finish();
        }
    }

    /// Total cpu and memory used by all targeted pods (each pod's usage rounded, as
    /// [`Traffic::pod_usage`] gives it), in one pass over the sources.
    pub fn cluster_usage(&self) -> (i64, i64) {
        let (mut demands, mut mark, mut touched) = (Vec::new(), Vec::new(), Vec::new());
        self.fill_demands(1, &mut demands, &mut mark, &mut touched);
        let (mut c, mut m) = (0, 0);
        for p in touched {
            let d = &demands[p.index() as usize];
            c += d.cpu.round() as i64;
            m += d.memory.round() as i64;
        }
        (c, m)
    }
}

/// Records that source `source` targets `pod` (a pod joins sources in any order).
fn join_slot(slots: &mut Vec<SlotLoad>, pod: PodId, source: u32, member: Member) {
    let i = pod.index() as usize;
    if slots.len() <= i {
        slots.resize(
            i + 1,
            SlotLoad {
                pod,
                first: 0,
                sources: 0,
                member: Member::default(),
            },
        );
    }
    let l = &mut slots[i];
    if l.pod == pod && l.sources > 0 {
        l.sources = l.sources.saturating_add(1);
        l.first = l.first.min(source);
    } else {
        *l = SlotLoad {
            pod,
            first: source,
            sources: 1,
            member,
        };
    }
}

fn target_selector(l: &Load, ns: Sym, store: &mut Store) -> Option<Selector> {
    use crate::api::Kind;
    match l.target_kind {
        Kind::Service => {
            let o = store.object(Kind::Service, ns, &l.target_name)?;
            let crate::api::Object::Service(svc) = o.object.as_ref() else {
                return None;
            };
            let sel = svc.spec.selector.clone()?;
            let pairs: Vec<(Sym, Sym)> = sel
                .iter()
                .map(|(k, v)| (store.interner.intern(k), store.interner.intern(v)))
                .collect();
            Some(Selector::from_pairs(&pairs))
        }
        Kind::Deployment => {
            let id = store.deployment_by_name(ns, &l.target_name)?;
            store.deployment(id).map(|d| d.selector.clone())
        }
        _ => {
            // StatefulSets are matched by their selector once they are modelled.
            let o = store.object(l.target_kind, ns, &l.target_name)?;
            let crate::api::Object::StatefulSet(s) = o.object.as_ref() else {
                return None;
            };
            let sel = s.spec.selector.clone()?;
            Some(crate::model::convert::selector(&sel, &mut store.interner))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles() {
        let s = |x: u64| SimTime(x * 1_000_000);
        let d = SimDuration::from_secs;
        assert_eq!(rate_at(&Rate::Constant(5.0), s(3)), 5.0);
        let st = Rate::Step(vec![(s(10), 1.0), (s(20), 7.0)]);
        assert_eq!(
            (rate_at(&st, s(5)), rate_at(&st, s(10)), rate_at(&st, s(25))),
            (0.0, 1.0, 7.0)
        );
        let ramp = Rate::Ramp {
            from: 0.0,
            to: 10.0,
            start: s(0),
            end: s(10),
        };
        assert_eq!(rate_at(&ramp, s(5)), 5.0);
        let di = Rate::Diurnal {
            base: 100.0,
            amplitude: 50.0,
            period: d(100),
            peak_at: d(25),
        };
        assert!((rate_at(&di, s(25)) - 150.0).abs() < 1e-9);
        assert!((rate_at(&di, s(75)) - 50.0).abs() < 1e-9);
        let sp = Rate::Spike {
            base: 1.0,
            peak: 11.0,
            at: s(10),
            duration: d(10),
            ramp: d(10),
        };
        assert_eq!(
            (
                rate_at(&sp, s(5)),
                rate_at(&sp, s(15)),
                rate_at(&sp, s(25)),
                rate_at(&sp, s(35)),
                rate_at(&sp, s(45))
            ),
            (1.0, 6.0, 11.0, 6.0, 1.0)
        );
        let tr = Rate::Trace {
            points: vec![(s(0), 0.0), (s(10), 10.0)],
            linear: true,
        };
        assert_eq!(rate_at(&tr, s(4)), 4.0);
        assert_eq!(rate_at(&tr, s(99)), 10.0);
    }
}
