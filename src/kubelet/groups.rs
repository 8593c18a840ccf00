//! Usage groups: running pods that the load model treats alike use exactly the same cpu and
//! memory at every load tick, so the kubelet keeps their usage once per group instead of once
//! per pod.
//!
//! A group is keyed by what decides a pod's usage: the one load source targeting it (or none),
//! whether it is a ready endpoint and in phase Running as the load model sees it, and its cpu
//! and memory limits. Every member then has the group's cpu (demand, throttled at the limit)
//! and memory, and its cumulative cpu grows by the group's at every tick. A member stores only
//! its *anchor*, its cumulative cpu minus the group's, so its own counter is
//! `anchor + group.cum`. Counters are integers (core-nanoseconds, the unit of the kubelet's
//! `UsageCoreNanoSeconds`) with wrapping arithmetic, so a member's counter is exactly what a
//! per-pod counter advanced at every tick would hold, and a window's difference of group
//! counters is exactly each member's.

use crate::engine::SimTime;
use crate::traffic::Traffic;

/// No load source targets the members (they use nothing).
pub(super) const NO_SOURCE: u32 = u32::MAX;

/// What decides the usage of a group's members.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct GroupKey {
    /// The one load source targeting the members ([`NO_SOURCE`]: none).
    pub(super) source: u32,
    /// Members are ready endpoints.
    pub(super) ready: bool,
    /// Members are in phase Running as the load model sees them (it loads only those).
    pub(super) loaded: bool,
    /// cpu (millicores) and memory (bytes) limits, `rows::NO_LIMIT` where unset.
    pub(super) limits: (i64, i64),
}

/// One usage group.
#[derive(Clone, Debug)]
pub(super) struct Group {
    /// What its members share.
    pub(super) key: GroupKey,
    /// Cumulative cpu of a member that was in the group from the start, at the last tick
    /// (core-nanoseconds, wrapping).
    pub(super) cum: u64,
    /// cpu each member uses since the last tick (millicores, after throttling).
    pub(super) cpu: f64,
    /// Memory each member counts against its node (bytes; zero when over the memory limit,
    /// as an OOM-killed container's).
    pub(super) memory: i64,
    /// The load model's cpu demand (millicores) and memory demand (bytes) at the last tick.
    pub(super) demand: (f64, i64),
    /// The demand is above the cpu limit.
    pub(super) throttled: bool,
    /// The demand is above the memory limit.
    pub(super) oom: bool,
    /// Member row slots.
    pub(super) members: Vec<u32>,
}

impl Group {
    /// A group with no members, its usage as of the last tick.
    pub(super) fn new(key: GroupKey, traffic: &Traffic) -> Group {
        let mut g = Group::idle(key);
        g.refresh(traffic);
        g
    }

    /// A group with no members that uses nothing (until [`Group::refresh`]).
    pub(super) fn idle(key: GroupKey) -> Group {
        Group {
            key,
            cum: 0,
            cpu: 0.0,
            memory: 0,
            demand: (0.0, 0),
            throttled: false,
            oom: false,
            members: Vec::new(),
        }
    }

    /// Takes the load model's demand at this tick and holds it against the limits.
    pub(super) fn refresh(&mut self, traffic: &Traffic) {
        let k = self.key;
        self.demand = if k.source == NO_SOURCE || !k.loaded {
            (0.0, 0)
        } else {
            traffic.source_usage(k.source as usize, k.ready)
        };
        let h = hold(self.demand, k.limits);
        (self.cpu, self.memory, self.throttled, self.oom) = (h.cpu, h.memory, h.throttled, h.oom);
    }

    /// The group's counter at `now`, the last tick being `last_tick`.
    #[inline]
    pub(super) fn cum_at(&self, last_tick: SimTime, now: SimTime) -> u64 {
        advance(self.cum, self.cpu, last_tick, now)
    }
}

/// A demand held against limits: what the pod uses, and whether it is throttled or
/// OOM-killed.
#[derive(Copy, Clone, Debug, PartialEq)]
pub(super) struct Held {
    /// cpu in use (millicores): the demand, throttled at the cpu limit.
    pub(super) cpu: f64,
    /// Memory counted against the node (bytes): the demand, or zero above the memory limit.
    pub(super) memory: i64,
    /// The cpu demand is above the cpu limit.
    pub(super) throttled: bool,
    /// The memory demand is above the memory limit.
    pub(super) oom: bool,
}

/// Holds a (cpu millicores, memory bytes) demand against (cpu, memory) limits, `NO_LIMIT`
/// where unset (above any demand): CFS quota throttling, and the OOM killer.
#[inline]
pub(super) fn hold((cpu, memory): (f64, i64), (cpu_limit, memory_limit): (i64, i64)) -> Held {
    let throttled = cpu > cpu_limit as f64;
    let oom = memory > memory_limit;
    Held {
        cpu: if throttled { cpu_limit as f64 } else { cpu },
        memory: if oom { 0 } else { memory },
        throttled,
        oom,
    }
}

/// `cum` advanced from `from` to `now` at `cpu` millicores: millicores × microseconds are
/// core-nanoseconds, rounded to a whole one.
#[inline]
pub(super) fn advance(cum: u64, cpu: f64, from: SimTime, now: SimTime) -> u64 {
    if now <= from {
        return cum;
    }
    let us = now.since(from).as_micros() as f64;
    cum.wrapping_add(crate::engine::num::round_i64(cpu * us) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::SimDuration;

    #[test]
    fn counters_advance_in_core_nanoseconds() {
        let t0 = SimTime::ZERO;
        let t1 = t0 + SimDuration::from_secs(15);
        // 200 millicores for 15 s: 3 core-seconds.
        assert_eq!(advance(0, 200.0, t0, t1), 3_000_000_000);
        assert_eq!(advance(7, 200.0, t1, t1), 7, "no time, no usage");
        // Wrapping: a difference of counters stays exact across the wrap.
        let near = u64::MAX - 1_000;
        let after = advance(near, 200.0, t0, t1);
        assert_eq!(after.wrapping_sub(near), 3_000_000_000);
    }
}
