//! Aggregates that spare the HPA a visit to every target pod on every sync.
//!
//! The replica calculator only sums over a target's pods (see [`super::replica_calculator::Tally`]).
//! Most of those pods are *settled*: running, not being deleted, past the cpu initialization
//! period, classified Ready whatever their sample, with known cpu and memory requests. For
//! them a sync needs only the sum of their samples and of their requests. So:
//!
//! - [`RoundSums`]: while metrics-server scrapes, each sample is added to its pod's
//!   ReplicaSet's sums (the ReplicaSet rides along as the pod's metrics-server tag, see
//!   [`owner_tag`]), together with the ReplicaSet's `members_gen` at that moment.
//! - [`Digests`]: per ReplicaSet, which members are settled, their request sums, and the
//!   others (pending, starting, unready, being deleted, no request), rebuilt when the
//!   ReplicaSet's `members_gen` moves or a starting pod may have left its initialization
//!   period.
//!
//! A sync then adds the others pod by pod and the settled members in bulk: their samples are
//! the ReplicaSet's sum minus the sampled others. That is exact when the ReplicaSet's members
//! are unchanged since the scrape (same `members_gen`) and every settled member was sampled
//! (the counts agree); otherwise the sync falls back to visiting every member.

use super::replica_calculator::{Group, PodInput, Readiness, Sample, classify};
use crate::autoscaling::metrics_server::PodMetrics;
use crate::engine::{SimDuration, SimTime};
use crate::model::pod::PodPhase;
use crate::model::{ArenaId, PodId, ReplicaSetId};
use crate::store::brief::PodBrief;

/// One ReplicaSet's samples in a scrape round.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct RsRound {
    /// The round.
    pub round: u64,
    /// The ReplicaSet (guards against a reused slot).
    pub rs: ReplicaSetId,
    /// The ReplicaSet's `members_gen` when the round scraped it.
    pub members_gen: u64,
    /// Members with a sample.
    pub sampled: u32,
    /// Sum of their cpu samples (millicores).
    pub cpu_milli: i128,
    /// Sum of their memory samples (bytes × 1000, upstream's `MilliValue`).
    pub memory_milli: i128,
}

/// A pod's owning ReplicaSet as a metrics-server tag ([`crate::autoscaling::metrics_server::Tag`]).
pub fn owner_tag(rs: Option<ReplicaSetId>) -> u64 {
    rs.map_or(u64::MAX, |r| {
        ((r.generation() as u64) << 32) | r.index() as u64
    })
}

/// The ReplicaSet of a tag made by [`owner_tag`].
pub fn tag_owner(tag: u64) -> Option<ReplicaSetId> {
    (tag != u64::MAX).then(|| ReplicaSetId::from_parts(tag as u32, (tag >> 32) as u32))
}

/// Per-ReplicaSet sums of the newest scrape round.
#[derive(Debug, Default)]
pub struct RoundSums {
    round: u64,
    /// ReplicaSet slot → its sums.
    by_rs: Vec<RsRound>,
}

impl RoundSums {
    /// Starts round `round` (metrics-server's round number).
    pub fn begin(&mut self, round: u64) {
        self.round = round;
    }

    /// Adds the sample of a pod of `rs` in this round; `gen_of` reads the ReplicaSet's
    /// `members_gen`, once per round.
    #[inline]
    pub fn add(
        &mut self,
        rs: ReplicaSetId,
        m: &PodMetrics,
        gen_of: impl FnOnce(ReplicaSetId) -> u64,
    ) {
        self.add_many(rs, 1, m.cpu_milli as i128, m.memory as i128, gen_of);
    }

    /// Adds the samples of `pods` pods of `rs` in this round, their cpu summing to `cpu`
    /// millicores and their memory to `memory` bytes.
    #[inline]
    pub fn add_many(
        &mut self,
        rs: ReplicaSetId,
        pods: u64,
        cpu: i128,
        memory: i128,
        gen_of: impl FnOnce(ReplicaSetId) -> u64,
    ) {
        let j = rs.index() as usize;
        if self.by_rs.len() <= j {
            self.by_rs.resize(
                j + 1,
                RsRound {
                    round: 0,
                    rs,
                    members_gen: 0,
                    sampled: 0,
                    cpu_milli: 0,
                    memory_milli: 0,
                },
            );
        }
        let s = &mut self.by_rs[j];
        if s.round != self.round || s.rs != rs {
            *s = RsRound {
                round: self.round,
                rs,
                members_gen: gen_of(rs),
                sampled: 0,
                cpu_milli: 0,
                memory_milli: 0,
            };
        }
        s.sampled += pods as u32;
        s.cpu_milli += cpu;
        s.memory_milli += memory * 1000;
    }

    /// `rs`'s sums in round `round`, if any of its pods was sampled then.
    pub fn get(&self, rs: ReplicaSetId, round: u64) -> Option<&RsRound> {
        self.by_rs
            .get(rs.index() as usize)
            .filter(|s| s.round == round && s.rs == rs)
    }
}

/// Which of a ReplicaSet's members are settled (see the module doc) and what they request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Digest {
    /// The ReplicaSet.
    pub rs: ReplicaSetId,
    /// Its `members_gen` when the digest was built.
    pub members_gen: u64,
    /// When a member in `others` leaves its cpu initialization period (rebuild then).
    pub recheck_at: SimTime,
    /// Number of settled members.
    pub settled: u32,
    /// Their cpu requests (millicores).
    pub cpu_request: i128,
    /// Their memory requests (bytes × 1000).
    pub memory_request: i128,
    /// The other members, in pod order.
    pub others: Vec<PodId>,
}

/// True when a pod counts as Ready with any sample for both cpu and memory metrics, now and
/// for as long as its brief is unchanged: running, not being deleted, both requests known,
/// past the cpu initialization period and classified Ready by `groupPods`.
pub fn settled(b: &PodBrief, input: &PodInput, r: Readiness, now: SimTime) -> bool {
    b.phase == PodPhase::Running
        && !b.deleting
        && b.cpu_request.is_some()
        && b.memory_request.is_some()
        && b.start_time
            .is_some_and(|s| s + r.cpu_initialization_period <= now)
        && {
            let mut i = input.clone();
            i.sample = Some(Sample {
                value: 0,
                timestamp: now,
                window: SimDuration::ZERO,
            });
            classify(&i, true, r, now) == Group::Ready
        }
}

impl Digest {
    /// Builds the digest of `rs` from its members' briefs; `input_of` gives the calculator's
    /// view of a brief.
    pub fn build(
        rs: ReplicaSetId,
        members_gen: u64,
        members: impl Iterator<Item = (PodId, Option<PodBrief>)>,
        input_of: impl Fn(&PodBrief) -> PodInput,
        r: Readiness,
        now: SimTime,
    ) -> Self {
        let mut d = Digest {
            rs,
            members_gen,
            recheck_at: SimTime(u64::MAX),
            settled: 0,
            cpu_request: 0,
            memory_request: 0,
            others: Vec::new(),
        };
        for (p, b) in members {
            match b {
                Some(b) if settled(&b, &input_of(&b), r, now) => {
                    d.settled += 1;
                    d.cpu_request += b.cpu_request.unwrap_or(0) as i128;
                    d.memory_request += (b.memory_request.unwrap_or(0) * 1000) as i128;
                }
                _ => {
                    if let Some(s) = b.and_then(|b| b.start_time) {
                        let at = s + r.cpu_initialization_period;
                        if at > now {
                            d.recheck_at = d.recheck_at.min(at);
                        }
                    }
                    d.others.push(p);
                }
            }
        }
        d
    }

    /// True while the digest still describes `rs` at `members_gen` at `now`.
    pub fn fresh(&self, rs: ReplicaSetId, members_gen: u64, now: SimTime) -> bool {
        self.rs == rs && self.members_gen == members_gen && now < self.recheck_at
    }
}

/// The sampled members of a digest's `others` (count, cpu and memory sums), as a sync reads
/// them from metrics-server.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct OthersSampled {
    /// How many have a sample.
    pub n: u32,
    /// Their cpu samples (millicores).
    pub cpu_milli: i128,
    /// Their memory samples (bytes × 1000).
    pub memory_milli: i128,
}

/// The settled members' (sample sum, request sum) for a cpu or memory metric, when the
/// round's sums give them exactly; None when the sync must visit every member.
///
/// Exact when the ReplicaSet's members are unchanged since the scrape (`round.members_gen`
/// equals `members_gen`, so every pod in the sums is a member) and the sums count exactly the
/// sampled others plus every settled member. Without the generation check a pod deleted after
/// the scrape could stand in, in the count, for a settled member without a sample.
pub fn settled_bulk(
    round: Option<&RsRound>,
    members_gen: u64,
    d: &Digest,
    others: OthersSampled,
    is_cpu: bool,
) -> Option<(i128, i128)> {
    if d.settled == 0 {
        return Some((0, 0));
    }
    let s = round.filter(|s| s.members_gen == members_gen)?;
    (s.sampled.checked_sub(others.n) == Some(d.settled)).then(|| {
        if is_cpu {
            (s.cpu_milli - others.cpu_milli, d.cpu_request)
        } else {
            (s.memory_milli - others.memory_milli, d.memory_request)
        }
    })
}

/// Digests by ReplicaSet slot.
#[derive(Debug, Default)]
pub struct Digests {
    by_rs: Vec<Option<Digest>>,
}

impl Digests {
    /// The digest of `rs` (rebuilt by `build` unless still fresh).
    pub fn get_or_build(
        &mut self,
        rs: ReplicaSetId,
        members_gen: u64,
        now: SimTime,
        build: impl FnOnce() -> Digest,
    ) -> &Digest {
        let j = rs.index() as usize;
        if self.by_rs.len() <= j {
            self.by_rs.resize(j + 1, None);
        }
        let slot = &mut self.by_rs[j];
        if !slot.as_ref().is_some_and(|d| d.fresh(rs, members_gen, now)) {
            *slot = Some(build());
        }
        slot.as_ref().expect("just built")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NodeId;

    fn t(s: u64) -> SimTime {
        SimTime::ZERO + SimDuration::from_secs(s)
    }

    fn brief(id: PodId, start: u64, ready: bool) -> PodBrief {
        PodBrief {
            id,
            phase: PodPhase::Running,
            deleting: false,
            ready_since: ready.then(|| t(start + 5)),
            ready_lost: None,
            start_time: Some(t(start)),
            cpu_request: Some(100),
            memory_request: Some(1 << 20),
            node: Some(NodeId::from_parts(0, 0)),
        }
    }

    fn input(b: &PodBrief) -> PodInput {
        PodInput {
            phase: super::super::replica_calculator::Phase::Running,
            deleting: b.deleting,
            ready: b
                .ready_since
                .map(|s| (true, s))
                .or(b.start_time.map(|s| (false, s))),
            start_time: b.start_time,
            request: Ok(0),
            sample: None,
        }
    }

    #[test]
    fn digest_splits_settled_members_and_rechecks_starting_ones() {
        let rs = ReplicaSetId::from_parts(2, 1);
        let r = Readiness::default();
        let old = brief(PodId::from_parts(0, 0), 0, true);
        let young = brief(PodId::from_parts(1, 0), 200, true);
        let unready = brief(PodId::from_parts(2, 0), 0, false);
        let mut no_request = brief(PodId::from_parts(3, 0), 0, true);
        no_request.memory_request = None;
        let members = [old, young, unready, no_request].map(|b| (b.id, Some(b)));
        let d = Digest::build(rs, 7, members.into_iter(), input, r, t(400));
        assert_eq!(d.settled, 1);
        assert_eq!(d.cpu_request, 100);
        assert_eq!(d.memory_request, (1 << 20) * 1000);
        assert_eq!(d.others, vec![young.id, unready.id, no_request.id]);
        assert_eq!(d.recheck_at, t(500), "the young pod settles at start + 5 m");
        assert!(d.fresh(rs, 7, t(499)));
        assert!(!d.fresh(rs, 7, t(500)));
        assert!(!d.fresh(rs, 8, t(450)), "a member changed");
        assert!(!d.fresh(ReplicaSetId::from_parts(2, 2), 7, t(450)));
    }

    #[test]
    fn settled_members_come_in_bulk_only_when_the_sums_are_exact() {
        let rs = ReplicaSetId::from_parts(0, 0);
        let d = Digest {
            rs,
            members_gen: 5,
            recheck_at: SimTime(u64::MAX),
            settled: 3,
            cpu_request: 600,
            memory_request: 3000,
            others: vec![PodId::from_parts(9, 0)],
        };
        let round = RsRound {
            round: 2,
            rs,
            members_gen: 5,
            sampled: 4,
            cpu_milli: 1000,
            memory_milli: 4000,
        };
        let other = OthersSampled {
            n: 1,
            cpu_milli: 100,
            memory_milli: 1000,
        };
        assert_eq!(
            settled_bulk(Some(&round), 5, &d, other, true),
            Some((900, 600))
        );
        assert_eq!(
            settled_bulk(Some(&round), 5, &d, other, false),
            Some((3000, 3000))
        );
        // A settled member without a sample: one short.
        let fewer = OthersSampled::default();
        assert_eq!(settled_bulk(Some(&round), 5, &d, fewer, true), None);
        // The same count, but a member left after the scrape (the generation moved): a pod
        // no longer counted stands in for a settled member without a sample.
        assert_eq!(settled_bulk(Some(&round), 6, &d, other, true), None);
        assert_eq!(settled_bulk(None, 5, &d, other, true), None, "no sums");
        let none_settled = Digest { settled: 0, ..d };
        assert_eq!(
            settled_bulk(None, 6, &none_settled, other, true),
            Some((0, 0))
        );
    }

    #[test]
    fn owner_tags_round_trip() {
        for rs in [
            None,
            Some(ReplicaSetId::from_parts(0, 0)),
            Some(ReplicaSetId::from_parts(7, 3)),
        ] {
            assert_eq!(tag_owner(owner_tag(rs)), rs);
        }
    }

    #[test]
    fn round_sums_group_samples_by_replicaset_and_round() {
        let rs = ReplicaSetId::from_parts(1, 0);
        let m = |cpu, mem| PodMetrics {
            cpu_milli: cpu,
            memory: mem,
            timestamp: t(30),
            window: SimDuration::from_secs(15),
        };
        let mut s = RoundSums::default();
        s.begin(3);
        s.add(rs, &m(100, 2), |_| 9);
        s.add(rs, &m(50, 1), |_| 99);
        s.add(ReplicaSetId::from_parts(0, 0), &m(7, 7), |_| 0);
        let got = s.get(rs, 3).copied().expect("sampled");
        assert_eq!(
            (
                got.sampled,
                got.cpu_milli,
                got.memory_milli,
                got.members_gen
            ),
            (2, 150, 3000, 9),
            "the generation is read once per round"
        );
        assert_eq!(s.get(rs, 4), None, "an older round");
        assert_eq!(s.get(ReplicaSetId::from_parts(1, 1), 3), None);
        s.begin(4);
        s.add(rs, &m(1, 1), |_| 10);
        assert_eq!(
            s.get(rs, 4).map(|g| (g.sampled, g.members_gen)),
            Some((1, 10))
        );
    }
}
