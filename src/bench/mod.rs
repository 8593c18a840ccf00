//! `kubesim bench`: the benchmark file, the parallel runner over (workload × policy × seed),
//! and its reports (docs/bench.md).
//!
//! Each run is single-threaded and deterministic; runs execute on a rayon pool and are merged
//! in index order, so every output file except `timing.csv` (wall-clock throughput) and the
//! provenance `README.md` is byte-identical whatever the thread count.

pub mod report;
pub mod scenario;
pub mod stats;
pub mod svg;

use crate::diag::{Diagnostic, Diagnostics};
use crate::gpu::frag::TypicalPods;
use crate::gpu::policy::GpuRegistry;
use crate::gpu::run::{Procedure, RunOutcome, run};
use crate::gpu::{GpuCluster, GpuNode, GpuPod, ModelTable, openb};
use rayon::prelude::*;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A benchmark file (`kind: Benchmark`).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BenchFile {
    /// Optional `kind: Benchmark`.
    #[serde(default)]
    pub kind: Option<String>,
    /// Name; the default output directory is `results/bench/<name>/`.
    pub name: String,
    /// The cluster (openb workloads only; a scenario brings its own).
    #[serde(default)]
    pub cluster: Option<ClusterSpec>,
    /// Workloads, each run under every policy and seed.
    pub workloads: Vec<WorkloadSpec>,
    /// Policies: for openb workloads registered names (built-in: Random, DotProd,
    /// GpuClustering, GpuPacking, BestFit, FGD); for scenario workloads `default` or
    /// `{name, config: KubeSchedulerConfiguration file}`.
    pub policies: Vec<PolicySpec>,
    /// The policy paired differences are taken against (default: the first).
    #[serde(default)]
    pub baseline: Option<String>,
    /// Seeds: a list, or `{from, to}` inclusive.
    pub seeds: SeedSpec,
    /// The run procedure.
    #[serde(default)]
    pub procedure: ProcedureSpec,
    /// Directory of the FGD authors' `expected_results/` to compare with (optional).
    #[serde(default)]
    pub reference: Option<String>,
}

/// The cluster: an openb node CSV, or node pools.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterSpec {
    /// Path of an openb node list (`sn,cpu_milli,memory_mib,gpu,model`).
    #[serde(default)]
    pub openb_nodes: Option<String>,
    /// Node pools.
    #[serde(default)]
    pub pools: Vec<PoolSpec>,
}

/// Identical nodes.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PoolSpec {
    /// Name prefix (`<name>-0000`, ...).
    pub name: String,
    /// Number of nodes.
    pub count: u32,
    /// CPU per node, millicores.
    pub cpu_milli: i64,
    /// Memory per node, MiB.
    pub memory_mib: i64,
    /// GPUs per node.
    #[serde(default)]
    pub gpus: u32,
    /// GPU model.
    #[serde(default)]
    pub model: Option<String>,
}

/// A workload: an openb pod list or a kubesim scenario.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WorkloadSpec {
    /// Name in reports (default: the file stem less `openb_pod_list_`, or the scenario's name).
    #[serde(default)]
    pub name: Option<String>,
    /// Path of an openb pod list.
    #[serde(default)]
    pub openb_pods: Option<String>,
    /// Path of a kubesim scenario (docs/scenario.md).
    #[serde(default)]
    pub scenario: Option<String>,
}

/// A policy entry.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum PolicySpec {
    /// A registered policy name (or `default` for scenario workloads).
    Name(String),
    /// A named KubeSchedulerConfiguration (scenario workloads).
    Config {
        /// Name in reports.
        name: String,
        /// Path of the configuration file.
        config: String,
    },
}

impl PolicySpec {
    /// The name in reports.
    pub fn name(&self) -> &str {
        match self {
            PolicySpec::Name(n) => n,
            PolicySpec::Config { name, .. } => name,
        }
    }
}

/// Parses a bench file without loading what it names.
pub fn parse_file(text: &str, file: &Arc<str>) -> Result<BenchFile, Diagnostics> {
    serde_yaml::from_str(text)
        .map_err(|e| Diagnostics::one(Diagnostic::from_yaml(&e, file, 0).with_source(text)))
}

/// True if the bench's workloads are kubesim scenarios (see [`scenario`]).
pub fn is_scenario_bench(spec: &BenchFile) -> bool {
    spec.workloads.iter().any(|w| w.scenario.is_some())
}

/// Seeds.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum SeedSpec {
    /// Explicit seeds.
    List(Vec<u64>),
    /// `from..=to`.
    Range {
        /// First seed.
        from: u64,
        /// Last seed (inclusive).
        to: u64,
    },
}

impl SeedSpec {
    /// The seeds in order.
    pub fn seeds(&self) -> Vec<u64> {
        match self {
            SeedSpec::List(v) => v.clone(),
            SeedSpec::Range { from, to } => (*from..=*to).collect(),
        }
    }
}

/// The run procedure (defaults: the FGD paper's).
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProcedureSpec {
    /// Inflate the arrived GPU request to this multiple of capacity (`null`: no tuning).
    #[serde(default = "default_tune")]
    pub tune: Option<f64>,
    /// Shuffle the pods first.
    #[serde(default = "yes")]
    pub shuffle: bool,
    /// Typical-pod popularity threshold, %.
    #[serde(default = "default_typical")]
    pub typical_pct: u32,
}

fn default_tune() -> Option<f64> {
    Some(1.3)
}
fn yes() -> bool {
    true
}
fn default_typical() -> u32 {
    95
}

impl Default for ProcedureSpec {
    fn default() -> Self {
        ProcedureSpec {
            tune: default_tune(),
            shuffle: true,
            typical_pct: default_typical(),
        }
    }
}

/// A benchmark ready to run: everything loaded and checked.
#[derive(Clone, Debug)]
pub struct Bench {
    /// Name.
    pub name: String,
    /// The cluster.
    pub cluster: GpuCluster,
    /// Workloads: (name, pods, typical pods).
    pub workloads: Vec<Workload>,
    /// Policy names (all registered).
    pub policies: Vec<String>,
    /// Baseline policy.
    pub baseline: String,
    /// Seeds.
    pub seeds: Vec<u64>,
    /// Procedure.
    pub procedure: Procedure,
    /// Resolved reference directory.
    pub reference: Option<PathBuf>,
}

/// A loaded workload.
#[derive(Clone, Debug)]
pub struct Workload {
    /// Name.
    pub name: String,
    /// Pods in file order.
    pub pods: Vec<GpuPod>,
    /// Typical pods of the original list.
    pub typical: TypicalPods,
}

/// Resolves a path of a bench file: `$SHARED/...` is under `$KUBESIM_SHARED` (default
/// `../shared` from the working directory); a relative path is relative to the bench file.
pub fn resolve_path(p: &str, base: &Path) -> PathBuf {
    if let Some(rest) = p.strip_prefix("$SHARED/") {
        let shared = std::env::var_os("KUBESIM_SHARED")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("../shared"));
        return shared.join(rest);
    }
    let path = PathBuf::from(p);
    if path.is_absolute() {
        path
    } else {
        base.join(path)
    }
}

/// Reads and checks a bench file, loading the cluster and the workloads.
pub fn load(path: &Path, registry: &GpuRegistry) -> Result<Bench, Diagnostics> {
    let file: Arc<str> = path.to_string_lossy().into();
    let text = std::fs::read_to_string(path).map_err(|e| {
        Diagnostics::one(Diagnostic::error(format!("cannot read: {e}")).in_file(&file))
    })?;
    let base = path.parent().unwrap_or(Path::new("."));
    load_str(&text, &file, base, registry)
}

/// [`load`] over text; `base` resolves relative paths.
pub fn load_str(
    text: &str,
    file: &Arc<str>,
    base: &Path,
    registry: &GpuRegistry,
) -> Result<Bench, Diagnostics> {
    let spec = parse_file(text, file)?;
    let bad = |msg: String, path: &str| {
        Diagnostics::one(Diagnostic::error(msg).in_file(file).with_path(path))
    };
    if let Some(k) = &spec.kind
        && k != "Benchmark"
    {
        return Err(bad(format!("expected `Benchmark`, found `{k}`"), "kind"));
    }
    if is_scenario_bench(&spec) {
        return Err(bad(
            "scenario workloads are run by bench::scenario (kubesim bench does this)".into(),
            "workloads",
        ));
    }
    let Some(cl) = &spec.cluster else {
        return Err(bad("openb workloads need a `cluster`".into(), "cluster"));
    };
    let cluster = match (&cl.openb_nodes, cl.pools.is_empty()) {
        (Some(p), true) => openb::load_nodes(&resolve_path(p, base)).map_err(Diagnostics::one)?,
        (None, false) => pools_cluster(&cl.pools).map_err(|m| bad(m, "cluster.pools"))?,
        _ => {
            return Err(bad(
                "give exactly one of `openbNodes` and `pools`".into(),
                "cluster",
            ));
        }
    };
    if spec.workloads.is_empty() {
        return Err(bad("at least one workload is needed".into(), "workloads"));
    }
    let mut workloads = Vec::new();
    for (i, w) in spec.workloads.iter().enumerate() {
        let Some(pods_path) = &w.openb_pods else {
            return Err(bad(
                "give `openbPods` or `scenario`".into(),
                &format!("workloads[{i}]"),
            ));
        };
        let path = resolve_path(pods_path, base);
        let pods = openb::load_pods(&path, &cluster.models).map_err(Diagnostics::one)?;
        let name = w.name.clone().unwrap_or_else(|| {
            let stem = path.file_stem().unwrap_or_default().to_string_lossy();
            stem.strip_prefix("openb_pod_list_")
                .unwrap_or(&stem)
                .to_string()
        });
        if workloads.iter().any(|x: &Workload| x.name == name) {
            return Err(bad(
                format!("duplicate workload name `{name}`"),
                &format!("workloads[{i}]"),
            ));
        }
        let typical = TypicalPods::from_pods(&pods, spec.procedure.typical_pct);
        workloads.push(Workload {
            name,
            pods,
            typical,
        });
    }
    if spec.policies.is_empty() {
        return Err(bad("at least one policy is needed".into(), "policies"));
    }
    let mut policies = Vec::new();
    for (i, p) in spec.policies.iter().enumerate() {
        let PolicySpec::Name(p) = p else {
            return Err(bad(
                "a KubeSchedulerConfiguration policy needs scenario workloads".into(),
                &format!("policies[{i}]"),
            ));
        };
        policies.push(p.clone());
        if registry.get(p).is_none() {
            let known: Vec<&str> = registry.names().collect();
            return Err(bad(
                format!("unknown policy `{p}` (registered: {})", known.join(", ")),
                &format!("policies[{i}]"),
            ));
        }
    }
    let baseline = spec.baseline.clone().unwrap_or_else(|| policies[0].clone());
    if !policies.contains(&baseline) {
        return Err(bad(
            format!("`{baseline}` is not one of the policies"),
            "baseline",
        ));
    }
    let seeds = spec.seeds.seeds();
    if seeds.is_empty() {
        return Err(bad("no seeds".into(), "seeds"));
    }
    if let Some(t) = spec.procedure.tune
        && !(t > 0.0 && t <= 100.0)
    {
        return Err(bad(format!("{t} is not in (0, 100]"), "procedure.tune"));
    }
    Ok(Bench {
        name: spec.name,
        cluster,
        workloads,
        policies,
        baseline,
        seeds,
        procedure: Procedure {
            tune: spec.procedure.tune,
            shuffle: spec.procedure.shuffle,
            typical_pct: spec.procedure.typical_pct,
        },
        reference: spec.reference.map(|r| resolve_path(&r, base)),
    })
}

fn pools_cluster(pools: &[PoolSpec]) -> Result<GpuCluster, String> {
    let mut models = ModelTable::default();
    let mut nodes = Vec::new();
    for p in pools {
        let bit = match (&p.model, p.gpus) {
            (_, 0) => 0,
            (Some(m), _) => models.intern(m).ok_or("more than 31 GPU models")?,
            (None, _) => return Err(format!("pool `{}` has GPUs but no `model`", p.name)),
        };
        for i in 0..p.count {
            nodes.push(GpuNode::new(
                &format!("{}-{i:04}", p.name),
                p.cpu_milli,
                p.memory_mib,
                p.gpus,
                bit,
            ));
        }
    }
    if nodes.is_empty() {
        return Err("no nodes".into());
    }
    nodes.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(GpuCluster { nodes, models })
}

/// One finished run.
#[derive(Clone, Debug)]
pub struct RunRecord {
    /// Workload index.
    pub workload: usize,
    /// Policy index.
    pub policy: usize,
    /// Seed.
    pub seed: u64,
    /// What it measured.
    pub outcome: RunOutcome,
    /// Wall-clock seconds (not deterministic; only in `timing.csv`).
    pub wall_secs: f64,
}

/// Runs every (workload × policy × seed) on `threads` workers (0: rayon's default), in
/// index order of results. `progress` is called once per finished run.
pub fn run_all(
    bench: &Bench,
    registry: &GpuRegistry,
    threads: usize,
    progress: &(dyn Fn() + Sync),
) -> Vec<RunRecord> {
    par_grid(
        bench.workloads.len(),
        bench.policies.len(),
        &bench.seeds,
        threads,
        |w, p, seed| {
            let wl = &bench.workloads[w];
            let factory = registry.get(&bench.policies[p]).expect("checked at load");
            #[allow(clippy::disallowed_methods)] // wall clock only for timing.csv
            let t0 = std::time::Instant::now();
            let outcome = run(
                &bench.cluster,
                &wl.pods,
                &wl.typical,
                factory,
                &bench.procedure,
                seed,
            );
            let wall_secs = t0.elapsed().as_secs_f64();
            progress();
            RunRecord {
                workload: w,
                policy: p,
                seed,
                outcome,
                wall_secs,
            }
        },
    )
}

/// Runs `f(workload, policy, seed)` for every cell of the grid (workloads × policies × seeds)
/// on `threads` workers (0: rayon's default) and returns the results in index order, so the
/// output does not depend on thread timing. Without a thread pool (the OS refused threads) the
/// cells run on the calling thread, with the same results.
pub fn par_grid<T: Send>(
    workloads: usize,
    policies: usize,
    seeds: &[u64],
    threads: usize,
    f: impl Fn(usize, usize, u64) -> T + Sync,
) -> Vec<T> {
    let mut tasks = Vec::with_capacity(workloads * policies * seeds.len());
    for w in 0..workloads {
        for p in 0..policies {
            for &s in seeds {
                tasks.push((w, p, s));
            }
        }
    }
    match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(pool) => pool.install(|| tasks.par_iter().map(|&(w, p, s)| f(w, p, s)).collect()),
        Err(_) => tasks.iter().map(|&(w, p, s)| f(w, p, s)).collect(),
    }
}

/// Writes every output file into `out` (created); returns the agreement with the reference
/// when the bench names one and it can be read, and the overall throughput in pods/s.
/// `prov` goes into the Markdown and SVG files; `full_command` only into `README.md`.
pub fn write_outputs(
    bench: &Bench,
    runs: &[RunRecord],
    out: &Path,
    prov: &report::Provenance,
    full_command: &str,
) -> std::io::Result<(Option<report::Agreement>, f64, Vec<String>)> {
    std::fs::create_dir_all(out)?;
    let mut notes = Vec::new();
    let mut files: Vec<(String, String)> = vec![
        ("runs.csv".into(), report::runs_csv(bench, runs)),
        ("curves.csv".into(), report::curves_csv(bench, runs)),
    ];
    let (scsv, smd) = report::summary(bench, runs, prov);
    files.push(("summary.csv".into(), scsv));
    files.push(("summary.md".into(), smd));
    let (timing, pods_per_s) = report::timing_csv(bench, runs);
    files.push(("timing.csv".into(), timing));
    let mut reference = None;
    let mut agreement = None;
    if let Some(dir) = &bench.reference {
        match report::read_reference(&dir.join("analysis_allo_discrete.csv")) {
            Ok(r) => reference = Some(r),
            Err(e) => notes.push(format!("reference not compared: {e}")),
        }
    }
    if let Some(r) = &reference {
        let frag = bench
            .reference
            .as_ref()
            .and_then(|d| report::read_reference(&d.join("analysis_frag_discrete.csv")).ok());
        let (ccsv, cmd, ag) = report::comparison(bench, runs, r, frag.as_ref(), prov);
        files.push(("comparison.csv".into(), ccsv));
        files.push(("comparison.md".into(), cmd));
        agreement = Some(ag);
    }
    for (w, wl) in bench.workloads.iter().enumerate() {
        files.push((
            format!("unalloc_vs_arrived_{}.svg", wl.name),
            report::plot(bench, runs, w, reference.as_ref(), prov),
        ));
        files.push((
            format!("alloc_vs_arrived_{}.svg", wl.name),
            report::alloc_plot(bench, runs, w, prov),
        ));
    }
    let mut readme = format!(
        "# {}\n\nWritten by `{full_command}` at commit `{}`.\n\n\
Every file here except `timing.csv` (wall-clock) and this README is byte-identical for the \
same bench file, seeds and commit, whatever the thread count. See docs/bench.md for the columns.\n\n",
        bench.name, prov.commit
    );
    for (name, _) in &files {
        let _ = std::fmt::Write::write_fmt(&mut readme, format_args!("- `{name}`\n"));
    }
    files.push(("README.md".into(), readme));
    for (name, text) in files {
        std::fs::write(out.join(name), text)?;
    }
    Ok((agreement, pods_per_s, notes))
}
