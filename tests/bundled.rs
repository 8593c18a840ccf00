//! Every bundled teaching scenario (everything under `scenarios/` except the benchmarks) loads,
//! runs to the end with the store's invariants checked after every event, and gives the same
//! summary twice.

use kubesim::scenario::load_scenario_str;
use kubesim::sim::{SimOptions, Simulation};
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn scenario_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            if p.file_name()
                .is_some_and(|n| n == "bench" || n == "manifests")
            {
                continue;
            }
            scenario_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml")
            && std::fs::read_to_string(&p)
                .unwrap()
                .contains("kind: Scenario")
        {
            out.push(p);
        }
    }
}

fn run(path: &Path, check: bool) -> kubesim::report::Summary {
    let text = std::fs::read_to_string(path).unwrap();
    let s = load_scenario_str(&text, &path.display().to_string(), path.parent().unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut sim = Simulation::new(
        Arc::new(s),
        &SimOptions {
            check_invariants: check,
            ..Default::default()
        },
    )
    .unwrap();
    sim.run();
    sim.summary()
}

#[test]
fn every_bundled_scenario_runs_and_is_deterministic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files = Vec::new();
    scenario_files(&root, &mut files);
    assert!(files.len() >= 8, "{files:?}");
    for f in &files {
        let a = run(f, true);
        let b = run(f, false);
        assert_eq!(a, b, "{} differs between runs", f.display());
        assert!(a.events_processed > 0, "{}", f.display());
    }
}

#[test]
fn node_failure_reschedules_the_pods_after_300s() {
    use kubesim::engine::{SimDuration, SimTime};
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/nodes/node-failure.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let s = load_scenario_str(&text, "node-failure.yaml", path.parent().unwrap()).unwrap();
    let mut sim = Simulation::new(Arc::new(s), &SimOptions::default()).unwrap();
    let at = |s: u64| SimTime::ZERO + SimDuration::from_secs(s);
    let ready = |sim: &Simulation| sim.store.pods().filter(|(_, p)| p.is_ready()).count();
    sim.run_until(at(299));
    assert_eq!(ready(&sim), 6);
    // Lease last renewed at 300 s; 50 s grace, checked every 5 s: not ready at 355.
    sim.run_until(at(354));
    assert_eq!(ready(&sim), 6);
    sim.run_until(at(355));
    assert_eq!(ready(&sim), 4);
    // Evicted 300 s after the taint; replacements elsewhere are ready within the next 10 s
    // (image cached on the other nodes: 1 s start, readiness on the 5 s probe grid after 5 s).
    sim.run_until(at(654));
    assert_eq!(ready(&sim), 4);
    sim.run_until(at(666));
    assert_eq!(ready(&sim), 6);
    let evicted = sim
        .store
        .events
        .events
        .iter()
        .filter(|e| e.reason == "TaintManagerEviction")
        .map(|e| e.time)
        .collect::<Vec<_>>();
    assert_eq!(evicted, vec![at(655), at(655)]);
}
