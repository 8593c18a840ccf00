//! The simulation's event type: a small `Copy` enum of ids routed by one `match`.

use crate::model::PodId;
use crate::store::Change;

/// Which controller a work-queue event is for.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum ControllerKind {
    /// The Deployment controller.
    Deployment,
    /// The ReplicaSet controller.
    ReplicaSet,
    /// The garbage collector.
    GarbageCollector,
    /// The DaemonSet controller.
    DaemonSet,
    /// The StatefulSet controller.
    StatefulSet,
    /// The Job controller.
    Job,
    /// The HorizontalPodAutoscaler controller.
    Hpa,
}

/// Steps of the node agent's work on one pod.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum KubeletStep {
    /// Look at the pod and start working on it.
    Sync,
    /// An image pull finished.
    ImagePulled,
    /// An image pull failed.
    ImagePullFailed,
    /// An init container finished.
    InitDone,
    /// The app containers are running.
    ContainersStarted,
    /// The readiness probe first succeeds.
    Ready,
    /// Containers have stopped after a deletion.
    Terminated,
    /// A running pod's container timer: a planned exit, a restart after back-off, or a
    /// restarted container running.
    ContainerTimer,
}

/// Scheduler wake-ups.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum SchedulerWake {
    /// Run a scheduling cycle.
    Cycle,
    /// Give up on pods whose volumes did not bind within `bindTimeoutSeconds`.
    BindTimeout,
    /// Move pods whose backoff has expired to the active queue (every 1 s).
    FlushBackoff,
    /// Move pods unschedulable for over 5 minutes back (every 30 s).
    FlushUnschedulable,
}

/// PersistentVolume controller wake-ups.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum StorageWake {
    /// The provisioner has created the claim's volume.
    Provisioned(crate::store::volumes::ClaimId),
    /// The periodic resync of pending claims (every 15 s while any are pending).
    Resync,
}

/// Everything that can happen in a simulation.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Event {
    /// A watch notification to deliver.
    Watch(Change),
    /// Scenario action number `n`.
    Action(u32),
    /// Drain a controller's work queue.
    Controller(ControllerKind),
    /// A controller's delayed requeue timer (generation-checked).
    ControllerTimer(ControllerKind, u32),
    /// A scheduler wake-up.
    Scheduler(SchedulerWake),
    /// A node agent step for a pod (generation-checked against the pod's run).
    Kubelet(PodId, u32, KubeletStep),
    /// The node lifecycle controller's monitor tick.
    NodeMonitor,
    /// A node being provisioned comes up (index into the simulation's provisioning table).
    NodeUp(u32),
    /// The taint-eviction controller's timer (generation-checked).
    TaintEviction(u32),
    /// A `kubectl drain`'s timer: drain number, generation.
    Drain(u32, u32),
    /// A PersistentVolume controller timer.
    Storage(StorageWake),
    /// Recompute load rates (and the kubelet acts on the resulting usage).
    LoadTick,
    /// The kubelet eviction manager's housekeeping tick (every 10 s).
    EvictionMonitor,
    /// metrics-server's scrape.
    MetricsScrape,
    /// The Cluster Autoscaler's loop (`RunOnce`).
    ClusterAutoscaler,
    /// The VPA recommender's loop.
    VpaTick,
    /// Record a row of the time series.
    Sample,
}

const _: () = assert!(std::mem::size_of::<Event>() <= 32, "events must stay small");

impl Event {
    /// A code and an id for the event hash.
    pub fn hash_key(&self) -> (u8, u64) {
        match self {
            Event::Watch(c) => {
                let (k, id) = c.code();
                (k.wrapping_add(100), id)
            }
            Event::Action(n) => (1, *n as u64),
            Event::Controller(k) => (2, *k as u64),
            Event::ControllerTimer(k, g) => (3, ((*k as u64) << 32) | *g as u64),
            Event::Scheduler(w) => (4, *w as u64),
            Event::Kubelet(p, g, s) => (5 + *s as u8, p.to_u64() ^ ((*g as u64) << 48)),
            Event::NodeMonitor => (20, 0),
            Event::NodeUp(n) => (21, *n as u64),
            Event::TaintEviction(g) => (22, *g as u64),
            Event::LoadTick => (23, 0),
            Event::Sample => (24, 0),
            Event::Drain(k, g) => (27, ((*k as u64) << 32) | *g as u64),
            Event::Storage(StorageWake::Provisioned(c)) => (25, c.0 as u64),
            Event::Storage(StorageWake::Resync) => (26, 0),
            Event::EvictionMonitor => (28, 0),
            Event::MetricsScrape => (29, 0),
            Event::ClusterAutoscaler => (30, 0),
            Event::VpaTick => (31, 0),
        }
    }
}
