//! Nodes over time (all, ready, per pool) with the Cluster Autoscaler's scale-up and
//! scale-down decisions as markers (from `events.jsonl`).

use super::{Chart, Marker, Run, Series, label, t_end, union};

/// Scale-up (one per decision instant) and scale-down markers of a run.
fn markers(runs: &[Run], run: &Run) -> Vec<Marker> {
    let (up, down) = (label(runs, run, "scale-up"), label(runs, run, "scale-down"));
    let mut out: Vec<Marker> = Vec::new();
    for e in &run.events {
        let m = match e.reason.as_str() {
            "TriggeredScaleUp" => Marker {
                t: e.t,
                label: up.clone(),
                up: true,
            },
            "ScaleDown" if e.message.starts_with("Scale-down") => Marker {
                t: e.t,
                label: down.clone(),
                up: false,
            },
            _ => continue,
        };
        if !out.iter().any(|o| o.t == m.t && o.label == m.label) {
            out.push(m);
        }
    }
    out
}

/// `nodes`.
pub fn charts(runs: &[Run]) -> Vec<Chart> {
    let pools = union(runs, |r| r.series.groups("pool/"));
    let mut series = Vec::new();
    let mut all_markers = Vec::new();
    for run in runs {
        if let Some(p) = run.series.points("nodes", 1.0) {
            series.push(Series::line(label(runs, run, "nodes"), p));
        }
        if let Some(p) = run.series.points("nodes_ready", 1.0) {
            series.push(Series::line(label(runs, run, "ready"), p));
        }
        if pools.len() > 1 {
            for pool in &pools {
                if let Some(p) = run.series.points(&format!("{pool}:nodes"), 1.0) {
                    let name = pool.trim_start_matches("pool/");
                    series.push(Series::line(label(runs, run, &format!("pool {name}")), p));
                }
            }
        }
        all_markers.extend(markers(runs, run));
    }
    vec![Chart {
        name: "nodes".into(),
        title: "Nodes (per pool) with Cluster Autoscaler decisions".into(),
        y_label: "nodes".into(),
        y2_label: None,
        series,
        markers: all_markers,
        t_end: t_end(runs),
    }]
}
