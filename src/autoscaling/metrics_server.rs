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

use crate::engine::{SimDuration, SimTime};
use crate::model::ArenaId;
use crate::model::PodId;

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

/// One pod slot's last two points (64 bytes: one cache line).
#[derive(Copy, Clone, Debug)]
#[repr(align(64))]
struct Points {
    /// The pod (meaningful when `seen` is not zero).
    pod: PodId,
    /// The scrape round that last saw the pod (0: the slot holds no points).
    seen: u64,
    /// The time of the scrape before the newest; [`NO_POINT`] until there are two.
    prev_t: SimTime,
    /// The newest scrape.
    last: (SimTime, f64),
    /// Memory working set at the newest scrape (bytes).
    memory: i64,
    /// The cpu rate between the two points (millicores), computed when the newer one is
    /// recorded.
    cpu_milli: i64,
    /// The caller's tag for the pod (see [`Tag`]).
    tag: Tag,
}

/// An opaque value a caller attaches to a pod when its points start and gets back with each of
/// its samples, so that a per-pod lookup (the HPA: the pod's ReplicaSet) is made once per pod
/// rather than once per scrape.
pub type Tag = u64;

/// No earlier point.
const NO_POINT: SimTime = SimTime(u64::MAX);

/// The metrics-server state.
#[derive(Debug)]
pub struct MetricsServer {
    /// `--metric-resolution`.
    pub resolution: SimDuration,
    /// Points by pod slot (the pod id guards against a reused slot).
    points: Vec<Points>,
    round: u64,
    /// The last window converted to seconds.
    window_secs: crate::engine::Elapsed,
}

impl MetricsServer {
    /// A server scraping every `resolution`.
    pub fn new(resolution: SimDuration) -> Self {
        MetricsServer {
            resolution,
            points: Vec::new(),
            round: 0,
            window_secs: crate::engine::Elapsed::default(),
        }
    }

    /// Starts a scrape round. Pods not recorded in a round are forgotten, as metrics-server
    /// drops pods a kubelet no longer reports: a point whose last round is not the newest reads
    /// as absent, so nothing has to be swept.
    pub fn begin_scrape(&mut self) {
        self.round += 1;
    }

    /// Records one pod's counters in the current round (cumulative cpu in millicore-seconds,
    /// memory in bytes); returns what [`MetricsServer::pod`] now serves for it, with the pod's
    /// tag (`tag_of` is asked when the pod's points start).
    #[inline]
    pub fn record(
        &mut self,
        pod: PodId,
        now: SimTime,
        cpu_total: f64,
        memory: i64,
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
                    last: (SimTime::ZERO, 0.0),
                    memory: 0,
                    cpu_milli: 0,
                    tag: 0,
                },
            );
        }
        let p = &mut self.points[i];
        // Live: seen in the previous round (or already in this one).
        if p.seen == 0 || p.seen + 1 < round || p.pod != pod {
            *p = Points {
                pod,
                seen: round,
                prev_t: NO_POINT,
                last: (now, cpu_total),
                memory,
                cpu_milli: 0,
                tag: tag_of(),
            };
            None
        } else {
            p.seen = round;
            if p.last.0 < now {
                let secs = self.window_secs.secs(p.last.0, now);
                p.cpu_milli = crate::engine::num::round_i64((cpu_total - p.last.1) / secs);
                p.prev_t = p.last.0;
                p.last = (now, cpu_total);
                p.memory = memory;
            }
            Self::served(p).map(|m| (m, p.tag))
        }
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
        if p.seen == 0 || p.seen != self.round || p.pod != pod {
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
            timestamp: p.last.0,
            window: p.last.0.since(p.prev_t),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slot_is_one_cache_line() {
        assert!(std::mem::size_of::<Points>() <= 64);
    }

    #[test]
    fn cpu_is_the_rate_between_the_last_two_scrapes() {
        let mut m = MetricsServer::new(DEFAULT_RESOLUTION);
        let p = PodId::from_parts(0, 0);
        let t = |s| SimTime::ZERO + SimDuration::from_secs(s);
        m.begin_scrape();
        m.record(p, t(15), 0.0, 100, || 0);
        assert_eq!(m.pod(p), None, "one point is not a rate");
        m.begin_scrape();
        m.record(p, t(30), 3000.0, 200, || 0); // 3000 millicore-seconds in 15 s: 200m
        assert_eq!(
            m.pod(p),
            Some(PodMetrics {
                cpu_milli: 200,
                memory: 200,
                timestamp: t(30),
                window: DEFAULT_RESOLUTION
            })
        );
        m.begin_scrape();
        assert_eq!(m.pod(p), None, "a pod no longer reported is dropped");
        m.begin_scrape();
        m.record(p, t(60), 9000.0, 300, || 7);
        assert_eq!(m.pod(p), None, "and starts again from one point");
        m.begin_scrape();
        let got = m.record(p, t(75), 9000.0, 300, || {
            panic!("asked when the points start")
        });
        assert_eq!(got.map(|(x, tag)| (x.cpu_milli, tag)), Some((0, 7)));
        assert_eq!(m.pod(p).map(|x| x.cpu_milli), Some(0));
    }
}
