//! The Job controller (`pkg/controller/job/job_controller.go`, `backoff_utils.go`), for
//! `NonIndexed` Jobs.
//!
//! Each sync counts the Job's finished pods (a pod deleted before it finished counts as
//! failed), then, in upstream order: the Job fails with `BackoffLimitExceeded` when
//! `failed > backoffLimit` (or, with `restartPolicy: OnFailure`, when the container restarts of
//! its active pods reach the limit, `pastBackoffLimitOnFailure`), or with `DeadlineExceeded` once
//! `activeDeadlineSeconds` have passed since it started; a failed Job's active pods are deleted.
//! Otherwise it completes when `succeeded >= completions` (without `completions`: once a pod
//! succeeded and none is active), or `manageJob` keeps `min(parallelism, completions -
//! succeeded)` pods active. New pods wait out the pod-failure back-off
//! (`DefaultJobPodFailureBackOff` 10 s doubling per failure since the last success, capped at
//! `MaxJobPodFailureBackOff` 10 min, counted from the last failure).
//!
//! Pods are owned by the Job (`OwnerRef::Job`) and deleted with it (background propagation).

use super::WorkQueue;
use crate::api::{Kind, Object};
use crate::engine::{RngStreams, SimDuration, SimRng, SimTime, StreamId};
use crate::model::workloads::PodTemplate;
use crate::model::{LabelSet, OwnerRef, PodId, Sym};
use crate::sim::Ctx;
use crate::sim::event::ControllerKind;
use crate::store::events::{EventType, ObjRef};
use crate::store::{Change, NewPod, Op, PodDelta};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// `DefaultJobPodFailureBackOff`.
pub const POD_FAILURE_BACKOFF: SimDuration = SimDuration::from_secs(10);
/// `MaxJobPodFailureBackOff`.
pub const MAX_POD_FAILURE_BACKOFF: SimDuration = SimDuration::from_mins(10);
const SOURCE: &str = "job-controller";

/// A finished Job's condition.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum JobCondition {
    /// `Complete`.
    Complete,
    /// `Failed` with its reason (`BackoffLimitExceeded`, `DeadlineExceeded`).
    Failed(&'static str),
}

/// `status` of a Job.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JobStatus {
    /// Pods not finished and not being deleted.
    pub active: i32,
    /// Active pods that are Ready.
    pub ready: i32,
    /// Pods that succeeded.
    pub succeeded: i32,
    /// Pods that failed.
    pub failed: i32,
    /// When the Job started.
    pub start_time: Option<SimTime>,
    /// When it finished (condition set).
    pub completion_time: Option<SimTime>,
    /// The finished condition.
    pub condition: Option<JobCondition>,
}

/// One Job at run time.
#[derive(Clone, Debug)]
pub struct JobState {
    /// Namespace.
    pub namespace: Sym,
    /// Name.
    pub name: Arc<str>,
    /// Observed state.
    pub status: JobStatus,
    /// `parallelism` (default 1).
    pub parallelism: i32,
    /// `completions` (`None`: work-queue Job).
    pub completions: Option<i32>,
    /// `backoffLimit` (default 6).
    pub backoff_limit: i32,
    /// `activeDeadlineSeconds`.
    pub active_deadline: Option<SimDuration>,
    suspend: bool,
    template: PodTemplate,
    pods: BTreeSet<PodId>,
    finished: BTreeSet<PodId>,
    failures_after_success: u32,
    last_failure: Option<SimTime>,
    deleted: bool,
}

/// The Job controller.
pub struct JobController {
    queue: WorkQueue<u32>,
    jobs: Vec<JobState>,
    by_name: BTreeMap<(Sym, Arc<str>), u32>,
    names: SimRng,
}

/// `getRemainingTime` (`backoff_utils.go`): how long new pods still wait after `failures`
/// failures since the last success, the last at `last_failure`.
pub fn remaining_backoff(failures: u32, last_failure: SimTime, now: SimTime) -> SimDuration {
    if failures == 0 {
        return SimDuration::ZERO;
    }
    let mut d = POD_FAILURE_BACKOFF;
    for _ in 1..failures {
        d = d.saturating_mul(2);
        if d >= MAX_POD_FAILURE_BACKOFF {
            d = MAX_POD_FAILURE_BACKOFF;
            break;
        }
    }
    let elapsed = now.since(last_failure);
    if d < elapsed {
        SimDuration::ZERO
    } else {
        SimDuration(d.as_micros() - elapsed.as_micros())
    }
}

impl JobController {
    /// A controller drawing pod name suffixes from its own stream.
    pub fn new(seeds: &RngStreams) -> Self {
        JobController {
            queue: WorkQueue::new(ControllerKind::Job),
            jobs: Vec::new(),
            by_name: BTreeMap::new(),
            names: seeds.stream(StreamId::new(StreamId::CONTROLLER, 3)),
        }
    }

    /// A Job by namespace and name.
    pub fn job(&self, ns: Sym, name: &str) -> Option<&JobState> {
        let i = *self.by_name.get(&(ns, Arc::from(name)))?;
        self.jobs.get(i as usize).filter(|j| !j.deleted)
    }

    /// All live Jobs, in creation order.
    pub fn jobs(&self) -> impl Iterator<Item = &JobState> + '_ {
        self.jobs.iter().filter(|j| !j.deleted)
    }

    fn job_ref(j: &JobState) -> ObjRef {
        ObjRef {
            kind: Kind::Job,
            namespace: j.namespace,
            name: j.name.clone(),
        }
    }

    /// Watch handler.
    pub fn on_change(&mut self, ch: &Change, cx: &mut Ctx<'_>) {
        match *ch {
            Change::Other(Kind::Job, _) => self.resync_objects(cx),
            Change::Pod(p, op, d) => {
                let Some(pod) = cx.store.pod(p) else { return };
                let Some(OwnerRef::Job(j)) = pod.owner else {
                    return;
                };
                let (phase, deleted) = (pod.status.phase, op == Op::Deleted);
                let Some(job) = self.jobs.get_mut(j as usize) else {
                    return;
                };
                if deleted || (op == Op::Updated && d.has(PodDelta::PHASE) && phase.is_terminal()) {
                    if job.finished.insert(p) {
                        // A pod deleted before it finished counts as failed.
                        if phase == crate::model::pod::PodPhase::Succeeded {
                            job.status.succeeded += 1;
                            job.failures_after_success = 0;
                        } else {
                            job.status.failed += 1;
                            job.failures_after_success += 1;
                            job.last_failure = Some(cx.now);
                        }
                    }
                    if deleted {
                        job.pods.remove(&p);
                        job.finished.remove(&p);
                    }
                }
                if !job.deleted {
                    self.queue.add(j, cx.now, cx.queue);
                }
            }
            _ => {}
        }
    }

    /// Picks up added, changed and deleted Job objects (Jobs are few; this runs only when one
    /// changes).
    fn resync_objects(&mut self, cx: &mut Ctx<'_>) {
        let mut present = BTreeSet::new();
        let objs: Vec<_> = cx
            .store
            .objects_of(Kind::Job)
            .map(|o| (o.object.clone(), o.origin.clone(), o.uid))
            .collect();
        for (obj, origin, uid) in objs {
            let Object::Job(job) = obj.as_ref() else {
                continue;
            };
            let ns = cx
                .store
                .interner
                .intern(job.metadata.namespace.as_deref().unwrap_or("default"));
            let name: Arc<str> = Arc::from(job.metadata.name.as_deref().unwrap_or(""));
            let key = (ns, name.clone());
            let s = &job.spec;
            let parallelism = s.parallelism.unwrap_or(1).max(0);
            // API defaulting: with neither set, completions = parallelism = 1.
            let completions = match (s.completions, s.parallelism) {
                (Some(c), _) => Some(c.max(0)),
                (None, None) => Some(1),
                (None, Some(_)) => None,
            };
            let backoff_limit = s.backoff_limit.unwrap_or(6).max(0);
            let deadline = s
                .active_deadline_seconds
                .filter(|&d| d > 0)
                .map(|d| SimDuration::from_secs(d as u64));
            let suspend = s.suspend.unwrap_or(false);
            if let Some(&i) = self.by_name.get(&key) {
                present.insert(i);
                let j = &mut self.jobs[i as usize];
                if j.deleted {
                    continue;
                }
                j.parallelism = parallelism;
                j.completions = completions;
                j.backoff_limit = backoff_limit;
                j.active_deadline = deadline;
                j.suspend = suspend;
                self.queue.add(i, cx.now, cx.queue);
                continue;
            }
            let template = match crate::model::convert::template(
                &s.template,
                &mut cx.store.interner,
                &origin,
                "spec.template",
            ) {
                Ok(t) => t,
                Err(e) => {
                    let obj = ObjRef {
                        kind: Kind::Job,
                        namespace: ns,
                        name,
                    };
                    cx.store
                        .record(obj, EventType::Warning, "FailedCreate", SOURCE, |_| {
                            e.to_string()
                        });
                    continue;
                }
            };
            let i = self.jobs.len() as u32;
            let mut template = template;
            // Labels the Job controller adds to its pods.
            let uid_text = format!("00000000-0000-4000-8000-{uid:012x}");
            let mut pairs = template.labels.pairs().to_vec();
            for (k, v) in [
                ("batch.kubernetes.io/controller-uid", uid_text.as_str()),
                ("batch.kubernetes.io/job-name", &name),
                ("controller-uid", uid_text.as_str()),
                ("job-name", &name),
            ] {
                pairs.push((cx.store.interner.intern(k), cx.store.interner.intern(v)));
            }
            template.labels = LabelSet::from_pairs(pairs);
            self.jobs.push(JobState {
                namespace: ns,
                name: name.clone(),
                status: JobStatus::default(),
                parallelism,
                completions,
                backoff_limit,
                active_deadline: deadline,
                suspend,
                template,
                pods: BTreeSet::new(),
                finished: BTreeSet::new(),
                failures_after_success: 0,
                last_failure: None,
                deleted: false,
            });
            self.by_name.insert(key, i);
            present.insert(i);
            self.queue.add(i, cx.now, cx.queue);
        }
        // Deleted Jobs: their pods go with them (garbage collector, background propagation).
        for i in 0..self.jobs.len() as u32 {
            let j = &mut self.jobs[i as usize];
            if j.deleted || present.contains(&i) {
                continue;
            }
            j.deleted = true;
            let key = (j.namespace, j.name.clone());
            self.by_name.remove(&key);
            let pods: Vec<PodId> = j.pods.iter().copied().collect();
            super::gc::delete_owned_pods(&pods, cx);
        }
    }

    /// Handles the delayed-requeue timer.
    pub fn on_timer(&mut self, generation: u32, cx: &mut Ctx<'_>) {
        self.queue.on_timer(generation, cx.now, cx.queue);
    }

    /// Drains the work queue.
    pub fn sync(&mut self, cx: &mut Ctx<'_>) {
        for j in self.queue.take() {
            self.sync_job(j, cx);
        }
    }

    /// `syncJob`.
    fn sync_job(&mut self, i: u32, cx: &mut Ctx<'_>) {
        let now = cx.now;
        let Some(job) = self.jobs.get_mut(i as usize) else {
            return;
        };
        if job.deleted {
            return;
        }
        // Active (not finished, not being deleted) pods, oldest first.
        let mut active: Vec<PodId> = Vec::new();
        let (mut ready, mut restarts) = (0, 0u64);
        for &p in &job.pods {
            if let Some(pod) = cx.store.pod(p)
                && pod.is_active()
            {
                active.push(p);
                ready += pod.is_ready() as i32;
                restarts += pod.status.restarts as u64;
            }
        }
        job.status.active = active.len() as i32;
        job.status.ready = ready;
        if job.status.condition.is_some() {
            return;
        }
        if job.suspend {
            return;
        }
        let start = *job.status.start_time.get_or_insert(now);
        if start == now
            && let Some(d) = job.active_deadline
        {
            self.queue.add_at(i, now + d, now, cx.queue);
        }
        let job = &mut self.jobs[i as usize];
        // pastBackoffLimitOnFailure: container restarts of active pods count with OnFailure.
        let on_failure = job.template.spec.restart_policy
            == crate::model::pod::RestartPolicy::OnFailure
            && if job.backoff_limit == 0 {
                restarts > 0
            } else {
                restarts >= job.backoff_limit as u64
            };
        let failed = if job.status.failed > job.backoff_limit || on_failure {
            Some((
                "BackoffLimitExceeded",
                "Job has reached the specified backoff limit",
            ))
        } else if job.active_deadline.is_some_and(|d| now.since(start) >= d) {
            Some((
                "DeadlineExceeded",
                "Job was active longer than specified deadline",
            ))
        } else {
            None
        };
        let obj = Self::job_ref(job);
        if let Some((reason, message)) = failed {
            job.status.condition = Some(JobCondition::Failed(reason));
            job.status.completion_time = None;
            job.status.active = 0;
            job.status.ready = 0;
            self.delete_pods(i, &active, cx);
            cx.store
                .record(obj, EventType::Warning, reason, SOURCE, |_| {
                    message.to_string()
                });
            return;
        }
        let complete = match job.completions {
            Some(c) => job.status.succeeded >= c,
            None => job.status.succeeded > 0 && active.is_empty(),
        };
        if complete {
            job.status.condition = Some(JobCondition::Complete);
            job.status.completion_time = Some(now);
            cx.store
                .record(obj, EventType::Normal, "Completed", SOURCE, |_| {
                    "Job completed".to_string()
                });
            return;
        }
        // manageJob.
        let want = match job.completions {
            None if job.status.succeeded > 0 => active.len() as i32,
            None => job.parallelism,
            Some(c) => (c - job.status.succeeded).clamp(0, job.parallelism),
        };
        let n_active = active.len() as i32;
        if n_active > want {
            let extra: Vec<PodId> = active[want as usize..].to_vec();
            self.delete_pods(i, &extra, cx);
            return;
        }
        if n_active < want {
            let remaining = match job.last_failure {
                Some(t) => remaining_backoff(job.failures_after_success, t, now),
                None => SimDuration::ZERO,
            };
            if remaining > SimDuration::ZERO {
                self.queue.add_at(i, now + remaining, now, cx.queue);
                return;
            }
            for _ in 0..(want - n_active) {
                self.create_pod(i, cx);
            }
            let job = &mut self.jobs[i as usize];
            job.status.active = want;
        }
    }

    fn delete_pods(&mut self, i: u32, pods: &[PodId], cx: &mut Ctx<'_>) {
        let obj = Self::job_ref(&self.jobs[i as usize]);
        for &p in pods {
            let Some(name) = cx.store.pod(p).map(|p| p.name.clone()) else {
                continue;
            };
            if !cx.store.mark_pod_deleting(p, None) {
                cx.store.delete_pod(p);
            }
            cx.store.record(
                obj.clone(),
                EventType::Normal,
                "SuccessfulDelete",
                SOURCE,
                |_| format!("Deleted pod: {name}"),
            );
        }
    }

    fn create_pod(&mut self, i: u32, cx: &mut Ctx<'_>) {
        let job = &self.jobs[i as usize];
        let base = format!("{}-", job.name);
        let ns = job.namespace;
        let mut name = super::replicaset::generate_name(&base, &mut self.names);
        while cx.store.pod_by_name(ns, &name).is_some() {
            name = super::replicaset::generate_name(&base, &mut self.names);
        }
        let name: Arc<str> = Arc::from(name);
        let t = &job.template;
        let res = cx.store.create_pod(NewPod {
            name: name.clone(),
            namespace: ns,
            labels: t.labels.clone(),
            annotations: t.annotations.clone(),
            owner: Some(OwnerRef::Job(i)),
            spec: t.spec.clone(),
        });
        let obj = Self::job_ref(job);
        match res {
            Ok(p) => {
                self.jobs[i as usize].pods.insert(p);
                cx.store
                    .record(obj, EventType::Normal, "SuccessfulCreate", SOURCE, |_| {
                        format!("Created pod: {name}")
                    });
            }
            Err(e) => {
                cx.store
                    .record(obj, EventType::Warning, "FailedCreate", SOURCE, |_| {
                        format!("Error creating: {e}")
                    });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pod_failure_backoff_doubles_from_the_last_failure() {
        let s = |x: u64| SimTime(x * 1_000_000);
        let d = SimDuration::from_secs;
        assert_eq!(remaining_backoff(0, s(0), s(0)), d(0));
        assert_eq!(remaining_backoff(1, s(100), s(100)), d(10));
        assert_eq!(remaining_backoff(1, s(100), s(104)), d(6));
        assert_eq!(remaining_backoff(2, s(100), s(100)), d(20));
        assert_eq!(remaining_backoff(3, s(100), s(100)), d(40));
        assert_eq!(
            remaining_backoff(7, s(100), s(100)),
            d(600),
            "capped at 10 min"
        );
        assert_eq!(remaining_backoff(2, s(100), s(200)), d(0));
    }
}
