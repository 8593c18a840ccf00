//! Plots and report.html: every bundled scenario (except the benchmarks) produces its plots and
//! its report; each SVG parses as XML, shows the expected series in its legend, and is
//! byte-identical across two runs. `kubesim plot` regenerates and overlays runs; bad run
//! directories are reported with the file (and line), exit code 2.

mod scenario_support;

use kubesim::report::plots::{Run, data::TimeSeries};
use kubesim::scenario::load_scenario_str;
use kubesim::sim::{SimOptions, Simulation};
use scenario_support::repo;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

const BIN: &str = env!("CARGO_BIN_EXE_kubesim");

fn scenario_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            if !p
                .file_name()
                .is_some_and(|n| n == "bench" || n == "manifests")
            {
                scenario_files(&p, out);
            }
        } else if p.extension().is_some_and(|e| e == "yaml")
            && std::fs::read_to_string(&p)
                .unwrap()
                .contains("kind: Scenario")
        {
            out.push(p);
        }
    }
}

/// Runs a scenario file and writes its files, plots and report into `dir`.
fn run_into(path: &Path, dir: &Path) -> Vec<kubesim::report::plots::Plot> {
    let text = std::fs::read_to_string(path).unwrap();
    let s = load_scenario_str(&text, &path.display().to_string(), path.parent().unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut sim = Simulation::new(Arc::new(s), &SimOptions::default()).unwrap();
    sim.run();
    sim.write_outputs(dir).unwrap();
    let run = Run::load(dir).unwrap_or_else(|e| panic!("{e}"));
    kubesim::report::write_visuals(dir, std::slice::from_ref(&run)).unwrap()
}

/// The text of every `<text>` element of an SVG (which must parse as XML).
fn svg_texts(svg: &str, what: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{what}: not XML: {e}"));
    assert_eq!(doc.root_element().tag_name().name(), "svg", "{what}");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text().map(|t| t.trim().to_string()))
        .collect()
}

/// The plots every run has, whatever its scenario.
const ALWAYS: &[&str] = &[
    "cpu",
    "memory",
    "nodes",
    "pending",
    "restarts",
    "throttling",
    "cost",
];

#[test]
fn every_bundled_scenario_has_plots_and_a_report_and_they_are_deterministic() {
    let mut files = Vec::new();
    scenario_files(&repo().join("scenarios"), &mut files);
    assert!(files.len() >= 8, "{files:?}");
    let t = tempfile::tempdir().unwrap();
    for (i, f) in files.iter().enumerate() {
        let what = f.display().to_string();
        // Same directory name under two parents: the report names the run by its directory.
        let (a, b) = (
            t.path().join(format!("{i}a")).join("run"),
            t.path().join(format!("{i}b")).join("run"),
        );
        let plots = run_into(f, &a);
        run_into(f, &b);
        let names: Vec<&str> = plots.iter().map(|p| p.name.as_str()).collect();
        for n in ALWAYS {
            assert!(names.contains(n), "{what}: no {n} plot in {names:?}");
        }
        // Charts the time series calls for.
        let ts = TimeSeries::parse(
            &std::fs::read_to_string(a.join("timeseries.csv")).unwrap(),
            Path::new("timeseries.csv"),
        )
        .unwrap();
        if !ts.groups("load/").is_empty() {
            assert!(names.contains(&"load"), "{what}: no load plot");
        }
        for h in ts.groups("hpa/") {
            let n = format!("hpa-{}", h.trim_start_matches("hpa/").replace('/', "-"));
            assert!(names.contains(&n.as_str()), "{what}: no {n} plot");
        }
        for g in ts.groups("deployment/").iter().take(24) {
            let n = format!("replicas-{}", g.replace('/', "-"));
            assert!(names.contains(&n.as_str()), "{what}: no {n} plot");
        }
        for p in ts.groups("pool/") {
            let n = format!("pool-{}-cpu", p.trim_start_matches("pool/"));
            assert!(names.contains(&n.as_str()), "{what}: no {n} plot");
        }
        for p in &plots {
            let file = format!("{}.svg", p.name);
            let bytes_a = std::fs::read(a.join("plots").join(&file)).unwrap();
            let bytes_b = std::fs::read(b.join("plots").join(&file)).unwrap();
            assert!(
                bytes_a == bytes_b,
                "{what}: plots/{file} differs between two runs"
            );
            let texts = svg_texts(&p.svg, &format!("{what}: {file}"));
            // Every series and marker group has its legend entry; the axes name their units.
            for l in &p.legend {
                assert!(
                    texts.iter().any(|t| t == l),
                    "{what}: {file}: no legend entry {l:?} in {texts:?}"
                );
            }
            assert!(!p.legend.is_empty(), "{what}: {file} has no series");
            assert!(
                texts.iter().any(|t| t == "simulated time (h:mm)"),
                "{what}: {file}: no time axis label"
            );
            assert!(
                p.svg.contains("<polyline") || p.svg.contains("<circle") || p.svg.contains("<line"),
                "{what}: {file}: nothing drawn"
            );
        }
        let (ra, rb) = (
            std::fs::read(a.join("report.html")).unwrap(),
            std::fs::read(b.join("report.html")).unwrap(),
        );
        assert!(ra == rb, "{what}: report.html differs between two runs");
        let html = String::from_utf8(ra).unwrap();
        assert_eq!(
            html.matches("<figure class=\"plot\"").count(),
            plots.len(),
            "{what}: report.html does not inline every plot"
        );
        assert!(
            !html.contains("http://") || !html.contains("src=\"http"),
            "{what}"
        );
        assert!(
            !html.contains("<link"),
            "{what}: report.html links an external file"
        );
    }
}

#[test]
fn load_and_hpa_plots_show_the_series_of_the_spike() {
    let t = tempfile::tempdir().unwrap();
    let plots = run_into(
        &repo().join("scenarios/autoscaling/hpa-ca-spike.yaml"),
        t.path(),
    );
    let legend = |n: &str| {
        plots
            .iter()
            .find(|p| p.name == n)
            .unwrap_or_else(|| panic!("no {n}"))
            .legend
            .clone()
    };
    assert_eq!(
        legend("load"),
        ["api offered", "api served", "unserved (throttled pods)"]
    );
    assert_eq!(
        legend("hpa-default-api"),
        [
            "desired replicas",
            "current replicas",
            "HPA measured",
            "HPA target"
        ]
    );
    assert_eq!(
        legend("nodes"),
        [
            "nodes",
            "ready",
            "pool base",
            "pool burst",
            "scale-up",
            "scale-down"
        ]
    );
    let nodes = plots.iter().find(|p| p.name == "nodes").unwrap();
    // Two scale-ups and two scale-downs in this scenario: one marker each.
    let doc = roxmltree::Document::parse(&nodes.svg).unwrap();
    let polygons = doc
        .descendants()
        .filter(|n| n.has_tag_name("polygon"))
        .count();
    assert!(polygons >= 2, "scale-up triangles: {polygons}");
    let wait = plots.iter().find(|p| p.name == "time-to-schedule").unwrap();
    assert_eq!(wait.legend, ["max wait", "mean wait"]);
}

fn kubesim(args: &[&str]) -> (i32, String) {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(repo())
        .output()
        .expect("kubesim runs");
    let mut s = String::from_utf8_lossy(&out.stdout).to_string();
    s.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), s)
}

#[test]
fn run_writes_plots_plot_regenerates_and_overlays_them() {
    let t = tempfile::tempdir().unwrap();
    let (a, b, none, cmp) = (
        t.path().join("step"),
        t.path().join("flap"),
        t.path().join("none"),
        t.path().join("cmp"),
    );
    let s = |p: &Path| p.to_str().unwrap().to_string();
    let (code, out) = kubesim(&[
        "run",
        "scenarios/autoscaling/hpa-step.yaml",
        "--out",
        &s(&a),
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("plot(s)"), "{out}");
    assert!(a.join("report.html").is_file() && a.join("plots/cpu.svg").is_file());
    let (code, out) = kubesim(&[
        "run",
        "scenarios/autoscaling/hpa-step.yaml",
        "--out",
        &s(&none),
        "--no-plots",
    ]);
    assert_eq!(code, 0, "{out}");
    assert!(!none.join("plots").exists() && !none.join("report.html").exists());
    // `plot` on a run directory writes what `run` wrote, byte for byte.
    let (code, out) = kubesim(&["plot", &s(&none)]);
    assert_eq!(code, 0, "{out}");
    // The run's name is its directory's: only the report's header differs, not the plots.
    for e in std::fs::read_dir(a.join("plots")).unwrap() {
        let f = e.unwrap().file_name();
        assert_eq!(
            std::fs::read(a.join("plots").join(&f)).unwrap(),
            std::fs::read(none.join("plots").join(&f)).unwrap(),
            "{f:?}"
        );
    }
    // Overlay: one chart per metric, legend labels name the runs.
    let (code, out) = kubesim(&[
        "run",
        "scenarios/autoscaling/hpa-flapping.yaml",
        "--out",
        &s(&b),
    ]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = kubesim(&["plot", &s(&a), &s(&b), "--out", &s(&cmp)]);
    assert_eq!(code, 0, "{out}");
    let cpu = std::fs::read_to_string(cmp.join("plots/cpu.svg")).unwrap();
    let texts = svg_texts(&cpu, "overlay cpu.svg");
    for l in [
        "step: requested",
        "flap: requested",
        "step: used",
        "flap: used",
    ] {
        assert!(texts.iter().any(|t| t == l), "no {l:?} in {texts:?}");
    }
    let html = std::fs::read_to_string(cmp.join("report.html")).unwrap();
    assert!(
        html.contains("step vs flap"),
        "report title names both runs"
    );
}

#[test]
fn bad_run_directories_are_reported_with_the_file_and_line() {
    let t = tempfile::tempdir().unwrap();
    let s = |p: &Path| p.to_str().unwrap().to_string();
    let missing = t.path().join("missing");
    let (code, out) = kubesim(&["plot", &s(&missing)]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("missing") && out.contains("not a directory"),
        "{out}"
    );

    let dir = t.path().join("run");
    let (code, out) = kubesim(&[
        "run",
        "scenarios/quickstart.yaml",
        "--until",
        "5m",
        "--out",
        &s(&dir),
    ]);
    assert_eq!(code, 0, "{out}");
    let csv = std::fs::read_to_string(dir.join("timeseries.csv")).unwrap();
    let events = std::fs::read_to_string(dir.join("events.jsonl")).unwrap();

    // A garbled value on line 3 of timeseries.csv.
    let mut lines: Vec<String> = csv.lines().map(String::from).collect();
    lines[2] = lines[2].replacen(',', ",x", 1);
    std::fs::write(dir.join("timeseries.csv"), lines.join("\n")).unwrap();
    let (code, out) = kubesim(&["plot", &s(&dir)]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("timeseries.csv:3:") && out.contains("not a number"),
        "{out}"
    );

    // A short row.
    lines[2] = "1.0,2".into();
    std::fs::write(dir.join("timeseries.csv"), lines.join("\n")).unwrap();
    let (code, out) = kubesim(&["plot", &s(&dir)]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("timeseries.csv:3:") && out.contains("the header has"),
        "{out}"
    );
    std::fs::write(dir.join("timeseries.csv"), &csv).unwrap();

    // A broken line 2 in events.jsonl.
    let mut ev: Vec<String> = events.lines().map(String::from).collect();
    ev[1] = "{\"time\": oops".into();
    std::fs::write(dir.join("events.jsonl"), ev.join("\n")).unwrap();
    let (code, out) = kubesim(&["plot", &s(&dir)]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("events.jsonl:2:"), "{out}");
    std::fs::write(dir.join("events.jsonl"), &events).unwrap();

    // summary.json missing, then not JSON.
    let summary = std::fs::read_to_string(dir.join("summary.json")).unwrap();
    std::fs::remove_file(dir.join("summary.json")).unwrap();
    let (code, out) = kubesim(&["plot", &s(&dir)]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("summary.json") && out.contains("cannot read"),
        "{out}"
    );
    std::fs::write(dir.join("summary.json"), &summary[..summary.len() / 2]).unwrap();
    let (code, out) = kubesim(&["plot", &s(&dir)]);
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("summary.json:") && out.contains("not JSON"),
        "{out}"
    );

    // An empty timeseries.csv.
    std::fs::write(dir.join("summary.json"), &summary).unwrap();
    std::fs::write(dir.join("timeseries.csv"), "").unwrap();
    let (code, out) = kubesim(&["plot", &s(&dir)]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("timeseries.csv:1:"), "{out}");
}

#[test]
fn report_escapes_what_it_shows() {
    let make = |name: &str| {
        Run {
        name: name.into(),
        series: TimeSeries::parse("time_s,nodes\n0,1\n60,2\n", Path::new("t.csv")).unwrap(),
        events: kubesim::report::plots::data::parse_events(
            r#"{"time":"0:00:01.000","t":1.0,"type":"Warning","reason":"Bad<script>","object":{"kind":"Pod","namespace":"default","name":"a\"b"},"message":"<img src=x onerror=alert(1)>","source":"kubelet"}"#,
            Path::new("e.jsonl"),
        )
        .unwrap(),
        summary: serde_json::json!({"scenario": "<b>s</b>", "workloads": []}),
    }
    };
    // Two runs (an overlay), so the run names are shown too.
    let runs = [make("<run & 'x'>"), make("plain")];
    let plots = kubesim::report::plots::render(&runs).unwrap();
    let html = kubesim::report::html::report(&runs, &plots);
    assert!(!html.contains("<img"), "{html}");
    assert!(!html.contains("Bad<script>"));
    assert!(!html.contains("<b>s</b>"));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(html.contains("&lt;run &amp; &#39;x&#39;&gt;"));
    assert_eq!(
        html.matches("<script>").count(),
        1,
        "only the report's own script"
    );
}
