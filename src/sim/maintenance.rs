//! Wiring of the operator procedures (`ops::drain`, `ops::upgrade`) to the simulation: drains
//! started by scenario actions or upgrades, nodes provisioned for upgrades, and what happens
//! when a drain ends.

use super::event::Event;
use super::{Ctx, Simulation};
use crate::model::NodeId;
use crate::ops::drain::{AutoscalerDrain, DrainOptions, Finished};
use crate::ops::upgrade::{Step, Upgrade};
use crate::store::events::{EventType, ObjRef};
use std::sync::Arc;

/// The taint the Cluster Autoscaler puts on a node it removes (`utils/taints/taints.go`).
pub const TO_BE_DELETED_TAINT: &str = "ToBeDeletedByClusterAutoscaler";

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

/// A node the Cluster Autoscaler requested that has not come up yet.
#[derive(Copy, Clone, Debug)]
pub(crate) struct CaInstance {
    /// Node group.
    group: usize,
    /// When the cloud reports its creation error (a failed node with `errorAfter`).
    error_at: Option<crate::engine::SimTime>,
    /// The node will never come up (the pool's `provisioningFailure`).
    failed: bool,
    /// Its creation error has been reported to the autoscaler.
    reported: bool,
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
        if purpose == Some(DrainFor::Autoscaler) {
            // `taintNode`: the ToBeDeleted taint, not a cordon (--cordon-node-before-terminating
            // is false by default).
            self.set_to_be_deleted(node, true);
            let obj = self.store.node_ref(node);
            self.store.record(
                obj,
                EventType::Normal,
                "ScaleDown",
                "cluster-autoscaler",
                |_| "marked the node as toBeDeleted/unschedulable".to_string(),
            );
        } else {
            self.set_cordon(node, true);
        }
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

    /// Adds or removes the Cluster Autoscaler's `ToBeDeletedByClusterAutoscaler:NoSchedule`
    /// taint, whose value is the time in Unix seconds (`utils/taints/taints.go`).
    pub(crate) fn set_to_be_deleted(&mut self, node: NodeId, on: bool) {
        use crate::model::pod::{Taint, TaintEffect};
        let now = self.store.now();
        let key = self.store.interner.intern(TO_BE_DELETED_TAINT);
        let secs = now.since(crate::engine::SimTime::ZERO).as_micros() / 1_000_000;
        let value = self.store.interner.intern(&secs.to_string());
        let Some(n) = self.store.node(node) else {
            return;
        };
        if n.taints.iter().any(|t| t.key == key) == on {
            return;
        }
        self.store.update_node(node, |n| {
            n.taints.retain(|t| t.key != key);
            if on {
                n.taints.push(Taint {
                    key,
                    value,
                    effect: TaintEffect::NoSchedule,
                    added: now,
                });
            }
        });
    }

    /// A drain ended: an upgrade removes the node and moves on.
    pub(crate) fn drain_finished(&mut self, f: Finished) {
        let (u, surge) = match self.drain_purpose.remove(&f.record) {
            Some(DrainFor::Upgrade(u, surge)) => (u, surge),
            Some(DrainFor::Autoscaler) if !f.drained => {
                // A drain that did not complete fails the scale-down: the node is kept, its
                // ToBeDeleted taint removed (CleanUpAndRecordFailedScaleDownEvent in
                // core/scaledown/actuation/actuator.go), and --scale-down-delay-after-failure
                // applies.
                let err = match &self.drainer.records[f.record].outcome {
                    crate::ops::drain::DrainOutcome::Failed(e) => e.clone(),
                    other => other.as_str().to_string(),
                };
                let obj = self.store.node_ref(f.node);
                self.store.record(
                    obj,
                    EventType::Warning,
                    "ScaleDownFailed",
                    "cluster-autoscaler",
                    |_| format!("failed to drain and delete node: {err}"),
                );
                self.set_to_be_deleted(f.node, false);
                let now = self.store.now();
                if let Some(ca) = self.autoscaler.as_mut() {
                    ca.scale_down_failed(f.node, now);
                }
                return;
            }
            Some(DrainFor::Autoscaler) => {
                // cluster-autoscaler deletes the node once it is drained.
                let obj = self.store.node_ref(f.node);
                self.store.record(
                    obj,
                    EventType::Normal,
                    "ScaleDown",
                    "cluster-autoscaler",
                    |_| "nodes removed by cluster autoscaler".to_string(),
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
                    autoscaler: None,
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
    /// Requests one node of pool `pool` for autoscaler group `group`: it comes up after the
    /// pool's provisioning delay unless the pool's `provisioningFailure` makes it fail (a
    /// counter-based draw per request, so other randomness is not perturbed).
    fn request_ca_node(
        &mut self,
        pool: usize,
        group: usize,
        now: crate::engine::SimTime,
        cause: Option<u32>,
    ) {
        let ticket = self.provisioning.len() as u32;
        let failed = self.pools[pool]
            .spec
            .provisioning_failure
            .as_ref()
            .is_some_and(|f| {
                let t = now.since(crate::engine::SimTime::ZERO);
                let in_window = f.from.is_none_or(|a| t >= a.0) && f.until.is_none_or(|b| t < b.0);
                let p = f.probability.unwrap_or(1.0);
                in_window
                    && crate::engine::RngStreams::new(self.seed).counter_f64(
                        crate::engine::StreamId::new(crate::engine::StreamId::AUTOSCALER, 1),
                        pool as u64,
                        ticket as u64,
                    ) < p
            });
        let error_at = if failed {
            self.pools[pool]
                .spec
                .provisioning_failure
                .as_ref()
                .and_then(|f| f.error_after)
                .map(|d| now + d.0)
        } else {
            None
        };
        self.ca_instances.insert(
            ticket,
            CaInstance {
                group,
                error_at,
                failed,
                reported: false,
            },
        );
        if failed {
            // The ticket is used up; no node will join for it.
            self.provisioning.push((
                crate::model::PoolId(pool as u32),
                Purpose::Autoscaler(group as u32),
                cause,
            ));
        } else {
            self.provision_node_caused(pool, Purpose::Autoscaler(group as u32), cause);
        }
    }

    fn ca_group_name(&self, group: usize) -> String {
        self.autoscaler
            .as_ref()
            .map(|a| a.groups[group].name.clone())
            .unwrap_or_default()
    }

    /// Events of the autoscaler's status go to ConfigMap kube-system/cluster-autoscaler-status.
    fn ca_status_ref(&mut self) -> ObjRef {
        ObjRef {
            kind: crate::api::Kind::ConfigMap,
            namespace: self.store.interner.intern("kube-system"),
            name: Arc::from("cluster-autoscaler-status"),
        }
    }

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
        let rng = crate::engine::RngStreams::new(self.seed).stream(crate::engine::StreamId::new(
            crate::engine::StreamId::AUTOSCALER,
            0,
        ));
        self.autoscaler = Some(ClusterAutoscaler::new(flags, groups, rng));
        self.queue.push(first, Event::ClusterAutoscaler);
    }

    /// One Cluster Autoscaler loop: decide, then act.
    pub(crate) fn autoscaler_loop(&mut self) {
        use crate::autoscaling::cluster_autoscaler::Decision;
        let now = self.store.now();
        let Some(ca) = self.autoscaler.as_mut() else {
            return;
        };
        // The cloud's view: instance-creation errors that have surfaced by now.
        for inst in self.ca_instances.values_mut() {
            if inst.failed && !inst.reported && inst.error_at.is_some_and(|t| t <= now) {
                inst.reported = true;
                ca.creation_error(inst.group, 1);
            }
        }
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
                        self.request_ca_node(pool, group, now, cause);
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
                Decision::ScaleUpTimedOut {
                    group,
                    after,
                    removed,
                } => {
                    let name = self.ca_group_name(group);
                    let obj = self.ca_status_ref();
                    self.store.record(
                        obj,
                        EventType::Warning,
                        "ScaleUpTimedOut",
                        "cluster-autoscaler",
                        |_| {
                            format!("Nodes added to group {name} failed to register within {after}")
                        },
                    );
                    // removeOldUnregisteredNodes: the group's nodes still not up are deleted.
                    let gone: Vec<u32> = self
                        .ca_instances
                        .iter()
                        .filter(|(_, i)| i.group == group)
                        .map(|(&t, _)| t)
                        .take(removed as usize)
                        .collect();
                    for t in gone {
                        self.ca_instances.remove(&t);
                        let obj = self.ca_status_ref();
                        let node = format!("{name}-instance-{t}");
                        self.store.record(
                            obj,
                            EventType::Normal,
                            "DeleteUnregistered",
                            "cluster-autoscaler",
                            |_| format!("Removed unregistered node {node}"),
                        );
                    }
                }
                Decision::ScaleUpFailed { group, count } => {
                    let name = self.ca_group_name(group);
                    let obj = self.ca_status_ref();
                    self.store.record(
                        obj,
                        EventType::Warning,
                        "ScaleUpFailed",
                        "cluster-autoscaler",
                        |_| {
                            format!(
                                "Failed adding {count} nodes to group {name} due to OutOfResource.RESOURCE_POOL_EXHAUSTED; source errors: instance creation failed: capacity unavailable"
                            )
                        },
                    );
                    // deleteCreatedNodesWithErrors: the failed instances are deleted.
                    let gone: Vec<u32> = self
                        .ca_instances
                        .iter()
                        .filter(|(_, i)| i.group == group && i.failed && i.reported)
                        .map(|(&t, _)| t)
                        .take(count as usize)
                        .collect();
                    for t in gone {
                        self.ca_instances.remove(&t);
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
                    // Drained through the Eviction API as core/scaledown/actuation/drain.go
                    // does; DaemonSet pods go with the node.
                    let ca = self.autoscaler.as_ref().map(|a| {
                        AutoscalerDrain::new(
                            a.flags.max_graceful_termination,
                            a.flags.max_pod_eviction_time,
                        )
                    });
                    let opts = DrainOptions {
                        grace: None,
                        timeout: None,
                        force: true,
                        ignore_daemonsets: true,
                        delete_emptydir_data: true,
                        autoscaler: ca,
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
