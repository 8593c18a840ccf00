//! `kubesim top pods|nodes SCENARIO --at T`: what `kubectl top` would show at a simulated
//! time (the run is replayed to `T`; determinism makes that the same state every time).
//!
//! Values are the pods' usage at the last load tick (cpu after throttling, memory working
//! set); metrics-server averages cpu over its scrape window, which with the default 15 s
//! resolution and the 15 s load tick gives the same figures except just after a change. Node
//! figures are the sum of their pods' usage against allocatable.

use super::{EXIT_INPUT, display};
use crate::engine::{SimDuration, SimTime};
use crate::model::pod::PodPhase;
use crate::scenario::load_scenario;
use crate::sim::{SimOptions, Simulation};
use clap::{Args, ValueEnum};
use std::path::PathBuf;
use std::sync::Arc;

/// What to show.
#[derive(Copy, Clone, Debug, ValueEnum)]
pub enum TopWhat {
    /// Pods (`kubectl top pods`).
    #[value(alias = "pod")]
    Pods,
    /// Nodes (`kubectl top nodes`).
    #[value(alias = "node")]
    Nodes,
}

/// Arguments of `top`.
#[derive(Args, Debug)]
pub struct TopArgs {
    /// `pods` or `nodes`.
    #[arg(value_enum)]
    pub what: TopWhat,
    /// The scenario file.
    pub scenario: PathBuf,
    /// Simulated time to look at (e.g. 4m, 2h15m).
    #[arg(long, value_parser = parse_at)]
    pub at: SimDuration,
    /// Seed (default: the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Namespace of the pods (default: default).
    #[arg(long, short)]
    pub namespace: Option<String>,
    /// Pods of every namespace (adds a NAMESPACE column).
    #[arg(long, short = 'A')]
    pub all_namespaces: bool,
}

pub use super::printers::{parse_at, table};

/// The `kubectl top` view of `sim` now.
pub fn render(sim: &Simulation, what: TopWhat, ns: Option<&str>) -> String {
    let k = sim.kubelet();
    let i = &sim.store.interner;
    let mib = |b: i64| b / (1024 * 1024);
    match what {
        TopWhat::Pods => {
            let mut rows: Vec<(String, String, f64, i64)> = Vec::new();
            for (id, p) in sim.store.pods() {
                if p.deleted || p.status.phase != PodPhase::Running {
                    continue;
                }
                let pns = i.resolve(p.namespace);
                if ns.is_some_and(|n| n != pns) {
                    continue;
                }
                let Some((cpu, mem)) = k.pod_usage_now(id) else {
                    continue;
                };
                rows.push((pns.to_string(), p.name.to_string(), cpu, mem));
            }
            rows.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
            let mut t = Vec::new();
            let all = ns.is_none();
            let mut head = vec![
                "NAME".to_string(),
                "CPU(cores)".into(),
                "MEMORY(bytes)".into(),
            ];
            if all {
                head.insert(0, "NAMESPACE".into());
            }
            t.push(head);
            for (n, name, cpu, mem) in rows {
                let mut r = vec![
                    name,
                    format!("{}m", cpu.round() as i64),
                    format!("{}Mi", mib(mem)),
                ];
                if all {
                    r.insert(0, n);
                }
                t.push(r);
            }
            table(&t)
        }
        TopWhat::Nodes => {
            let mut t = vec![vec![
                "NAME".to_string(),
                "CPU(cores)".into(),
                "CPU(%)".into(),
                "MEMORY(bytes)".into(),
                "MEMORY(%)".into(),
            ]];
            let mut nodes: Vec<_> = sim.store.nodes().collect();
            nodes.sort_by_key(|(_, n)| i.resolve(n.name).to_string());
            for (_, n) in nodes {
                let (mut cpu, mut mem) = (0.0, 0i64);
                for &p in &n.pods {
                    if let Some((c, m)) = k.pod_usage_now(p) {
                        cpu += c;
                        mem += m;
                    }
                }
                let pct = |u: f64, a: i64| {
                    if a > 0 {
                        (u * 100.0 / a as f64) as i64
                    } else {
                        0
                    }
                };
                t.push(vec![
                    i.resolve(n.name).to_string(),
                    format!("{}m", cpu.round() as i64),
                    format!("{}%", pct(cpu, n.allocatable.cpu)),
                    format!("{}Mi", mib(mem)),
                    format!("{}%", pct(mem as f64, n.allocatable.memory)),
                ]);
            }
            table(&t)
        }
    }
}

/// Runs the verb.
pub fn top(a: TopArgs) -> i32 {
    let shown = display(&a.scenario);
    let scenario = match load_scenario(&a.scenario, &shown) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return EXIT_INPUT;
        }
    };
    let opts = SimOptions {
        seed: a.seed,
        ..Default::default()
    };
    let mut sim = match Simulation::new(Arc::new(scenario), &opts) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return EXIT_INPUT;
        }
    };
    let at = SimTime::ZERO + a.at;
    if at > sim.end() {
        eprintln!(
            "kubesim: --at {} is after the end of the scenario ({})",
            a.at,
            sim.end()
        );
        return EXIT_INPUT;
    }
    sim.run_until(at);
    let ns = if a.all_namespaces {
        None
    } else {
        Some(a.namespace.as_deref().unwrap_or("default"))
    };
    let ns = match a.what {
        TopWhat::Nodes => None,
        TopWhat::Pods => ns,
    };
    print!("{}", render(&sim, a.what, ns));
    0
}
