//! What the cluster cost: node-hours per pool × the pool's price, and how much of the capacity
//! paid for was requested and used (cpu and memory integrated over the run at the sampling
//! grid).

use crate::engine::{SimDuration, SimTime};
use crate::model::{NodeId, PoolId};
use crate::store::{Change, Op, Store};
use serde::Serialize;
use std::collections::BTreeMap;

/// Running totals for the cost report.
#[derive(Debug, Default)]
pub struct CostMeter {
    live: BTreeMap<NodeId, (Option<PoolId>, SimTime)>,
    /// Node-seconds of nodes already gone, per pool index (`usize::MAX` slot: no pool).
    gone: BTreeMap<Option<PoolId>, f64>,
    last: Option<(SimTime, Capacity)>,
    /// Integrals (unit × seconds) so far.
    totals: Capacity,
}

/// Cluster capacity, requests and use at an instant (or integrated over time).
#[derive(Copy, Clone, Debug, Default, PartialEq)]
struct Capacity {
    cpu_alloc: f64,
    cpu_req: f64,
    cpu_used: f64,
    mem_alloc: f64,
    mem_req: f64,
    mem_used: f64,
}

/// One pool's cost.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct PoolCost {
    /// Pool name (`-` for nodes from manifests).
    pub pool: String,
    /// Node-hours.
    pub node_hours: f64,
    /// Price per node-hour.
    pub price_per_hour: f64,
    /// node_hours × price.
    pub cost: f64,
}

/// `summary.json`'s `cost`.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct CostSummary {
    /// Per pool, in scenario order (then nodes without a pool).
    pub pools: Vec<PoolCost>,
    /// Sum over pools.
    pub total: f64,
    /// Share of allocatable cpu-hours that pods requested (0..1).
    pub cpu_requested_share: f64,
    /// Share of allocatable cpu-hours that pods used (0..1; from the load model).
    pub cpu_used_share: f64,
    /// Share of allocatable memory-hours that pods requested.
    pub memory_requested_share: f64,
    /// Share of allocatable memory-hours that pods used.
    pub memory_used_share: f64,
    /// The cost of capacity no pod requested: total × (1 − the larger requested share).
    pub idle_cost: f64,
}

impl CostMeter {
    /// Watch notifications: nodes come and go.
    pub fn on_change(&mut self, ch: &Change, store: &Store, now: SimTime) {
        match *ch {
            Change::Node(id, Op::Added) => {
                let pool = store.node(id).and_then(|n| n.pool);
                self.live.insert(id, (pool, now));
            }
            Change::Node(id, Op::Deleted) => {
                if let Some((pool, since)) = self.live.remove(&id) {
                    *self.gone.entry(pool).or_default() += now.since(since).as_secs_f64();
                }
            }
            _ => {}
        }
    }

    /// A sample of the cluster's capacity, requests and use (at the time-series grid).
    pub fn on_sample(&mut self, now: SimTime, store: &Store, cpu_used: i64, mem_used: i64) {
        let mut c = Capacity {
            cpu_used: cpu_used as f64,
            mem_used: mem_used as f64,
            ..Capacity::default()
        };
        for (_, n) in store.nodes() {
            c.cpu_alloc += n.allocatable.cpu as f64;
            c.cpu_req += n.requested.cpu as f64;
            c.mem_alloc += n.allocatable.memory as f64;
            c.mem_req += n.requested.memory as f64;
        }
        self.advance(now);
        self.last = Some((now, c));
    }

    fn advance(&mut self, now: SimTime) {
        if let Some((t, c)) = self.last {
            let dt = now.since(t.min(now)).as_secs_f64();
            let s = &mut self.totals;
            s.cpu_alloc += c.cpu_alloc * dt;
            s.cpu_req += c.cpu_req * dt;
            s.cpu_used += c.cpu_used.min(c.cpu_alloc) * dt;
            s.mem_alloc += c.mem_alloc * dt;
            s.mem_req += c.mem_req * dt;
            s.mem_used += c.mem_used.min(c.mem_alloc) * dt;
            self.last = Some((now, c));
        }
    }

    /// What the cluster cost from time zero to `now`: node-seconds per pool × the pool's price
    /// per hour (`prices` by pool index; nodes without a pool cost nothing).
    pub fn cost_so_far(&self, now: SimTime, prices: &[f64]) -> f64 {
        let price = |p: &Option<PoolId>| p.and_then(|p| prices.get(p.0 as usize)).copied();
        let mut total = 0.0;
        for (pool, secs) in &self.gone {
            total += price(pool).unwrap_or(0.0) * secs;
        }
        for (pool, since) in self.live.values() {
            total += price(pool).unwrap_or(0.0) * now.since(*since).as_secs_f64();
        }
        total / 3600.0
    }

    /// The report at `now` (the end of the run); `pools` gives (name, price) by pool index.
    pub fn summary(&self, now: SimTime, pools: &[(String, f64)]) -> CostSummary {
        let mut secs: BTreeMap<Option<PoolId>, f64> = self.gone.clone();
        for (pool, since) in self.live.values() {
            *secs.entry(*pool).or_default() += now.since(*since).as_secs_f64();
        }
        let mut out = Vec::new();
        for (i, (name, price)) in pools.iter().enumerate() {
            let h = secs.get(&Some(PoolId(i as u32))).copied().unwrap_or(0.0) / 3600.0;
            out.push(PoolCost {
                pool: name.clone(),
                node_hours: round3(h),
                price_per_hour: *price,
                cost: round3(h * price),
            });
        }
        if let Some(s) = secs.get(&None) {
            out.push(PoolCost {
                pool: "-".into(),
                node_hours: round3(s / 3600.0),
                price_per_hour: 0.0,
                cost: 0.0,
            });
        }
        let total: f64 = out.iter().map(|p| p.cost).sum();
        let mut t = self.totals;
        if let Some((at, c)) = self.last {
            let dt = now.since(at.min(now)).as_secs_f64();
            t.cpu_alloc += c.cpu_alloc * dt;
            t.cpu_req += c.cpu_req * dt;
            t.cpu_used += c.cpu_used.min(c.cpu_alloc) * dt;
            t.mem_alloc += c.mem_alloc * dt;
            t.mem_req += c.mem_req * dt;
            t.mem_used += c.mem_used.min(c.mem_alloc) * dt;
        }
        let share = |a: f64, b: f64| if b > 0.0 { round4(a / b) } else { 0.0 };
        let cpu_req = share(t.cpu_req, t.cpu_alloc);
        let mem_req = share(t.mem_req, t.mem_alloc);
        CostSummary {
            pools: out,
            total: round3(total),
            cpu_requested_share: cpu_req,
            cpu_used_share: share(t.cpu_used, t.cpu_alloc),
            memory_requested_share: mem_req,
            memory_used_share: share(t.mem_used, t.mem_alloc),
            idle_cost: round3(total * (1.0 - cpu_req.max(mem_req))),
        }
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn round4(x: f64) -> f64 {
    (x * 10000.0).round() / 10000.0
}

/// Seconds in an hour, for readers of the integrals.
pub const HOUR: SimDuration = SimDuration::from_secs(3600);
