//! `kubesim bench BENCH.yaml`: runs every (workload × policy × seed) of a benchmark file in
//! parallel and writes the reports (docs/bench.md).

use super::{EXIT_FAILURE, EXIT_INPUT, display};
use crate::bench::{self, SeedSpec, report::Provenance};
use crate::gpu::policy::GpuRegistry;
use clap::Args;
use std::io::IsTerminal;
use std::path::PathBuf;

/// Arguments of `kubesim bench`.
#[derive(Args, Debug, Clone)]
pub struct BenchArgs {
    /// The benchmark file (docs/bench.md).
    pub file: PathBuf,
    /// Output directory (default `results/bench/<name>/`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// Seeds overriding the file's: `42..51` (inclusive) or `1,2,3`.
    #[arg(long)]
    pub seeds: Option<String>,
    /// No progress bar and no summary on stdout.
    #[arg(long)]
    pub quiet: bool,
}

/// Parses `--seeds`.
pub fn parse_seeds(s: &str) -> Result<SeedSpec, String> {
    if let Some((a, b)) = s.split_once("..") {
        let from = a.trim().parse().map_err(|_| format!("bad seed `{a}`"))?;
        let to = b.trim().parse().map_err(|_| format!("bad seed `{b}`"))?;
        if to < from {
            return Err(format!("empty seed range `{s}`"));
        }
        return Ok(SeedSpec::Range { from, to });
    }
    s.split(',')
        .map(|x| x.trim().parse().map_err(|_| format!("bad seed `{x}`")))
        .collect::<Result<Vec<u64>, _>>()
        .map(SeedSpec::List)
}

fn git_commit() -> String {
    std::process::Command::new("git")
        .args(["describe", "--always", "--dirty", "--abbrev=12"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// Runs the verb with the built-in policies.
pub fn bench(a: BenchArgs) -> i32 {
    bench_with(a, &GpuRegistry::builtin())
}

/// Runs the verb with `registry` (built-in plus custom policies).
pub fn bench_with(a: BenchArgs, registry: &GpuRegistry) -> i32 {
    let shown = display(&a.file);
    let file: std::sync::Arc<str> = shown.as_str().into();
    if let Ok(text) = std::fs::read_to_string(&a.file)
        && let Ok(spec) = bench::parse_file(&text, &file)
        && bench::is_scenario_bench(&spec)
    {
        return scenario_bench(a, spec, &file);
    }
    let mut b = match bench::load(&a.file, registry) {
        Ok(b) => b,
        Err(e) => return load_failed(&e, &shown),
    };
    let mut canonical = format!("kubesim bench {shown}");
    if let Some(s) = &a.seeds {
        match parse_seeds(s) {
            Ok(spec) => b.seeds = spec.seeds(),
            Err(e) => {
                eprintln!("error: --seeds: {e}");
                return EXIT_INPUT;
            }
        }
        canonical.push_str(&format!(" --seeds {s}"));
    }
    let total = (b.workloads.len() * b.policies.len() * b.seeds.len()) as u64;
    let bar = if !a.quiet && std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(total);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} [{bar:40}] {pos}/{len} runs {elapsed}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    #[allow(clippy::disallowed_methods)] // wall-clock timing for the human summary only
    let started = std::time::Instant::now();
    let runs = bench::run_all(&b, registry, a.threads, &|| bar.inc(1));
    bar.finish_and_clear();
    let wall = started.elapsed().as_secs_f64();
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results/bench").join(&b.name));
    let prov = Provenance {
        command: canonical,
        commit: git_commit(),
    };
    let full: Vec<String> = std::iter::once("kubesim".to_string())
        .chain(std::env::args().skip(1))
        .collect();
    match bench::write_outputs(&b, &runs, &out, &prov, &full.join(" ")) {
        Ok((agreement, pods_per_s, notes)) => {
            for n in notes {
                eprintln!("warning: {n}");
            }
            if !a.quiet {
                println!(
                    "{} runs ({} workloads × {} policies × {} seeds) in {:.1} s wall; {:.0} pods/s per worker",
                    runs.len(),
                    b.workloads.len(),
                    b.policies.len(),
                    b.seeds.len(),
                    wall,
                    pods_per_s
                );
                if let Some(ag) = agreement {
                    println!(
                        "vs reference: {} of {} cells within tolerance; FGD lowest in {} of {}; mean Kendall tau {:.2}",
                        ag.matched, ag.cells, ag.fgd_lowest, ag.rank_pairs, ag.mean_tau
                    );
                }
                println!("wrote {}", display(&out));
            }
            0
        }
        Err(e) => {
            eprintln!("error: {}: {e}", display(&out));
            EXIT_FAILURE
        }
    }
}

/// Seeds from `--seeds` or the file.
fn seeds_arg(a: &BenchArgs) -> Result<Option<Vec<u64>>, String> {
    a.seeds
        .as_deref()
        .map(|s| parse_seeds(s).map(|x| x.seeds()))
        .transpose()
}

fn progress_bar(quiet: bool, total: u64) -> indicatif::ProgressBar {
    if !quiet && std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(total);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} [{bar:40}] {pos}/{len} runs {elapsed}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    }
}

/// A bench whose workloads are kubesim scenarios (bench::scenario).
fn scenario_bench(a: BenchArgs, spec: bench::BenchFile, file: &std::sync::Arc<str>) -> i32 {
    let base = a.file.parent().unwrap_or(std::path::Path::new("."));
    let mut b = match bench::scenario::load(&spec, file, base) {
        Ok(b) => b,
        Err(e) => return load_failed(&e, file),
    };
    let mut canonical = format!("kubesim bench {file}");
    match seeds_arg(&a) {
        Ok(Some(s)) => {
            b.seeds = s;
            canonical.push_str(&format!(" --seeds {}", a.seeds.as_deref().unwrap_or("")));
        }
        Ok(None) => {}
        Err(e) => {
            eprintln!("error: --seeds: {e}");
            return EXIT_INPUT;
        }
    }
    let total = (b.workloads.len() * b.policies.len() * b.seeds.len()) as u64;
    let bar = progress_bar(a.quiet, total);
    let runs = match bench::scenario::run_all(&b, a.threads, &|| bar.inc(1)) {
        Ok(r) => r,
        Err(e) => {
            bar.finish_and_clear();
            eprintln!("{e}");
            return EXIT_INPUT;
        }
    };
    bar.finish_and_clear();
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("results/bench").join(&b.name));
    let full: Vec<String> = std::iter::once("kubesim".to_string())
        .chain(std::env::args().skip(1))
        .collect();
    match bench::scenario::write_outputs(
        &b,
        &runs,
        &out,
        &canonical,
        &git_commit(),
        &full.join(" "),
    ) {
        Ok(pods_per_s) => {
            if !a.quiet {
                println!(
                    "{} runs; {:.0} pods scheduled per wall second per worker",
                    runs.len(),
                    pods_per_s
                );
                println!("wrote {}", display(&out));
            }
            0
        }
        Err(e) => {
            eprintln!("error: {}: {e}", display(&out));
            EXIT_FAILURE
        }
    }
}

/// Reports a bench file that did not load (its located errors and a count); the exit code.
fn load_failed(e: &crate::diag::Diagnostics, shown: &str) -> i32 {
    eprintln!("{e}");
    eprintln!(
        "kubesim: {} error(s) in {shown}; nothing was run",
        e.errors().count()
    );
    EXIT_INPUT
}
