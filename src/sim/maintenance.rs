//! Wiring of the operator procedures (`ops::drain`, `ops::upgrade`) to the simulation: drains
//! started by scenario actions or upgrades, nodes provisioned for upgrades, and what happens
//! when a drain ends.

use super::{Ctx, Simulation};
use crate::model::NodeId;
use crate::ops::drain::{DrainOptions, Finished};
use crate::ops::upgrade::{Step, Upgrade};
use crate::store::events::{EventType, ObjRef};
use std::sync::Arc;

/// Why a node is being provisioned.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// A scenario `addNodes` (or nothing in particular).
    Plain,
    /// A surge node of upgrade `n`.
    Surge(u32),
    /// The replacement of a drained node of upgrade `n`.
    Replacement(u32),
}

impl Simulation {
    /// Cordons `node` and starts a `kubectl drain` of it; `upgrade` ties the drain to a slot of
    /// a pool upgrade (upgrade index, surge slot).
    pub(crate) fn start_drain(
        &mut self,
        node: NodeId,
        opts: DrainOptions,
        upgrade: Option<(usize, bool)>,
    ) {
        self.set_cordon(node, true);
        let mut cx = Ctx {
            now: self.store.now(),
            store: &mut self.store,
            queue: &mut self.queue,
        };
        let (record, finished) = self.drainer.start(node, opts, &mut cx);
        if let Some(u) = upgrade {
            self.drain_purpose.insert(record, u);
        }
        if let Some(f) = finished {
            self.drain_finished(f);
        }
    }

    /// A drain ended: an upgrade removes the node and moves on.
    pub(crate) fn drain_finished(&mut self, f: Finished) {
        let Some((u, surge)) = self.drain_purpose.remove(&f.record) else {
            return;
        };
        let steps = self.upgrades[u].drained(f.node, surge, !f.drained);
        self.run_upgrade_steps(u, steps);
    }

    /// A provisioned node joined the cluster.
    pub(crate) fn node_up_for(&mut self, purpose: Purpose) {
        match purpose {
            Purpose::Plain => {}
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
    ) -> usize {
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
        idx
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
                self.start_drain(node, opts, Some((u, surge)));
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
