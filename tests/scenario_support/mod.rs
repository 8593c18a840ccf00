//! Shared harness for scenario tests: build a simulation from scenario text or a bundled file
//! (with the store's invariants checked after every event), and read times and events back.
#![allow(dead_code)] // each test crate uses a subset

use kubesim::engine::{SimDuration, SimTime};
use kubesim::scenario::load_scenario_str;
use kubesim::sim::{SimOptions, Simulation};
use std::path::Path;
use std::sync::Arc;

/// The repository root.
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A file of the repository, as text.
pub fn repo_file(path: &str) -> String {
    std::fs::read_to_string(repo().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A simulation of scenario `text` (paths relative to the repository root), invariants on.
pub fn sim_from(text: &str) -> Simulation {
    let s = load_scenario_str(text, "test.yaml", repo()).unwrap_or_else(|e| panic!("{e}"));
    Simulation::new(
        Arc::new(s),
        &SimOptions {
            check_invariants: true,
            ..Default::default()
        },
    )
    .unwrap()
}

/// A simulation of a bundled scenario file.
pub fn sim_of(path: &str) -> Simulation {
    sim_from(&repo_file(path))
}

/// `s` seconds into the run.
pub fn secs(s: u64) -> SimTime {
    SimTime::ZERO + SimDuration::from_secs(s)
}

/// Whole seconds since the start.
pub fn at_secs(t: SimTime) -> u64 {
    t.since(SimTime::ZERO).as_micros() / 1_000_000
}

/// (seconds, object name, message) of every Kubernetes event with `reason`, in order.
pub fn events(sim: &Simulation, reason: &str) -> Vec<(u64, String, String)> {
    sim.store
        .events
        .events
        .iter()
        .filter(|e| e.reason == reason)
        .map(|e| {
            (
                at_secs(e.time),
                e.object.name.to_string(),
                e.message.clone(),
            )
        })
        .collect()
}

/// The times (seconds) of every event with `reason`.
pub fn event_times(sim: &Simulation, reason: &str) -> Vec<u64> {
    events(sim, reason).into_iter().map(|e| e.0).collect()
}
