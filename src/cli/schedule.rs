//! `kubesim schedule -f FILE... [--config CFG] [-o table|json] [--explain]`: one-shot what-if
//! scheduling. The JSON schema is documented in `docs/schedule.md`.

use super::{EXIT_INPUT, display};
use crate::diag::{Diagnostic, Diagnostics};
use crate::load::Loader;
use crate::scenario::TieBreak;
use crate::scheduler::explain::FilterVerdict;
use crate::scheduler::framework::Code;
use crate::sim::whatif::{self, WhatIf, WhatIfOptions};
use clap::{Args, ValueEnum};
use serde_json::{Value, json};
use std::path::PathBuf;

/// Output formats.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned columns for people.
    Table,
    /// One JSON document (schema in docs/schedule.md).
    Json,
}

/// Tie-break choices on the command line.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum TieBreakArg {
    /// Uniformly at random on the scheduler's seeded stream (upstream behaviour).
    Random,
    /// The first top-scored node in the scheduler's node order.
    LowestIndex,
}

/// Arguments of `schedule`.
#[derive(Args, Debug)]
pub struct ScheduleArgs {
    /// Manifests: Nodes, bound Pods (spec.nodeName set), Pods to schedule, Deployments and
    /// ReplicaSets (their pods are created and scheduled). Files or directories; repeatable.
    #[arg(short = 'f', long = "filename", required = true)]
    pub files: Vec<PathBuf>,
    /// A KubeSchedulerConfiguration (or a ConfigMap holding one).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Output format.
    #[arg(short = 'o', long = "output", value_enum, default_value = "table")]
    pub output: Format,
    /// Show every node's filter verdict and score breakdown per pod.
    #[arg(long)]
    pub explain: bool,
    /// Filter and score every node for every pod: no percentageOfNodesToScore sampling and
    /// no single-feasible-node shortcut (explanations are complete, but choices can then
    /// differ from kube-scheduler's).
    #[arg(long)]
    pub all_nodes: bool,
    /// Seed of the scheduler's tie-breaking stream.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// How ties among top-scored nodes are broken.
    #[arg(long, value_enum, default_value = "random")]
    pub tie_break: TieBreakArg,
    /// Hide warnings.
    #[arg(long, short)]
    pub quiet: bool,
}

fn fail(errors: &Diagnostics) -> i32 {
    for d in &errors.0 {
        eprintln!("{d}");
    }
    EXIT_INPUT
}

/// Runs the verb.
pub fn schedule(a: ScheduleArgs) -> i32 {
    let mut loader = Loader::new();
    let mut errors = Diagnostics::default();
    for f in &a.files {
        if !f.exists() {
            errors.push(Diagnostic::error(format!(
                "{}: no such file or directory",
                display(f)
            )));
            continue;
        }
        loader.load_path(f, &display(f));
    }
    let mut docs = Vec::new();
    if let Some(c) = &a.config {
        match crate::scheduler::config::load_file(c, &display(c)) {
            Ok(d) => docs = d,
            Err(d) => errors.push(d),
        }
    }
    let set = match loader.finish() {
        Ok(s) => s,
        Err(e) => {
            errors.extend(e);
            return fail(&errors);
        }
    };
    if errors.has_errors() {
        return fail(&errors);
    }
    let mut warnings = set.warnings.clone();
    docs.extend(set.scheduler_configs.iter().cloned());
    let config = match docs.as_slice() {
        [] => None,
        [d] => match crate::scheduler::config::parse(d) {
            Ok((c, w)) => {
                warnings.extend(w);
                Some(c)
            }
            Err(d) => return fail(&Diagnostics::one(d)),
        },
        [_, second, ..] => {
            return fail(&Diagnostics::one(second.origin.error(
                "kind",
                "more than one KubeSchedulerConfiguration given; put every profile in one file",
            )));
        }
    };
    if !a.quiet {
        for w in &warnings {
            eprintln!("{w}");
        }
    }
    let opts = WhatIfOptions {
        seed: a.seed,
        tie_break: match a.tie_break {
            TieBreakArg::Random => TieBreak::Random,
            TieBreakArg::LowestIndex => TieBreak::LowestIndex,
        },
        exhaustive: a.all_nodes,
        registry: None,
    };
    let w = match whatif::run(set.objects, config, &opts) {
        Ok(w) => w,
        Err(e) => return fail(&e),
    };
    match a.output {
        Format::Json => {
            let v = to_json(&w, a.explain);
            println!(
                "{}",
                serde_json::to_string_pretty(&v).expect("serializable")
            );
        }
        Format::Table => print!("{}", to_table(&w, a.explain)),
    }
    0
}

fn code_name(c: Code) -> &'static str {
    match c {
        Code::Success => "Success",
        Code::Error => "Error",
        Code::Unschedulable => "Unschedulable",
        Code::UnschedulableAndUnresolvable => "UnschedulableAndUnresolvable",
        Code::Wait => "Wait",
        Code::Skip => "Skip",
    }
}

/// The JSON document (`kind: ScheduleResult`).
pub fn to_json(w: &WhatIf, explain: bool) -> Value {
    let pods: Vec<Value> = w
        .outcomes
        .iter()
        .map(|o| {
            let mut p = json!({
                "pod": o.key,
                "node": o.node,
                "message": o.message,
                "nominatedNode": o.nominated,
                "victims": o.victims,
            });
            if explain {
                let nodes: Vec<Value> = o
                    .attempt
                    .as_ref()
                    .map(|a| {
                        a.nodes
                            .iter()
                            .map(|n| {
                                let filter = match &n.filter {
                                    FilterVerdict::Passed => json!({"result": "passed"}),
                                    FilterVerdict::Rejected(plugin, st) => json!({
                                        "result": "rejected",
                                        "plugin": plugin,
                                        "code": code_name(st.code),
                                        "reasons": st.reasons.iter().map(|r| r.as_ref()).collect::<Vec<&str>>(),
                                    }),
                                    FilterVerdict::NotEvaluated => json!({"result": "not-evaluated"}),
                                };
                                let scores: Vec<Value> = n
                                    .scores
                                    .iter()
                                    .map(|s| json!({"plugin": s.plugin, "score": s.score, "weight": s.weight, "weighted": s.score * s.weight}))
                                    .collect();
                                json!({"node": w.node_name(n.node), "filter": filter, "scores": scores, "total": n.total})
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                p["nodes"] = Value::Array(nodes);
            }
            p
        })
        .collect();
    let profiles: Vec<&str> = w
        .sim
        .scheduler
        .profiles()
        .iter()
        .map(|p| p.scheduler_name.as_str())
        .collect();
    json!({
        "apiVersion": "kubesim/v1alpha1",
        "kind": "ScheduleResult",
        "profiles": profiles,
        "nodes": w.sim.store.node_count(),
        "pods": pods,
    })
}

fn table(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(|r| r.len()).max().unwrap_or(0);
    let mut widths = vec![0; cols];
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.chars().count());
        }
    }
    let mut out = String::new();
    for r in rows {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            if i + 1 == r.len() {
                line.push_str(c);
            } else {
                line.push_str(&format!("{:<w$}   ", c, w = widths[i]));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The table output.
pub fn to_table(w: &WhatIf, explain: bool) -> String {
    let mut rows = vec![vec!["POD".to_string(), "NODE".into(), "MESSAGE".into()]];
    for o in &w.outcomes {
        let node = match (&o.node, &o.nominated) {
            (Some(n), _) => n.clone(),
            (None, Some(n)) => format!("<none> (nominated {n})"),
            _ => "<none>".into(),
        };
        let mut msg = o.message.clone().unwrap_or_default();
        if !o.victims.is_empty() {
            msg.push_str(&format!(" [preempts {}]", o.victims.join(", ")));
        }
        rows.push(vec![o.key.clone(), node, msg]);
    }
    let mut out = table(&rows);
    if explain {
        for o in &w.outcomes {
            let Some(a) = &o.attempt else { continue };
            out.push_str(&format!("\n{}:\n", o.key));
            let plugins: Vec<&'static str> = a
                .nodes
                .iter()
                .find(|n| !n.scores.is_empty())
                .map(|n| n.scores.iter().map(|s| s.plugin).collect())
                .unwrap_or_default();
            let mut header = vec!["  NODE".to_string(), "FILTER".into()];
            header.extend(plugins.iter().map(|p| p.to_string()));
            header.push("TOTAL".into());
            let mut rows = vec![header];
            for n in &a.nodes {
                let filter = match &n.filter {
                    FilterVerdict::Passed => "passed".to_string(),
                    FilterVerdict::Rejected(p, st) => format!("{p}: {}", st.message()),
                    FilterVerdict::NotEvaluated => "not evaluated".into(),
                };
                let mut r = vec![format!("  {}", w.node_name(n.node)), filter];
                for p in &plugins {
                    r.push(
                        n.scores
                            .iter()
                            .find(|s| s.plugin == *p)
                            .map(|s| format!("{}×{}", s.score, s.weight))
                            .unwrap_or_default(),
                    );
                }
                r.push(n.total.map(|t| t.to_string()).unwrap_or_default());
                rows.push(r);
            }
            out.push_str(&table(&rows));
        }
    }
    out
}
