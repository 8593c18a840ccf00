//! `kubesim rollout status|history deployment/NAME SCENARIO --at T`: kubectl's
//! `DeploymentStatusViewer` messages and `DeploymentHistoryViewer` table at a simulated time.
//!
//! `status` is a snapshot (`kubectl rollout status --watch=false`): it prints one message and
//! exits 0, or 1 with `error: deployment "web" exceeded its progress deadline`.

use super::printers::{self as pr, parse_at, table};
use crate::engine::SimDuration;
use crate::model::DeploymentId;
use crate::sim::Simulation;
use clap::{Args, ValueEnum};
use std::path::PathBuf;

/// Which rollout view.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum RolloutWhat {
    /// `kubectl rollout status`.
    Status,
    /// `kubectl rollout history`.
    History,
}

/// Arguments of `rollout`.
#[derive(Args, Debug)]
pub struct RolloutArgs {
    /// `status` or `history`.
    #[arg(value_enum)]
    pub what: RolloutWhat,
    /// `deployment/NAME` (also `deploy/NAME`, `deployments/NAME`).
    pub target: String,
    /// The scenario file.
    pub scenario: PathBuf,
    /// Simulated time to look at (e.g. 4m, 2h15m).
    #[arg(long, value_parser = parse_at)]
    pub at: SimDuration,
    /// Seed (default: the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Namespace (default: default).
    #[arg(long, short)]
    pub namespace: Option<String>,
}

/// `kubectl rollout status` of a Deployment: the message and whether it is done; `Err` for an
/// exceeded progress deadline.
pub fn status(sim: &Simulation, id: DeploymentId) -> Result<(String, bool), String> {
    let d = sim.store.deployment(id).expect("found");
    let s = &d.status;
    if s.progressing
        .as_ref()
        .is_some_and(|c| c.reason == "ProgressDeadlineExceeded")
    {
        return Err(format!(
            "deployment {:?} exceeded its progress deadline",
            &*d.name
        ));
    }
    let name = format!("{:?}", &*d.name);
    if s.updated_replicas < d.replicas {
        return Ok((
            format!(
                "Waiting for deployment {name} rollout to finish: {} out of {} new replicas have been updated...\n",
                s.updated_replicas, d.replicas
            ),
            false,
        ));
    }
    if s.replicas > s.updated_replicas {
        return Ok((
            format!(
                "Waiting for deployment {name} rollout to finish: {} old replicas are pending termination...\n",
                s.replicas - s.updated_replicas
            ),
            false,
        ));
    }
    if s.available_replicas < s.updated_replicas {
        return Ok((
            format!(
                "Waiting for deployment {name} rollout to finish: {} of {} updated replicas are available...\n",
                s.available_replicas, s.updated_replicas
            ),
            false,
        ));
    }
    Ok((format!("deployment {name} successfully rolled out\n"), true))
}

/// `kubectl rollout history`: `deployment.apps/NAME` then `REVISION  CHANGE-CAUSE`, one row
/// per ReplicaSet still kept (revisionHistoryLimit), by revision.
pub fn history(sim: &Simulation, id: DeploymentId) -> String {
    let store = &sim.store;
    let i = &store.interner;
    let d = store.deployment(id).expect("found");
    let key = i.lookup("kubernetes.io/change-cause");
    let mut revs: Vec<(i64, String)> = store
        .replicasets_of(id)
        .into_iter()
        .filter_map(|r| store.replicaset(r))
        .filter(|r| !r.deleted)
        .map(|r| {
            let cause = key
                .and_then(|k| {
                    r.template
                        .annotations
                        .iter()
                        .find(|(a, _)| *a == k)
                        .map(|(_, v)| i.resolve(*v).to_string())
                })
                .unwrap_or_else(|| "<none>".into());
            (r.revision, cause)
        })
        .collect();
    revs.sort();
    revs.dedup_by_key(|r| r.0);
    let mut rows = vec![vec!["REVISION".to_string(), "CHANGE-CAUSE".into()]];
    for (r, c) in revs {
        rows.push(vec![r.to_string(), c]);
    }
    format!("deployment.apps/{}\n{}", d.name, table(&rows))
}

/// Runs the verb.
pub fn rollout(a: RolloutArgs) -> i32 {
    let name = match a.target.split_once('/') {
        Some((k, n))
            if matches!(
                crate::api::Kind::parse(k),
                Some(crate::api::Kind::Deployment)
            ) && !n.is_empty() =>
        {
            n.to_string()
        }
        _ => {
            eprintln!(
                "error: {:?}: expected deployment/NAME (only Deployments are supported)",
                a.target
            );
            return super::EXIT_INPUT;
        }
    };
    let sim = match pr::replay(&a.scenario, a.seed, Some(a.at), false) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let ns = a.namespace.clone().unwrap_or_else(|| "default".into());
    let store = &sim.store;
    let id = store
        .interner
        .lookup(&ns)
        .and_then(|s| store.deployment_by_name(s, &name));
    let Some(id) = id.filter(|&d| store.deployment(d).is_some_and(|d| !d.deleted)) else {
        let mut names: Vec<String> = store
            .deployments()
            .filter(|(_, d)| !d.deleted && store.interner.resolve(d.namespace) == ns)
            .map(|(_, d)| d.name.to_string())
            .collect();
        names.sort();
        return pr::not_found(
            "deployments.apps",
            &name,
            &format!(" in namespace {ns} at {}", a.at),
            &names,
        );
    };
    match a.what {
        RolloutWhat::Status => match status(&sim, id) {
            Ok((msg, _)) => {
                print!("{msg}");
                0
            }
            Err(e) => {
                eprintln!("error: {e}");
                super::EXIT_FAILURE
            }
        },
        RolloutWhat::History => {
            print!("{}", history(&sim, id));
            0
        }
    }
}
