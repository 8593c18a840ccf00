//! The command-line interface: argument parsing (clap) and one module per verb.
//! Exit codes: 0 success, 1 an I/O or internal failure, 2 bad input (with located messages).

pub mod bench;
pub mod describe;
pub mod events;
pub mod explain;
pub mod get;
pub mod plot;
pub mod printers;
pub mod rollout;
pub mod run;
pub mod schedule;
pub mod top;
pub mod validate;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Exit code for bad input.
pub const EXIT_INPUT: i32 = 2;
/// Exit code for I/O and internal failures.
pub const EXIT_FAILURE: i32 = 1;

const AFTER_HELP: &str = "\
Examples:
  kubesim run scenarios/quickstart.yaml
  kubesim run scenarios/seed-guide/scenario.yaml --seed 7 --until 30m --out /tmp/guide
  kubesim validate scenarios/quickstart.yaml manifests/app.yaml
  kubesim schedule -f examples/schedule/ --explain
  kubesim top pods scenarios/autoscaling/hpa-step.yaml --at 4m
  kubesim plot results/hpa-step results/hpa-flapping --out /tmp/compare
  kubesim bench scenarios/bench/fgd-default.yaml

Documentation: docs/scenario.md (scenario format), docs/outputs.md (output files),
docs/architecture.md (how it works).";

/// A deterministic discrete-event simulator of a Kubernetes cluster.
#[derive(Parser, Debug)]
#[command(name = "kubesim", version, about, after_help = AFTER_HELP)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The verbs.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run a scenario and write events.jsonl, timeseries.csv, summary.json, plots/ and report.html.
    #[command(after_help = "Examples:
  kubesim run scenarios/quickstart.yaml
  kubesim run scenarios/quickstart.yaml --seed 2 --out /tmp/run2
  kubesim run scenarios/seed-guide/scenario.yaml --until 15m")]
    Run(run::RunArgs),
    /// Check scenarios and manifests without running them.
    #[command(after_help = "Examples:
  kubesim validate scenarios/quickstart.yaml
  kubesim validate deployment.yaml service.yaml
  kubesim validate manifests/")]
    Validate(validate::ValidateArgs),
    /// Schedule pending pods onto nodes once, as kube-scheduler would, and explain why.
    #[command(after_help = "Examples:
  kubesim schedule -f nodes.yaml -f pods.yaml
  kubesim schedule -f cluster/ --config scheduler-config.yaml -o json --explain
  kubesim schedule -f examples/schedule/ --explain

Output schema: docs/schedule.md")]
    Schedule(schedule::ScheduleArgs),
    /// Show what `kubectl top pods|nodes` would show at a simulated time.
    #[command(after_help = "Examples:
  kubesim top pods scenarios/autoscaling/hpa-step.yaml --at 4m
  kubesim top pods scenarios/quickstart.yaml --at 1h -A
  kubesim top nodes scenarios/quickstart.yaml --at 30m")]
    Top(top::TopArgs),
    /// Show what `kubectl get pods|nodes|deployments|hpa|pdb` would show at a simulated time.
    #[command(after_help = "Examples:
  kubesim get pods scenarios/rollouts/rolling-update.yaml --at 5m30s
  kubesim get pods scenarios/quickstart.yaml --at 1h -o wide -A
  kubesim get hpa scenarios/autoscaling/hpa-step.yaml --at 6m
  kubesim get deploy scenarios/rollouts/rolling-update.yaml --at 6m -o yaml")]
    Get(get::GetArgs),
    /// Show what `kubectl describe pod|node NAME` would show at a simulated time.
    #[command(after_help = "Examples:
  kubesim get pods scenarios/workloads/oom-crashloop.yaml --at 10m
  kubesim describe pod leaky-<hash>-<id> scenarios/workloads/oom-crashloop.yaml --at 10m
  kubesim describe node general-0 scenarios/workloads/oom-crashloop.yaml --at 10m")]
    Describe(describe::DescribeArgs),
    /// Show what `kubectl events` would show (the whole run, or up to --at).
    #[command(after_help = "Examples:
  kubesim events scenarios/autoscaling/ca-scale-up-down.yaml
  kubesim events scenarios/rollouts/rolling-update.yaml --for deployment/shop --at 7m")]
    Events(events::EventsArgs),
    /// `kubectl rollout status|history deployment/NAME` at a simulated time.
    #[command(after_help = "Examples:
  kubesim rollout status deployment/shop scenarios/rollouts/rolling-update.yaml --at 5m20s
  kubesim rollout history deployment/shop scenarios/rollouts/rolling-update.yaml --at 10m")]
    Rollout(rollout::RolloutArgs),
    /// Tell the causal story of a pod, a node or an HPA over the run.
    #[command(after_help = "Examples:
  kubesim explain pod leaky-<hash>-<id> scenarios/workloads/oom-crashloop.yaml
  kubesim explain node burst-0 scenarios/autoscaling/ca-scale-up-down.yaml
  kubesim explain hpa web scenarios/autoscaling/hpa-step.yaml")]
    Explain(explain::ExplainArgs),
    /// Draw a run's plots and report.html again from its files, or overlay several runs.
    #[command(after_help = "Examples:
  kubesim plot results/quickstart
  kubesim plot /tmp/run-a /tmp/run-b --out /tmp/compare

Writes OUT/plots/*.svg and OUT/report.html (OUT: --out, else the first run directory).
Files: docs/outputs.md")]
    Plot(plot::PlotArgs),
    /// Compare scheduling policies over seeds on a benchmark file (docs/bench.md).
    #[command(after_help = "Examples:
  kubesim bench scenarios/bench/fgd-default.yaml
  kubesim bench scenarios/bench/fgd-all.yaml --threads 2 --out results/fgd
  kubesim bench my-bench.yaml --seeds 1..5

Output files: docs/bench.md")]
    Bench(bench::BenchArgs),
}

/// Parses arguments and runs the verb; returns the process exit code.
pub fn main() -> i32 {
    quiet_on_closed_stdout();
    let cli = Cli::parse();
    match cli.command {
        Command::Run(a) => run::run(a),
        Command::Validate(a) => validate::validate(a),
        Command::Schedule(a) => schedule::schedule(a),
        Command::Top(a) => top::top(a),
        Command::Get(a) => get::get(a),
        Command::Describe(a) => describe::describe(a),
        Command::Events(a) => events::events(a),
        Command::Rollout(a) => rollout::rollout(a),
        Command::Explain(a) => explain::explain(a),
        Command::Plot(a) => plot::plot(a),
        Command::Bench(a) => bench::bench(a),
    }
}

/// How a path argument is shown in messages (as the user typed it).
pub fn display(p: &std::path::Path) -> String {
    p.to_string_lossy().to_string()
}

/// Resolves the default output directory for a scenario: `results/<name>/`.
pub fn default_out(name: &str) -> PathBuf {
    PathBuf::from("results").join(name)
}

/// `kubesim get pods ... | head` closes stdout early: like other command-line tools, stop
/// quietly (exit 0) instead of reporting the failed write as a crash. Any other panic keeps
/// the default report.
fn quiet_on_closed_stdout() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let msg = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.starts_with("failed printing to stdout") && msg.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}
