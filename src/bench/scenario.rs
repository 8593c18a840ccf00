//! Benchmarks over kubesim scenarios (the full simulator: Store, controllers, kube-scheduler
//! framework): each (scenario × policy × seed) is one `kubesim run`, the policy being the
//! scenario's own scheduler configuration (`default`) or a `KubeSchedulerConfiguration` file.
//! Used by the scheduler_perf-style suites in `scenarios/bench/perf/`.

use super::stats::{Estimate, paired_by_seed};
use super::svg::{CiPanel, ci_chart};
use super::{BenchFile, PolicySpec, resolve_path};
use crate::diag::{Diagnostic, Diagnostics};
use crate::scenario::{Scenario, load_scenario};
use crate::scheduler::config::SchedulerConfig;
use crate::sim::{SimOptions, Simulation};
use std::fmt::Write;
use std::path::Path;
use std::sync::Arc;

/// A scenario benchmark ready to run.
#[derive(Clone, Debug)]
pub struct ScenarioBench {
    /// Name.
    pub name: String,
    /// (name, scenario).
    pub workloads: Vec<(String, Arc<Scenario>)>,
    /// (name, configuration; `None` keeps the scenario's).
    pub policies: Vec<(String, Option<SchedulerConfig>)>,
    /// Index into `policies` of the baseline for paired differences (`baseline:`, default 0).
    pub baseline: usize,
    /// Seeds.
    pub seeds: Vec<u64>,
}

/// One finished scenario run.
#[derive(Clone, Debug)]
pub struct ScenarioRun {
    /// Workload index.
    pub workload: usize,
    /// Policy index.
    pub policy: usize,
    /// Seed.
    pub seed: u64,
    /// Pods ever created.
    pub pods_created: u64,
    /// Pods bound by the scheduler.
    pub scheduled: u64,
    /// Pods pending at the end.
    pub pending: u64,
    /// Scheduling cycles that found no node.
    pub unschedulable: u64,
    /// Preemptions carried out.
    pub preemptions: u64,
    /// Pods evicted by preemption.
    pub victims: u64,
    /// Nodes evaluated by Filter, summed over cycles.
    pub nodes_evaluated: u64,
    /// Total cost (pool prices × node-hours).
    pub cost: f64,
    /// Events processed.
    pub events: u64,
    /// The run's event hash.
    pub event_hash: String,
    /// Seconds from creation to binding of the bound pods present at the end: p50, p95, p99.
    pub pending_secs: [f64; 3],
    /// Largest zone skew (max − min pods per zone, over the cluster's zones) of any
    /// controller's bound pods at the end (`topology.kubernetes.io/zone`); 0 without zones.
    pub max_zone_skew: u64,
    /// Nodes with at least one bound pod at the end.
    pub nodes_used: u64,
    /// Wall-clock seconds (only in `timing.csv`).
    pub wall_secs: f64,
}

/// Time pending (p50/p95/p99) and the largest zone skew per controller at the end of a run.
fn pending_and_skew(sim: &Simulation) -> ([f64; 3], u64, u64) {
    use std::collections::{BTreeMap, BTreeSet};
    let store = &sim.store;
    let zk = store.interner.lookup("topology.kubernetes.io/zone");
    let zones: BTreeSet<_> = match zk {
        Some(k) => store.nodes().filter_map(|(_, n)| n.labels.get(k)).collect(),
        None => BTreeSet::new(),
    };
    let mut waits = Vec::new();
    let mut used = BTreeSet::new();
    let mut per_owner: BTreeMap<String, BTreeMap<crate::model::Sym, u64>> = BTreeMap::new();
    for (_, p) in store.pods() {
        if let Some(t) = p.status.scheduled_at {
            waits.push(t.since(p.created).as_secs_f64());
        }
        if let Some(n) = p.status.node {
            used.insert(n);
        }
        if let (Some(o), Some(n), Some(k)) = (&p.owner, p.status.node, zk)
            && let Some(z) = store.node(n).and_then(|n| n.labels.get(k))
        {
            *per_owner
                .entry(format!("{o:?}"))
                .or_default()
                .entry(z)
                .or_default() += 1;
        }
    }
    let skew = per_owner
        .values()
        .map(|c| {
            let counts: Vec<u64> = zones
                .iter()
                .map(|z| c.get(z).copied().unwrap_or(0))
                .collect();
            counts.iter().max().unwrap_or(&0) - counts.iter().min().unwrap_or(&0)
        })
        .max()
        .unwrap_or(0);
    let q = |x| super::stats::quantile(&waits, x);
    ([q(0.5), q(0.95), q(0.99)], skew, used.len() as u64)
}

/// Loads a scenario bench (`spec` already parsed from `file`; `base` resolves paths).
pub fn load(spec: &BenchFile, file: &Arc<str>, base: &Path) -> Result<ScenarioBench, Diagnostics> {
    let bad = |msg: String, path: &str| {
        Diagnostics::one(Diagnostic::error(msg).in_file(file).with_path(path))
    };
    let mut workloads = Vec::new();
    for (i, w) in spec.workloads.iter().enumerate() {
        let Some(p) = &w.scenario else {
            return Err(bad(
                "a bench mixes scenario and openb workloads".into(),
                &format!("workloads[{i}]"),
            ));
        };
        let path = resolve_path(p, base);
        let sc = load_scenario(&path, &path.to_string_lossy())?;
        let name = w.name.clone().unwrap_or_else(|| sc.name.clone());
        workloads.push((name, Arc::new(sc)));
    }
    let mut policies = Vec::new();
    for (i, p) in spec.policies.iter().enumerate() {
        match p {
            PolicySpec::Name(n) if n == "default" => policies.push((n.clone(), None)),
            PolicySpec::Name(n) => {
                return Err(bad(
                    format!("`{n}`: scenario workloads take `default` or {{name, config}}"),
                    &format!("policies[{i}]"),
                ));
            }
            PolicySpec::Config { name, config } => {
                let path = resolve_path(config, base);
                let shown = path.to_string_lossy().to_string();
                let docs =
                    crate::scheduler::config::load_file(&path, &shown).map_err(Diagnostics::one)?;
                let [doc] = docs.as_slice() else {
                    return Err(bad(
                        format!("{shown}: expected one KubeSchedulerConfiguration"),
                        &format!("policies[{i}]"),
                    ));
                };
                let (cfg, _warnings) =
                    crate::scheduler::config::parse(doc).map_err(Diagnostics::one)?;
                policies.push((name.clone(), Some(cfg)));
            }
        }
    }
    if policies.is_empty() {
        return Err(bad("at least one policy is needed".into(), "policies"));
    }
    for (i, (n, _)) in policies.iter().enumerate() {
        if policies[..i].iter().any(|(m, _)| m == n) {
            return Err(bad(
                format!("duplicate policy name `{n}`"),
                &format!("policies[{i}]"),
            ));
        }
    }
    let baseline = match &spec.baseline {
        None => 0,
        Some(b) => policies.iter().position(|(n, _)| n == b).ok_or_else(|| {
            let names: Vec<&str> = policies.iter().map(|(n, _)| n.as_str()).collect();
            bad(
                format!("`{b}` is not one of the policies ({})", names.join(", ")),
                "baseline",
            )
        })?,
    };
    let seeds = spec.seeds.seeds();
    if seeds.is_empty() {
        return Err(bad("no seeds".into(), "seeds"));
    }
    Ok(ScenarioBench {
        name: spec.name.clone(),
        workloads,
        policies,
        baseline,
        seeds,
    })
}

/// Runs every (workload × policy × seed) on `threads` workers; results in index order.
pub fn run_all(
    b: &ScenarioBench,
    threads: usize,
    progress: &(dyn Fn() + Sync),
) -> Result<Vec<ScenarioRun>, Diagnostics> {
    super::par_grid(
        b.workloads.len(),
        b.policies.len(),
        &b.seeds,
        threads,
        |w, p, seed| -> Result<ScenarioRun, Diagnostics> {
            let mut sc = (*b.workloads[w].1).clone();
            if let Some(cfg) = &b.policies[p].1 {
                sc.scheduler_config = Some(cfg.clone());
            }
            let opts = SimOptions {
                seed: Some(seed),
                ..Default::default()
            };
            #[allow(clippy::disallowed_methods)] // wall clock only for timing.csv
            let t0 = std::time::Instant::now();
            let mut sim = Simulation::new(Arc::new(sc), &opts)?;
            sim.run();
            let wall_secs = t0.elapsed().as_secs_f64();
            let sum = sim.summary();
            let st = sim.scheduler.stats();
            let (pending_secs, max_zone_skew, nodes_used) = pending_and_skew(&sim);
            progress();
            Ok(ScenarioRun {
                workload: w,
                policy: p,
                seed,
                pods_created: sum.pods.created,
                scheduled: st.scheduled,
                pending: sum.pods.pending,
                unschedulable: st.unschedulable,
                preemptions: st.preemptions,
                victims: st.victims,
                nodes_evaluated: st.nodes_evaluated,
                cost: sum.cost.total,
                events: sum.events_processed,
                event_hash: sum.event_hash,
                pending_secs,
                max_zone_skew,
                nodes_used,
                wall_secs,
            })
        },
    )
    .into_iter()
    .collect()
}

/// Writes `runs.csv`, `summary.csv` (mean, sd, 95 % CI per policy and metric), `paired.csv`
/// (differences to the baseline per seed), `summary.md`, `metrics_<workload>.svg`,
/// `paired_<workload>.svg`, `timing.csv` (with pods/s) and `README.md` into `out`;
/// returns the overall scheduled pods per wall second.
pub fn write_outputs(
    b: &ScenarioBench,
    runs: &[ScenarioRun],
    out: &Path,
    command: &str,
    commit: &str,
    full: &str,
) -> std::io::Result<f64> {
    std::fs::create_dir_all(out)?;
    let mut csv = String::from(
        "workload,policy,seed,pods_created,pods_scheduled,pods_pending_end,unschedulable_cycles,preemptions,preemption_victims,nodes_evaluated,pending_s_p50,pending_s_p95,pending_s_p99,max_zone_skew,nodes_used,cost,events,event_hash\n",
    );
    let mut timing = String::from("workload,policy,seed,wall_ms,pods_scheduled_per_s\n");
    let (mut pods, mut secs) = (0u64, 0.0);
    for r in runs {
        let (w, p) = (&b.workloads[r.workload].0, &b.policies[r.policy].0);
        let _ = writeln!(
            csv,
            "{w},{p},{},{},{},{},{},{},{},{},{:.3},{:.3},{:.3},{},{},{:.4},{},{}",
            r.seed,
            r.pods_created,
            r.scheduled,
            r.pending,
            r.unschedulable,
            r.preemptions,
            r.victims,
            r.nodes_evaluated,
            r.pending_secs[0],
            r.pending_secs[1],
            r.pending_secs[2],
            r.max_zone_skew,
            r.nodes_used,
            r.cost,
            r.events,
            r.event_hash
        );
        let _ = writeln!(
            timing,
            "{w},{p},{},{:.1},{:.0}",
            r.seed,
            r.wall_secs * 1000.0,
            r.scheduled as f64 / r.wall_secs.max(1e-9)
        );
        pods += r.scheduled;
        secs += r.wall_secs;
    }
    let prov = format!("{command} @ {commit}");
    let (summary_csv, paired_csv, md, svgs) = stats_reports(b, runs, command, commit, &prov);
    let mut readme = format!(
        "# {}\n\nWritten by `{full}` at commit `{commit}`. `timing.csv` (wall clock, pods scheduled per second of one worker) varies between runs; the other files do not.\n\n- `runs.csv`\n- `summary.csv`\n- `paired.csv`\n- `summary.md`\n- `timing.csv`\n",
        b.name
    );
    for (name, _) in &svgs {
        let _ = writeln!(readme, "- `{name}`");
    }
    std::fs::write(out.join("runs.csv"), csv)?;
    std::fs::write(out.join("summary.csv"), summary_csv)?;
    std::fs::write(out.join("paired.csv"), paired_csv)?;
    std::fs::write(out.join("summary.md"), md)?;
    for (name, svg) in svgs {
        std::fs::write(out.join(name), svg)?;
    }
    std::fs::write(out.join("timing.csv"), timing)?;
    std::fs::write(out.join("README.md"), readme)?;
    Ok(pods as f64 / secs.max(1e-9))
}

/// A metric of a scenario run: (column name, label in tables and plots, value).
type Metric = (&'static str, &'static str, fn(&ScenarioRun) -> f64);

/// The metrics summarised per policy and compared against the baseline, in output order.
pub const METRICS: [Metric; 11] = [
    ("pods_scheduled", "pods scheduled", |r| r.scheduled as f64),
    ("pods_pending_end", "pending at end", |r| r.pending as f64),
    ("unschedulable_cycles", "unschedulable cycles", |r| {
        r.unschedulable as f64
    }),
    ("preemptions", "preemptions", |r| r.preemptions as f64),
    ("preemption_victims", "victims", |r| r.victims as f64),
    ("pending_s_p50", "pending s p50", |r| r.pending_secs[0]),
    ("pending_s_p95", "pending s p95", |r| r.pending_secs[1]),
    ("pending_s_p99", "pending s p99", |r| r.pending_secs[2]),
    ("max_zone_skew", "max zone skew", |r| r.max_zone_skew as f64),
    ("nodes_used", "nodes used", |r| r.nodes_used as f64),
    ("cost", "cost", |r| r.cost),
];

/// `v` with four decimals; empty for NaN (e.g. the CI of a single seed).
fn f4(v: f64) -> String {
    if v.is_nan() {
        String::new()
    } else {
        // -0.0 prints as 0.0000 so a zero difference has one spelling.
        format!("{:.4}", v + 0.0)
    }
}

/// (seed, value) of one metric for the runs of (workload, policy), in seed order.
fn series(runs: &[ScenarioRun], w: usize, p: usize, m: &Metric) -> Vec<(u64, f64)> {
    runs.iter()
        .filter(|r| r.workload == w && r.policy == p)
        .map(|r| (r.seed, (m.2)(r)))
        .collect()
}

/// `summary.csv`, `paired.csv`, `summary.md` and the SVGs (`metrics_<workload>.svg`,
/// `paired_<workload>.svg`) of a scenario bench.
#[allow(clippy::type_complexity)]
fn stats_reports(
    b: &ScenarioBench,
    runs: &[ScenarioRun],
    command: &str,
    commit: &str,
    prov: &str,
) -> (String, String, String, Vec<(String, String)>) {
    const COLORS: [&str; 8] = [
        "#7f7f7f", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#d62728", "#17becf", "#8c564b",
    ];
    let base = &b.policies[b.baseline].0;
    let mut scsv = String::from("workload,policy,metric,runs,mean,sd,ci95_half,ci95_lo,ci95_hi\n");
    let mut pcsv = String::from(
        "workload,policy,baseline,metric,pairs,diff_mean,diff_sd,diff_ci95_half,diff_ci95_lo,diff_ci95_hi\n",
    );
    let mut md = format!(
        "# Benchmark `{}`\n\nProduced by `{command}` at commit `{commit}`. Seeds {:?}. \
Values are mean ± sample sd over seeds [95 % CI half-width, Student t]; the paired differences \
are policy − `{base}` per seed (same seed, same arrivals) with their 95 % CI.\n\n\
| workload | policy | pods scheduled | pending at end | unschedulable cycles | preemptions | victims | pending s p50 / p95 / p99 | max zone skew | nodes used | cost |\n\
|---|---|---|---|---|---|---|---|---|---|---|\n",
        b.name, b.seeds
    );
    let mut diffs_md = format!(
        "\n## Paired differences against `{base}` (mean [95 % CI half-width])\n\n| workload | policy |"
    );
    for m in &METRICS {
        let _ = write!(diffs_md, " {} |", m.1);
    }
    diffs_md.push_str("\n|---|---|");
    for _ in &METRICS {
        diffs_md.push_str("---|");
    }
    diffs_md.push('\n');
    let mut svgs = Vec::new();
    for (w, (wn, _)) in b.workloads.iter().enumerate() {
        let mut level_panels: Vec<CiPanel> = METRICS
            .iter()
            .map(|m| CiPanel {
                title: m.1.to_string(),
                estimates: Vec::new(),
                zero_line: false,
            })
            .collect();
        let mut diff_panels: Vec<CiPanel> = METRICS
            .iter()
            .map(|m| CiPanel {
                title: format!("Δ {}", m.1),
                estimates: Vec::new(),
                zero_line: true,
            })
            .collect();
        for (p, (pn, _)) in b.policies.iter().enumerate() {
            let color = COLORS[p % COLORS.len()].to_string();
            let mut cells = Vec::new();
            let _ = write!(diffs_md, "| {wn} | {pn} |");
            for (k, m) in METRICS.iter().enumerate() {
                let v = series(runs, w, p, m);
                let vals: Vec<f64> = v.iter().map(|x| x.1).collect();
                let e = Estimate::of(&vals);
                let _ = writeln!(
                    scsv,
                    "{wn},{pn},{},{},{},{},{},{},{}",
                    m.0,
                    e.n,
                    f4(e.mean),
                    f4(e.sd),
                    f4(e.ci95),
                    f4(e.mean - e.ci95),
                    f4(e.mean + e.ci95)
                );
                cells.push(e);
                level_panels[k].estimates.push(super::svg::Estimate {
                    label: pn.clone(),
                    color: color.clone(),
                    mean: e.mean,
                    lo: e.mean - e.ci95,
                    hi: e.mean + e.ci95,
                });
                let d = Estimate::of(&paired_by_seed(&v, &series(runs, w, b.baseline, m)));
                let _ = writeln!(
                    pcsv,
                    "{wn},{pn},{base},{},{},{},{},{},{},{}",
                    m.0,
                    d.n,
                    f4(d.mean),
                    f4(d.sd),
                    f4(d.ci95),
                    f4(d.mean - d.ci95),
                    f4(d.mean + d.ci95)
                );
                if p == b.baseline {
                    diffs_md.push_str(" – |");
                } else {
                    let _ = write!(
                        diffs_md,
                        " {:+.3} [{}] |",
                        d.mean + 0.0,
                        if d.ci95.is_nan() {
                            "–".to_string()
                        } else {
                            format!("{:.3}", d.ci95)
                        }
                    );
                }
                if p != b.baseline {
                    diff_panels[k].estimates.push(super::svg::Estimate {
                        label: pn.clone(),
                        color: color.clone(),
                        mean: d.mean,
                        lo: d.mean - d.ci95,
                        hi: d.mean + d.ci95,
                    });
                }
            }
            diffs_md.push('\n');
            let c = |k: usize| {
                format!(
                    "{:.1} ± {:.1} [{}]",
                    cells[k].mean,
                    cells[k].sd,
                    if cells[k].ci95.is_nan() {
                        "–".to_string()
                    } else {
                        format!("{:.1}", cells[k].ci95)
                    }
                )
            };
            let _ = writeln!(
                md,
                "| {wn} | {pn} | {} | {} | {} | {} | {} | {:.3} / {:.3} / {:.3} | {} | {} | {} |",
                c(0),
                c(1),
                c(2),
                c(3),
                c(4),
                cells[5].mean,
                cells[6].mean,
                cells[7].mean,
                c(8),
                c(9),
                c(10)
            );
        }
        svgs.push((
            format!("metrics_{wn}.svg"),
            ci_chart(
                &format!("{}: mean and 95 % CI over seeds per policy", wn),
                &level_panels,
                prov,
            ),
        ));
        if b.policies.len() > 1 {
            svgs.push((
                format!("paired_{wn}.svg"),
                ci_chart(
                    &format!("{wn}: paired difference to `{base}` (same seed), mean and 95 % CI"),
                    &diff_panels,
                    prov,
                ),
            ));
        }
    }
    md.push_str(&diffs_md);
    (scsv, pcsv, md, svgs)
}
