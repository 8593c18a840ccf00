//! Node-group backoff after a failed scale-up.
// Follows kubernetes/autoscaler cluster-autoscaler/utils/backoff/exponential_backoff.go.
//!
//! A failure backs the group off for `initial` (`--initial-node-group-backoff-duration`, 5m);
//! a failure after the backoff ran out doubles the previous duration up to `max`
//! (`--max-node-group-backoff-duration`, 30m), while a failure during a backoff starts again from
//! `initial` (upstream's behaviour, so concurrent failures do not escalate). Backoff data older
//! than `reset` (`--node-group-backoff-reset-timeout`, 3h) since the last failure is dropped, and
//! a scale-up that completes removes it.

use crate::engine::{SimDuration, SimTime};
use std::collections::BTreeMap;

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
struct Info {
    duration: SimDuration,
    until: SimTime,
    last_failed: SimTime,
}

/// Exponential backoff per node group (keyed by group index).
#[derive(Clone, Debug)]
pub struct Backoff {
    initial: SimDuration,
    max: SimDuration,
    reset: SimDuration,
    info: BTreeMap<usize, Info>,
}

impl Backoff {
    /// A backoff with these durations.
    pub fn new(initial: SimDuration, max: SimDuration, reset: SimDuration) -> Self {
        Backoff {
            initial,
            max,
            reset,
            info: BTreeMap::new(),
        }
    }

    /// Records a failure of `group` at `now`; returns when the backoff ends.
    pub fn backoff(&mut self, group: usize, now: SimTime) -> SimTime {
        let mut duration = self.initial;
        if let Some(i) = self.info.get(&group)
            && i.until < now
        {
            duration = (i.duration + i.duration).min(self.max);
        }
        let until = now + duration;
        self.info.insert(
            group,
            Info {
                duration,
                until,
                last_failed: now,
            },
        );
        until
    }

    /// Whether `group` is backed off at `now` (strictly before the end of its backoff).
    pub fn is_backed_off(&self, group: usize, now: SimTime) -> bool {
        self.info.get(&group).is_some_and(|i| i.until > now)
    }

    /// Forgets `group`'s backoff (its scale-up completed).
    pub fn remove(&mut self, group: usize) {
        self.info.remove(&group);
    }

    /// Drops backoff data whose last failure is more than `reset` ago.
    pub fn remove_stale(&mut self, now: SimTime) {
        let reset = self.reset;
        self.info.retain(|_, i| i.last_failed + reset >= now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: u64) -> SimTime {
        SimTime::ZERO + SimDuration::from_secs(s)
    }

    fn upstream() -> Backoff {
        Backoff::new(
            SimDuration::from_secs(300),
            SimDuration::from_secs(1800),
            SimDuration::from_secs(3 * 3600),
        )
    }

    #[test]
    fn durations_double_from_5m_to_at_most_30m() {
        let mut b = upstream();
        let mut now = 0;
        let mut got = Vec::new();
        for _ in 0..6 {
            let until = b.backoff(0, at(now));
            got.push(until.since(at(now)).as_micros() / 1_000_000);
            assert!(b.is_backed_off(0, at(now)));
            // Fail again one second after the backoff ran out.
            now = until.as_micros() / 1_000_000 + 1;
        }
        assert_eq!(got, vec![300, 600, 1200, 1800, 1800, 1800]);
    }

    #[test]
    fn a_failure_during_a_backoff_starts_again_from_the_initial_duration() {
        let mut b = upstream();
        b.backoff(0, at(0));
        b.backoff(0, at(400)); // 600 s
        assert_eq!(
            b.backoff(0, at(500)).since(at(500)).as_micros() / 1_000_000,
            300
        );
    }

    #[test]
    fn ends_exactly_at_the_duration_and_resets_after_3h() {
        let mut b = upstream();
        b.backoff(1, at(100));
        assert!(b.is_backed_off(1, at(399)));
        assert!(!b.is_backed_off(1, at(400)));
        assert!(!b.is_backed_off(0, at(200)));
        // Stale after 3h: the next failure is back to 5m.
        b.remove_stale(at(100 + 3 * 3600));
        assert_eq!(
            b.backoff(1, at(100 + 3 * 3600))
                .since(at(100 + 3 * 3600))
                .as_micros()
                / 1_000_000,
            600
        );
        b.remove_stale(at(100 + 6 * 3600 + 1));
        assert_eq!(
            b.backoff(1, at(100 + 6 * 3600 + 1))
                .since(at(100 + 6 * 3600 + 1))
                .as_micros()
                / 1_000_000,
            300
        );
        b.remove(1);
        assert!(!b.is_backed_off(1, at(100 + 6 * 3600 + 2)));
    }
}
