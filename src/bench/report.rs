//! The bench's output files: `runs.csv`, `curves.csv`, `summary.csv`, `summary.md`,
//! `timing.csv`, two SVGs per workload (unallocated GPU; GPU/CPU/memory allocation), and,
//! with a reference, `comparison.{csv,md}`.
//! Numbers are printed with fixed decimals so equal runs give equal bytes.

use super::stats::{ci95, kendall_tau, mean, quantile, sd};
use super::svg::{Panel, Series, chart, chart_each};
use super::{Bench, RunRecord};
use crate::gpu::run::CURVE_MAX;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

const COLORS: [&str; 8] = [
    "#7f7f7f", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#d62728", "#17becf", "#8c564b",
];

/// Provenance shown in files that can carry it (Markdown, SVG).
#[derive(Clone, Debug, Default)]
pub struct Provenance {
    /// The command line.
    pub command: String,
    /// `git describe --always --dirty` of the working tree, if known.
    pub commit: String,
}

fn f(v: f64, d: usize) -> String {
    if v.is_nan() {
        String::new()
    } else {
        format!("{v:.d$}")
    }
}

/// The runs of one (workload, policy), in seed order.
fn cell(runs: &[RunRecord], w: usize, p: usize) -> Vec<&RunRecord> {
    runs.iter()
        .filter(|r| r.workload == w && r.policy == p)
        .collect()
}

/// `runs.csv`: one row per run.
pub fn runs_csv(bench: &Bench, runs: &[RunRecord]) -> String {
    let mut s = String::from(
        "workload,policy,seed,pods_arrived,pods_placed,pods_failed,gpu_pods_failed,arrived_gpu_milli,\
used_gpu_milli,unalloc_gpu_pct_at_100,unalloc_gpu_pct_at_130,gpu_alloc_pct_end,cpu_alloc_pct_end,\
mem_alloc_pct_end,frag_gpu_pct_at_100,frag_gpu_pct_end,nodes_used,knee_arrived_pct,\
first_gpu_fail_arrived_pct,arrivals_hash\n",
    );
    let cap = bench.cluster.total_gpus() as f64 * 1000.0;
    for r in runs {
        let o = &r.outcome;
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{:016x}",
            bench.workloads[r.workload].name,
            bench.policies[r.policy],
            r.seed,
            o.arrived,
            o.placed,
            o.failed,
            o.failed_gpu,
            o.arrived_gpu_milli,
            o.used_gpu_milli,
            f(o.unalloc_at(100), 3),
            f(o.unalloc_at(130), 3),
            f(o.used_gpu_milli as f64 / cap * 100.0, 3),
            f(o.cpu_alloc_pct, 3),
            f(o.mem_alloc_pct, 3),
            f(o.frag_curve.get(100).copied().unwrap_or(f64::NAN), 3),
            f(o.frag_pct, 3),
            o.nodes_used,
            o.knee().map(|k| k.to_string()).unwrap_or_default(),
            o.first_fail_arrived_pct
                .map(|v| f(v, 3))
                .unwrap_or_default(),
            o.arrivals_hash
        );
    }
    s
}

/// `curves.csv`: per workload, policy and arrived % the median, quartiles and mean of the GPU
/// allocation % over seeds, the mean fragmentation % of capacity, and the median and mean of
/// the CPU and memory allocation % (allocated / cluster capacity) at the same points.
pub fn curves_csv(bench: &Bench, runs: &[RunRecord]) -> String {
    let mut s = String::from(
        "workload,policy,arrived_pct,alloc_pct_median,alloc_pct_q25,alloc_pct_q75,alloc_pct_mean,frag_pct_mean,\
cpu_alloc_pct_median,cpu_alloc_pct_mean,mem_alloc_pct_median,mem_alloc_pct_mean\n",
    );
    for (w, wl) in bench.workloads.iter().enumerate() {
        for (p, pn) in bench.policies.iter().enumerate() {
            let c = cell(runs, w, p);
            for x in 0..=CURVE_MAX {
                let a: Vec<f64> = c.iter().map(|r| r.outcome.alloc_curve[x]).collect();
                let fr: Vec<f64> = c.iter().map(|r| r.outcome.frag_curve[x]).collect();
                let cpu: Vec<f64> = c.iter().map(|r| r.outcome.cpu_curve[x]).collect();
                let mem: Vec<f64> = c.iter().map(|r| r.outcome.mem_curve[x]).collect();
                let _ = writeln!(
                    s,
                    "{},{pn},{x},{},{},{},{},{},{},{},{},{}",
                    wl.name,
                    f(quantile(&a, 0.5), 3),
                    f(quantile(&a, 0.25), 3),
                    f(quantile(&a, 0.75), 3),
                    f(mean(&a), 3),
                    f(mean(&fr), 3),
                    f(quantile(&cpu, 0.5), 3),
                    f(mean(&cpu), 3),
                    f(quantile(&mem, 0.5), 3),
                    f(mean(&mem), 3)
                );
            }
        }
    }
    s
}

/// Per-(workload, policy) statistics.
struct Row {
    n: usize,
    u100: Vec<f64>,
    u130: Vec<f64>,
    frag100: Vec<f64>,
    knee: Vec<f64>,
    failed: Vec<f64>,
    nodes: Vec<f64>,
    cpu: Vec<f64>,
    mem: Vec<f64>,
    cpu100: Vec<f64>,
    mem100: Vec<f64>,
}

fn row(c: &[&RunRecord]) -> Row {
    let m = |g: &dyn Fn(&RunRecord) -> f64| -> Vec<f64> { c.iter().map(|r| g(r)).collect() };
    Row {
        n: c.len(),
        u100: m(&|r| r.outcome.unalloc_at(100)),
        u130: m(&|r| r.outcome.unalloc_at(130)),
        frag100: m(&|r| r.outcome.frag_curve.get(100).copied().unwrap_or(f64::NAN)),
        knee: m(&|r| r.outcome.knee().map(|k| k as f64).unwrap_or(f64::NAN)),
        failed: m(&|r| r.outcome.failed as f64),
        nodes: m(&|r| r.outcome.nodes_used as f64),
        cpu: m(&|r| r.outcome.cpu_alloc_pct),
        mem: m(&|r| r.outcome.mem_alloc_pct),
        cpu100: m(&|r| r.outcome.cpu_curve.get(100).copied().unwrap_or(f64::NAN)),
        mem100: m(&|r| r.outcome.mem_curve.get(100).copied().unwrap_or(f64::NAN)),
    }
}

/// Paired differences `a − b` by seed (runs in seed order on both sides).
fn paired(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(x, y)| x - y).collect()
}

/// `summary.csv` and `summary.md`.
pub fn summary(bench: &Bench, runs: &[RunRecord], prov: &Provenance) -> (String, String) {
    let base = bench
        .policies
        .iter()
        .position(|p| *p == bench.baseline)
        .unwrap_or(0);
    let mut csv = String::from(
        "workload,policy,runs,unalloc_gpu_pct_100_mean,unalloc_gpu_pct_100_sd,unalloc_gpu_pct_100_ci95,\
unalloc_gpu_pct_130_mean,unalloc_gpu_pct_130_sd,unalloc_gpu_pct_130_ci95,frag_gpu_pct_100_mean,\
knee_arrived_pct_median,pods_failed_mean,nodes_used_mean,cpu_alloc_pct_end_mean,mem_alloc_pct_end_mean,\
baseline,diff_unalloc_100_vs_baseline_mean,diff_unalloc_100_vs_baseline_ci95,\
cpu_alloc_pct_100_mean,cpu_alloc_pct_100_ci95,mem_alloc_pct_100_mean,mem_alloc_pct_100_ci95\n",
    );
    let mut md = format!(
        "# Benchmark `{}`\n\nCluster: {} nodes, {} GPUs. Seeds: {}. Baseline for paired differences: {}.\n\
Values are mean ± sample sd over seeds [95 % CI half-width]; Δ is the paired difference \
against the baseline (same seed, same arrivals) with its 95 % CI.\n\n\
Produced by `{}` at commit `{}`.\n",
        bench.name,
        bench.cluster.nodes.len(),
        bench.cluster.total_gpus(),
        bench
            .seeds
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(","),
        bench.baseline,
        prov.command,
        prov.commit
    );
    for (w, wl) in bench.workloads.iter().enumerate() {
        let _ = write!(
            md,
            "\n## {}\n\n{} pods, {} typical pod shapes of {} ({:.2} % of pods).\n\n\
| policy | unalloc. GPU % @100 % arrived | @130 % | Δ vs {} @100 | frag % @100 | knee (median) | failed pods | nodes used | CPU alloc. % @100 | memory alloc. % @100 |\n\
|---|---|---|---|---|---|---|---|---|---|\n",
            wl.name,
            wl.pods.len(),
            wl.typical.pods.len(),
            wl.typical.distinct,
            wl.typical.coverage * 100.0,
            bench.baseline
        );
        let b = row(&cell(runs, w, base));
        for (p, pn) in bench.policies.iter().enumerate() {
            let r = row(&cell(runs, w, p));
            let d = paired(&r.u100, &b.u100);
            let _ = writeln!(
                csv,
                "{},{pn},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                wl.name,
                r.n,
                f(mean(&r.u100), 3),
                f(sd(&r.u100), 3),
                f(ci95(&r.u100), 3),
                f(mean(&r.u130), 3),
                f(sd(&r.u130), 3),
                f(ci95(&r.u130), 3),
                f(mean(&r.frag100), 3),
                f(quantile(&r.knee, 0.5), 1),
                f(mean(&r.failed), 1),
                f(mean(&r.nodes), 1),
                f(mean(&r.cpu), 3),
                f(mean(&r.mem), 3),
                bench.baseline,
                f(mean(&d), 3),
                f(ci95(&d), 3),
                f(mean(&r.cpu100), 3),
                f(ci95(&r.cpu100), 3),
                f(mean(&r.mem100), 3),
                f(ci95(&r.mem100), 3)
            );
            let _ = writeln!(
                md,
                "| {pn} | {} ± {} [{}] | {} ± {} | {} [{}] | {} | {} | {} | {} | {} [{}] | {} [{}] |",
                f(mean(&r.u100), 2),
                f(sd(&r.u100), 2),
                f(ci95(&r.u100), 2),
                f(mean(&r.u130), 2),
                f(sd(&r.u130), 2),
                if p == base {
                    "–".into()
                } else {
                    format!("{:+.2}", mean(&d))
                },
                if p == base {
                    "–".into()
                } else {
                    f(ci95(&d), 2)
                },
                f(mean(&r.frag100), 2),
                f(quantile(&r.knee, 0.5), 1),
                f(mean(&r.failed), 1),
                f(mean(&r.nodes), 1),
                f(mean(&r.cpu100), 2),
                f(ci95(&r.cpu100), 2),
                f(mean(&r.mem100), 2),
                f(ci95(&r.mem100), 2)
            );
        }
    }
    (csv, md)
}

/// `timing.csv` (wall clock: the only output that varies between identical runs) and the
/// overall throughput in pods per second.
pub fn timing_csv(bench: &Bench, runs: &[RunRecord]) -> (String, f64) {
    let mut s = String::from("workload,policy,seed,wall_ms,pods_per_s\n");
    let (mut pods, mut secs) = (0u64, 0.0);
    for r in runs {
        pods += r.outcome.arrived;
        secs += r.wall_secs;
        let _ = writeln!(
            s,
            "{},{},{},{:.1},{:.0}",
            bench.workloads[r.workload].name,
            bench.policies[r.policy],
            r.seed,
            r.wall_secs * 1000.0,
            r.outcome.arrived as f64 / r.wall_secs.max(1e-9)
        );
    }
    (s, pods as f64 / secs.max(1e-9))
}

/// The reference (the FGD authors' `analysis_allo_discrete.csv`): per (workload, policy) the
/// per-seed allocation curves over arrived 0..=130 %.
pub type Reference = BTreeMap<(String, String), Vec<Vec<f64>>>;

/// Reads `analysis_*_discrete.csv` (`workload,sc_policy,tune,seed,total_gpus,0..130`),
/// normalising `openb_pod_list_default` → `default` and `01-Random` → `Random`.
pub fn read_reference(path: &Path) -> Result<Reference, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out: Reference = BTreeMap::new();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    let first = header
        .iter()
        .position(|h| *h == "0")
        .ok_or_else(|| format!("{}: line 1: no column `0`", path.display()))?;
    for (i, l) in lines.enumerate() {
        let fs: Vec<&str> = l.split(',').collect();
        if fs.len() < first + CURVE_MAX + 1 {
            return Err(format!(
                "{}: line {}: too few fields",
                path.display(),
                i + 2
            ));
        }
        let w = fs[0]
            .strip_prefix("openb_pod_list_")
            .unwrap_or(fs[0])
            .to_string();
        let p = fs[1]
            .split_once('-')
            .map(|x| x.1)
            .unwrap_or(fs[1])
            .to_string();
        let curve = fs[first..=first + CURVE_MAX]
            .iter()
            .map(|v| v.parse::<f64>().unwrap_or(f64::NAN))
            .collect();
        out.entry((w, p)).or_default().push(curve);
    }
    Ok(out)
}

fn knee_of(curve: &[f64]) -> f64 {
    (0..curve.len())
        .find(|&x| curve[x] < x as f64 - 1.0)
        .map(|x| x as f64)
        .unwrap_or(f64::NAN)
}

/// Counts of the comparison against the reference.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Agreement {
    /// Cells compared (workload × policy × {100, 130}).
    pub cells: usize,
    /// Cells within tolerance.
    pub matched: usize,
    /// Workload × x pairs where FGD is lowest in both.
    pub fgd_lowest: usize,
    /// Workload × x pairs compared for ranking.
    pub rank_pairs: usize,
    /// Mean Kendall τ between our and the reference's policy order.
    pub mean_tau: f64,
}

/// `comparison.csv`, `comparison.md` and the agreement counts.
pub fn comparison(
    bench: &Bench,
    runs: &[RunRecord],
    reference: &Reference,
    frag_ref: Option<&Reference>,
    prov: &Provenance,
) -> (String, String, Agreement) {
    let mut csv = String::from(
        "workload,policy,arrived_pct,ours_unalloc_mean,ours_unalloc_sd,paper_unalloc_mean,paper_unalloc_sd,delta,tolerance,match\n",
    );
    let mut ag = Agreement::default();
    let mut mismatches = String::new();
    let mut taus = Vec::new();
    let mut tables = String::new();
    let mut ranking = String::from(
        "| workload | x | Kendall τ | FGD lowest (ours / paper) | our order | paper order |\n|---|---|---|---|---|---|\n",
    );
    let mut knees = String::from(
        "| workload | policy | knee ours (median) | knee paper (median) | within ±1 |\n|---|---|---|---|---|\n",
    );
    for x in [100usize, 130] {
        let _ = write!(
            tables,
            "\n### Unallocated GPU % at {x} % arrived: ours vs paper (mean ± sd over seeds; ✓ = within max(0.5, 1.5·sd_paper))\n\n| workload |"
        );
        for p in &bench.policies {
            let _ = write!(tables, " {p} |");
        }
        tables.push_str("\n|---|");
        for _ in &bench.policies {
            tables.push_str("---|");
        }
        tables.push('\n');
        for (w, wl) in bench.workloads.iter().enumerate() {
            let _ = write!(tables, "| {} |", wl.name);
            let (mut ours_v, mut ref_v, mut names) = (Vec::new(), Vec::new(), Vec::new());
            for (p, pn) in bench.policies.iter().enumerate() {
                let Some(rc) = reference.get(&(wl.name.clone(), pn.clone())) else {
                    tables.push_str(" – |");
                    continue;
                };
                let ours: Vec<f64> = cell(runs, w, p)
                    .iter()
                    .map(|r| r.outcome.unalloc_at(x))
                    .collect();
                let theirs: Vec<f64> = rc.iter().map(|c| 100.0 - c[x]).collect();
                let (om, rm, rs) = (mean(&ours), mean(&theirs), sd(&theirs));
                let tol = (1.5 * rs).max(0.5);
                let delta = om - rm;
                let ok = delta.abs() <= tol;
                ag.cells += 1;
                ag.matched += ok as usize;
                if !ok {
                    let _ = writeln!(
                        mismatches,
                        "- {} / {pn} @ {x} %: ours {:.2} vs paper {:.2} ± {:.2} (Δ {:+.2}, tolerance {:.2})",
                        wl.name, om, rm, rs, delta, tol
                    );
                }
                let _ = writeln!(
                    csv,
                    "{},{pn},{x},{},{},{},{},{},{},{}",
                    wl.name,
                    f(om, 3),
                    f(sd(&ours), 3),
                    f(rm, 3),
                    f(rs, 3),
                    f(delta, 3),
                    f(tol, 3),
                    ok
                );
                let _ = write!(
                    tables,
                    " {:.2}±{:.2} / {:.2}±{:.2} {} |",
                    om,
                    sd(&ours),
                    rm,
                    rs,
                    if ok { "✓" } else { "✗" }
                );
                ours_v.push(om);
                ref_v.push(rm);
                names.push(pn.clone());
                if x == 100 {
                    let ok_ = cell(runs, w, p)
                        .iter()
                        .map(|r| r.outcome.knee().map(|k| k as f64).unwrap_or(f64::NAN))
                        .collect::<Vec<_>>();
                    let kr: Vec<f64> = rc.iter().map(|c| knee_of(c)).collect();
                    let (ko, kp) = (quantile(&ok_, 0.5), quantile(&kr, 0.5));
                    let _ = writeln!(
                        knees,
                        "| {} | {pn} | {} | {} | {} |",
                        wl.name,
                        f(ko, 1),
                        f(kp, 1),
                        if (ko - kp).abs() <= 1.0 { "yes" } else { "no" }
                    );
                }
            }
            tables.push('\n');
            if ours_v.len() >= 2 {
                let tau = kendall_tau(&ours_v, &ref_v);
                taus.push(tau);
                ag.rank_pairs += 1;
                let order = |v: &[f64]| {
                    let mut idx: Vec<usize> = (0..v.len()).collect();
                    idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
                    idx.iter()
                        .map(|&i| names[i].as_str())
                        .collect::<Vec<_>>()
                        .join(" < ")
                };
                let lowest = |v: &[f64]| {
                    let m = v.iter().copied().fold(f64::INFINITY, f64::min);
                    names
                        .iter()
                        .zip(v)
                        .find(|(_, x)| **x == m)
                        .map(|(n, _)| n.as_str())
                        == Some("FGD")
                };
                let (lo, lr) = (lowest(&ours_v), lowest(&ref_v));
                ag.fgd_lowest += (lo && lr) as usize;
                let _ = writeln!(
                    ranking,
                    "| {} | {x} | {:.2} | {} / {} | {} | {} |",
                    wl.name,
                    tau,
                    if lo { "yes" } else { "no" },
                    if lr { "yes" } else { "no" },
                    order(&ours_v),
                    order(&ref_v)
                );
            }
        }
    }
    ag.mean_tau = mean(&taus);
    let mut frag = String::new();
    if let Some(fr) = frag_ref {
        frag.push_str("\n## Fragmentation (frag / total GPU %, FGD measure) on `default`\n\n| policy | x | ours | paper | within ±0.5 |\n|---|---|---|---|---|\n");
        if let Some(w) = bench.workloads.iter().position(|w| w.name == "default") {
            for (p, pn) in bench.policies.iter().enumerate() {
                let Some(rc) = fr.get(&("default".to_string(), pn.clone())) else {
                    continue;
                };
                for x in [25usize, 50, 75, 90, 100] {
                    let o = mean(
                        &cell(runs, w, p)
                            .iter()
                            .map(|r| r.outcome.frag_curve[x])
                            .collect::<Vec<_>>(),
                    );
                    let t = mean(&rc.iter().map(|c| c[x]).collect::<Vec<_>>());
                    let _ = writeln!(
                        frag,
                        "| {pn} | {x} | {o:.2} | {t:.2} | {} |",
                        if (o - t).abs() <= 0.5 { "yes" } else { "no" }
                    );
                }
            }
        }
    }
    let md = format!(
        "# FGD reproduction: ours vs the authors' results\n\n\
Produced by `{}` at commit `{}`.\n\n\
Match rule (shared/reference/fgd-reproduction.md §1.6): |mean_ours − mean_paper| ≤ max(0.5 pp, 1.5·sd_paper), \
for ≥ 95 % of the cells; same ranking.\n\n\
**Cells within tolerance: {} of {} ({:.1} %).** FGD lowest in ours and the paper: {} of {} (workload, x) pairs. \
Mean Kendall τ of the policy order: {:.2}.\n\n\
## Cells outside tolerance\n\n{}\n{}\n## Ranking per workload\n\n{}\n## Knee (first arrived % where allocation < x − 1)\n\n{}{}",
        prov.command,
        prov.commit,
        ag.matched,
        ag.cells,
        if ag.cells > 0 {
            ag.matched as f64 / ag.cells as f64 * 100.0
        } else {
            0.0
        },
        ag.fgd_lowest,
        ag.rank_pairs,
        ag.mean_tau,
        if mismatches.is_empty() {
            "None.\n".to_string()
        } else {
            mismatches
        },
        tables,
        ranking,
        knees,
        frag
    );
    (csv, md, ag)
}

/// An SVG of unallocated GPU % vs arrived % for one workload: our median over seeds (solid)
/// and, if given, the paper's median (dashed); full range and a zoom on 80..130 %.
pub fn plot(
    bench: &Bench,
    runs: &[RunRecord],
    w: usize,
    reference: Option<&Reference>,
    prov: &Provenance,
) -> String {
    let wl = &bench.workloads[w];
    let mut series = Vec::new();
    for (p, pn) in bench.policies.iter().enumerate() {
        let color = COLORS[p % COLORS.len()].to_string();
        let c = cell(runs, w, p);
        let pts = (0..=CURVE_MAX)
            .map(|x| {
                let v: Vec<f64> = c.iter().map(|r| r.outcome.alloc_curve[x]).collect();
                (x as f64, 100.0 - quantile(&v, 0.5))
            })
            .collect();
        series.push(Series {
            label: format!("{pn} (kubesim)"),
            color: color.clone(),
            dashed: false,
            points: pts,
        });
        if let Some(rc) = reference.and_then(|r| r.get(&(wl.name.clone(), pn.clone()))) {
            let pts = (0..=CURVE_MAX)
                .map(|x| {
                    let v: Vec<f64> = rc.iter().map(|c| c[x]).collect();
                    (x as f64, 100.0 - quantile(&v, 0.5))
                })
                .collect();
            series.push(Series {
                label: format!("{pn} (paper)"),
                color,
                dashed: true,
                points: pts,
            });
        }
    }
    let panels = [
        Panel {
            title: format!("{}: unallocated GPU % vs arrived %", wl.name),
            x: (0.0, 130.0),
            y: (0.0, 100.0),
            x_label: "arrived GPU request, % of capacity".into(),
            y_label: "unallocated GPU %".into(),
        },
        Panel {
            title: "zoom".into(),
            x: (80.0, 130.0),
            y: (0.0, 25.0),
            x_label: "arrived GPU request, % of capacity".into(),
            y_label: "unallocated GPU %".into(),
        },
    ];
    chart(
        &panels,
        &series,
        &format!("median over seeds; {} @ {}", prov.command, prov.commit),
    )
}

/// An SVG of the allocation ratio (allocated / cluster capacity, %) of GPU, CPU and memory vs
/// arrived GPU %, one panel per resource, median over seeds per policy.
pub fn alloc_plot(bench: &Bench, runs: &[RunRecord], w: usize, prov: &Provenance) -> String {
    let wl = &bench.workloads[w];
    type Curve = fn(&RunRecord) -> &[f64];
    let curves: [(&str, Curve); 3] = [
        ("GPU", |r| &r.outcome.alloc_curve),
        ("CPU", |r| &r.outcome.cpu_curve),
        ("memory", |r| &r.outcome.mem_curve),
    ];
    let mut per_panel = Vec::new();
    for (res, get) in curves {
        let mut series = Vec::new();
        for (p, pn) in bench.policies.iter().enumerate() {
            let c = cell(runs, w, p);
            let points = (0..=CURVE_MAX)
                .map(|x| {
                    let v: Vec<f64> = c.iter().map(|r| get(r)[x]).collect();
                    (x as f64, quantile(&v, 0.5))
                })
                .collect();
            series.push(Series {
                label: pn.clone(),
                color: COLORS[p % COLORS.len()].to_string(),
                dashed: false,
                points,
            });
        }
        let panel = Panel {
            title: format!("{}: {res} allocation vs arrived", wl.name),
            x: (0.0, 130.0),
            y: (0.0, 100.0),
            x_label: "arrived GPU request, % of capacity".into(),
            y_label: format!("allocated {res}, % of capacity"),
        };
        per_panel.push((panel, series));
    }
    let each: Vec<(Panel, &[Series])> = per_panel
        .iter()
        .map(|(p, s)| (p.clone(), s.as_slice()))
        .collect();
    chart_each(
        &each,
        &per_panel[0].1,
        &format!("median over seeds; {} @ {}", prov.command, prov.commit),
    )
}
