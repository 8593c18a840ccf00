//! One-shot what-if scheduling (`kubesim schedule`): applies Nodes, bound Pods, pending Pods
//! and workloads (whose pods the controllers create) at time zero, lets the scheduler place
//! every pending pod in queue order without simulated time passing, and reports each pod's
//! outcome with what the scheduler saw.
//!
//! Preemption is decided (victims chosen, nomination made) but not waited for: the victims'
//! graceful termination would take simulated time, so the preemptor is reported as nominated.

use super::{SimOptions, Simulation};
use crate::diag::Diagnostics;
use crate::engine::{SimDuration, SimTime};
use crate::load::Loaded;
use crate::model::{NodeId, PodId};
use crate::scenario::{Scenario, SchedulerSettings, TieBreak};
use crate::scheduler::config::SchedulerConfig;
use crate::scheduler::explain::Attempt;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Options of a what-if run.
#[derive(Clone, Debug, Default)]
pub struct WhatIfOptions {
    /// Seed of the scheduler's stream.
    pub seed: u64,
    /// Tie-breaking among top-scored nodes.
    pub tie_break: TieBreak,
    /// Evaluate and score every node (see [`crate::scheduler::Scheduler::set_exhaustive`]).
    pub exhaustive: bool,
    /// Plugins to build profiles from (default: in-tree); see docs/plugins.md.
    pub registry: Option<Arc<crate::scheduler::registry::Registry>>,
}

/// What happened to one pod.
#[derive(Clone, Debug)]
pub struct PodOutcome {
    /// The pod.
    pub pod: PodId,
    /// `namespace/name`.
    pub key: String,
    /// The node it was bound to.
    pub node: Option<String>,
    /// Why it was not bound.
    pub message: Option<String>,
    /// The node nominated by preemption.
    pub nominated: Option<String>,
    /// Pods evicted to make room, as `namespace/name`.
    pub victims: Vec<String>,
    /// The scheduler's last attempt for the pod (`None`: never attempted).
    pub attempt: Option<Attempt>,
}

/// The result of a what-if run.
pub struct WhatIf {
    /// The simulation after scheduling (store, scheduler, events).
    pub sim: Simulation,
    /// Outcomes in the order the pods were first attempted; pods never attempted last.
    pub outcomes: Vec<PodOutcome>,
}

impl WhatIf {
    /// A node's name.
    pub fn node_name(&self, id: NodeId) -> String {
        self.sim
            .store
            .node(id)
            .map(|n| self.sim.store.interner.resolve(n.name).to_string())
            .unwrap_or_else(|| "<gone>".into())
    }
}

/// Builds the scenario a what-if run uses: the objects at time zero, nothing else.
pub fn scenario(
    initial: Vec<Loaded>,
    config: Option<SchedulerConfig>,
    opts: &WhatIfOptions,
) -> Scenario {
    Scenario {
        name: "what-if".into(),
        description: None,
        file: Arc::from("<what-if>"),
        dir: std::path::PathBuf::from("."),
        seed: opts.seed,
        duration: SimDuration::from_secs(1),
        pools: Vec::new(),
        initial,
        scheduler_config: config,
        images: Vec::new(),
        load: Vec::new(),
        events: Vec::new(),
        scheduler: SchedulerSettings {
            config: None,
            tie_break: opts.tie_break,
        },
        kubelet: Default::default(),
        storage: Default::default(),
        metrics: Default::default(),
        cluster_autoscaler: None,
        pod_behaviors: Vec::new(),
        eviction_memory: None,
        controllers: Default::default(),
        output: Default::default(),
        warnings: Vec::new(),
    }
}

/// Runs the what-if scheduling of `initial`.
pub fn run(
    initial: Vec<Loaded>,
    config: Option<SchedulerConfig>,
    opts: &WhatIfOptions,
) -> Result<WhatIf, Diagnostics> {
    // Objects the API server would refuse are errors here too, never silently dropped.
    let mut errors = Diagnostics::default();
    let mut scratch = crate::model::Interner::new();
    for l in &initial {
        if let Err(d) = super::apply::convert_check(l, &mut scratch) {
            errors.push(d);
        }
    }
    if errors.has_errors() {
        return Err(errors);
    }
    let sc = Arc::new(scenario(initial, config, opts));
    let mut sim = Simulation::new(
        sc,
        &SimOptions {
            seed: Some(opts.seed),
            registry: opts.registry.clone(),
            ..Default::default()
        },
    )?;
    sim.scheduler.record_attempts();
    sim.scheduler.set_exhaustive(opts.exhaustive);
    sim.run_until(SimTime::ZERO);
    let attempts = sim.scheduler.take_attempts();
    let store = &sim.store;
    let node_name = |id: NodeId| {
        store
            .node(id)
            .map(|n| store.interner.resolve(n.name).to_string())
    };
    // The last attempt per pod, in first-attempt order.
    let mut order: Vec<PodId> = Vec::new();
    let mut last: BTreeMap<PodId, Attempt> = BTreeMap::new();
    for a in attempts {
        if !last.contains_key(&a.pod) {
            order.push(a.pod);
        }
        last.insert(a.pod, a);
    }
    let mut outcomes = Vec::new();
    for p in order {
        let a = last.remove(&p).expect("listed");
        let pod = store.pod(p);
        outcomes.push(PodOutcome {
            pod: p,
            key: store.pod_key(p),
            node: pod.and_then(|x| x.status.node).and_then(node_name),
            // Chosen but not bound: held in PreBind (volumes still binding or provisioning).
            message: match (pod.and_then(|x| x.status.node), a.node) {
                (None, Some(n)) => Some(format!(
                    "waiting in PreBind for its volumes to bind on {}",
                    node_name(n).unwrap_or_default()
                )),
                _ => a.message.clone(),
            },
            nominated: a.nominated.and_then(node_name),
            victims: a.victims.iter().map(|&v| store.pod_key(v)).collect(),
            attempt: Some(a),
        });
    }
    // Pods the scheduler holds but never tried (scheduling gates, unknown schedulerName).
    let mut names: Vec<crate::model::Sym> = sim
        .scheduler
        .profiles()
        .iter()
        .map(|p| store.interner.lookup(&p.scheduler_name).expect("interned"))
        .collect();
    names.sort();
    for (id, pod) in store.pods() {
        if pod.status.node.is_some() || outcomes.iter().any(|o| o.pod == id) {
            continue;
        }
        let message = if !pod.spec.scheduling_gates.is_empty() {
            "waiting for scheduling gates".to_string()
        } else if names.binary_search(&pod.spec.scheduler_name).is_err() {
            format!(
                "no scheduler profile serves schedulerName {:?}",
                store.interner.resolve(pod.spec.scheduler_name)
            )
        } else {
            "not attempted".to_string()
        };
        outcomes.push(PodOutcome {
            pod: id,
            key: store.pod_key(id),
            node: None,
            message: Some(message),
            nominated: None,
            victims: Vec::new(),
            attempt: None,
        });
    }
    Ok(WhatIf { sim, outcomes })
}
