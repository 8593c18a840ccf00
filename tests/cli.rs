//! End-to-end checks of the `kubesim` binary: the README commands, determinism of the output
//! files, the seed, and `--help`.

use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_kubesim");

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn run(args: &[&str]) -> (i32, String) {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(repo())
        .output()
        .expect("kubesim runs");
    let mut s = String::from_utf8_lossy(&out.stdout).to_string();
    s.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), s)
}

fn read(dir: &Path, f: &str) -> Vec<u8> {
    std::fs::read(dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"))
}

#[test]
fn same_seed_gives_identical_files_and_another_seed_a_different_hash() {
    let t = tempfile::tempdir().unwrap();
    let (a, b, c) = (t.path().join("a"), t.path().join("b"), t.path().join("c"));
    for (dir, seed) in [(&a, "42"), (&b, "42"), (&c, "43")] {
        let (code, out) = run(&[
            "run",
            "scenarios/quickstart.yaml",
            "--out",
            dir.to_str().unwrap(),
            "--seed",
            seed,
        ]);
        assert_eq!(code, 0, "{out}");
        assert!(out.contains("hash "), "{out}");
    }
    for f in ["events.jsonl", "timeseries.csv", "summary.json"] {
        assert_eq!(
            read(&a, f),
            read(&b, f),
            "{f} differs between two runs with the same seed"
        );
        assert!(!read(&a, f).is_empty(), "{f} is empty");
    }
    let hash = |d: &Path| -> String {
        let s: serde_json::Value = serde_json::from_slice(&read(d, "summary.json")).unwrap();
        s["event_hash"].as_str().unwrap().to_string()
    };
    assert_ne!(
        hash(&a),
        hash(&c),
        "a different seed must change the event hash"
    );
}

#[test]
fn run_writes_the_documented_files() {
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    let (code, text) = run(&[
        "run",
        "scenarios/seed-guide/scenario.yaml",
        "--out",
        out.to_str().unwrap(),
        "--until",
        "30m",
    ]);
    assert_eq!(code, 0, "{text}");
    let summary: serde_json::Value = serde_json::from_slice(&read(&out, "summary.json")).unwrap();
    assert_eq!(summary["scenario"], "seed-guide");
    assert_eq!(summary["simulated_seconds"], 1800.0);
    for key in [
        "seed",
        "events_processed",
        "event_hash",
        "pods",
        "nodes",
        "workloads",
    ] {
        assert!(summary.get(key).is_some(), "summary.json lacks {key}");
    }
    let events = String::from_utf8(read(&out, "events.jsonl")).unwrap();
    let mut last = -1.0;
    for line in events.lines() {
        let e: serde_json::Value = serde_json::from_str(line).unwrap();
        let t = e["t"].as_f64().unwrap();
        assert!(t >= last, "events.jsonl is not in time order");
        last = t;
        for k in ["time", "type", "reason", "object", "message", "source"] {
            assert!(e.get(k).is_some(), "event lacks {k}: {line}");
        }
    }
    let csv = String::from_utf8(read(&out, "timeseries.csv")).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(
        header.starts_with("time_s,pods_pending,pods_running"),
        "{header}"
    );
    assert!(
        header.contains("deployment/default/my-app-deployment:ready"),
        "{header}"
    );
    let cols = header.split(',').count();
    assert!(
        csv.lines().all(|l| l.split(',').count() == cols),
        "ragged CSV"
    );
    assert_eq!(
        csv.lines().count(),
        1 + 61,
        "a row every 30 s from 0 to 30 m"
    );
}

#[test]
fn validate_accepts_the_bundled_scenarios() {
    for s in [
        "scenarios/quickstart.yaml",
        "scenarios/seed-guide/scenario.yaml",
        "scenarios/bench/large.yaml",
    ] {
        let (code, out) = run(&["validate", s]);
        assert_eq!(code, 0, "{s}: {out}");
        assert!(out.contains("ok: "), "{out}");
    }
}

#[test]
fn help_has_examples() {
    for args in [
        vec!["--help"],
        vec!["run", "--help"],
        vec!["validate", "--help"],
    ] {
        let (code, out) = run(&args);
        assert_eq!(code, 0);
        assert!(out.contains("Examples:"), "{args:?}: {out}");
    }
}

#[test]
fn top_shows_what_kubectl_top_would_at_a_time() {
    // hpa-step at 4m: 30 requests/s over 3 pods at 10m each = 100m per pod; 100Mi baseline.
    let (code, out) = run(&[
        "top",
        "pods",
        "scenarios/autoscaling/hpa-step.yaml",
        "--at",
        "4m",
    ]);
    assert_eq!(code, 0, "{out}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["NAME", "CPU(cores)", "MEMORY(bytes)"]
    );
    assert_eq!(lines.len(), 4, "{out}");
    for l in &lines[1..] {
        let f: Vec<&str> = l.split_whitespace().collect();
        assert!(f[0].starts_with("web-"), "{l}");
        assert_eq!(&f[1..], ["100m", "100Mi"], "{l}");
    }
    let (code, out) = run(&[
        "top",
        "nodes",
        "scenarios/autoscaling/hpa-step.yaml",
        "--at",
        "4m",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.starts_with("NAME"), "{out}");
    assert_eq!(out.lines().count(), 5, "four nodes: {out}");
    let (code, out) = run(&[
        "top",
        "pods",
        "scenarios/autoscaling/hpa-step.yaml",
        "--at",
        "2h",
    ]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("after the end of the scenario"), "{out}");
}
