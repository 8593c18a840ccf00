//! `kubesim run SCENARIO [--out DIR] [--seed N] [--until DURATION]`.

use super::{EXIT_FAILURE, EXIT_INPUT, display};
use crate::api::duration::parse_duration;
use crate::scenario::load_scenario;
use crate::sim::{SimOptions, Simulation};
use crate::store::events::EventLevel;
use clap::{Args, ValueEnum};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

/// Which events go to events.jsonl.
#[derive(Copy, Clone, Debug, ValueEnum)]
pub enum EventsArg {
    /// Every event.
    All,
    /// Warnings only.
    Warnings,
    /// None (counts are still in summary.json).
    None,
}

/// Arguments of `run`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// The scenario file.
    pub scenario: PathBuf,
    /// Output directory (default: results/<scenario name>/).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Seed (default: the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Stop at this simulated time instead of the scenario's duration (e.g. 30m, 2h).
    #[arg(long, value_parser = parse_until)]
    pub until: Option<crate::engine::SimDuration>,
    /// Which Kubernetes events to write (overrides the scenario).
    #[arg(long, value_enum)]
    pub events: Option<EventsArg>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Write no plots/ and no report.html (`kubesim plot` draws them later).
    #[arg(long)]
    pub no_plots: bool,
}

fn parse_until(s: &str) -> Result<crate::engine::SimDuration, String> {
    parse_duration(s).map_err(|e| e.to_string())
}

/// Runs the verb.
pub fn run(a: RunArgs) -> i32 {
    let shown = display(&a.scenario);
    let scenario = match load_scenario(&a.scenario, &shown) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            eprintln!(
                "kubesim: {} error(s) in {shown}; nothing was run",
                e.errors().count()
            );
            return EXIT_INPUT;
        }
    };
    if !a.quiet {
        for w in &scenario.warnings {
            eprintln!("{w}");
        }
    }
    let opts = SimOptions {
        seed: a.seed,
        until: a.until,
        event_level: a.events.map(|e| match e {
            EventsArg::All => EventLevel::All,
            EventsArg::Warnings => EventLevel::Warnings,
            EventsArg::None => EventLevel::None,
        }),
        check_invariants: false,
        record_causes: false,
        registry: None,
    };
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| super::default_out(&scenario.name));
    let scenario = Arc::new(scenario);
    let mut sim = match Simulation::new(scenario.clone(), &opts) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return EXIT_INPUT;
        }
    };
    #[allow(clippy::disallowed_methods)] // wall-clock timing for the human summary only
    let started = std::time::Instant::now();
    let show_progress = !a.quiet && std::io::stdout().is_terminal();
    if show_progress {
        let end = sim.end().as_micros().max(1);
        let bar = indicatif::ProgressBar::new(1000);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} [{bar:40}] {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        let step = (end / 1000).max(1);
        let mut t = 0u64;
        loop {
            t = (t + step).min(end);
            let done = sim.run_until(crate::engine::SimTime(t));
            bar.set_position(t * 1000 / end);
            bar.set_message(format!("{} simulated", sim.now()));
            if done {
                break;
            }
        }
        bar.finish_and_clear();
    } else {
        sim.run();
    }
    let wall = started.elapsed();
    if let Err(e) = sim.write_outputs(&out) {
        eprintln!("kubesim: cannot write outputs to {}: {e}", out.display());
        return EXIT_FAILURE;
    }
    // Plots and the report are drawn from the files just written, after the run.
    let plots = if a.no_plots {
        None
    } else {
        let drawn = crate::report::plots::Run::load(&out)
            .map_err(|e| e.to_string())
            .and_then(|r| {
                crate::report::write_visuals(&out, std::slice::from_ref(&r))
                    .map_err(|e| e.to_string())
            });
        match drawn {
            Ok(p) => Some(p.len()),
            Err(e) => {
                eprintln!("kubesim: cannot write plots to {}: {e}", out.display());
                return EXIT_FAILURE;
            }
        }
    };
    if !a.quiet {
        print_summary(&sim, &out, wall, plots);
    }
    0
}

fn print_summary(
    sim: &Simulation,
    out: &std::path::Path,
    wall: std::time::Duration,
    plots: Option<usize>,
) {
    let s = sim.summary();
    let sim_secs = s.simulated_seconds;
    let w = wall.as_secs_f64().max(1e-9);
    println!(
        "kubesim: {} (seed {}): simulated {} in {:.3} s wall ({:.0}x real time)",
        s.scenario,
        s.seed,
        s.simulated_time,
        wall.as_secs_f64(),
        sim_secs / w
    );
    println!(
        "  events: {} processed, {} stale, hash {}",
        s.events_processed, s.events_stale, s.event_hash
    );
    println!(
        "  pods: {} running ({} ready), {} pending, {} succeeded, {} failed, {} terminating; nodes: {}/{} ready",
        s.pods.running,
        s.pods.ready,
        s.pods.pending,
        s.pods.succeeded,
        s.pods.failed,
        s.pods.terminating,
        s.nodes.ready,
        s.nodes.total
    );
    println!(
        "  scheduler: {} bound, {} unschedulable attempts, {} waiting; kubernetes events: {} normal, {} warning",
        s.scheduler.scheduled,
        s.scheduler.unschedulable,
        s.scheduler.queued,
        s.kubernetes_events.normal,
        s.kubernetes_events.warning
    );
    const SHOWN: usize = 10;
    for wl in s.workloads.iter().take(SHOWN) {
        println!(
            "  {}/{}/{}: {}/{} ready, {} available",
            wl.kind.to_ascii_lowercase(),
            wl.namespace,
            wl.name,
            wl.ready,
            wl.desired,
            wl.available
        );
    }
    for j in s.jobs.iter().take(SHOWN) {
        println!(
            "  job/{}/{}: {} succeeded, {} failed, {} active{}",
            j.namespace,
            j.name,
            j.succeeded,
            j.failed,
            j.active,
            match (&j.condition, &j.reason) {
                (Some(c), Some(r)) => format!(" ({c}: {r})"),
                (Some(c), None) => format!(" ({c})"),
                _ => String::new(),
            }
        );
    }
    let k = &s.kubelet;
    if k.container_restarts + k.oom_kills + k.evictions > 0 || k.throttled_cpu_seconds > 0.0 {
        println!(
            "  kubelet: {} container restarts, {} OOM kills, {} evictions, {:.1} cpu-s throttled, {:.0} requests unserved",
            k.container_restarts,
            k.oom_kills,
            k.evictions,
            k.throttled_cpu_seconds,
            k.unserved_requests
        );
    }
    if let Some(a) = &s.autoscaler {
        println!(
            "  cluster autoscaler: {} scale-up(s) adding {} node(s), {} node(s) removed, {} failed scale-up(s)",
            a.scale_ups, a.nodes_added, a.nodes_removed, a.failed_scale_ups
        );
    }
    if s.cost.total > 0.0 {
        println!(
            "  cost: {:.3} ({:.0} % of cpu requested, idle {:.3})",
            s.cost.total,
            s.cost.cpu_requested_share * 100.0,
            s.cost.idle_cost
        );
    }
    println!(
        "  wrote {}/{{events.jsonl,timeseries.csv,summary.json}}",
        out.display()
    );
    if let Some(n) = plots {
        println!(
            "  wrote {n} plot(s) to {}/plots/ and {}/report.html",
            out.display(),
            out.display()
        );
    }
}
