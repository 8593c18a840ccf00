//! Scenario tests for container exits and restarts, usage against limits, node-pressure
//! eviction and the Job controller, with hand-derived outcomes and times.

use kubesim::engine::{SimDuration, SimTime};
use kubesim::scenario::load_scenario_str;
use kubesim::sim::{SimOptions, Simulation};
use std::path::Path;
use std::sync::Arc;

fn sim_from(text: &str) -> Simulation {
    let s = load_scenario_str(text, "test.yaml", Path::new(env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|e| panic!("{e}"));
    Simulation::new(
        Arc::new(s),
        &SimOptions {
            check_invariants: true,
            ..Default::default()
        },
    )
    .unwrap()
}

fn file(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).unwrap()
}

fn secs(s: u64) -> SimTime {
    SimTime::ZERO + SimDuration::from_secs(s)
}

/// (time in seconds, reason, message) of the events whose reason is in `reasons`.
fn events(sim: &Simulation, reasons: &[&str]) -> Vec<(f64, String, String)> {
    sim.store
        .events
        .events
        .iter()
        .filter(|e| reasons.contains(&e.reason))
        .map(|e| {
            (
                e.time.as_secs_f64(),
                e.reason.to_string(),
                e.message.to_string(),
            )
        })
        .collect()
}

#[test]
fn dump_oom() {
    let mut sim = sim_from(&file("scenarios/workloads/oom-crashloop.yaml"));
    sim.run();
    for e in events(
        &sim,
        &["Started", "BackOff", "Created", "Pulled", "Killing"],
    ) {
        println!("{e:?}");
    }
    println!("{:?}", sim.kubelet().stats());
}
