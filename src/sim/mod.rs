//! The simulation: owns the store, the event queue and every component, and routes each event
//! to its owner with one `match`.
//!
//! Event flow: a component handles an event and changes the store; the store records the changes
//! as watch notifications; after the handler returns, each notification becomes a `Watch` event
//! at the same instant (FIFO after what is already due); when it is dispatched, every interested
//! component sees it in a fixed order (garbage collector, Deployment controller, ReplicaSet
//! controller, DaemonSet and StatefulSet controllers, Job controller, PersistentVolume
//! controller, scheduler, kubelet, node lifecycle, load model). Timers are one per component.

pub mod actions;
pub mod apply;
pub mod event;
pub mod maintenance;
pub mod whatif;

use crate::controllers::daemonset::DaemonSetController;
use crate::controllers::deployment::DeploymentController;
use crate::controllers::gc::GarbageCollector;
use crate::controllers::job::JobController;
use crate::controllers::node_lifecycle::NodeLifecycleController;
use crate::controllers::replicaset::ReplicaSetController;
use crate::controllers::statefulset::StatefulSetController;
use crate::controllers::volume::VolumeController;
use crate::diag::Diagnostics;
use crate::engine::{
    EventHash, EventQueue, RngStreams, Scheduled, SimDuration, SimRng, SimTime, StreamId,
};
use crate::kubelet::{ImageInfo, Kubelet, KubeletConfig};
use crate::model::{PoolId, convert};
use crate::report::sampler::Sampler;
use crate::scenario::{Pool, Scenario};
use crate::scheduler::Scheduler;
use crate::store::events::EventLevel;
use crate::store::{Change, Op, Store};
use crate::traffic::Traffic;
use event::{ControllerKind, Event};
use std::collections::BTreeMap;
use std::sync::Arc;

/// What a component handler gets: the time, the store, and the queue to schedule on.
pub struct Ctx<'a> {
    /// Current simulated time.
    pub now: SimTime,
    /// The cluster state.
    pub store: &'a mut Store,
    /// The event queue.
    pub queue: &'a mut EventQueue<Event>,
}

/// Options that override the scenario.
#[derive(Clone, Debug, Default)]
pub struct SimOptions {
    /// Seed instead of the scenario's.
    pub seed: Option<u64>,
    /// Stop at this time instead of the scenario's duration.
    pub until: Option<SimDuration>,
    /// Which Kubernetes events to keep.
    pub event_level: Option<EventLevel>,
    /// Check the store's incremental bookkeeping after every event (slow; for tests).
    pub check_invariants: bool,
    /// Keep the causal trace behind `kubesim explain` (`store::trace`); off, it costs one
    /// branch per hook.
    pub record_causes: bool,
    /// Scheduler plugins to build profiles from (default: the in-tree registry); custom
    /// plugins are registered here (docs/plugins.md).
    pub registry: Option<Arc<crate::scheduler::registry::Registry>>,
}

/// Engine counters for the run summary.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct RunStats {
    /// Events dispatched.
    pub events: u64,
    /// Events dropped because their object or generation was gone.
    pub stale: u64,
    /// Watch notifications delivered.
    pub watches: u64,
    /// Largest number of pending events.
    pub max_pending: usize,
}

/// A node pool at run time.
#[derive(Clone, Debug)]
pub struct PoolState {
    /// The scenario's definition.
    pub spec: Pool,
    /// Index of the next node to create.
    pub next_index: u32,
}

/// A running (or finished) simulation.
pub struct Simulation {
    /// The scenario.
    pub scenario: Arc<Scenario>,
    /// Cluster state.
    pub store: Store,
    queue: EventQueue<Event>,
    /// The scheduler.
    pub scheduler: Scheduler,
    deployments: DeploymentController,
    replicasets: ReplicaSetController,
    /// The DaemonSet controller (its table holds each set's status).
    pub daemonsets: DaemonSetController,
    /// The StatefulSet controller (its table holds each set's status).
    pub statefulsets: StatefulSetController,
    gc: GarbageCollector,
    volumes: VolumeController,
    nodes: NodeLifecycleController,
    kubelet: Kubelet,
    jobs: JobController,
    /// The HorizontalPodAutoscaler controller and metrics-server.
    pub hpa: crate::controllers::hpa::HpaController,
    /// Node-hours, cost and capacity use.
    pub cost: crate::report::cost::CostMeter,
    /// The VPA recommender.
    pub vpa: crate::controllers::vpa::VpaRecommender,
    /// The load model.
    pub traffic: Traffic,
    /// The time-series recorder.
    pub sampler: Sampler,
    pub(crate) pools: Vec<PoolState>,
    /// Nodes being provisioned: pool, what asked for it (`maintenance::Purpose`) and the
    /// causal trace's id of that request (when recording).
    provisioning: Vec<(PoolId, maintenance::Purpose, Option<u32>)>,
    /// `kubectl drain`s.
    pub drainer: crate::ops::drain::Drainer,
    /// Rolling node-pool upgrades.
    pub upgrades: Vec<crate::ops::upgrade::Upgrade>,
    drain_purpose: BTreeMap<usize, maintenance::DrainFor>,
    /// Nodes the Cluster Autoscaler requested that have not come up, by provisioning ticket.
    ca_instances: BTreeMap<u32, maintenance::CaInstance>,
    /// The Cluster Autoscaler, when the scenario enables it.
    pub autoscaler: Option<crate::autoscaling::cluster_autoscaler::ClusterAutoscaler>,
    pub(crate) names: SimRng,
    action_note: Option<String>,
    hash: EventHash,
    /// Engine counters.
    pub stats: RunStats,
    seed: u64,
    end: SimTime,
    check: bool,
    changes: Vec<Change>,
}

/// Order in which kinds are applied at time zero, so that what others depend on exists first.
fn apply_rank(k: crate::api::Kind) -> u8 {
    use crate::api::Kind::*;
    match k {
        Namespace => 0,
        PriorityClass => 1,
        StorageClass => 2,
        PersistentVolume => 3,
        ResourceQuota | LimitRange => 4,
        ConfigMap | Secret => 5,
        PersistentVolumeClaim => 6,
        Node => 7,
        Service => 8,
        PodDisruptionBudget => 9,
        Deployment => 10,
        ReplicaSet => 11,
        Pod => 13,
        _ => 12,
    }
}

impl Simulation {
    /// Builds a simulation of `scenario` at time zero: pool nodes Ready, manifests applied,
    /// timed actions scheduled.
    pub fn new(scenario: Arc<Scenario>, opts: &SimOptions) -> Result<Simulation, Diagnostics> {
        let seed = opts.seed.unwrap_or(scenario.seed);
        let seeds = RngStreams::new(seed);
        let mut store = Store::new();
        store.trace.set_enabled(opts.record_causes);
        store.events.level = opts.event_level.unwrap_or(match scenario.output.events {
            crate::scenario::EventsOutput::All => EventLevel::All,
            crate::scenario::EventsOutput::Warnings => EventLevel::Warnings,
            crate::scenario::EventsOutput::None => EventLevel::None,
        });
        let q = |q: &Option<crate::api::Quantity>| q.as_ref().and_then(|q| q.value().ok());
        let kcfg = KubeletConfig {
            default_image_size: q(&scenario.kubelet.default_image_size)
                .unwrap_or(KubeletConfig::default().default_image_size),
            container_start: scenario
                .kubelet
                .container_start_time
                .map(|d| d.0)
                .unwrap_or(SimDuration::from_secs(1)),
            init_run: scenario
                .kubelet
                .init_container_run_time
                .map(|d| d.0)
                .unwrap_or(SimDuration::from_secs(2)),
            shutdown: scenario
                .kubelet
                .pod_shutdown_time
                .map(|d| d.0)
                .unwrap_or(SimDuration::from_secs(1)),
        };
        let mut images = BTreeMap::new();
        for im in &scenario.images {
            let key = crate::scheduler::plugins::image_locality::normalize_image(&im.name);
            images.insert(
                store.interner.intern(&key),
                ImageInfo {
                    size: im.size.unwrap_or(kcfg.default_image_size),
                    missing: im.missing,
                },
            );
        }
        let c = &scenario.controllers;
        let nodes = NodeLifecycleController::new(
            c.node_monitor_grace_period
                .map(|d| d.0)
                .unwrap_or(SimDuration::from_secs(50)),
            c.node_monitor_period
                .map(|d| d.0)
                .unwrap_or(SimDuration::from_secs(5)),
            c.default_toleration_seconds.unwrap_or(300),
        );
        let sample_interval = scenario
            .output
            .sample_interval
            .map(|d| d.0)
            .unwrap_or(SimDuration::from_secs(30));
        let traffic = Traffic::new(
            &scenario.load,
            &seeds,
            SimDuration::from_secs(15),
            &mut store,
        );
        let sampler = Sampler::new(&scenario, sample_interval, &mut store);
        let end = SimTime::ZERO + opts.until.unwrap_or(scenario.duration);
        let sched_cfg = scenario.scheduler_config.clone().unwrap_or_default();
        let in_tree;
        let registry = match &opts.registry {
            Some(r) => r.as_ref(),
            None => {
                in_tree = crate::scheduler::registry::Registry::in_tree();
                &in_tree
            }
        };
        let profiles =
            crate::scheduler::config::build_profiles(&sched_cfg, registry, &mut store.interner)
                .map_err(Diagnostics::one)?;
        let scheduler = Scheduler::new(
            profiles,
            &mut store.interner,
            &seeds,
            scenario.scheduler.tie_break,
        )
        .with_backoff(sched_cfg.pod_initial_backoff, sched_cfg.pod_max_backoff);
        let behaviors = scenario
            .pod_behaviors
            .iter()
            .map(|b| {
                let pairs: Vec<_> = b
                    .selector
                    .iter()
                    .map(|(k, v)| (store.interner.intern(k), store.interner.intern(v)))
                    .collect();
                crate::kubelet::usage::Behavior {
                    namespace: store.interner.intern(&b.namespace),
                    selector: crate::model::Selector::from_pairs(&pairs),
                    workload: b
                        .workload
                        .as_ref()
                        .map(|(k, n)| (*k, Arc::from(n.as_str()))),
                    containers: b.containers.iter().map(|c| Arc::from(c.as_str())).collect(),
                    run_time: b.run_time,
                    exit_code: b.exit_code,
                    jitter: b.jitter,
                }
            })
            .collect();
        let kubelet = Kubelet::new(kcfg, images).with_lifecycle(
            behaviors,
            &seeds,
            scenario.eviction_memory,
            scenario
                .kubelet
                .eviction_pressure_transition_period
                .map(|d| d.0)
                .unwrap_or(crate::kubelet::usage::DEFAULT_PRESSURE_TRANSITION),
        );
        let mut sim = Simulation {
            scheduler,
            deployments: DeploymentController::new(),
            replicasets: ReplicaSetController::new(&seeds),
            daemonsets: DaemonSetController::new(&seeds),
            statefulsets: StatefulSetController::new(),
            gc: GarbageCollector,
            volumes: VolumeController::new(
                scenario
                    .storage
                    .provisioning_delay
                    .map(|d| d.0)
                    .unwrap_or(SimDuration::from_secs(5)),
                scenario
                    .storage
                    .provisioning_delay_by_class
                    .iter()
                    .map(|(k, v)| (k.clone(), v.0))
                    .collect(),
            ),
            nodes,
            kubelet,
            jobs: JobController::new(&seeds),
            cost: crate::report::cost::CostMeter::default(),
            vpa: Default::default(),
            hpa: crate::controllers::hpa::HpaController::new(
                scenario
                    .metrics
                    .resolution
                    .map(|d| d.0)
                    .unwrap_or(crate::autoscaling::metrics_server::DEFAULT_RESOLUTION),
            ),
            traffic,
            sampler,
            pools: scenario
                .pools
                .iter()
                .map(|p| PoolState {
                    spec: p.clone(),
                    next_index: 0,
                })
                .collect(),
            provisioning: Vec::new(),
            drainer: crate::ops::drain::Drainer::new(),
            upgrades: Vec::new(),
            drain_purpose: BTreeMap::new(),
            ca_instances: BTreeMap::new(),
            autoscaler: None,
            names: seeds.stream(StreamId::new(StreamId::SCENARIO, 0)),
            action_note: None,
            hash: EventHash::default(),
            stats: RunStats::default(),
            seed,
            end,
            check: opts.check_invariants,
            changes: Vec::new(),
            queue: EventQueue::with_capacity(1024),
            store,
            scenario: scenario.clone(),
        };
        // Pool nodes exist and are Ready at time zero.
        for p in 0..sim.pools.len() {
            for _ in 0..sim.pools[p].spec.count {
                sim.create_pool_node(p);
            }
        }
        // Manifests, in dependency order (stable within a kind).
        let mut initial: Vec<&crate::load::Loaded> = scenario.initial.iter().collect();
        initial.sort_by_key(|l| apply_rank(l.object.kind()));
        for l in initial {
            apply::apply(l, &mut sim.store, &mut sim.names, None);
        }
        for (i, ev) in scenario.events.iter().enumerate() {
            if ev.at <= sim.end {
                sim.queue.push(ev.at, Event::Action(i as u32));
            }
        }
        sim.start_autoscaler();
        sim.queue.push(SimTime::ZERO, Event::Sample);
        if !scenario.load.is_empty() {
            sim.queue.push(SimTime::ZERO, Event::LoadTick);
            // Only loaded pods use memory: without load there is no pressure to watch for.
            if sim.kubelet.eviction_enabled() {
                sim.queue.push(
                    SimTime::ZERO + crate::kubelet::usage::EVICTION_MONITORING_PERIOD,
                    Event::EvictionMonitor,
                );
            }
        }
        sim.flush_changes();
        Ok(sim)
    }

    /// Turns the causal trace (`store::trace`, read by `kubesim explain`) on or off from now.
    pub fn record_causes(&mut self, on: bool) {
        self.store.trace.set_enabled(on);
    }

    /// The node agent (container statuses, restart/eviction/throttling counters).
    pub fn kubelet(&self) -> &Kubelet {
        &self.kubelet
    }

    /// The Job controller (Job statuses).
    pub fn jobs(&self) -> &JobController {
        &self.jobs
    }

    /// The seed in use.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The current simulated time.
    pub fn now(&self) -> SimTime {
        self.store.now()
    }

    /// When the run ends.
    pub fn end(&self) -> SimTime {
        self.end
    }

    /// The running event hash.
    pub fn event_hash(&self) -> EventHash {
        self.hash
    }

    /// Events waiting in the queue.
    pub fn pending_events(&self) -> usize {
        self.queue.len()
    }

    fn create_pool_node(&mut self, pool: usize) -> Option<crate::model::NodeId> {
        let index = self.pools[pool].next_index;
        self.pools[pool].next_index += 1;
        let node = self.pool_node(pool, index)?;
        Some(self.store.add_node(node))
    }

    /// The node pool `pool` would create as its `index`-th node (also the Cluster
    /// Autoscaler's template node).
    pub(crate) fn pool_node(&mut self, pool: usize, index: u32) -> Option<crate::model::Node> {
        let spec = self.pools[pool].spec.clone();
        let mut n = spec.template.clone();
        let name = format!("{}-{index}", spec.name);
        n.metadata.name = Some(name.clone());
        let labels = &mut n.metadata.labels.0;
        labels.insert(convert::HOSTNAME_LABEL.into(), name.clone());
        labels.insert("kubesim.io/pool".into(), spec.name.clone());
        if !spec.zones.is_empty() {
            labels.insert(
                convert::ZONE_LABEL.into(),
                spec.zones[index as usize % spec.zones.len()].clone(),
            );
        }
        let uid = self.store.next_uid();
        let origin = crate::load::Origin::inline(&self.scenario.file);
        let now = self.store.now();
        let mut node = convert::node(&n, &mut self.store.interner, &origin, uid, now).ok()?;
        node.pool = Some(PoolId(pool as u32));
        node.pull_bandwidth = spec.pull_bandwidth;
        for img in &spec.prepulled_images {
            let s = self.store.interner.intern(
                &crate::scheduler::plugins::image_locality::normalize_image(img),
            );
            let size = self
                .scenario
                .images
                .iter()
                .find(|i| &i.name == img)
                .and_then(|i| i.size)
                .unwrap_or(0);
            node.add_image(s, size);
        }
        Some(node)
    }

    /// Starts provisioning a node of `pool`; it joins after the pool's provisioning delay.
    pub(crate) fn provision_node(&mut self, pool: usize) {
        self.provision_node_for(pool, maintenance::Purpose::Plain);
    }

    /// Starts provisioning a node of `pool` on behalf of `purpose`.
    pub(crate) fn provision_node_for(&mut self, pool: usize, purpose: maintenance::Purpose) {
        self.provision_node_caused(pool, purpose, None);
    }

    /// Starts provisioning a node of `pool` on behalf of `purpose`, following trace cause
    /// `cause`.
    pub(crate) fn provision_node_caused(
        &mut self,
        pool: usize,
        purpose: maintenance::Purpose,
        cause: Option<u32>,
    ) {
        let delay = self.pools[pool].spec.provisioning_delay;
        let ticket = self.provisioning.len() as u32;
        self.provisioning
            .push((PoolId(pool as u32), purpose, cause));
        let at = self.store.now() + delay;
        self.queue.push(at, Event::NodeUp(ticket));
    }

    fn flush_changes(&mut self) {
        if !self.store.has_changes() {
            return;
        }
        self.store.drain_changes(&mut self.changes);
        let now = self.store.now();
        for c in self.changes.drain(..) {
            self.queue.push(now, Event::Watch(c));
        }
    }

    /// Runs events up to and including time `t` (capped at the end of the run), first
    /// delivering changes made directly through `store` since the last run. Returns true
    /// when the run is over.
    pub fn run_until(&mut self, t: SimTime) -> bool {
        let t = t.min(self.end);
        // Changes made through `store` between runs (tests, embedders) are delivered now.
        self.flush_changes();
        while let Some(next) = self.queue.peek_time() {
            if next > t {
                break;
            }
            let s = self.queue.pop().expect("peeked");
            self.dispatch(s);
            if self.check
                && let Err(e) = self.store.check_invariants()
            {
                panic!(
                    "invariant violated at {} (seed {}): {e}",
                    self.store.now(),
                    self.seed
                );
            }
        }
        if t >= self.end {
            self.store.set_now(self.end);
            return true;
        }
        self.store.set_now(t);
        false
    }

    /// Runs to the end.
    pub fn run(&mut self) {
        let end = self.end;
        self.run_until(end);
    }

    fn dispatch(&mut self, s: Scheduled<Event>) {
        self.store.set_now(s.time);
        let (kind, id) = s.event.hash_key();
        self.hash.fold(s.time.as_micros(), s.seq, kind, id);
        self.stats.events += 1;
        self.stats.max_pending = self.stats.max_pending.max(self.queue.len() + 1);
        let now = s.time;
        let mut cx = Ctx {
            now,
            store: &mut self.store,
            queue: &mut self.queue,
        };
        match s.event {
            Event::Watch(c) => {
                self.stats.watches += 1;
                self.gc.on_change(&c, &mut cx);
                self.deployments.on_change(&c, &mut cx);
                self.replicasets.on_change(&c, &mut cx);
                self.daemonsets.on_change(&c, &mut cx);
                self.statefulsets.on_change(&c, &mut cx);
                self.volumes.on_change(&c, &mut cx);
                self.jobs.on_change(&c, &mut cx);
                self.hpa.on_change(&c, &mut cx);
                self.vpa.on_change(&c, &mut cx);
                self.cost.on_change(&c, cx.store, now);
                self.scheduler.on_change(&c, &mut cx);
                self.kubelet.on_change(&c, &mut cx);
                self.nodes.on_change(&c, &mut cx);
                self.drainer.on_change(&c, &mut cx);
                self.traffic.on_change(&c, cx.store);
                if matches!(
                    c,
                    Change::Pod(_, Op::Deleted, _)
                        | Change::Node(_, Op::Deleted)
                        | Change::Deployment(_, Op::Deleted)
                        | Change::ReplicaSet(_, Op::Deleted)
                ) {
                    self.store.reap(&c);
                }
            }
            Event::Action(n) => self.perform_action(n),
            Event::Controller(k) => match k {
                ControllerKind::Deployment => self.deployments.sync(&mut cx),
                ControllerKind::ReplicaSet => self.replicasets.sync(&mut cx),
                ControllerKind::DaemonSet => self.daemonsets.sync(&mut cx),
                ControllerKind::StatefulSet => self.statefulsets.sync(&mut cx),
                ControllerKind::Job => self.jobs.sync(&mut cx),
                ControllerKind::Hpa => self.hpa.sync(&self.traffic, &self.statefulsets, &mut cx),
                ControllerKind::GarbageCollector => {}
            },
            Event::ControllerTimer(k, g) => match k {
                ControllerKind::Deployment => self.deployments.on_timer(g, &mut cx),
                ControllerKind::ReplicaSet => self.replicasets.on_timer(g, &mut cx),
                ControllerKind::DaemonSet => self.daemonsets.on_timer(g, &mut cx),
                ControllerKind::StatefulSet => self.statefulsets.on_timer(g, &mut cx),
                ControllerKind::Job => self.jobs.on_timer(g, &mut cx),
                ControllerKind::Hpa => self.hpa.on_timer(g, &mut cx),
                ControllerKind::GarbageCollector => {}
            },
            Event::Scheduler(w) => self.scheduler.on_wake(w, &mut cx),
            Event::Kubelet(p, g, step) => {
                if !self.kubelet.on_step(p, g, step, &mut cx) {
                    self.stats.stale += 1;
                }
            }
            Event::NodeMonitor => self.nodes.on_monitor(&mut cx),
            Event::Storage(w) => self.volumes.on_wake(w, &mut cx),
            Event::TaintEviction(g) => self.nodes.on_eviction_timer(g, &mut cx),
            Event::NodeUp(ticket) => {
                if let Some(&(pool, purpose, cause)) = self.provisioning.get(ticket as usize)
                    // An autoscaler node removed as unregistered never joins.
                    && (!matches!(purpose, maintenance::Purpose::Autoscaler(_))
                        || self.ca_instances.remove(&ticket).is_some())
                {
                    let node = self.create_pool_node(pool.0 as usize);
                    if self.store.trace.enabled()
                        && let Some(id) = node
                    {
                        let pool_name = self.pools[pool.0 as usize].spec.name.clone();
                        let delay = self.pools[pool.0 as usize].spec.provisioning_delay;
                        self.store.cause(
                            "NodeProvisioned",
                            cause,
                            |s| vec![s.node_ref(id)],
                            |_| {
                                let why = match purpose {
                                    maintenance::Purpose::Plain => {
                                        "a scenario addNodes action".to_string()
                                    }
                                    maintenance::Purpose::Surge(_) => {
                                        "a surge node of a pool upgrade".to_string()
                                    }
                                    maintenance::Purpose::Replacement(_) => {
                                        "the replacement of a node drained by a pool upgrade"
                                            .to_string()
                                    }
                                    maintenance::Purpose::Autoscaler(_) => {
                                        "a Cluster Autoscaler scale-up".to_string()
                                    }
                                };
                                format!(
                                    "joined pool {pool_name} after its {delay} provisioning delay, for {why}"
                                )
                            },
                        );
                    }
                    self.node_up_for(purpose);
                }
            }
            Event::Drain(key, generation) => {
                if let Some(f) = self.drainer.on_timer(key, generation, &mut cx) {
                    self.drain_finished(f);
                }
            }
            Event::LoadTick => {
                self.traffic.on_tick(now, &mut self.store);
                let mut cx = Ctx {
                    now,
                    store: &mut self.store,
                    queue: &mut self.queue,
                };
                self.kubelet.on_load_tick(&self.traffic, &mut cx);
                self.traffic.clear_slot_changes();
                let next = now + self.traffic.tick();
                if next <= self.end {
                    self.queue.push(next, Event::LoadTick);
                }
            }
            Event::MetricsScrape => self.hpa.on_scrape(&mut self.kubelet, &mut cx),
            Event::ClusterAutoscaler => self.autoscaler_loop(),
            Event::VpaTick => self.vpa.on_tick(&self.kubelet, &mut cx),
            Event::EvictionMonitor => {
                self.kubelet.on_housekeeping(&mut cx);
                let next = now + crate::kubelet::usage::EVICTION_MONITORING_PERIOD;
                if next <= self.end {
                    self.queue.push(next, Event::EvictionMonitor);
                }
            }
            Event::Sample => {
                // The load model reads pod readiness and phase as of now.
                self.traffic.sync_status(&mut self.store);
                let prices: Vec<f64> = self.pools.iter().map(|p| p.spec.price_per_hour).collect();
                let cost = self.cost.cost_so_far(now, &prices);
                let (cu, mu) = self.sampler.record(
                    cost,
                    now,
                    &self.store,
                    &self.traffic,
                    &self.scheduler,
                    &self.kubelet,
                    &crate::report::sampler::Controllers {
                        jobs: &self.jobs,
                        statefulsets: &self.statefulsets,
                        daemonsets: &self.daemonsets,
                    },
                    &self.hpa,
                    &self.vpa,
                );
                self.cost.on_sample(now, &self.store, cu, mu);
                let next = self.sampler.next_after(now, self.end);
                if let Some(t) = next {
                    self.queue.push(t, Event::Sample);
                }
            }
        }
        self.flush_changes();
    }
}
