//! A dense mirror of the pod fields that controllers read for every pod of a workload on each
//! sync (the HorizontalPodAutoscaler's replica calculator reads phase, deletion, readiness
//! times, start time and container requests of every target pod every 15 s). The pods
//! themselves are large and scattered; these rows are small and indexed by pod slot, so a
//! sync over 25,000 pods stays in cache. The store refreshes a row at every pod mutation.

use crate::engine::SimTime;
use crate::model::pod::PodPhase;
use crate::model::{ArenaId, Pod, PodId};

/// The hot fields of one pod.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct PodBrief {
    /// The pod (guards against a reused slot).
    pub id: PodId,
    /// Phase.
    pub phase: PodPhase,
    /// Being deleted (deletion timestamp set) or deleted.
    pub deleting: bool,
    /// `status.readySince` (Ready condition true since).
    pub ready_since: Option<SimTime>,
    /// When the pod last lost readiness.
    pub ready_lost: Option<SimTime>,
    /// `status.startTime`.
    pub start_time: Option<SimTime>,
    /// Sum of the app and restartable init containers' cpu requests (millicores), as the
    /// HPA's `calculatePodRequestsFromContainers` adds them; None when one lacks a request.
    pub cpu_request: Option<i64>,
    /// The same sum for memory (bytes); None when one container lacks a request.
    pub memory_request: Option<i64>,
}

impl PodBrief {
    /// The row for `pod`.
    pub fn of(id: PodId, pod: &Pod) -> Self {
        let sum = |cpu: bool| -> Option<i64> {
            let mut total = 0i64;
            for c in pod
                .spec
                .containers
                .iter()
                .chain(pod.spec.init_containers.iter().filter(|c| c.sidecar))
            {
                let (has, v) = if cpu {
                    (c.has_cpu_request, c.requests.cpu)
                } else {
                    (c.has_memory_request, c.requests.memory)
                };
                if !has {
                    return None;
                }
                total += v;
            }
            Some(total)
        };
        PodBrief {
            id,
            phase: pod.status.phase,
            deleting: pod.is_terminating() || pod.deleted,
            ready_since: pod.status.ready_since,
            ready_lost: pod.status.ready_lost,
            start_time: pod.status.start_time,
            cpu_request: sum(true),
            memory_request: sum(false),
        }
    }
}

/// The rows of every pod, by slot.
#[derive(Debug, Default)]
pub struct Briefs {
    rows: Vec<Option<PodBrief>>,
}

impl Briefs {
    /// Rewrites `id`'s row from the pod.
    pub fn refresh(&mut self, id: PodId, pod: &Pod) {
        let i = id.index() as usize;
        if self.rows.len() <= i {
            self.rows.resize(i + 1, None);
        }
        self.rows[i] = Some(PodBrief::of(id, pod));
    }

    /// Drops `id`'s row (its slot is freed).
    pub fn forget(&mut self, id: PodId) {
        if let Some(r) = self.rows.get_mut(id.index() as usize)
            && r.is_some_and(|b| b.id == id)
        {
            *r = None;
        }
    }

    /// `id`'s row, if the pod exists.
    #[inline]
    pub fn get(&self, id: PodId) -> Option<&PodBrief> {
        match self.rows.get(id.index() as usize) {
            Some(Some(b)) if b.id == id => Some(b),
            _ => None,
        }
    }
}
