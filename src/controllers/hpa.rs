//! The HorizontalPodAutoscaler controller (`pkg/controller/podautoscaler/horizontal.go`,
//! `reconcileAutoscaler`), with the metrics pipeline it reads (`autoscaling::metrics_server`).
//!
//! Each HPA is reconciled every `--horizontal-pod-autoscaler-sync-period` (15 s), the first
//! time 15 s after it appears (the work queue's fixed-interval rate limiter). A reconcile
//! reads the target's scale (Deployment or ReplicaSet `spec.replicas`), applies the min/max
//! rules, computes one proposal per metric with the replica calculator
//! (`autoscaling::hpa::replica_calculator`), takes the largest, normalizes it (legacy path
//! without `behavior`, else stabilization windows and rate policies) and rescales the target,
//! recording `SuccessfulRescale` with upstream's text.
//!
//! Metric sources: `Resource` and `ContainerResource` (cpu, memory) from metrics-server;
//! `Pods` metrics: every name gives the pod's served requests per second from the load model;
//! `External` metrics: the offered requests per second of the `load` entry with that name.
//! `Object` metrics are not simulated (`FailedGetObjectMetric`). Scale targets: Deployments,
//! ReplicaSets and StatefulSets.

use crate::api::autoscaling as api;
use crate::api::{self as apiroot, Kind};
use crate::autoscaling::hpa::normalize::{Behavior, History};
use crate::autoscaling::hpa::replica_calculator::{
    self as rc, PodInput, Readiness, Sample, Tolerances,
};
use crate::autoscaling::hpa::spec::{ControllerDefaults, behavior_of};
use crate::autoscaling::hpa::sums::{
    Digest, Digests, OthersSampled, RoundSums, owner_tag, settled_bulk, tag_owner,
};
use crate::autoscaling::metrics_server::{DEFAULT_RESOLUTION, MetricsServer};
use crate::controllers::WorkQueue;
use crate::engine::{SimDuration, SimTime};
use crate::kubelet::Kubelet;
use crate::model::pod::PodPhase;
use crate::model::{DeploymentId, OwnerRef, PodId, ReplicaSetId, Sym};
use crate::sim::Ctx;
use crate::sim::event::{ControllerKind, Event};
use crate::store::events::{EventType, ObjRef};
use crate::store::{Change, Store};
use crate::traffic::Traffic;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

/// `--horizontal-pod-autoscaler-sync-period`.
pub const SYNC_PERIOD: SimDuration = SimDuration::from_secs(15);

/// A condition: status, reason, message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    /// True or False.
    pub status: bool,
    /// Reason.
    pub reason: &'static str,
    /// Message (most are constant texts: no allocation per sync).
    pub message: Cow<'static, str>,
}

/// One entry of `status.currentMetrics`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CurrentMetric {
    /// The metric's name as the events word it (e.g. `cpu resource utilization (percentage
    /// of request)`; the resource metrics' names are constant texts).
    pub name: Cow<'static, str>,
    /// Utilization percent for Utilization targets, else the average or total value (milli).
    pub value: i64,
}

/// An HPA's status.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HpaStatus {
    /// `currentReplicas` at the last reconcile.
    pub current_replicas: i32,
    /// `desiredReplicas`.
    pub desired_replicas: i32,
    /// `lastScaleTime`.
    pub last_scale_time: Option<SimTime>,
    /// `currentMetrics`.
    pub current_metrics: Vec<CurrentMetric>,
    /// `AbleToScale`.
    pub able_to_scale: Option<Condition>,
    /// `ScalingActive`.
    pub scaling_active: Option<Condition>,
    /// `ScalingLimited`.
    pub scaling_limited: Option<Condition>,
    /// Reconciles so far.
    pub syncs: u64,
}

/// One HorizontalPodAutoscaler at run time.
#[derive(Debug)]
pub struct Hpa {
    /// Namespace.
    pub namespace: Sym,
    /// Name.
    pub name: Arc<str>,
    uid: u64,
    spec: api::HpaSpec,
    behavior: Option<Behavior>,
    tolerances: Tolerances,
    history: History,
    /// Status.
    pub status: HpaStatus,
    deleted: bool,
    /// The target Deployment as last resolved (checked against its name before reuse).
    target_deployment: Option<DeploymentId>,
}

enum Target {
    Deployment(DeploymentId),
    ReplicaSet(ReplicaSetId),
    StatefulSet(Arc<str>),
}

type Sets = crate::controllers::statefulset::StatefulSetController;

impl Hpa {
    /// The HPA's spec (`autoscaling/v2`, v1 manifests converted).
    pub fn spec(&self) -> &api::HpaSpec {
        &self.spec
    }
}

/// The HPA controller and the metrics-server it reads.
pub struct HpaController {
    hpas: Vec<Hpa>,
    by_key: BTreeMap<(Sym, Arc<str>), u32>,
    queue: WorkQueue<u32>,
    /// The metrics pipeline.
    pub metrics: MetricsServer,
    /// The newest scrape's samples summed per ReplicaSet.
    sums: RoundSums,
    /// Per ReplicaSet: which members are settled (see `autoscaling::hpa::sums`).
    digests: Digests,
    scrape_armed: bool,
    defaults: ControllerDefaults,
    readiness: Readiness,
}

impl Default for HpaController {
    fn default() -> Self {
        Self::new(DEFAULT_RESOLUTION)
    }
}

fn cond(
    status: bool,
    reason: &'static str,
    message: impl Into<Cow<'static, str>>,
) -> Option<Condition> {
    Some(Condition {
        status,
        reason,
        message: message.into(),
    })
}

impl HpaController {
    /// A controller whose metrics-server scrapes every `resolution`.
    pub fn new(resolution: SimDuration) -> Self {
        HpaController {
            hpas: Vec::new(),
            by_key: BTreeMap::new(),
            queue: WorkQueue::new(ControllerKind::Hpa),
            metrics: MetricsServer::new(resolution),
            sums: RoundSums::default(),
            digests: Digests::default(),
            scrape_armed: false,
            defaults: ControllerDefaults::default(),
            readiness: Readiness::default(),
        }
    }

    /// The HPAs (deleted ones included, flagged), in creation order.
    pub fn hpas(&self) -> impl Iterator<Item = &Hpa> {
        self.hpas.iter().filter(|h| !h.deleted)
    }

    /// An HPA by namespace and name.
    pub fn get(&self, ns: Sym, name: &str) -> Option<&Hpa> {
        let i = *self.by_key.get(&(ns, Arc::from(name)))?;
        self.hpas.get(i as usize).filter(|h| !h.deleted)
    }

    /// Watch notifications: HPAs created, changed or deleted.
    pub fn on_change(&mut self, ch: &Change, cx: &mut Ctx<'_>) {
        if let Change::Other(Kind::HorizontalPodAutoscaler, _) = ch {
            self.resync_objects(cx);
        }
    }

    fn resync_objects(&mut self, cx: &mut Ctx<'_>) {
        let objs: Vec<(u64, Arc<apiroot::Object>)> = cx
            .store
            .objects_of(Kind::HorizontalPodAutoscaler)
            .map(|o| (o.uid, o.object.clone()))
            .collect();
        let mut live = Vec::new();
        for (uid, obj) in objs {
            let apiroot::Object::HorizontalPodAutoscaler(h) = obj.as_ref() else {
                continue;
            };
            let ns = cx
                .store
                .interner
                .intern(h.metadata.namespace.as_deref().unwrap_or("default"));
            let name: Arc<str> = Arc::from(h.metadata.name.as_deref().unwrap_or(""));
            let (behavior, tolerances) = behavior_of(h.spec.behavior.as_ref(), self.defaults);
            match self.by_key.get(&(ns, name.clone())).copied() {
                Some(i) if !self.hpas[i as usize].deleted => {
                    let e = &mut self.hpas[i as usize];
                    if e.uid != uid {
                        // Updated (apply of a changed manifest): new spec, same history.
                        e.uid = uid;
                        e.spec = h.spec.clone();
                        e.behavior = behavior;
                        e.tolerances = tolerances;
                    }
                    live.push(i);
                }
                _ => {
                    let i = self.hpas.len() as u32;
                    self.hpas.push(Hpa {
                        namespace: ns,
                        name: name.clone(),
                        uid,
                        spec: h.spec.clone(),
                        behavior,
                        tolerances,
                        history: History::default(),
                        status: HpaStatus::default(),
                        deleted: false,
                        target_deployment: None,
                    });
                    self.by_key.insert((ns, name), i);
                    live.push(i);
                    // The work queue's rate limiter delays even the first sync by the period.
                    self.queue.add_at(i, cx.now + SYNC_PERIOD, cx.now, cx.queue);
                }
            }
        }
        for (i, h) in self.hpas.iter_mut().enumerate() {
            if !live.contains(&(i as u32)) {
                h.deleted = true;
            }
        }
        if !self.scrape_armed && self.hpas.iter().any(|h| !h.deleted) {
            self.scrape_armed = true;
            cx.queue
                .push(cx.now + self.metrics.resolution, Event::MetricsScrape);
        }
    }

    /// The work-queue timer.
    pub fn on_timer(&mut self, generation: u32, cx: &mut Ctx<'_>) {
        self.queue.on_timer(generation, cx.now, cx.queue);
    }

    /// metrics-server's scrape: every running pod on every kubelet (metrics-server scrapes
    /// whole nodes, not HPA targets).
    pub fn on_scrape(&mut self, kubelet: &mut Kubelet, cx: &mut Ctx<'_>) {
        let now = cx.now;
        self.metrics.begin_scrape(now);
        self.sums.begin(self.metrics.round());
        let mut sink = Scrape {
            metrics: &mut self.metrics,
            sums: &mut self.sums,
            store: cx.store,
            now,
        };
        kubelet.scrape(now, &mut sink);
        #[cfg(debug_assertions)]
        {
            let running = kubelet.debug_running(now);
            self.metrics.check_round(&running);
            // The sums are the per-pod samples summed per ReplicaSet.
            let mut by_rs: BTreeMap<ReplicaSetId, (u32, i128, i128)> = BTreeMap::new();
            for &(p, _, _) in &running {
                if let (Some(m), Some(OwnerRef::ReplicaSet(rs))) =
                    (self.metrics.pod(p), cx.store.pod(p).and_then(|x| x.owner))
                {
                    let e = by_rs.entry(rs).or_default();
                    *e = (
                        e.0 + 1,
                        e.1 + m.cpu_milli as i128,
                        e.2 + m.memory as i128 * 1000,
                    );
                }
            }
            for (rs, (n, cpu, mem)) in by_rs {
                let got = self.sums.get(rs, self.metrics.round()).expect("sums");
                assert_eq!(
                    (got.sampled, got.cpu_milli, got.memory_milli),
                    (n, cpu, mem)
                );
            }
        }
        if self.hpas.iter().any(|h| !h.deleted) {
            cx.queue
                .push(cx.now + self.metrics.resolution, Event::MetricsScrape);
        } else {
            self.scrape_armed = false;
        }
    }

    /// Reconciles the HPAs due now.
    pub fn sync(&mut self, traffic: &Traffic, sets: &Sets, cx: &mut Ctx<'_>) {
        for i in self.queue.take() {
            if self.hpas.get(i as usize).is_some_and(|h| !h.deleted) {
                self.reconcile(i as usize, traffic, sets, cx);
                self.queue.add_at(i, cx.now + SYNC_PERIOD, cx.now, cx.queue);
            }
        }
    }

    /// `reconcileAutoscaler`.
    fn reconcile(&mut self, i: usize, traffic: &Traffic, sets: &Sets, cx: &mut Ctx<'_>) {
        let now = cx.now;
        let readiness = self.readiness;
        let h = &mut self.hpas[i];
        h.status.syncs += 1;
        let obj = ObjRef {
            kind: Kind::HorizontalPodAutoscaler,
            namespace: h.namespace,
            name: h.name.clone(),
        };
        let Some(t) = target(h, cx.store) else {
            let r = &h.spec.scale_target_ref;
            let msg = format!(
                "the HPA controller was unable to get the target's current scale: {} {:?} not found or not scalable in the simulation",
                r.kind, r.name
            );
            h.status.able_to_scale = cond(false, "FailedGetScale", msg.clone());
            cx.store
                .record(obj, EventType::Warning, "FailedGetScale", SOURCE, |_| msg);
            return;
        };
        let current = match &t {
            Target::Deployment(d) => cx.store.deployment(*d).map_or(0, |d| d.replicas),
            Target::ReplicaSet(r) => cx.store.replicaset(*r).map_or(0, |r| r.replicas),
            Target::StatefulSet(name) => match cx
                .store
                .object(Kind::StatefulSet, h.namespace, name)
                .map(|o| o.object.as_ref())
            {
                Some(apiroot::Object::StatefulSet(ss)) => ss.spec.replicas.unwrap_or(1),
                _ => 0,
            },
        };
        let min = h.spec.min_replicas.unwrap_or(1);
        let max = h.spec.max_replicas;
        h.status.current_replicas = current;
        h.status.able_to_scale = cond(
            true,
            "SucceededGetScale",
            "the HPA controller was able to get the target's current scale",
        );
        if h.history.recommendation_count() == 0 {
            h.history.record_initial(current, now);
        }
        let mut reason = String::new();
        let desired;
        let mut note: Option<String> = None;
        let tracing = cx.store.trace.enabled();
        let hobj = obj.clone();
        if current == 0 && min != 0 {
            h.status.scaling_active = cond(
                false,
                "ScalingDisabled",
                "scaling is disabled since the replica count of the target is zero",
            );
            h.status.desired_replicas = 0;
            cx.store.cause(
                "HpaSync",
                None,
                |_| vec![hobj],
                |_| "target has 0 replicas: scaling disabled (ScalingActive=False)".to_string(),
            );
            return;
        } else if current > max {
            reason = "Current number of replicas above Spec.MaxReplicas".into();
            desired = max;
        } else if current < min {
            reason = "Current number of replicas below Spec.MinReplicas".into();
            desired = min;
        } else {
            let scope = Scope::new(&t, h.namespace, cx.store, sets);
            let sources = Sources {
                metrics: &self.metrics,
                sums: &self.sums,
                traffic,
                readiness,
            };
            match compute_replicas(h, current, &scope, &sources, &mut self.digests, cx) {
                Ok((proposal, metric, metrics)) => {
                    h.status.current_metrics = metrics;
                    // The same condition as last sync keeps its message (no reformatting).
                    const VALID: &str =
                        "the HPA was able to successfully calculate a replica count from ";
                    if !h.status.scaling_active.as_ref().is_some_and(|c| {
                        c.status
                            && c.reason == "ValidMetricFound"
                            && c.message.strip_prefix(VALID) == Some(&*metric)
                    }) {
                        h.status.scaling_active =
                            cond(true, "ValidMetricFound", format!("{VALID}{metric}"));
                    }
                    if proposal > current {
                        reason = format!("{metric} above target");
                    } else if proposal < current {
                        reason = "All metrics below target".into();
                    }
                    let n = match &h.behavior {
                        Some(b) => h
                            .history
                            .normalize_with_behavior(b, current, proposal, min, max, now),
                        None => h.history.normalize_legacy(
                            current,
                            proposal,
                            min,
                            max,
                            SimDuration::from_secs(
                                self.defaults.downscale_stabilization_seconds as u64,
                            ),
                            now,
                        ),
                    };
                    h.status.able_to_scale = cond(true, n.able_to_scale.0, n.able_to_scale.1);
                    h.status.scaling_limited = cond(
                        n.scaling_limited.0,
                        n.scaling_limited.1.0,
                        n.scaling_limited.1.1,
                    );
                    desired = n.replicas;
                    if tracing {
                        let seen: Vec<String> = h
                            .status
                            .current_metrics
                            .iter()
                            .map(|m| format!("{} = {}", m.name, m.value))
                            .collect();
                        let limited = if n.scaling_limited.0 {
                            format!(
                                "limited: {} ({})",
                                n.scaling_limited.1.0, n.scaling_limited.1.1
                            )
                        } else {
                            "not limited".to_string()
                        };
                        let how = if h.behavior.is_some() {
                            "behavior (stabilization window, rate policies)"
                        } else {
                            "legacy normalization (5m downscale stabilization)"
                        };
                        note = Some(format!(
                            "current {current} replicas (min {min}, max {max}); metrics seen: {}; raw proposal {proposal} from {metric}; after {how}: {desired}, {limited}; AbleToScale {}: {}",
                            if seen.is_empty() {
                                "none".to_string()
                            } else {
                                seen.join(", ")
                            },
                            n.able_to_scale.0,
                            n.able_to_scale.1
                        ));
                    }
                }
                Err((why, err)) => {
                    let e3 = err.clone();
                    cx.store.cause(
                        "HpaSync",
                        None,
                        |_| vec![hobj],
                        |_| format!("current {current} replicas; no proposal ({why}): {e3}"),
                    );
                    h.status.scaling_active = cond(
                        false,
                        why,
                        format!("the HPA was unable to compute the replica count: {err}"),
                    );
                    let e2 = err.clone();
                    cx.store
                        .record(obj.clone(), EventType::Warning, why, SOURCE, |_| e2);
                    cx.store.record(
                        obj,
                        EventType::Warning,
                        "FailedComputeMetricsReplicas",
                        SOURCE,
                        |_| err,
                    );
                    h.status.desired_replicas = current;
                    return;
                }
            }
        }
        h.status.desired_replicas = desired;
        if tracing {
            let base = note.unwrap_or_else(|| {
                format!("current {current} replicas (min {min}, max {max}): {reason}")
            });
            let result = if desired == current {
                "result: no change".to_string()
            } else {
                format!("result: rescale {current} -> {desired}")
            };
            cx.store.cause(
                "HpaSync",
                None,
                |_| vec![hobj],
                |_| format!("{base}; {result}"),
            );
        }
        if desired == current {
            return;
        }
        match &t {
            Target::Deployment(d) => cx.store.update_deployment(*d, |x| x.replicas = desired),
            Target::ReplicaSet(r) => cx.store.update_replicaset(*r, |x| x.replicas = desired),
            // The scale subresource of a StatefulSet writes its spec: store the changed manifest.
            Target::StatefulSet(name) => {
                if let Some(o) = cx.store.object(Kind::StatefulSet, h.namespace, name) {
                    let origin = o.origin.clone();
                    let mut obj = (*o.object).clone();
                    if let apiroot::Object::StatefulSet(ss) = &mut obj {
                        ss.spec.replicas = Some(desired);
                    }
                    cx.store.put_object(obj, origin);
                }
            }
        }
        if let Some(b) = &h.behavior {
            h.history.store_scale_event(b, current, desired, now);
        }
        h.status.last_scale_time = Some(now);
        h.status.able_to_scale = cond(
            true,
            "SucceededRescale",
            format!("the HPA controller was able to update the target scale to {desired}"),
        );
        cx.store
            .record(obj, EventType::Normal, "SuccessfulRescale", SOURCE, |_| {
                format!("New size: {desired}; reason: {reason}")
            });
    }
}

const SOURCE: &str = "horizontal-pod-autoscaler";

fn target(h: &mut Hpa, store: &Store) -> Option<Target> {
    let r = &h.spec.scale_target_ref;
    match r.kind.as_str() {
        "Deployment" => {
            // The Deployment found last time, while it is still the one of that name.
            let cached = h.target_deployment.filter(|&d| {
                store
                    .deployment(d)
                    .is_some_and(|x| !x.deleted && x.namespace == h.namespace && *x.name == *r.name)
            });
            let d = cached.or_else(|| store.deployment_by_name(h.namespace, &r.name));
            h.target_deployment = d;
            d.map(Target::Deployment)
        }
        "ReplicaSet" => store
            .replicaset_by_name(h.namespace, &r.name)
            .map(Target::ReplicaSet),
        "StatefulSet" => store
            .object(Kind::StatefulSet, h.namespace, &r.name)
            .map(|_| Target::StatefulSet(Arc::from(r.name.as_str()))),
        _ => None,
    }
}

/// The pods the target's selector matches (every ReplicaSet of a Deployment; a StatefulSet's
/// members).
fn target_pods(t: &Target, ns: Sym, store: &Store, sets: &Sets) -> Vec<PodId> {
    let mut out = Vec::new();
    let rss = match t {
        Target::Deployment(d) => store.replicasets_of(*d),
        Target::ReplicaSet(r) => vec![*r],
        Target::StatefulSet(name) => {
            if let Some(s) = sets.get(ns, name) {
                out.extend(s.pods());
            }
            out.sort();
            return out;
        }
    };
    let several = rss.len() > 1;
    for rs in rss {
        if let Some(r) = store.replicaset(rs) {
            out.extend(r.pods.iter().copied());
        }
    }
    // One ReplicaSet's pods come sorted already.
    if several {
        out.sort();
    }
    out
}

/// The target's pods as a sync reads them: its ReplicaSets, and the sorted list of every pod
/// the selector matches, built only when a metric needs it.
struct Scope<'a> {
    target: &'a Target,
    ns: Sym,
    sets: &'a Sets,
    /// The target's ReplicaSets (none for a StatefulSet).
    rss: Vec<ReplicaSetId>,
    pods: std::cell::OnceCell<Vec<PodId>>,
}

impl<'a> Scope<'a> {
    fn new(target: &'a Target, ns: Sym, store: &Store, sets: &'a Sets) -> Self {
        let rss = match target {
            Target::Deployment(d) => store.replicasets_of(*d),
            Target::ReplicaSet(r) => vec![*r],
            Target::StatefulSet(_) => Vec::new(),
        };
        Scope {
            target,
            ns,
            sets,
            rss,
            pods: std::cell::OnceCell::new(),
        }
    }

    /// Every pod the target's selector matches, in pod order.
    fn pods(&self, store: &Store) -> &[PodId] {
        self.pods
            .get_or_init(|| target_pods(self.target, self.ns, store, self.sets))
    }
}

/// One scrape on its way from the kubelets into metrics-server and the HPA's per-ReplicaSet
/// sums.
struct Scrape<'a> {
    metrics: &'a mut MetricsServer,
    sums: &'a mut RoundSums,
    store: &'a Store,
    now: SimTime,
}

impl crate::kubelet::usage::ScrapeSink for Scrape<'_> {
    fn left(&mut self, left: crate::kubelet::usage::Left) {
        self.metrics.left(left);
    }

    fn group(&mut self, group: u32, cum: u64, memory: i64) {
        self.metrics.group(group, cum, memory);
    }

    fn groups_done(&mut self) {
        let (sums, store) = (&mut *self.sums, self.store);
        self.metrics.for_each_group_sum(|tag, pods, cpu, memory| {
            if let Some(rs) = tag_owner(tag) {
                sums.add_many(rs, pods, cpu, memory, |rs| members_gen(store, rs));
            }
        });
    }

    fn pod(&mut self, p: PodId, cum: u64, memory: i64, join: Option<u32>) {
        let store = self.store;
        let owner = || {
            owner_tag(match store.pod(p).and_then(|x| x.owner) {
                Some(OwnerRef::ReplicaSet(rs)) => Some(rs),
                _ => None,
            })
        };
        if let Some((m, tag)) = self.metrics.record(p, self.now, cum, memory, join, owner)
            && let Some(rs) = tag_owner(tag)
        {
            self.sums.add(rs, &m, |rs| members_gen(store, rs));
        }
    }
}

/// A ReplicaSet's `members_gen` (0 when it is gone).
fn members_gen(store: &Store, rs: ReplicaSetId) -> u64 {
    store.replicaset(rs).map_or(0, |r| r.members_gen)
}

/// Where a sync reads metrics from.
struct Sources<'a> {
    metrics: &'a MetricsServer,
    sums: &'a RoundSums,
    traffic: &'a Traffic,
    readiness: Readiness,
}

type Proposals = (i32, Cow<'static, str>, Vec<CurrentMetric>);

/// `computeReplicasForMetrics`: one proposal per metric, the largest wins; all failing (or
/// some failing while the others would scale down) is an error.
fn compute_replicas(
    h: &Hpa,
    current: i32,
    scope: &Scope<'_>,
    src: &Sources<'_>,
    digests: &mut Digests,
    cx: &Ctx<'_>,
) -> Result<Proposals, (&'static str, String)> {
    let mut best: Option<(i32, Cow<'static, str>)> = None;
    let mut statuses = Vec::with_capacity(h.spec.metrics.len());
    let mut invalid = 0;
    let mut first_err: Option<(&'static str, String)> = None;
    for m in &h.spec.metrics {
        match metric_proposal(h, m, current, scope, src, digests, cx) {
            Ok((replicas, name, value)) => {
                statuses.push(CurrentMetric {
                    name: name.clone(),
                    value,
                });
                if best.as_ref().is_none_or(|(r, _)| replicas > *r) {
                    best = Some((replicas, name));
                }
            }
            Err(e) => {
                invalid += 1;
                first_err.get_or_insert(e);
            }
        }
    }
    let n = h.spec.metrics.len();
    if n == 0 {
        return Err((
            "InvalidMetricSourceType",
            "no metrics specified".to_string(),
        ));
    }
    if let Some((why, err)) = first_err
        && (invalid == n || best.as_ref().is_some_and(|(r, _)| *r < current))
    {
        return Err((
            why,
            format!("invalid metrics ({invalid} invalid out of {n}), first error is: {err}"),
        ));
    }
    let (r, name) = best.expect("at least one valid metric");
    Ok((r, name, statuses))
}

/// A resource metric's name as the events word it: `{cpu|memory} {resource|container
/// resource}[ utilization (percentage of request)]`.
fn resource_metric_name(is_cpu: bool, container: bool, utilization: bool) -> Cow<'static, str> {
    Cow::Borrowed(match (is_cpu, container, utilization) {
        (true, false, true) => "cpu resource utilization (percentage of request)",
        (true, true, true) => "cpu container resource utilization (percentage of request)",
        (false, false, true) => "memory resource utilization (percentage of request)",
        (false, true, true) => "memory container resource utilization (percentage of request)",
        (true, false, false) => "cpu resource",
        (true, true, false) => "cpu container resource",
        (false, false, false) => "memory resource",
        (false, true, false) => "memory container resource",
    })
}

fn resource_name(r: &str) -> Option<bool> {
    match r {
        "cpu" => Some(true),
        "memory" => Some(false),
        _ => None,
    }
}

fn metric_proposal(
    h: &Hpa,
    m: &api::MetricSpec,
    current: i32,
    scope: &Scope<'_>,
    src: &Sources<'_>,
    digests: &mut Digests,
    cx: &Ctx<'_>,
) -> Result<(i32, Cow<'static, str>, i64), (&'static str, String)> {
    use api::MetricSourceType as T;
    let tol = h.tolerances;
    let now = cx.now;
    let (metrics, traffic, readiness) = (src.metrics, src.traffic, src.readiness);
    let tally_of = |digests: &mut Digests, is_cpu: bool, container: Option<&str>, pct: i32| {
        let mut tally = rc::Tally::new(is_cpu, readiness, now, pct);
        if container.is_none() && !matches!(scope.target, Target::StatefulSet(_)) {
            tally_replicasets(scope, src, digests, cx.store, now, &mut tally);
        } else {
            tally_pods(
                scope.pods(cx.store),
                is_cpu,
                container,
                metrics,
                cx.store,
                &mut tally,
            );
        }
        tally
    };
    match m.type_ {
        T::Resource | T::ContainerResource => {
            let (name, container, target, why) = match m.type_ {
                T::Resource => {
                    let r = m.resource.as_ref().ok_or((
                        "FailedGetResourceMetric",
                        "resource metric without `resource`".to_string(),
                    ))?;
                    (&r.name, None, &r.target, "FailedGetResourceMetric")
                }
                _ => {
                    let r = m.container_resource.as_ref().ok_or((
                        "FailedGetContainerResourceMetric",
                        "container resource metric without `containerResource`".to_string(),
                    ))?;
                    (
                        &r.name,
                        Some(r.container.as_str()),
                        &r.target,
                        "FailedGetContainerResourceMetric",
                    )
                }
            };
            let is_cpu = resource_name(name).ok_or((
                why,
                format!("{name} is not a resource the simulation measures"),
            ))?;
            match target.type_ {
                api::MetricTargetType::Utilization => {
                    let pct = target.average_utilization.unwrap_or(0);
                    let tally = tally_of(digests, is_cpu, container, pct);
                    let p = rc::resource_replicas_of(current, pct, tol, &tally)
                        .map_err(|e| {
                            (
                                why,
                                format!(
                                    "failed to get {name} utilization: unable to get metrics for resource {name}: {e}"
                                ),
                            )
                        })?;
                    Ok((
                        p.replicas,
                        resource_metric_name(is_cpu, container.is_some(), true),
                        p.utilization,
                    ))
                }
                _ => {
                    let v = target
                        .average_value
                        .as_ref()
                        .and_then(|q| q.milli_value().ok())
                        .ok_or((why, "missing averageValue".to_string()))?;
                    let tally = tally_of(digests, is_cpu, container, 0);
                    let p = rc::plain_replicas_of(current, v, tol, &tally)
                        .map_err(|e| {
                            (
                                why,
                                format!("failed to get {name} usage: unable to get metrics for resource {name}: {e}"),
                            )
                        })?;
                    Ok((
                        p.replicas,
                        resource_metric_name(is_cpu, container.is_some(), false),
                        p.utilization,
                    ))
                }
            }
        }
        T::Pods => {
            let pm = m.pods.as_ref().ok_or((
                "FailedGetPodsMetric",
                "pods metric without `pods`".to_string(),
            ))?;
            let v = pm
                .target
                .average_value
                .as_ref()
                .and_then(|q| q.milli_value().ok())
                .ok_or(("FailedGetPodsMetric", "missing averageValue".to_string()))?;
            let inputs: Vec<PodInput> = scope
                .pods(cx.store)
                .iter()
                .filter_map(|&p| {
                    let pod = cx.store.pod(p)?;
                    let running = pod.status.phase == PodPhase::Running;
                    let mut i = base_input(pod, Ok(0));
                    if running {
                        let rps = traffic.pod_demand(p, cx.store).rps;
                        i.sample = Some(Sample {
                            value: (rps * 1000.0).round() as i64,
                            timestamp: now,
                            window: SimDuration::from_secs(60),
                        });
                    }
                    Some(i)
                })
                .collect();
            let p = rc::plain_replicas(current, v, false, tol, &inputs, readiness, now).map_err(
                |e| {
                    (
                        "FailedGetPodsMetric",
                        format!(
                            "failed to get pods metric value: unable to get metric {}: {e}",
                            pm.metric.name
                        ),
                    )
                },
            )?;
            Ok((
                p.replicas,
                Cow::Owned(format!("pods metric {}", pm.metric.name)),
                p.utilization,
            ))
        }
        T::External => {
            let em = m.external.as_ref().ok_or((
                "FailedGetExternalMetric",
                "external metric without `external`".to_string(),
            ))?;
            let Some(src) = traffic
                .sources
                .iter()
                .find(|s| s.spec.name == em.metric.name)
            else {
                return Err((
                    "FailedGetExternalMetric",
                    format!(
                        "unable to get external metric {}: no load entry of that name",
                        em.metric.name
                    ),
                ));
            };
            let usage = (src.rate * 1000.0).round() as i64;
            let name = Cow::Owned(format!("external metric {}(nil)", em.metric.name));
            if let Some(v) = em.target.value.as_ref().and_then(|q| q.milli_value().ok()) {
                let ready = scope
                    .pods(cx.store)
                    .iter()
                    .filter_map(|&p| cx.store.pod(p))
                    .filter(|p| p.status.phase == PodPhase::Running && p.is_ready())
                    .count() as i64;
                let r = rc::value_replicas(current, usage as f64 / v as f64, tol, ready);
                Ok((r, name, usage))
            } else {
                let v = em
                    .target
                    .average_value
                    .as_ref()
                    .and_then(|q| q.milli_value().ok())
                    .ok_or((
                        "FailedGetExternalMetric",
                        "missing target value".to_string(),
                    ))?;
                let (r, avg) = rc::per_pod_replicas(current.max(1), usage, v, tol);
                Ok((r, name, avg))
            }
        }
        T::Object => Err((
            "FailedGetObjectMetric",
            "object metrics are not simulated".to_string(),
        )),
    }
}

fn base_input(pod: &crate::model::Pod, request: Result<i64, String>) -> PodInput {
    input_of(
        pod.status.phase,
        pod.is_terminating() || pod.deleted,
        pod.status.ready_since,
        pod.status.ready_lost,
        pod.status.start_time,
        request,
    )
}

/// The calculator's view of a pod from its phase, deletion, readiness times and start time.
fn input_of(
    phase: PodPhase,
    deleting: bool,
    ready_since: Option<SimTime>,
    ready_lost: Option<SimTime>,
    start_time: Option<SimTime>,
    request: Result<i64, String>,
) -> PodInput {
    let phase = match phase {
        PodPhase::Pending => rc::Phase::Pending,
        PodPhase::Running => rc::Phase::Running,
        PodPhase::Succeeded => rc::Phase::Succeeded,
        PodPhase::Failed => rc::Phase::Failed,
    };
    let ready = match (ready_since, ready_lost, start_time) {
        (Some(t), _, _) => Some((true, t)),
        (None, Some(t), _) => Some((false, t)),
        (None, None, Some(start)) => Some((false, start)),
        (None, None, None) => None,
    };
    PodInput {
        phase,
        deleting,
        ready,
        start_time,
        request,
        sample: None,
    }
}

/// Counts a Deployment's or ReplicaSet's pods into the tally of a pod-level cpu or memory
/// metric: per ReplicaSet, the settled members in bulk from the scrape's sums when that is
/// exact (members unchanged since the scrape, every settled member sampled), the others pod
/// by pod; else every member pod by pod (see `autoscaling::hpa::sums`). Gives what
/// [`tally_pods`] over the sorted pods gives.
fn tally_replicasets(
    scope: &Scope<'_>,
    src: &Sources<'_>,
    digests: &mut Digests,
    store: &Store,
    now: SimTime,
    tally: &mut rc::Tally,
) {
    let metrics = src.metrics;
    let is_cpu = tally.is_cpu();
    let round = metrics.round();
    for &rs in &scope.rss {
        let Some(r) = store.replicaset(rs) else {
            continue;
        };
        let gen_ = r.members_gen;
        let d = digests.get_or_build(rs, gen_, now, || {
            Digest::build(
                rs,
                gen_,
                r.pods.iter().map(|&p| (p, store.pod_brief(p))),
                |b| {
                    input_of(
                        b.phase,
                        b.deleting,
                        b.ready_since,
                        b.ready_lost,
                        b.start_time,
                        Ok(0),
                    )
                },
                src.readiness,
                now,
            )
        });
        let mut others = OthersSampled::default();
        if d.settled > 0 {
            for m in d.others.iter().filter_map(|&p| metrics.pod(p)) {
                others.n += 1;
                others.cpu_milli += m.cpu_milli as i128;
                others.memory_milli += (m.memory * 1000) as i128;
            }
        }
        let bulk = settled_bulk(src.sums.get(rs, round), gen_, d, others, is_cpu);
        match bulk {
            Some((values, requests)) => {
                tally.add_ready(d.settled, values, requests);
                tally_pods(&d.others, is_cpu, None, metrics, store, tally);
            }
            None => tally_pods(r.pods.as_slice(), is_cpu, None, metrics, store, tally),
        }
    }
    // The first request error in pod order names the error; with several ReplicaSets, count
    // again in that order.
    if scope.rss.len() > 1 && tally.has_request_error() {
        let mut t = tally.fresh();
        tally_pods(scope.pods(store), is_cpu, None, metrics, store, &mut t);
        *tally = t;
    }
    #[cfg(debug_assertions)]
    {
        let mut t = tally.fresh();
        tally_pods(scope.pods(store), is_cpu, None, metrics, store, &mut t);
        debug_assert_eq!(*tally, t, "bulk tally differs from the per-pod one");
    }
}

/// Counts the target's pods into the calculator's tally for a cpu or memory metric
/// (milli-units: millicores, or bytes × 1000 as upstream's `MilliValue`), in pod order.
fn tally_pods(
    pods: &[PodId],
    is_cpu: bool,
    container: Option<&str>,
    metrics: &MetricsServer,
    store: &Store,
    tally: &mut rc::Tally,
) {
    for &p in pods {
        // A pod-level metric whose pod declares every request reads only the dense brief.
        if container.is_none()
            && let Some(b) = store.pod_brief(p)
            && let Some(request) = if is_cpu {
                b.cpu_request
            } else {
                b.memory_request.map(|m| m * 1000)
            }
        {
            let mut i = input_of(
                b.phase,
                b.deleting,
                b.ready_since,
                b.ready_lost,
                b.start_time,
                Ok(request),
            );
            i.sample = metrics.pod(p).map(|m| Sample {
                value: if is_cpu { m.cpu_milli } else { m.memory * 1000 },
                timestamp: m.timestamp,
                window: m.window,
            });
            debug_assert_eq!(
                Some(&i),
                pod_input(p, is_cpu, container, metrics, store).as_ref()
            );
            tally.add(&i);
        } else if let Some(i) = pod_input(p, is_cpu, container, metrics, store) {
            tally.add(&i);
        }
    }
}

/// One pod's input for a cpu or memory metric, read from the pod object.
fn pod_input(
    p: PodId,
    is_cpu: bool,
    container: Option<&str>,
    metrics: &MetricsServer,
    store: &Store,
) -> Option<PodInput> {
    let res = if is_cpu { "cpu" } else { "memory" };
    let pod = store.pod(p)?;
    // calculatePodRequestsFromContainers: regular and restartable init containers.
    let mut request: Result<i64, String> = Ok(0);
    let mut found = container.is_none();
    for c in pod
        .spec
        .containers
        .iter()
        .chain(pod.spec.init_containers.iter().filter(|c| c.sidecar))
    {
        if container.is_some_and(|n| n != &*c.name) {
            continue;
        }
        found = true;
        let has = if is_cpu {
            c.has_cpu_request
        } else {
            c.has_memory_request
        };
        if !has {
            request = Err(format!(
                "missing request for {res} in container {} of Pod {}",
                c.name, pod.name
            ));
            break;
        }
        if let Ok(r) = request.as_mut() {
            *r += if is_cpu {
                c.requests.cpu
            } else {
                c.requests.memory * 1000
            };
        }
    }
    if !found {
        request = Err(format!(
            "container {} not found in Pod {}",
            container.unwrap_or(""),
            pod.name
        ));
    }
    // A ContainerResource metric reads one container's usage; the model's usage is
    // per pod, so it is attributed to the containers in proportion to their requests.
    let share = match (container, &request) {
        (Some(_), Ok(mine)) => {
            let total: i64 = pod
                .spec
                .containers
                .iter()
                .chain(pod.spec.init_containers.iter().filter(|c| c.sidecar))
                .map(|c| {
                    if is_cpu {
                        c.requests.cpu
                    } else {
                        c.requests.memory * 1000
                    }
                })
                .sum();
            if total > 0 {
                *mine as f64 / total as f64
            } else {
                1.0
            }
        }
        _ => 1.0,
    };
    let mut i = base_input(pod, request);
    i.sample = metrics.pod(p).map(|m| Sample {
        value: ((if is_cpu { m.cpu_milli } else { m.memory * 1000 }) as f64 * share).round() as i64,
        timestamp: m.timestamp,
        window: m.window,
    });
    Some(i)
}
