//! Wiring of the operator procedures (`ops::drain`, `ops::upgrade`) to the simulation: drains
//! started by scenario actions or upgrades, nodes provisioned for upgrades, and what happens
//! when a drain ends.

use super::event::Event;
use super::{Ctx, Simulation};
use crate::model::NodeId;
use crate::ops::drain::{DrainOptions, Finished};
use crate::ops::upgrade::{Step, Upgrade};
use crate::store::events::{EventType, ObjRef};
use std::sync::Arc;

/// What a drain is for.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum DrainFor {
    /// A slot of upgrade `n` (surge slot or not).
    Upgrade(usize, bool),
    /// A Cluster Autoscaler scale-down.
    Autoscaler,
}

/// Why a node is being provisioned.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// A scenario `addNodes` (or nothing in particular).
    Plain,
    /// A surge node of upgrade `n`.
    Surge(u32),
    /// The replacement of a drained node of upgrade `n`.
    Replacement(u32),
    /// A Cluster Autoscaler scale-up of node group `n`.
    Autoscaler(u32),
}

impl Simulation {
    /// Cordons `node` and starts a `kubectl drain` of it; `upgrade` ties the drain to a slot of
    /// a pool upgrade (upgrade index, surge slot).
    pub(crate) fn start_drain(
        &mut self,
        node: NodeId,
        opts: DrainOptions,
        purpose: Option<DrainFor>,
    ) {
        self.set_cordon(node, true);
        let mut cx = Ctx {
            now: self.store.now(),
            store: &mut self.store,
            queue: &mut self.queue,
        };
        let (record, finished) = self.drainer.start(node, opts, &mut cx);
        if let Some(u) = purpose {
            self.drain_purpose.insert(record, u);
        }
        if let Some(f) = finished {
            self.drain_finished(f);
        }
    }

    /// A drain ended: an upgrade removes the node and moves on.
    pub(crate) fn drain_finished(&mut self, f: Finished) {
        let (u, surge) = match self.drain_purpose.remove(&f.record) {
            Some(DrainFor::Upgrade(u, surge)) => (u, surge),
            Some(DrainFor::Autoscaler) => {
                // cluster-autoscaler deletes the node once it is drained (or the drain gave up
                // after the maximum graceful termination).
                let obj = self.store.node_ref(f.node);
                self.store.record(
                    obj,
                    EventType::Normal,
                    "ScaleDown",
                    "cluster-autoscaler",
                    |_| "node removed by cluster autoscaler".to_string(),
                );
                self.remove_node(f.node);
                if let Some(ca) = self.autoscaler.as_mut() {
                    ca.node_gone(f.node);
                }
                return;
            }
            None => return,
        };
        let steps = self.upgrades[u].drained(f.node, surge, !f.drained);
        self.run_upgrade_steps(u, steps);
    }

    /// A provisioned node joined the cluster.
    pub(crate) fn node_up_for(&mut self, purpose: Purpose) {
        match purpose {
            Purpose::Plain => {}
            Purpose::Autoscaler(g) => {
                if let Some(ca) = self.autoscaler.as_mut() {
                    ca.node_up(g as usize);
                }
            }
            Purpose::Surge(u) => {
                let steps = self.upgrades[u as usize].surge_node_up();
                self.run_upgrade_steps(u as usize, steps);
            }
            Purpose::Replacement(u) => {
                self.upgrades[u as usize].replacement_up();
                self.run_upgrade_steps(u as usize, Vec::new());
            }
        }
    }

    /// Starts a rolling upgrade of pool `pool`.
    pub(crate) fn start_upgrade(
        &mut self,
        pool: usize,
        max_surge: u32,
        max_unavailable: u32,
        labels: &std::collections::BTreeMap<String, String>,
        drain_timeout: crate::engine::SimDuration,
    ) -> Option<usize> {
        // One upgrade of a pool at a time, as managed services refuse a second operation.
        if self
            .upgrades
            .iter()
            .any(|u| u.pool == pool && u.finished.is_none())
        {
            let obj = self.pool_ref(pool);
            self.store.record(
                obj,
                EventType::Warning,
                "UpgradeRejected",
                "kubesim",
                |_| "an upgrade of this pool is already in progress".to_string(),
            );
            return None;
        }
        let pid = crate::model::PoolId(pool as u32);
        let mut old: Vec<(u64, NodeId)> = self
            .store
            .nodes()
            .filter(|(_, n)| n.pool == Some(pid))
            .map(|(id, n)| (n.uid, id))
            .collect();
        old.sort();
        // New nodes (surge, replacements, and any the autoscaler adds) get the new labels.
        let tl = &mut self.pools[pool].spec.template.metadata.labels.0;
        for (k, v) in labels {
            tl.insert(k.clone(), v.clone());
        }
        let now = self.store.now();
        let u = Upgrade::new(
            pool,
            old.into_iter().map(|(_, id)| id).collect(),
            max_surge,
            max_unavailable,
            drain_timeout,
            now,
        );
        let n = u.remaining();
        self.upgrades.push(u);
        let idx = self.upgrades.len() - 1;
        let obj = self.pool_ref(pool);
        let (s, un) = (max_surge, max_unavailable);
        self.store
            .record(obj, EventType::Normal, "UpgradeStarted", "kubesim", |_| {
                format!("upgrading {n} node(s), maxSurge {s}, maxUnavailable {un}")
            });
        self.run_upgrade_steps(idx, Vec::new());
        Some(idx)
    }

    /// Events about a pool are recorded against a Node-kind reference named after the pool.
    fn pool_ref(&self, pool: usize) -> ObjRef {
        ObjRef {
            kind: crate::api::Kind::Node,
            namespace: crate::model::Sym(0),
            name: Arc::from(self.pools[pool].spec.name.as_str()),
        }
    }

    /// Carries out `steps`, then fills the upgrade's free slots, until nothing is left to do now.
    fn run_upgrade_steps(&mut self, u: usize, steps: Vec<Step>) {
        let now = self.store.now();
        let pool = self.upgrades[u].pool;
        let mut todo: std::collections::VecDeque<Step> = steps.into();
        loop {
            while let Some(step) = todo.pop_front() {
                self.run_upgrade_step(u, pool, step);
            }
            let more = self.upgrades[u].fill(now);
            if more.is_empty() {
                break;
            }
            todo.extend(more);
        }
    }

    fn run_upgrade_step(&mut self, u: usize, pool: usize, step: Step) {
        let now = self.store.now();
        match step {
            Step::ProvisionSurge => self.provision_node_for(pool, Purpose::Surge(u as u32)),
            Step::ProvisionReplacement => {
                self.provision_node_for(pool, Purpose::Replacement(u as u32))
            }
            Step::Drain(node, surge) => {
                // Managed upgrades evict every pod (DaemonSet pods go with the node).
                let opts = DrainOptions {
                    grace: None,
                    timeout: Some(self.upgrades[u].drain_timeout),
                    force: true,
                    ignore_daemonsets: true,
                    delete_emptydir_data: true,
                };
                self.start_drain(node, opts, Some(DrainFor::Upgrade(u, surge)));
            }
            Step::Remove(node) => self.remove_node(node),
            Step::Done => {
                let up = &self.upgrades[u];
                let took = now.since(up.started);
                let (replaced, forced) = (up.replaced, up.forced);
                let obj = self.pool_ref(pool);
                self.store
                    .record(obj, EventType::Normal, "UpgradeComplete", "kubesim", |_| {
                        format!(
                            "upgraded in {took}: {replaced} node(s) replaced, {forced} drain(s) timed out"
                        )
                    });
            }
        }
    }
}

impl Simulation {
    /// Builds the Cluster Autoscaler over the pools that set `max`, if the scenario enables it.
    pub(crate) fn start_autoscaler(&mut self) {
        use crate::autoscaling::cluster_autoscaler::{ClusterAutoscaler, Flags, Group};
        let Some(settings) = self.scenario.cluster_autoscaler.clone() else {
            return;
        };
        let mut groups = Vec::new();
        for pool in 0..self.pools.len() {
            let spec = self.pools[pool].spec.clone();
            let Some(max) = spec.max else { continue };
            let index = self.pools[pool].next_index;
            let Some(template) = self.pool_node(pool, index) else {
                continue;
            };
            groups.push(Group {
                pool,
                name: spec.name.clone(),
                min: spec.min.unwrap_or(0),
                max,
                price: spec.price_per_hour,
                template,
            });
        }
        let flags = Flags::from(&settings);
        let first = self.store.now() + flags.scan_interval;
        self.autoscaler = Some(ClusterAutoscaler::new(flags, groups));
        self.queue.push(first, Event::ClusterAutoscaler);
    }

    /// One Cluster Autoscaler loop: decide, then act.
    pub(crate) fn autoscaler_loop(&mut self) {
        use crate::autoscaling::cluster_autoscaler::Decision;
        let now = self.store.now();
        let Some(ca) = self.autoscaler.as_mut() else {
            return;
        };
        let decisions = ca.run_once(now, &self.store, &self.scheduler);
        let next = now + ca.flags.scan_interval;
        for d in decisions {
            match d {
                Decision::ScaleUp {
                    group,
                    count,
                    pods,
                    from,
                    why,
                } => {
                    let (pool, name, max) = {
                        let g = &self.autoscaler.as_ref().expect("set").groups[group];
                        (g.pool, g.name.clone(), g.max)
                    };
                    let to = from + count;
                    let cause = self.store.cause(
                        "ScaleUpDecision",
                        None,
                        |s| pods.iter().map(|&p| s.pod_ref(p)).collect(),
                        |_| {
                            format!(
                                "cluster-autoscaler: {} unschedulable pod(s) fit node group {name}'s template; {why}; requesting {count} node(s): {name} {from}->{to} (max: {max})",
                                pods.len()
                            )
                        },
                    );
                    for _ in 0..count {
                        self.provision_node_caused(pool, Purpose::Autoscaler(group as u32), cause);
                    }
                    for p in pods {
                        let obj = self.store.pod_ref(p);
                        let name = name.clone();
                        self.store.record(
                            obj,
                            EventType::Normal,
                            "TriggeredScaleUp",
                            "cluster-autoscaler",
                            |_| {
                                format!(
                                    "pod triggered scale-up: [{{{name} {from}->{to} (max: {max})}}]"
                                )
                            },
                        );
                    }
                }
                Decision::NoScaleUp(p, msg) => {
                    let obj = self.store.pod_ref(p);
                    self.store.record(
                        obj,
                        EventType::Normal,
                        "NotTriggerScaleUp",
                        "cluster-autoscaler",
                        |_| msg,
                    );
                }
                Decision::ScaleDown {
                    node,
                    pods,
                    utilization,
                } => {
                    let obj = self.store.node_ref(node);
                    let name = obj.name.clone();
                    let flags = self.autoscaler.as_ref().map(|a| a.flags.clone());
                    self.store.cause(
                        "ScaleDownDecision",
                        None,
                        |_| vec![obj.clone()],
                        |_| {
                            let (th, unneeded) = flags
                                .map(|f| (f.threshold, f.unneeded_time))
                                .unwrap_or_default();
                            format!(
                                "cluster-autoscaler: utilization {utilization:.2} below --scale-down-utilization-threshold {th} for --scale-down-unneeded-time {unneeded}; {pods} pod(s) can move elsewhere: drain and delete"
                            )
                        },
                    );
                    let msg = if pods == 0 {
                        format!("Scale-down: removing empty node \"{name}\"")
                    } else {
                        format!(
                            "Scale-down: removing node {name}, utilization: {utilization:.2}, pods to reschedule: {pods}"
                        )
                    };
                    self.store.record(
                        obj,
                        EventType::Normal,
                        "ScaleDown",
                        "cluster-autoscaler",
                        |_| msg,
                    );
                    // Drained through the Eviction API; --max-graceful-termination-sec 600.
                    let opts = DrainOptions {
                        grace: None,
                        timeout: Some(crate::engine::SimDuration::from_secs(600)),
                        force: true,
                        ignore_daemonsets: true,
                        delete_emptydir_data: true,
                    };
                    self.start_drain(node, opts, Some(DrainFor::Autoscaler));
                }
            }
        }
        if next <= self.end() {
            self.queue.push(next, Event::ClusterAutoscaler);
        }
    }
}
