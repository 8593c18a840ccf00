//! Container exits and restarts.
//!
//! A running app container exits when its `podBehaviors` entry says (or when it is OOM-killed,
//! see [`super::usage`]). The restart policy decides what follows, as upstream:
//!
//! - `Always` restarts every exit, `OnFailure` non-zero exits, `Never` none
//!   (`pkg/kubelet/container/helpers.go` `ShouldContainerBeRestarted`);
//! - restarts back off per container with `flowcontrol.Backoff` (`pkg/util/flowcontrol/backoff.go`,
//!   created in `pkg/kubelet/kubelet.go` with `backOffPeriod` 10 s and `MaxContainerBackOff`
//!   300 s; checked in `kuberuntime_manager.go` `doBackOff`): a container exiting while its
//!   back-off entry is live waits out the entry (`CrashLoopBackOff`); when the restart happens,
//!   `Next` doubles the entry (capped at 300 s), or resets it to 10 s when the exit came more than
//!   2 × 300 s after the last restart (`hasExpired`). So the first exit restarts at once and later
//!   ones wait 10 s, 20 s, 40 s ... 300 s; a container that ran over 10 minutes starts over;
//! - the pod phase follows `getPhase` (`pkg/kubelet/kubelet_pods.go`): Running while any
//!   container runs or will restart; Succeeded when every container exited 0 and none restarts;
//!   Failed when they all stopped, at least one in failure, and none restarts.

use super::{Kubelet, Stage, container_ready_at};
use crate::engine::{SimDuration, SimTime, StreamId};
use crate::model::PodId;
use crate::model::pod::{PodPhase, PodReason, PullPolicy, RestartPolicy};
use crate::sim::Ctx;
use crate::sim::event::{Event, KubeletStep};
use crate::store::PodDelta;
use crate::store::events::EventType;
use std::sync::Arc;

/// Container restart back-off: initial period (`backOffPeriod`, `pkg/kubelet/kubelet.go`).
pub const CRASH_BACKOFF_INITIAL: SimDuration = SimDuration::from_secs(10);
/// Container restart back-off cap (`MaxContainerBackOff`).
pub const CRASH_BACKOFF_MAX: SimDuration = SimDuration::from_secs(300);
/// How long Job pods run when no `podBehaviors` entry matches them (exit code 0).
pub const DEFAULT_JOB_RUN_TIME: SimDuration = SimDuration::from_secs(10);
/// Exit code of an OOM-killed container (SIGKILL).
pub const OOM_EXIT_CODE: i32 = 137;

/// Why a container terminated (`state.terminated.reason`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum TermReason {
    /// Exit code 0.
    Completed,
    /// Non-zero exit code.
    Error,
    /// Killed by the kernel for exceeding its memory limit.
    OomKilled,
}

impl TermReason {
    /// The reason as the API writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            TermReason::Completed => "Completed",
            TermReason::Error => "Error",
            TermReason::OomKilled => "OOMKilled",
        }
    }

    fn pod_reason(self) -> PodReason {
        match self {
            TermReason::Completed => PodReason::Completed,
            TermReason::Error => PodReason::Error,
            TermReason::OomKilled => PodReason::OomKilled,
        }
    }
}

/// A terminated container state (`state.terminated` / `lastState.terminated`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Terminated {
    /// Reason.
    pub reason: TermReason,
    /// Exit code.
    pub exit_code: i32,
    /// When that run started.
    pub started: SimTime,
    /// When it ended.
    pub finished: SimTime,
}

/// A container's status as the API shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContainerStatus {
    /// Container name.
    pub name: Arc<str>,
    /// `restartCount`.
    pub restart_count: u32,
    /// Running since (`state.running.startedAt`).
    pub running_since: Option<SimTime>,
    /// `state.waiting.reason` (`CrashLoopBackOff` while backing off).
    pub waiting: Option<&'static str>,
    /// `state.terminated` for a container that will not restart.
    pub terminated: Option<Terminated>,
    /// `lastState.terminated`.
    pub last_state: Option<Terminated>,
    /// When the pending restart happens (end of the back-off).
    pub restart_at: Option<SimTime>,
}

/// One app container at run time.
#[derive(Clone, Debug, Default)]
pub(super) struct Ctr {
    pub(super) running_since: Option<SimTime>,
    /// Planned exit: time and exit code.
    exit: Option<(SimTime, i32)>,
    /// Restart due (end of back-off, or now).
    restart_at: Option<SimTime>,
    /// A restarted container becomes running.
    running_at: Option<SimTime>,
    /// Terminated for good.
    done: Option<Terminated>,
    restarts: u32,
    /// The back-off entry (`ZERO`: none).
    backoff: SimDuration,
    backoff_updated: SimTime,
    last: Option<Terminated>,
}

/// Which behaviour drives a pod's containers.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(super) enum BehaviorRef {
    /// `podBehaviors[i]`.
    Scenario(u16),
    /// A Job pod without an entry: exit 0 after [`DEFAULT_JOB_RUN_TIME`].
    JobDefault,
}

/// Per-pod container state (part of the kubelet's pod run).
#[derive(Clone, Debug, Default)]
pub(super) struct RunLife {
    pub(super) ctrs: Vec<Ctr>,
    pub(super) behavior: Option<BehaviorRef>,
    wake_at: Option<SimTime>,
    /// The first app container with `running_since` set (kept by
    /// [`RunLife::set_running_since`], so the load tick does not scan `ctrs`).
    pub(super) first_running: Option<u16>,
    /// The node the containers run on (set when they all started).
    pub(super) node: Option<crate::model::NodeId>,
    /// The pod's cpu and memory limits (`usage::pod_limits`), set when they all started.
    pub(super) limits: (Option<i64>, Option<i64>),
}

impl RunLife {
    /// Sets or clears container `i`'s `running_since`.
    pub(super) fn set_running_since(&mut self, i: usize, v: Option<SimTime>) {
        self.ctrs[i].running_since = v;
        self.refresh_running();
    }

    /// Recomputes [`RunLife::first_running`] after `ctrs` changed.
    pub(super) fn refresh_running(&mut self) {
        self.first_running = self
            .ctrs
            .iter()
            .position(|c| c.running_since.is_some())
            .map(|i| i as u16);
    }
}

/// Whether `pod` belongs to the workload `kind`/`name` (through its ReplicaSet for a
/// Deployment; a Job's pods carry its name in the `job-name` label).
fn owned_by(
    pod: &crate::model::Pod,
    kind: crate::api::Kind,
    name: &str,
    store: &crate::store::Store,
) -> bool {
    use crate::api::Kind;
    use crate::model::OwnerRef;
    match (kind, pod.owner) {
        (Kind::Job, Some(OwnerRef::Job(_))) => {
            let key = store.interner.lookup("job-name");
            key.and_then(|k| pod.labels.get(k))
                .is_some_and(|v| store.interner.resolve(v) == name)
        }
        (Kind::ReplicaSet, Some(OwnerRef::ReplicaSet(rs))) => {
            store.replicaset(rs).is_some_and(|r| &*r.name == name)
        }
        (Kind::Deployment, Some(OwnerRef::ReplicaSet(rs))) => store
            .replicaset(rs)
            .and_then(|r| match r.owner {
                Some(OwnerRef::Deployment(d)) => store.deployment(d),
                _ => None,
            })
            .is_some_and(|d| &*d.name == name),
        _ => false,
    }
}

/// `flowcontrol.Backoff` `hasExpired`: the entry restarts when the event comes more than twice
/// the maximum after the entry's last update.
fn backoff_expired(event: SimTime, last_update: SimTime) -> bool {
    event.since(last_update) > CRASH_BACKOFF_MAX.saturating_mul(2)
}

/// `flowcontrol.Backoff.Next`: the entry's new period after a restart.
pub fn next_backoff(current: SimDuration, last_update: SimTime, finished: SimTime) -> SimDuration {
    if current == SimDuration::ZERO || backoff_expired(finished, last_update) {
        CRASH_BACKOFF_INITIAL
    } else {
        current.saturating_mul(2).min(CRASH_BACKOFF_MAX)
    }
}

impl Kubelet {
    /// Container statuses of a pod the kubelet runs (app containers, spec order).
    pub fn container_statuses(
        &self,
        p: PodId,
        store: &crate::store::Store,
    ) -> Vec<ContainerStatus> {
        use crate::model::ArenaId;
        let Some(Some(run)) = self.runs.get(p.index() as usize) else {
            return Vec::new();
        };
        if run.pod != p {
            return Vec::new();
        }
        let Some(pod) = store.pod(p) else {
            return Vec::new();
        };
        run.life
            .ctrs
            .iter()
            .zip(pod.spec.containers.iter())
            .map(|(c, spec)| ContainerStatus {
                name: spec.name.clone(),
                restart_count: c.restarts,
                running_since: c.running_since,
                waiting: match c.restart_at {
                    Some(t) if t > store.now() => Some("CrashLoopBackOff"),
                    _ => None,
                },
                terminated: c.done,
                last_state: c.last,
                restart_at: c.restart_at,
            })
            .collect()
    }

    /// All containers have started: record the app containers' runs and plan their exits.
    pub(super) fn containers_running(&mut self, p: PodId, cx: &mut Ctx<'_>) {
        let Some(pod) = cx.store.pod(p) else { return };
        let ni = pod.spec.init_containers.len();
        let n = pod.spec.containers.len();
        let behavior = self.behavior_for(pod, cx);
        let Some(run) = self.run(p) else { return };
        let starts: Vec<Option<SimTime>> = run.started[ni..].to_vec();
        run.life.behavior = behavior;
        run.life.ctrs = vec![Ctr::default(); n];
        run.life.refresh_running();
        run.life.node = pod.status.node;
        run.life.limits = super::usage::pod_limits(pod);
        for (i, s) in starts.into_iter().enumerate() {
            if let Some(s) = s {
                if let Some(run) = self.run(p) {
                    run.life.set_running_since(i, Some(s));
                }
                self.plan_exit(p, i, s, cx);
            }
        }
        self.arm(p, cx);
    }

    fn behavior_for(&self, pod: &crate::model::Pod, cx: &Ctx<'_>) -> Option<BehaviorRef> {
        for (i, b) in self.ext.behaviors.iter().enumerate() {
            if b.namespace == pod.namespace
                && b.selector.matches(&pod.labels, &cx.store.interner)
                && b.workload
                    .as_ref()
                    .is_none_or(|(k, n)| owned_by(pod, *k, n, cx.store))
            {
                return Some(BehaviorRef::Scenario(i as u16));
            }
        }
        matches!(pod.owner, Some(crate::model::OwnerRef::Job(_))).then_some(BehaviorRef::JobDefault)
    }

    /// Plans container `i`'s exit for a run that started at `started`.
    fn plan_exit(&mut self, p: PodId, i: usize, started: SimTime, cx: &mut Ctx<'_>) {
        let Some(pod) = cx.store.pod(p) else { return };
        let (uid, name) = (pod.uid, pod.spec.containers[i].name.clone());
        let Some(run) = self.run(p) else { return };
        let Some(b) = run.life.behavior else { return };
        let restarts = run.life.ctrs[i].restarts;
        let (run_time, code, jitter) = match b {
            BehaviorRef::JobDefault => (DEFAULT_JOB_RUN_TIME, 0, SimDuration::ZERO),
            BehaviorRef::Scenario(k) => {
                let beh = &self.ext.behaviors[k as usize];
                if !beh.containers.is_empty() && !beh.containers.iter().any(|c| **c == *name) {
                    return;
                }
                (beh.run_time, beh.exit_code, beh.jitter)
            }
        };
        let extra = if jitter > SimDuration::ZERO {
            // Counter-based draw: (pod uid, container, restart) -> independent of event order.
            let u = self.ext.seeds.counter_f64(
                StreamId::new(StreamId::KUBELET, 0),
                uid,
                ((i as u64) << 32) | restarts as u64,
            );
            SimDuration((u * jitter.as_micros() as f64) as u64)
        } else {
            SimDuration::ZERO
        };
        let run = self.run(p).expect("checked");
        run.life.ctrs[i].exit = Some((started + run_time + extra, code));
    }

    /// Schedules the pod's container timer at its earliest pending container event.
    fn arm(&mut self, p: PodId, cx: &mut Ctx<'_>) {
        let now = cx.now;
        let Some(run) = self.run(p) else { return };
        let next = run
            .life
            .ctrs
            .iter()
            .flat_map(|c| [c.exit.map(|e| e.0), c.restart_at, c.running_at])
            .flatten()
            .min();
        let Some(t) = next else { return };
        let t = t.max(now);
        if run.life.wake_at.is_none_or(|w| t < w || w < now) {
            run.life.wake_at = Some(t);
            cx.queue.push(
                t,
                Event::Kubelet(p, run.generation, KubeletStep::ContainerTimer),
            );
        }
    }

    /// The container timer: exits, restarts and restarted containers that are due.
    pub(super) fn on_container_timer(&mut self, p: PodId, cx: &mut Ctx<'_>) {
        let now = cx.now;
        let Some(run) = self.run(p) else { return };
        if run.stage != Stage::Running {
            return;
        }
        if run.life.wake_at.is_some_and(|w| w <= now) {
            run.life.wake_at = None;
        }
        let n = run.life.ctrs.len();
        for i in 0..n {
            let Some(run) = self.run(p) else { return };
            if run.stage != Stage::Running {
                return;
            }
            let c = &run.life.ctrs[i];
            if let Some((t, code)) = c.exit
                && t <= now
                && c.running_since.is_some()
            {
                let reason = if code == 0 {
                    TermReason::Completed
                } else {
                    TermReason::Error
                };
                self.container_exited(p, i, code, reason, cx);
            }
        }
        for i in 0..n {
            if self.run(p).is_some_and(|r| {
                r.stage == Stage::Running && r.life.ctrs[i].restart_at.is_some_and(|t| t <= now)
            }) {
                self.restart_container(p, i, cx);
            }
        }
        for i in 0..n {
            if self.run(p).is_some_and(|r| {
                r.stage == Stage::Running && r.life.ctrs[i].running_at.is_some_and(|t| t <= now)
            }) {
                self.container_running_again(p, i, cx);
            }
        }
        self.arm(p, cx);
    }

    /// App container `i` terminated with `code` (`reason`): restart it per the restart policy
    /// and back-off, or finish the pod when nothing will restart.
    pub(super) fn container_exited(
        &mut self,
        p: PodId,
        i: usize,
        code: i32,
        reason: TermReason,
        cx: &mut Ctx<'_>,
    ) {
        let now = cx.now;
        let Some(pod) = cx.store.pod(p) else { return };
        let policy = pod.spec.restart_policy;
        let ni = pod.spec.init_containers.len();
        let name = pod.spec.containers[i].name.clone();
        let Some(run) = self.run(p) else { return };
        if run.stage != Stage::Running {
            return;
        }
        let Some(started) = run.life.ctrs[i].running_since else {
            return;
        };
        run.life.set_running_since(i, None);
        let c = &mut run.life.ctrs[i];
        let term = Terminated {
            reason,
            exit_code: code,
            started,
            finished: now,
        };
        c.exit = None;
        run.started[ni + i] = None;
        // A pending readiness result belongs to the dead container.
        run.generation += 1;
        run.life.wake_at = None;
        // ShouldContainerBeRestarted.
        let restart = match policy {
            RestartPolicy::Always => true,
            RestartPolicy::OnFailure => code != 0,
            RestartPolicy::Never => false,
        };
        let mut backing_off = false;
        if restart {
            c.last = Some(term);
            // doBackOff: IsInBackOffSince(key, finishedAt) on a live entry.
            if c.backoff > SimDuration::ZERO && !backoff_expired(now, c.backoff_updated) {
                c.restart_at = Some(now + c.backoff);
                backing_off = true;
            } else {
                c.restart_at = Some(now);
            }
        } else {
            c.done = Some(term);
        }
        if reason == TermReason::OomKilled {
            self.ext.stats.oom_kills += 1;
        }
        let run = self.run(p).expect("checked");
        let all_done = run.life.ctrs.iter().all(|c| c.done.is_some());
        cx.store.set_pod_ready(p, false);
        if all_done {
            // getPhase: every container stopped and none restarts.
            let ok = run
                .life
                .ctrs
                .iter()
                .all(|c| c.done.is_some_and(|t| t.exit_code == 0));
            let shown = run
                .life
                .ctrs
                .iter()
                .rev()
                .filter_map(|c| c.done)
                .find(|t| t.exit_code != 0)
                .map(|t| t.reason)
                .unwrap_or(TermReason::Completed);
            run.stage = Stage::Done;
            run.started.iter_mut().for_each(|s| *s = None);
            cx.store
                .update_pod_status(p, PodDelta::STATUS, |s| s.reason = Some(shown.pod_reason()));
            cx.store.set_pod_phase(
                p,
                if ok {
                    PodPhase::Succeeded
                } else {
                    PodPhase::Failed
                },
            );
            return;
        }
        let shown = if backing_off {
            PodReason::CrashLoopBackOff
        } else {
            reason.pod_reason()
        };
        cx.store
            .update_pod_status(p, PodDelta::STATUS, |s| s.reason = Some(shown));
        if backing_off {
            let obj = cx.store.pod_ref(p);
            cx.store
                .record(obj, EventType::Warning, "BackOff", "kubelet", |s| {
                    // format.Pod: name_namespace(uid).
                    let pod = s.pod(p).expect("exists");
                    format!(
                        "Back-off restarting failed container {name} in pod {}_{}({})",
                        pod.name,
                        s.interner.resolve(pod.namespace),
                        pod.uid_string()
                    )
                });
        }
        self.arm(p, cx);
    }

    /// Starts a new run of container `i` (after its back-off, if any).
    fn restart_container(&mut self, p: PodId, i: usize, cx: &mut Ctx<'_>) {
        let now = cx.now;
        let start = self.cfg.container_start;
        let Some(pod) = cx.store.pod(p) else { return };
        let spec = &pod.spec.containers[i];
        let (name, image, policy) = (spec.name.clone(), spec.image, spec.pull_policy);
        let image = cx.store.interner.resolve(image).to_string();
        let Some(run) = self.run(p) else { return };
        let c = &mut run.life.ctrs[i];
        c.restart_at = None;
        // Backoff.Next(key, finishedAt).
        let finished = c.last.map(|t| t.finished).unwrap_or(now);
        c.backoff = next_backoff(c.backoff, c.backoff_updated, finished);
        c.backoff_updated = now;
        c.restarts += 1;
        c.running_at = Some(now + start);
        self.ext.stats.container_restarts += 1;
        cx.store
            .update_pod_status(p, PodDelta::STATUS, |s| s.restarts += 1);
        let obj = cx.store.pod_ref(p);
        if policy != PullPolicy::Always {
            let im = image.clone();
            cx.store
                .record(obj.clone(), EventType::Normal, "Pulled", "kubelet", |_| {
                    format!("Container image \"{im}\" already present on machine")
                });
        }
        let n2 = name.clone();
        cx.store
            .record(obj.clone(), EventType::Normal, "Created", "kubelet", |_| {
                format!("Created container: {n2}")
            });
        cx.store
            .record(obj, EventType::Normal, "Started", "kubelet", |_| {
                format!("Started container {name}")
            });
    }

    /// A restarted container is running: plan its exit; the pod is Ready again when every
    /// container is running and has passed its readiness probe.
    fn container_running_again(&mut self, p: PodId, i: usize, cx: &mut Ctx<'_>) {
        let now = cx.now;
        let Some(pod) = cx.store.pod(p) else { return };
        let ni = pod.spec.init_containers.len();
        let Some(run) = self.run(p) else { return };
        run.life.set_running_since(i, Some(now));
        let c = &mut run.life.ctrs[i];
        c.running_at = None;
        run.started[ni + i] = Some(now);
        self.plan_exit(p, i, now, cx);
        let pod = cx.store.pod(p).expect("checked");
        let run = self.run(p).expect("checked");
        let all_running = run.life.ctrs.iter().all(|c| c.running_since.is_some());
        if !all_running {
            return;
        }
        let mut ready_at = now;
        for (k, started) in run.started.iter().enumerate() {
            let c = Self::container(pod, k);
            if k < ni && !c.sidecar {
                continue;
            }
            let Some(s) = *started else { continue };
            ready_at = ready_at.max(container_ready_at(c, run.added, s));
        }
        let generation = run.generation;
        cx.store
            .update_pod_status(p, PodDelta::STATUS, |s| s.reason = None);
        cx.queue
            .push(ready_at, Event::Kubelet(p, generation, KubeletStep::Ready));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crash_backoff_doubles_caps_and_resets() {
        let s = |x: u64| SimTime(x * 1_000_000);
        let d = SimDuration::from_secs;
        // No entry: 10 s.
        assert_eq!(next_backoff(SimDuration::ZERO, s(0), s(5)), d(10));
        // Live entry: doubles.
        assert_eq!(next_backoff(d(10), s(0), s(30)), d(20));
        assert_eq!(next_backoff(d(160), s(0), s(30)), d(300));
        assert_eq!(next_backoff(d(300), s(0), s(30)), d(300));
        // Exactly 2 x max after the last update is not expired; one microsecond more is.
        assert_eq!(next_backoff(d(300), s(0), s(600)), d(300));
        assert_eq!(
            next_backoff(d(300), s(0), SimTime(600_000_001)),
            CRASH_BACKOFF_INITIAL
        );
    }
}
