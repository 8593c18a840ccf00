//! The node agent (kubelet) model: takes a bound pod through image pulls, init containers,
//! container start and readiness to Running/Ready, terminates deleted pods, and reacts to its
//! node failing and recovering.
//!
//! Timings: images are pulled one at a time per node (`serializeImagePulls: true`, the default)
//! at the node pool's bandwidth; each container takes `containerStartTime` to create and start;
//! init containers run `initContainerRunTime`. Readiness follows the prober worker
//! (`pkg/kubelet/prober/worker.go`): probes run at the worker's start and then every
//! `periodSeconds`; a probe before `initialDelaySeconds` (whole seconds since the container
//! started) is skipped; `successThreshold` consecutive successes make the container ready.
//! Event texts follow `pkg/kubelet/images/image_manager.go` and `kuberuntime_container.go`.
//!
//! Running containers exit and restart as `podBehaviors` say ([`restart`]); the load model's
//! usage is held against limits and node memory at each load tick ([`usage`]), which may throttle,
//! OOM-kill, or (through the eviction manager's 10 s housekeeping) evict pods.

mod groups;
pub mod restart;
mod rows;
pub mod usage;

use crate::engine::{SimDuration, SimTime};
use crate::model::node::NodeHealth;
use crate::model::pod::{Container, PodPhase, PodReason, PullPolicy};
use crate::model::{NodeId, PodId, Sym};
use crate::sim::Ctx;
use crate::sim::event::{Event, KubeletStep};
use crate::store::events::EventType;
use crate::store::{Change, Op, PodDelta};
use std::collections::BTreeMap;

/// Image pull back-off: 10 s doubling to 300 s (`pkg/kubelet/kubelet.go` backOffPeriod and
/// MaxContainerBackOff).
pub const BACKOFF_INITIAL: SimDuration = SimDuration::from_secs(10);
/// Maximum image pull back-off.
pub const BACKOFF_MAX: SimDuration = SimDuration::from_secs(300);
/// Time a registry check takes for an `Always` pull of an image already on the node.
pub const CACHED_PULL_CHECK: SimDuration = SimDuration::from_millis(500);
/// Time until a pull of an image missing from the registry fails.
pub const FAILED_PULL_TIME: SimDuration = SimDuration::from_secs(1);

/// Node agent timing settings.
#[derive(Clone, Debug)]
pub struct KubeletConfig {
    /// Size of images not listed in the scenario.
    pub default_image_size: i64,
    /// Create + start time of one container.
    pub container_start: SimDuration,
    /// Run time of a non-sidecar init container.
    pub init_run: SimDuration,
    /// Time containers take to stop after SIGTERM (capped by the grace period).
    pub shutdown: SimDuration,
}

impl Default for KubeletConfig {
    fn default() -> Self {
        KubeletConfig {
            default_image_size: 100 * 1024 * 1024,
            container_start: SimDuration::from_secs(1),
            init_run: SimDuration::from_secs(2),
            shutdown: SimDuration::from_secs(1),
        }
    }
}

/// Registry facts about one image.
#[derive(Copy, Clone, Debug)]
pub struct ImageInfo {
    /// Size in bytes.
    pub size: i64,
    /// Not in the registry.
    pub missing: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Stage {
    /// Working through containers: index into init ++ app containers.
    Starting { index: usize },
    /// All containers started.
    Running,
    /// Stopping after deletion.
    Terminating,
    /// Waiting for something (a ConfigMap, a pull policy it cannot satisfy).
    Blocked,
    /// Frozen because the node is down.
    NodeDown,
    /// All containers terminated and none restarts (Succeeded, Failed or Evicted).
    Done,
}

#[derive(Clone, Debug)]
struct PodRun {
    pod: PodId,
    generation: u32,
    stage: Stage,
    /// When the kubelet started working on the pod (probe workers tick from here).
    added: SimTime,
    /// When each container started (init ++ app order).
    started: Vec<Option<SimTime>>,
    pull_failures: u32,
    pull_started: SimTime,
    /// App container states once all containers have started (exits, restarts, usage).
    life: restart::RunLife,
}

/// The node agents of every node (one component iterating pods, not one per node).
pub struct Kubelet {
    cfg: KubeletConfig,
    images: BTreeMap<Sym, ImageInfo>,
    runs: Vec<Option<PodRun>>,
    in_flight: BTreeMap<(NodeId, Sym), SimTime>,
    /// Dense per-slot usage rows (the per-tick passes read these, not `runs`).
    rows: rows::Rows,
    /// Container behaviours, restart counters and the eviction manager.
    ext: usage::KubeletExt,
}

impl Kubelet {
    /// A kubelet model with timings `cfg` and registry facts `images`.
    pub fn new(cfg: KubeletConfig, images: BTreeMap<Sym, ImageInfo>) -> Self {
        Kubelet {
            cfg,
            images,
            runs: Vec::new(),
            in_flight: BTreeMap::new(),
            rows: rows::Rows::default(),
            ext: usage::KubeletExt::default(),
        }
    }

    /// `p`'s run, to change it (its usage row is refreshed before the next pass).
    fn run(&mut self, p: PodId) -> Option<&mut PodRun> {
        use crate::model::ArenaId;
        self.rows.mark(p.index() as usize);
        match self.runs.get_mut(p.index() as usize) {
            Some(Some(r)) if r.pod == p => Some(r),
            _ => None,
        }
    }

    fn set_run(&mut self, p: PodId, r: Option<PodRun>) {
        use crate::model::ArenaId;
        let i = p.index() as usize;
        if self.runs.len() <= i {
            self.runs.resize(i + 1, None);
        }
        self.runs[i] = r;
        self.rows.reset(p);
    }

    /// Refreshes the usage rows of runs that changed since the last pass.
    fn sync_rows(&mut self) {
        let runs = &self.runs;
        self.rows.sync(|i| {
            runs.get(i)?.as_ref().map(|r| rows::Mirror {
                pod: r.pod,
                running: r.stage == Stage::Running,
                first_running: r.life.first_running,
                node: r.life.node,
                limits: r.life.limits,
            })
        });
    }

    fn image_info(&self, image: Sym) -> ImageInfo {
        self.images.get(&image).copied().unwrap_or(ImageInfo {
            size: self.cfg.default_image_size,
            missing: false,
        })
    }

    /// Watch handler.
    pub fn on_change(&mut self, ch: &Change, cx: &mut Ctx<'_>) {
        match *ch {
            // A run may exist already: a node update delivered before the bind notification
            // found the pod on its node and started it.
            Change::Pod(p, Op::Updated, d) if d.has(PodDelta::BOUND) && self.run(p).is_none() => {
                if let Some(node) = cx.store.pod(p).and_then(|p| p.status.node)
                    && cx
                        .store
                        .node(node)
                        .is_some_and(|n| n.health == NodeHealth::Up)
                {
                    self.start_pod(p, cx);
                }
            }
            Change::Pod(p, Op::Updated, d) if d.has(PodDelta::DELETING) => {
                self.begin_termination(p, cx)
            }
            Change::Pod(p, Op::Deleted, _) if self.run(p).is_some() => self.set_run(p, None),
            Change::Node(n, Op::Updated) => self.node_health_changed(n, cx),
            Change::Claim(_, Op::Updated) => {
                // Pods waiting for their volumes try again.
                let waiting: Vec<PodId> = self
                    .runs
                    .iter()
                    .flatten()
                    .filter(|r| r.stage == Stage::Blocked)
                    .map(|r| r.pod)
                    .filter(|&p| {
                        cx.store.pod(p).is_some_and(|p| {
                            p.status.reason == Some(PodReason::ContainerCreating)
                                && cx.store.pod_claims_bound(p)
                        })
                    })
                    .collect();
                for p in waiting {
                    self.start_pod(p, cx);
                }
            }
            Change::Other(
                crate::api::Kind::ConfigMap | crate::api::Kind::Secret,
                Op::Added | Op::Updated,
            ) => {
                // Pods waiting for a ConfigMap or Secret try again.
                let waiting: Vec<PodId> = self
                    .runs
                    .iter()
                    .flatten()
                    .filter(|r| r.stage == Stage::Blocked)
                    .map(|r| r.pod)
                    .filter(|&p| {
                        cx.store.pod(p).is_some_and(|p| {
                            p.status.reason == Some(PodReason::CreateContainerConfigError)
                        })
                    })
                    .collect();
                for p in waiting {
                    self.start_pod(p, cx);
                }
            }
            _ => {}
        }
    }

    fn start_pod(&mut self, p: PodId, cx: &mut Ctx<'_>) {
        let Some(pod) = cx.store.pod(p) else { return };
        if pod.is_terminating() || pod.status.phase.is_terminal() {
            return;
        }
        let n = pod.spec.init_containers.len() + pod.spec.containers.len();
        let generation = self.run(p).map(|r| r.generation + 1).unwrap_or(0);
        let has_init = pod.spec.init_containers.iter().any(|c| !c.sidecar);
        self.set_run(
            p,
            Some(PodRun {
                pod: p,
                generation,
                stage: Stage::Starting { index: 0 },
                added: cx.now,
                started: vec![None; n],
                pull_failures: 0,
                pull_started: cx.now,
                life: Default::default(),
            }),
        );
        let now = cx.now;
        cx.store.update_pod_status(p, PodDelta::STATUS, |s| {
            if s.start_time.is_none() {
                s.start_time = Some(now);
            }
            s.reason = Some(if has_init {
                PodReason::Initializing
            } else {
                PodReason::ContainerCreating
            });
        });
        if let Some(missing) = self.missing_config(p, cx) {
            let obj = cx.store.pod_ref(p);
            cx.store
                .record(obj, EventType::Warning, "Failed", "kubelet", |_| {
                    format!("Error: {missing}")
                });
            cx.store.update_pod_status(p, PodDelta::STATUS, |s| {
                s.reason = Some(PodReason::CreateContainerConfigError)
            });
            self.freeze(p);
            return;
        }
        // The volume manager waits for the pod's claims to be bound (ContainerCreating).
        if cx
            .store
            .pod(p)
            .is_some_and(|pod| !cx.store.pod_claims_bound(pod))
        {
            cx.store.update_pod_status(p, PodDelta::STATUS, |s| {
                s.reason = Some(PodReason::ContainerCreating)
            });
            self.freeze(p);
            return;
        }
        self.next_container(p, cx);
    }

    /// The first missing, non-optional ConfigMap or Secret a container needs.
    fn missing_config(&self, p: PodId, cx: &Ctx<'_>) -> Option<String> {
        let pod = cx.store.pod(p)?;
        let ns = pod.namespace;
        for c in pod
            .spec
            .init_containers
            .iter()
            .chain(pod.spec.containers.iter())
        {
            for r in &c.config_refs {
                if r.optional {
                    continue;
                }
                let kind = if r.secret {
                    crate::api::Kind::Secret
                } else {
                    crate::api::Kind::ConfigMap
                };
                let name = cx.store.interner.resolve(r.name);
                if cx.store.object(kind, ns, name).is_none() {
                    let what = if r.secret { "secret" } else { "configmap" };
                    return Some(format!("{what} \"{name}\" not found"));
                }
            }
        }
        None
    }

    fn freeze(&mut self, p: PodId) {
        self.set_stage(p, Stage::Blocked);
    }

    fn set_stage(&mut self, p: PodId, stage: Stage) {
        if let Some(r) = self.run(p) {
            r.generation += 1;
            r.stage = stage;
        }
    }

    fn container(pod: &crate::model::Pod, index: usize) -> &Container {
        let ni = pod.spec.init_containers.len();
        if index < ni {
            &pod.spec.init_containers[index]
        } else {
            &pod.spec.containers[index - ni]
        }
    }

    /// Starts work on the container at the run's index: pull its image if needed.
    fn next_container(&mut self, p: PodId, cx: &mut Ctx<'_>) {
        let Some(run) = self.run(p) else { return };
        let Stage::Starting { index } = run.stage else {
            return;
        };
        let generation = run.generation;
        let pod = cx.store.pod(p).expect("running pod exists");
        let total = pod.spec.init_containers.len() + pod.spec.containers.len();
        if index >= total {
            return;
        }
        let c = Self::container(pod, index);
        let (shown, image, policy) = (c.image, c.image_key, c.pull_policy);
        let node = pod.status.node.expect("bound");
        let present = cx
            .store
            .node(node)
            .and_then(|n| n.image_size(image))
            .is_some();
        let info = self.image_info(image);
        let image_name = cx.store.interner.resolve(shown).to_string();
        if present && policy != PullPolicy::Always {
            let obj = cx.store.pod_ref(p);
            cx.store
                .record(obj, EventType::Normal, "Pulled", "kubelet", |_| {
                    format!("Container image \"{image_name}\" already present on machine")
                });
            self.create_container(p, cx);
            return;
        }
        if !present && policy == PullPolicy::Never {
            let obj = cx.store.pod_ref(p);
            cx.store.record(
                obj,
                EventType::Warning,
                "ErrImageNeverPull",
                "kubelet",
                |_| {
                    format!(
                        "Container image \"{image_name}\" is not present with pull policy of Never"
                    )
                },
            );
            cx.store.update_pod_status(p, PodDelta::STATUS, |s| {
                s.reason = Some(PodReason::ErrImagePull)
            });
            self.freeze(p);
            return;
        }
        // Pull, serialised per node.
        let obj = cx.store.pod_ref(p);
        cx.store
            .record(obj, EventType::Normal, "Pulling", "kubelet", |_| {
                format!("Pulling image \"{image_name}\"")
            });
        let now = cx.now;
        let done = if info.missing {
            now + FAILED_PULL_TIME
        } else if let Some(&end) = self.in_flight.get(&(node, image)) {
            end.max(now)
        } else {
            let n = cx.store.node_agent_state(node).expect("node exists");
            let start = n.puller_free_at.max(now);
            let dur = if present {
                CACHED_PULL_CHECK
            } else {
                let bw = n.pull_bandwidth.max(1);
                SimDuration((info.size as u128 * 1_000_000).div_ceil(bw as u128) as u64)
            };
            let end = start + dur;
            n.puller_free_at = end;
            self.in_flight.insert((node, image), end);
            end
        };
        if let Some(r) = self.run(p) {
            r.pull_started = now;
        }
        let step = if info.missing {
            KubeletStep::ImagePullFailed
        } else {
            KubeletStep::ImagePulled
        };
        cx.queue.push(done, Event::Kubelet(p, generation, step));
    }

    fn create_container(&mut self, p: PodId, cx: &mut Ctx<'_>) {
        let Some(run) = self.run(p) else { return };
        let Stage::Starting { index } = run.stage else {
            return;
        };
        let generation = run.generation;
        let pod = cx.store.pod(p).expect("exists");
        let name = Self::container(pod, index).name.clone();
        let is_init = index < pod.spec.init_containers.len();
        let sidecar = is_init && pod.spec.init_containers[index].sidecar;
        let obj = cx.store.pod_ref(p);
        let n2 = name.clone();
        cx.store
            .record(obj.clone(), EventType::Normal, "Created", "kubelet", |_| {
                format!("Created container: {n2}")
            });
        cx.store
            .record(obj, EventType::Normal, "Started", "kubelet", |_| {
                format!("Started container {name}")
            });
        // The container is running after its start time.
        let at = cx.now + self.cfg.container_start;
        if is_init && !sidecar {
            cx.queue.push(
                at + self.cfg.init_run,
                Event::Kubelet(p, generation, KubeletStep::InitDone),
            );
        } else {
            cx.queue.push(
                at,
                Event::Kubelet(p, generation, KubeletStep::ContainersStarted),
            );
        }
    }

    /// A node agent event.
    pub fn on_step(
        &mut self,
        p: PodId,
        generation: u32,
        step: KubeletStep,
        cx: &mut Ctx<'_>,
    ) -> bool {
        let Some(run) = self.run(p) else { return false };
        if run.generation != generation {
            return false;
        }
        if cx.store.pod(p).is_none_or(|pod| pod.deleted) {
            return false;
        }
        match step {
            KubeletStep::Sync => self.next_container(p, cx),
            KubeletStep::ImagePulled => self.image_pulled(p, cx),
            KubeletStep::ImagePullFailed => self.image_pull_failed(p, cx),
            KubeletStep::InitDone => {
                let run = self.run(p).expect("checked");
                if let Stage::Starting { index } = run.stage {
                    run.started[index] = Some(cx.now);
                    run.stage = Stage::Starting { index: index + 1 };
                }
                let pod = cx.store.pod(p).expect("exists");
                let done = pod
                    .spec
                    .init_containers
                    .iter()
                    .filter(|c| !c.sidecar)
                    .count();
                let now = cx.now;
                let all_init_done = matches!(self.run(p).map(|r| r.stage.clone()), Some(Stage::Starting { index }) if index >= pod.spec.init_containers.len());
                cx.store.update_pod_status(p, PodDelta::STATUS, |s| {
                    s.init_done = (s.init_done + 1).min(done as u16);
                    if all_init_done {
                        s.initialized_at = Some(now);
                        s.reason = Some(PodReason::ContainerCreating);
                    }
                });
                self.next_container(p, cx);
            }
            KubeletStep::ContainersStarted => self.container_started(p, cx),
            KubeletStep::Ready => {
                cx.store.set_pod_ready(p, true);
            }
            KubeletStep::Terminated => {
                self.set_run(p, None);
                cx.store.delete_pod(p);
            }
            KubeletStep::ContainerTimer => self.on_container_timer(p, cx),
        }
        true
    }

    fn image_pulled(&mut self, p: PodId, cx: &mut Ctx<'_>) {
        let pod = cx.store.pod(p).expect("exists");
        let Some(Stage::Starting { index }) = self.run(p).map(|r| r.stage.clone()) else {
            return;
        };
        let (shown, image) = (
            Self::container(pod, index).image,
            Self::container(pod, index).image_key,
        );
        let node = pod.status.node.expect("bound");
        let info = self.image_info(image);
        let pull_started = self.run(p).map(|r| r.pull_started).unwrap_or(cx.now);
        let end = self.in_flight.get(&(node, image)).copied();
        if end.is_some_and(|e| e <= cx.now) {
            self.in_flight.remove(&(node, image));
        }
        cx.store.add_node_image(node, image, info.size);
        let image_name = cx.store.interner.resolve(shown).to_string();
        let waited = cx.now.since(pull_started);
        let bw = cx
            .store
            .node(node)
            .map(|n| n.pull_bandwidth)
            .unwrap_or(1)
            .max(1);
        let pure =
            SimDuration((info.size as u128 * 1_000_000).div_ceil(bw as u128) as u64).min(waited);
        let obj = cx.store.pod_ref(p);
        cx.store.record(obj, EventType::Normal, "Pulled", "kubelet", |_| {
            format!(
                "Successfully pulled image \"{image_name}\" in {pure} ({waited} including waiting). Image size: {} bytes.",
                info.size
            )
        });
        if let Some(r) = self.run(p) {
            r.pull_failures = 0;
        }
        self.create_container(p, cx);
    }

    fn image_pull_failed(&mut self, p: PodId, cx: &mut Ctx<'_>) {
        let pod = cx.store.pod(p).expect("exists");
        let Some(Stage::Starting { index }) = self.run(p).map(|r| r.stage.clone()) else {
            return;
        };
        let image = Self::container(pod, index).image;
        let image_name = cx.store.interner.resolve(image).to_string();
        let obj = cx.store.pod_ref(p);
        let n1 = image_name.clone();
        cx.store.record(obj.clone(), EventType::Warning, "Failed", "kubelet", |_| {
            format!(
                "Failed to pull image \"{n1}\": rpc error: code = NotFound desc = failed to pull and unpack image \"{n1}\": failed to resolve reference \"{n1}\": not found"
            )
        });
        cx.store
            .record(obj.clone(), EventType::Warning, "Failed", "kubelet", |_| {
                "Error: ErrImagePull".to_string()
            });
        let run = self.run(p).expect("checked");
        let failures = run.pull_failures;
        run.pull_failures += 1;
        let generation = run.generation;
        let backoff = SimDuration(
            BACKOFF_INITIAL
                .as_micros()
                .saturating_mul(1u64 << failures.min(10)),
        )
        .min(BACKOFF_MAX);
        cx.store.update_pod_status(p, PodDelta::STATUS, |s| {
            s.reason = Some(PodReason::ImagePullBackOff)
        });
        cx.store
            .record(obj, EventType::Normal, "BackOff", "kubelet", |_| {
                format!("Back-off pulling image \"{image_name}\"")
            });
        // Retry the container after the back-off.
        let at = cx.now + backoff;
        cx.queue
            .push(at, Event::Kubelet(p, generation, KubeletStep::Sync));
        if let Some(r) = self.run(p) {
            r.stage = Stage::Starting { index };
        }
    }

    fn container_started(&mut self, p: PodId, cx: &mut Ctx<'_>) {
        let now = cx.now;
        let pod = cx.store.pod(p).expect("exists");
        let ni = pod.spec.init_containers.len();
        let total = ni + pod.spec.containers.len();
        let Some(run) = self.run(p) else { return };
        let Stage::Starting { index } = run.stage else {
            return;
        };
        run.started[index] = Some(now);
        let next = index + 1;
        if next < total {
            run.stage = Stage::Starting { index: next };
        } else {
            run.stage = Stage::Running;
        }
        let first_app =
            index >= ni && run.started[ni..].iter().filter(|s| s.is_some()).count() == 1;
        if first_app {
            cx.store.set_pod_phase(p, PodPhase::Running);
        }
        if next < total {
            self.next_container(p, cx);
            return;
        }
        // All containers running: the pod is Ready when every app container and sidecar is.
        let pod = cx.store.pod(p).expect("exists");
        let run = self.run(p).expect("checked");
        let mut ready_at = now;
        for (i, started) in run.started.iter().enumerate() {
            let c = Self::container(pod, i);
            if i < ni && !c.sidecar {
                continue;
            }
            let s = started.unwrap_or(now);
            ready_at = ready_at.max(container_ready_at(c, run.added, s));
        }
        let generation = run.generation;
        cx.store.update_pod_status(p, PodDelta::STATUS, |s| {
            s.reason = None;
            if s.initialized_at.is_none() {
                s.initialized_at = Some(now);
            }
        });
        cx.queue
            .push(ready_at, Event::Kubelet(p, generation, KubeletStep::Ready));
        self.containers_running(p, cx);
    }

    fn begin_termination(&mut self, p: PodId, cx: &mut Ctx<'_>) {
        let Some(pod) = cx.store.pod(p) else { return };
        let Some(node) = pod.status.node else { return };
        if cx
            .store
            .node(node)
            .is_none_or(|n| n.health != NodeHealth::Up)
        {
            // Nobody on the node to stop the containers: the pod stays Terminating.
            if self.run(p).is_none() {
                self.set_run(
                    p,
                    Some(PodRun {
                        pod: p,
                        generation: 0,
                        stage: Stage::NodeDown,
                        added: cx.now,
                        started: Vec::new(),
                        pull_failures: 0,
                        pull_started: cx.now,
                        life: Default::default(),
                    }),
                );
            }
            self.set_stage(p, Stage::NodeDown);
            return;
        }
        let grace = pod.status.deletion_grace;
        let started: Vec<std::sync::Arc<str>> = match self.run(p) {
            Some(r) => r
                .started
                .iter()
                .enumerate()
                .filter(|(_, s)| s.is_some())
                .map(|(i, _)| Self::container(pod, i).name.clone())
                .collect(),
            None => Vec::new(),
        };
        let obj = cx.store.pod_ref(p);
        for name in started {
            cx.store
                .record(obj.clone(), EventType::Normal, "Killing", "kubelet", |_| {
                    format!("Stopping container {name}")
                });
        }
        let generation = match self.run(p) {
            Some(r) => {
                r.generation += 1;
                r.stage = Stage::Terminating;
                r.generation
            }
            None => {
                let n = cx
                    .store
                    .pod(p)
                    .map(|p| p.spec.containers.len())
                    .unwrap_or(0);
                self.set_run(
                    p,
                    Some(PodRun {
                        pod: p,
                        generation: 0,
                        stage: Stage::Terminating,
                        added: cx.now,
                        started: vec![None; n],
                        pull_failures: 0,
                        pull_started: cx.now,
                        life: Default::default(),
                    }),
                );
                0
            }
        };
        let at = cx.now + self.cfg.shutdown.min(grace);
        cx.queue
            .push(at, Event::Kubelet(p, generation, KubeletStep::Terminated));
    }

    /// A node went down or came back.
    fn node_health_changed(&mut self, node: NodeId, cx: &mut Ctx<'_>) {
        let Some(n) = cx.store.node(node) else { return };
        let pods: Vec<PodId> = n.pods.iter().copied().collect();
        match n.health {
            NodeHealth::Down => {
                for p in pods {
                    if self.run(p).is_some_and(|r| r.stage != Stage::NodeDown) {
                        self.set_stage(p, Stage::NodeDown);
                        // Containers died with the machine.
                        if let Some(r) = self.run(p) {
                            r.started.iter_mut().for_each(|s| *s = None);
                        }
                    }
                }
                self.in_flight.retain(|(nid, _), _| *nid != node);
            }
            NodeHealth::Up => {
                for p in pods {
                    let Some(pod) = cx.store.pod(p) else { continue };
                    if pod.status.phase.is_terminal() {
                        continue;
                    }
                    let frozen = self.run(p).is_none_or(|r| r.stage == Stage::NodeDown);
                    if !frozen {
                        continue;
                    }
                    if pod.is_terminating() {
                        // The kubelet kills what it finds deleted.
                        self.set_run(p, None);
                        cx.store.delete_pod(p);
                        continue;
                    }
                    // Containers restart on the recovered node.
                    let was_running = pod.status.phase == PodPhase::Running;
                    let restarts = if was_running {
                        pod.spec.containers.len() as u32
                    } else {
                        0
                    };
                    let was_ready = pod.is_ready();
                    cx.store
                        .update_pod_status(p, PodDelta::STATUS, |s| s.restarts += restarts);
                    if was_ready {
                        cx.store.set_pod_ready(p, false);
                    }
                    self.start_pod(p, cx);
                }
            }
            NodeHealth::Provisioning => {}
        }
    }
}

/// When a container first passes readiness (see the module docs).
pub fn container_ready_at(c: &Container, worker_start: SimTime, started: SimTime) -> SimTime {
    let Some(pr) = &c.readiness else {
        return started;
    };
    let period = pr.period.as_micros().max(1);
    let delay_secs = pr.initial_delay.as_micros() / 1_000_000;
    // First tick at or after the container started with whole seconds elapsed >= delay.
    let earliest = started.as_micros() + delay_secs * 1_000_000;
    let base = worker_start.as_micros();
    let k = if earliest <= base {
        0
    } else {
        (earliest - base).div_ceil(period)
    };
    let first = base + k * period;
    SimTime(first + (pr.success_threshold.max(1) as u64 - 1) * period)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::pod::Probe;

    fn c(delay: u64, period: u64, succ: u32) -> Container {
        Container {
            name: std::sync::Arc::from("c"),
            image: Sym(0),
            image_key: Sym(0),
            requests: Default::default(),
            limits: Default::default(),
            has_cpu_request: false,
            has_memory_request: false,
            readiness: Some(Probe {
                initial_delay: SimDuration::from_secs(delay),
                period: SimDuration::from_secs(period),
                success_threshold: succ,
                failure_threshold: 3,
            }),
            startup: None,
            liveness: None,
            sidecar: false,
            config_refs: vec![],
            pull_policy: PullPolicy::IfNotPresent,
        }
    }

    #[test]
    fn readiness_follows_probe_ticks() {
        let s = |x: u64| SimTime(x * 1_000_000);
        // Worker started at 0, container at 7 s, delay 5 s, period 10 s: ticks 0, 10, 20: the
        // tick at 20 is the first with 13 >= 5 elapsed... the tick at 10 has 3 s elapsed < 5.
        assert_eq!(container_ready_at(&c(5, 10, 1), s(0), s(7)), s(20));
        // No delay: first tick after start.
        assert_eq!(container_ready_at(&c(0, 10, 1), s(0), s(7)), s(10));
        // Success threshold 3 adds two periods.
        assert_eq!(container_ready_at(&c(0, 10, 3), s(0), s(7)), s(30));
        // No probe: ready when started.
        let mut nc = c(0, 10, 1);
        nc.readiness = None;
        assert_eq!(container_ready_at(&nc, s(0), s(7)), s(7));
    }
}
