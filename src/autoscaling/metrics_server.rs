//! The metrics pipeline: a metrics-server model (kubernetes-sigs/metrics-server,
//! `pkg/storage/pod.go`). Every `--metric-resolution` it scrapes each kubelet's cumulative cpu
//! and memory working set for the pods it is asked about, keeps the last two points per pod,
//! and serves cpu as the rate between them (so the HPA sees usage with the real lag) and
//! memory as the last value.
//!
//! Every running pod is scraped (metrics-server scrapes whole kubelets, whether or not an HPA
//! targets the pod), and only while some HorizontalPodAutoscaler exists (the only consumer of
//! the API in a run). Simplification: a pod appears once it has two points (upstream's
//! shortcut that uses the container start time as a first point is not modelled).
//!
//! The kubelet keeps most pods' usage per usage group (`kubelet::groups`): members use exactly
//! the same, and their integer counters differ from the group's by a constant. A pod
//! registered in a group at one scrape is served the group's samples from the next one on
//! (its rate is the group's, exactly), without points of its own; when it leaves the group,
//! its points are made what the group served it, and it is recorded pod by pod again.

use crate::engine::{SimDuration, SimTime};
use crate::model::ArenaId;
use crate::model::PodId;
use std::collections::BTreeMap;

/// The default `--metric-resolution` of the shipped manifest.
pub const DEFAULT_RESOLUTION: SimDuration = SimDuration::from_secs(15);

/// One pod's metrics as the resource metrics API returns them.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct PodMetrics {
    /// cpu, millicores (rate over the window).
    pub cpu_milli: i64,
    /// Memory working set, bytes.
    pub memory: i64,
    /// End of the window (the newer scrape).
    pub timestamp: SimTime,
    /// Window length.
    pub window: SimDuration,
}

/// One pod slot's last two points.
#[derive(Copy, Clone, Debug)]
struct Points {
    /// The pod (meaningful when `seen` is not zero).
    pod: PodId,
    /// The scrape round that last saw the pod (0: the slot holds no points). A pod the kubelet
    /// keeps in a usage group is seen with its group (see `group`).
    seen: u64,
    /// The time of the scrape before the newest; [`NO_POINT`] until there are two.
    prev_t: SimTime,
    /// The newest scrape.
    last_t: SimTime,
    /// The cumulative cpu at the newest scrape (core-nanoseconds, wrapping).
    last_cum: u64,
    /// Memory working set at the newest scrape (bytes).
    memory: i64,
    /// The cpu rate between the two points (millicores), computed when the newer one is
    /// recorded.
    cpu_milli: i64,
    /// The caller's tag for the pod (see [`Tag`]).
    tag: Tag,
    /// The kubelet's usage group the pod is registered in ([`NO_GROUP`]: none). From round
    /// `from_round` on, its samples are the group's and these points are not updated.
    group: u32,
    /// See `group`.
    from_round: u64,
}

/// An opaque value a caller attaches to a pod when its points start and gets back with each of
/// its samples, so that a per-pod lookup (the HPA: the pod's ReplicaSet) is made once per pod
/// rather than once per scrape.
pub type Tag = u64;

/// No earlier point.
const NO_POINT: SimTime = SimTime(u64::MAX);
/// In no usage group.
const NO_GROUP: u32 = u32::MAX;

/// A usage group's samples at the newest round: what each member registered in it serves.
#[derive(Copy, Clone, Debug, Default)]
struct GroupSample {
    /// The round of `cum` (0: none yet).
    round: u64,
    /// The counter of a member that was in the group from the start.
    cum: u64,
    /// Memory working set of each member (bytes).
    memory: i64,
    /// cpu rate since the previous round (millicores), when the group had a sample then.
    cpu_milli: Option<i64>,
}

/// Pods of one tag registered in one group, counted.
#[derive(Copy, Clone, Debug)]
struct Pair {
    tag: Tag,
    group: u32,
    count: u64,
}

/// The metrics-server state.
#[derive(Debug)]
pub struct MetricsServer {
    /// `--metric-resolution`.
    pub resolution: SimDuration,
    /// Points by pod slot (the pod id guards against a reused slot).
    points: Vec<Points>,
    round: u64,
    /// Times of the rounds `round`, `round - 1` and `round - 2`.
    times: [SimTime; 3],
    /// Usage groups' samples, by group.
    groups: Vec<GroupSample>,
    /// Registered pods per (tag, group).
    pairs: Vec<Pair>,
    pair_index: BTreeMap<(Tag, u32), u32>,
    /// Debug builds: every pod's points kept pod by pod, as if no group existed.
    #[cfg(debug_assertions)]
    reference: BTreeMap<PodId, (u64, SimTime, u64, Option<PodMetrics>)>,
}

/// `(cum - last) / window`, rounded to whole millicores: core-nanoseconds over microseconds
/// are millicores. None when the counter went down (a new run of the pod restarted it), as
/// metrics-server drops a decreasing cumulative value.
#[inline]
fn rate(cum: u64, last: u64, window: SimDuration) -> Option<i64> {
    let d = cum.wrapping_sub(last);
    let w = window.as_micros().max(1);
    (d <= i64::MAX as u64).then(|| ((d as u128 + (w / 2) as u128) / w as u128) as i64)
}

impl MetricsServer {
    /// A server scraping every `resolution`.
    pub fn new(resolution: SimDuration) -> Self {
        MetricsServer {
            resolution,
            points: Vec::new(),
            round: 0,
            times: [SimTime::ZERO; 3],
            groups: Vec::new(),
            pairs: Vec::new(),
            pair_index: BTreeMap::new(),
            #[cfg(debug_assertions)]
            reference: BTreeMap::new(),
        }
    }

    /// Starts a scrape round at `now`. Pods not recorded in a round are forgotten, as
    /// metrics-server drops pods a kubelet no longer reports: a point whose last round is not
    /// the newest reads as absent, so nothing has to be swept.
    pub fn begin_scrape(&mut self, now: SimTime) {
        self.round += 1;
        self.times = [now, self.times[0], self.times[1]];
    }

    /// A pod left the usage group it was registered in since the last round: its points are
    /// made what the group served it at the last round, and are kept pod by pod from now on.
    pub fn left(&mut self, left: crate::kubelet::usage::Left) {
        let Some(p) = self.points.get_mut(left.pod.index() as usize) else {
            return;
        };
        if p.pod != left.pod || p.group != left.group {
            return;
        }
        let g = left.group;
        if p.from_round < self.round {
            // Served from the group at the last round.
            let s = self.groups[g as usize];
            debug_assert!(s.round + 1 == self.round && s.cpu_milli.is_some());
            p.seen = self.round - 1;
            p.prev_t = self.times[2];
            p.last_t = self.times[1];
            p.last_cum = left.anchor.wrapping_add(s.cum);
            p.memory = s.memory;
            p.cpu_milli = s.cpu_milli.unwrap_or(0);
        }
        p.group = NO_GROUP;
        let tag = p.tag;
        self.count(tag, g, false);
    }

    /// Registers (`add`) or forgets one pod of `tag` in `group`.
    fn count(&mut self, tag: Tag, group: u32, add: bool) {
        let i = match self.pair_index.get(&(tag, group)) {
            Some(&i) => i as usize,
            None => {
                self.pair_index
                    .insert((tag, group), self.pairs.len() as u32);
                self.pairs.push(Pair {
                    tag,
                    group,
                    count: 0,
                });
                self.pairs.len() - 1
            }
        };
        let c = &mut self.pairs[i].count;
        *c = if add { *c + 1 } else { *c - 1 };
    }

    /// Usage group `group` at this round: the counter of a member that was in it from the
    /// start, and each member's memory.
    pub fn group(&mut self, group: u32, cum: u64, memory: i64) {
        let g = group as usize;
        if self.groups.len() <= g {
            self.groups.resize(g + 1, GroupSample::default());
        }
        let window = self.times[0].since(self.times[1]);
        let s = &mut self.groups[g];
        s.cpu_milli = if s.round != 0 && s.round + 1 == self.round {
            rate(cum, s.cum, window)
        } else {
            None
        };
        *s = GroupSample {
            round: self.round,
            cum,
            memory,
            cpu_milli: s.cpu_milli,
        };
    }

    /// Calls `f(tag, pods, cpu, memory)` with the samples of the pods registered in groups
    /// before this round, summed per (tag, group): `pods` pods, the sum of their cpu
    /// (millicores) and of their memory (bytes).
    pub fn for_each_group_sum(&self, mut f: impl FnMut(Tag, u64, i128, i128)) {
        for pair in self.pairs.iter().filter(|p| p.count > 0) {
            let s = &self.groups[pair.group as usize];
            debug_assert_eq!(s.round, self.round);
            if let Some(cpu) = s.cpu_milli {
                let n = pair.count as i128;
                f(pair.tag, pair.count, n * cpu as i128, n * s.memory as i128);
            }
        }
    }

    /// Records one pod's counters in the current round (cumulative cpu in core-nanoseconds,
    /// memory in bytes); returns what [`MetricsServer::pod`] now serves for it, with the pod's
    /// tag (`tag_of` is asked when the pod's points start). `join`: the kubelet keeps the pod
    /// in that usage group from now on, so from the next round on its samples are the
    /// group's.
    #[inline]
    pub fn record(
        &mut self,
        pod: PodId,
        now: SimTime,
        cum: u64,
        memory: i64,
        join: Option<u32>,
        tag_of: impl FnOnce() -> Tag,
    ) -> Option<(PodMetrics, Tag)> {
        let round = self.round;
        let i = pod.index() as usize;
        if self.points.len() <= i {
            self.points.resize(
                i + 1,
                Points {
                    pod,
                    seen: 0,
                    prev_t: NO_POINT,
                    last_t: SimTime::ZERO,
                    last_cum: 0,
                    memory: 0,
                    cpu_milli: 0,
                    tag: 0,
                    group: NO_GROUP,
                    from_round: 0,
                },
            );
        }
        let p = &mut self.points[i];
        debug_assert!(p.pod != pod || p.seen == 0 || p.group == NO_GROUP);
        let fresh = Points {
            pod,
            seen: round,
            prev_t: NO_POINT,
            last_t: now,
            last_cum: cum,
            memory,
            cpu_milli: 0,
            tag: 0,
            group: NO_GROUP,
            from_round: 0,
        };
        // Live: seen in the previous round (or already in this one).
        if p.seen == 0 || p.seen + 1 < round || p.pod != pod {
            *p = Points {
                tag: tag_of(),
                ..fresh
            };
        } else if p.last_t < now {
            match rate(cum, p.last_cum, now.since(p.last_t)) {
                Some(cpu) => {
                    p.seen = round;
                    p.cpu_milli = cpu;
                    p.prev_t = p.last_t;
                    p.last_t = now;
                    p.last_cum = cum;
                    p.memory = memory;
                }
                None => {
                    *p = Points {
                        tag: p.tag,
                        ..fresh
                    }
                }
            }
        } else {
            p.seen = round;
        }
        let (served, tag) = (Self::served(p), p.tag);
        if let Some(g) = join {
            p.group = g;
            p.from_round = round + 1;
            self.count(tag, g, true);
        }
        served.map(|m| (m, tag))
    }

    /// The scrape round in progress or last completed (what [`MetricsServer::pod`] serves).
    pub fn round(&self) -> u64 {
        self.round
    }

    /// A pod's metrics, if it has two points: cpu as the rate between them, memory the newest
    /// value.
    #[inline]
    pub fn pod(&self, pod: PodId) -> Option<PodMetrics> {
        let p = self.points.get(pod.index() as usize)?;
        if p.seen == 0 || p.pod != pod {
            return None;
        }
        if p.group != NO_GROUP && p.from_round <= self.round {
            let s = &self.groups[p.group as usize];
            debug_assert_eq!(s.round, self.round);
            return Some(PodMetrics {
                cpu_milli: s.cpu_milli?,
                memory: s.memory,
                timestamp: self.times[0],
                window: self.times[0].since(self.times[1]),
            });
        }
        if p.seen != self.round {
            return None;
        }
        Self::served(p)
    }

    /// What a live slot serves: nothing until it has two points.
    #[inline]
    fn served(p: &Points) -> Option<PodMetrics> {
        if p.prev_t == NO_POINT {
            return None;
        }
        Some(PodMetrics {
            cpu_milli: p.cpu_milli,
            memory: p.memory,
            timestamp: p.last_t,
            window: p.last_t.since(p.prev_t),
        })
    }

    /// Debug builds, after a round: every running pod (`running`: pod, its own counter,
    /// memory) is served what pod-by-pod points would serve it, and no other pod is served.
    #[cfg(debug_assertions)]
    pub fn check_round(&mut self, running: &[(PodId, u64, i64)]) {
        let (round, now) = (self.round, self.times[0]);
        for &(pod, cum, memory) in running {
            let e = self
                .reference
                .entry(pod)
                .or_insert((0, SimTime::ZERO, 0, None));
            let (seen, last_t, last_cum, _) = *e;
            *e = if seen != 0 && seen + 1 >= round && last_t < now {
                match rate(cum, last_cum, now.since(last_t)) {
                    Some(cpu) => (
                        round,
                        now,
                        cum,
                        Some(PodMetrics {
                            cpu_milli: cpu,
                            memory,
                            timestamp: now,
                            window: now.since(last_t),
                        }),
                    ),
                    None => (round, now, cum, None),
                }
            } else if seen == round {
                *e
            } else {
                (round, now, cum, None)
            };
        }
        for (&pod, &(seen, _, _, served)) in &self.reference {
            let expect = if seen == round { served } else { None };
            assert_eq!(self.pod(pod), expect, "{pod:?} at round {round}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kubelet::usage::Left;

    /// Core-nanoseconds of `m` millicores for `s` seconds.
    fn ns(m: u64, s: u64) -> u64 {
        m * s * 1_000_000
    }

    fn t(s: u64) -> SimTime {
        SimTime::ZERO + SimDuration::from_secs(s)
    }

    #[test]
    fn cpu_is_the_rate_between_the_last_two_scrapes() {
        let mut m = MetricsServer::new(DEFAULT_RESOLUTION);
        let p = PodId::from_parts(0, 0);
        m.begin_scrape(t(15));
        m.record(p, t(15), 0, 100, None, || 0);
        assert_eq!(m.pod(p), None, "one point is not a rate");
        m.begin_scrape(t(30));
        m.record(p, t(30), ns(200, 15), 200, None, || 0); // 200m for 15 s
        assert_eq!(
            m.pod(p),
            Some(PodMetrics {
                cpu_milli: 200,
                memory: 200,
                timestamp: t(30),
                window: DEFAULT_RESOLUTION
            })
        );
        m.begin_scrape(t(45));
        assert_eq!(m.pod(p), None, "a pod no longer reported is dropped");
        m.begin_scrape(t(60));
        m.record(p, t(60), ns(200, 60), 300, None, || 7);
        assert_eq!(m.pod(p), None, "and starts again from one point");
        m.begin_scrape(t(75));
        let got = m.record(p, t(75), ns(200, 60), 300, None, || {
            panic!("asked when the points start")
        });
        assert_eq!(got.map(|(x, tag)| (x.cpu_milli, tag)), Some((0, 7)));
        assert_eq!(m.pod(p).map(|x| x.cpu_milli), Some(0));
        // Rates round to whole millicores: 2.5m rounds up, 2.4m down.
        m.begin_scrape(t(90));
        let got = m.record(p, t(90), ns(200, 60) + 37_500_000, 300, None, || 0);
        assert_eq!(got.map(|(x, _)| x.cpu_milli), Some(3));
        // A counter that goes down (a new run) starts the points again.
        m.begin_scrape(t(105));
        assert_eq!(m.record(p, t(105), 5, 300, None, || 0), None);
        assert_eq!(m.pod(p), None);
    }

    #[test]
    fn group_members_are_served_the_group_rate_and_leave_with_their_own_points() {
        let mut m = MetricsServer::new(DEFAULT_RESOLUTION);
        let (a, b) = (PodId::from_parts(0, 0), PodId::from_parts(1, 0));
        // Round 1: the group starts; a joins it (anchor 1000: its counter is 1000 ahead).
        m.begin_scrape(t(15));
        m.group(0, 0, 50);
        m.record(a, t(15), 1000, 50, Some(0), || 9);
        m.record(b, t(15), 0, 70, None, || 9);
        assert_eq!(m.pod(a), None, "one point");
        // Round 2: a, registered at round 1, is served the group's samples.
        m.begin_scrape(t(30));
        m.group(0, ns(100, 15), 60);
        let mut sums = Vec::new();
        m.for_each_group_sum(|tag, n, cpu, mem| sums.push((tag, n, cpu, mem)));
        assert_eq!(sums, vec![(9, 1, 100, 60)]);
        assert_eq!(m.pod(a).map(|x| x.cpu_milli), Some(100));
        m.begin_scrape(t(45));
        m.group(0, ns(100, 15) + ns(300, 15), 80);
        sums.clear();
        m.for_each_group_sum(|tag, n, cpu, mem| sums.push((tag, n, cpu, mem)));
        assert_eq!(sums, vec![(9, 1, 300, 80)]);
        assert_eq!(
            m.pod(a),
            Some(PodMetrics {
                cpu_milli: 300,
                memory: 80,
                timestamp: t(45),
                window: DEFAULT_RESOLUTION
            })
        );
        // a leaves the group before round 4: its points become what the group served it at
        // round 3, so round 4's rate comes from its own counter.
        m.begin_scrape(t(60));
        m.left(Left {
            pod: a,
            group: 0,
            anchor: 1000,
        });
        m.group(0, ns(100, 15) + ns(300, 30), 80);
        let mut sums = Vec::new();
        m.for_each_group_sum(|tag, n, cpu, mem| sums.push((tag, n, cpu, mem)));
        assert!(sums.is_empty(), "a no longer counts in the group");
        let cum = 1000 + ns(100, 15) + ns(300, 15) + ns(500, 15);
        let got = m.record(a, t(60), cum, 90, None, || panic!("a has points"));
        assert_eq!(
            got.map(|(x, tag)| (x.cpu_milli, x.memory, tag)),
            Some((500, 90, 9))
        );
        assert_eq!(m.pod(b), None, "b was not scraped since round 1");
    }
}
