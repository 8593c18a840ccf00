//! A dense mirror of the pod fields that controllers read for every pod of a workload on each
//! sync (the HorizontalPodAutoscaler's replica calculator reads phase, deletion, readiness
//! times, start time and container requests of every target pod every 15 s). The pods
//! themselves are large and scattered; these rows are small and indexed by pod slot, so a
//! sync over 25,000 pods stays in cache. The store refreshes a row at every pod mutation.

use crate::engine::SimTime;
use crate::model::pod::PodPhase;
use crate::model::{ArenaId, NodeId, Pod, PodId};

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
    /// `status.nodeName`: the node the pod is bound to.
    pub node: Option<NodeId>,
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
            node: pod.status.node,
        }
    }
}

/// A stored row: [`PodBrief`] packed into one 64-byte cache line (`None` times and requests
/// as flags), so a sync over a workload's pods costs one line per pod.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[repr(align(64))]
struct Row {
    id: PodId,
    ready_since: SimTime,
    ready_lost: SimTime,
    start_time: SimTime,
    cpu_request: i64,
    memory_request: i64,
    node: NodeId,
    phase: PodPhase,
    deleting: bool,
    /// Bit 0: occupied; bits 1-6: ready_since, ready_lost, start_time, cpu_request,
    /// memory_request, node are set.
    flags: u8,
}

const OCCUPIED: u8 = 1;
const READY_SINCE: u8 = 2;
const READY_LOST: u8 = 4;
const START_TIME: u8 = 8;
const CPU_REQUEST: u8 = 16;
const MEMORY_REQUEST: u8 = 32;
const NODE: u8 = 64;

impl Row {
    fn pack(b: &PodBrief) -> Row {
        let mut flags = OCCUPIED;
        let mut set = |v: bool, f: u8| {
            if v {
                flags |= f;
            }
        };
        set(b.ready_since.is_some(), READY_SINCE);
        set(b.ready_lost.is_some(), READY_LOST);
        set(b.start_time.is_some(), START_TIME);
        set(b.cpu_request.is_some(), CPU_REQUEST);
        set(b.memory_request.is_some(), MEMORY_REQUEST);
        set(b.node.is_some(), NODE);
        Row {
            id: b.id,
            ready_since: b.ready_since.unwrap_or_default(),
            ready_lost: b.ready_lost.unwrap_or_default(),
            start_time: b.start_time.unwrap_or_default(),
            cpu_request: b.cpu_request.unwrap_or_default(),
            memory_request: b.memory_request.unwrap_or_default(),
            node: b.node.unwrap_or(NodeId::from_parts(0, 0)),
            phase: b.phase,
            deleting: b.deleting,
            flags,
        }
    }

    #[inline]
    fn unpack(&self) -> PodBrief {
        let f = self.flags;
        let opt = |bit: u8, v| (f & bit != 0).then_some(v);
        PodBrief {
            id: self.id,
            phase: self.phase,
            deleting: self.deleting,
            ready_since: opt(READY_SINCE, self.ready_since),
            ready_lost: opt(READY_LOST, self.ready_lost),
            start_time: opt(START_TIME, self.start_time),
            cpu_request: (f & CPU_REQUEST != 0).then_some(self.cpu_request),
            memory_request: (f & MEMORY_REQUEST != 0).then_some(self.memory_request),
            node: (f & NODE != 0).then_some(self.node),
        }
    }
}

/// The rows of every pod, by slot.
#[derive(Debug, Default)]
pub struct Briefs {
    rows: Vec<Row>,
}

impl Briefs {
    /// Rewrites `id`'s row from the pod; true when the row changed.
    pub fn refresh(&mut self, id: PodId, pod: &Pod) -> bool {
        let i = id.index() as usize;
        let row = Row::pack(&PodBrief::of(id, pod));
        if self.rows.len() <= i {
            self.rows.resize(i + 1, Row { flags: 0, ..row });
        }
        let changed = self.rows[i] != row;
        self.rows[i] = row;
        changed
    }

    /// Drops `id`'s row (its slot is freed).
    pub fn forget(&mut self, id: PodId) {
        if let Some(r) = self.rows.get_mut(id.index() as usize)
            && r.flags & OCCUPIED != 0
            && r.id == id
        {
            r.flags = 0;
        }
    }

    /// Every pod's row, in slot order (the order the pod arena iterates in).
    pub fn iter(&self) -> impl Iterator<Item = PodBrief> + '_ {
        self.rows
            .iter()
            .filter(|r| r.flags & OCCUPIED != 0)
            .map(Row::unpack)
    }

    /// `id`'s row, if the pod exists.
    #[inline]
    pub fn get(&self, id: PodId) -> Option<PodBrief> {
        match self.rows.get(id.index() as usize) {
            Some(r) if r.flags & OCCUPIED != 0 && r.id == id => Some(r.unpack()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packed_rows_give_back_every_field() {
        let t = |s| Some(SimTime::ZERO + crate::engine::SimDuration::from_secs(s));
        let id = PodId::from_parts(3, 7);
        for bits in 0..64u8 {
            let b = PodBrief {
                id,
                phase: PodPhase::Running,
                deleting: bits & 1 != 0,
                ready_since: if bits & 1 != 0 { t(5) } else { None },
                ready_lost: if bits & 2 != 0 { t(0) } else { None },
                start_time: if bits & 4 != 0 { t(1) } else { None },
                cpu_request: if bits & 8 != 0 { Some(250) } else { None },
                memory_request: if bits & 16 != 0 { Some(0) } else { None },
                node: (bits & 32 != 0).then(|| NodeId::from_parts(9, 2)),
            };
            assert_eq!(Row::pack(&b).unpack(), b);
        }
        assert_eq!(std::mem::size_of::<Row>(), 64);
        let mut rows = Briefs::default();
        assert_eq!(rows.get(id), None);
        rows.rows.push(Row::pack(&PodBrief {
            id: PodId::from_parts(0, 1),
            phase: PodPhase::Pending,
            deleting: false,
            ready_since: None,
            ready_lost: None,
            start_time: None,
            cpu_request: None,
            memory_request: None,
            node: None,
        }));
        assert!(rows.get(PodId::from_parts(0, 1)).is_some());
        assert_eq!(
            rows.get(PodId::from_parts(0, 2)),
            None,
            "a reused slot's old row"
        );
        assert_eq!(rows.iter().count(), 1);
        rows.forget(PodId::from_parts(0, 1));
        assert_eq!(rows.iter().count(), 0);
        assert_eq!(rows.get(PodId::from_parts(0, 1)), None);
    }
}
