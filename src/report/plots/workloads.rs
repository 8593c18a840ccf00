//! Replicas per workload (desired, current, ready, available) and per HorizontalPodAutoscaler
//! (desired and current replicas with the measured metric against its target).

use super::{Chart, Run, Series, Style, file_name, label, t_end, union};

/// At most this many per-workload charts (benchmark scenarios name hundreds of workloads).
pub const MAX_WORKLOAD_CHARTS: usize = 24;

const KINDS: [&str; 5] = [
    "deployment/",
    "replicaset/",
    "statefulset/",
    "daemonset/",
    "job/",
];

/// The HPA's metric (solid) and target (dashed) on the right axis.
fn hpa_metric(runs: &[Run], run: &Run, hpa: &str, series: &mut Vec<Series>) {
    let ts = &run.series;
    if let Some(m) = ts.points(&format!("{hpa}:metric"), 1.0) {
        series.push(Series::line(label(runs, run, "HPA measured"), m).right());
    }
    if let Some(t) = ts.points(&format!("{hpa}:target"), 1.0) {
        series.push(
            Series::line(label(runs, run, "HPA target"), t)
                .styled(Style::Dashed)
                .right(),
        );
    }
}

/// `replicas-<kind>-<namespace>-<name>` per workload and `hpa-<namespace>-<name>` per HPA.
pub fn charts(runs: &[Run]) -> Vec<Chart> {
    let groups = union(runs, |r| {
        KINDS
            .iter()
            .flat_map(|k| r.series.groups(k))
            .collect::<Vec<_>>()
    });
    let hpas = union(runs, |r| r.series.groups("hpa/"));
    let metric_label = "HPA metric (% of requests, or milli-units)".to_string();
    let mut out = Vec::new();
    for g in groups.iter().take(MAX_WORKLOAD_CHARTS) {
        let (kind, rest) = g.split_once('/').unwrap_or((g, ""));
        // An HPA of the same namespace and name scales it (the usual convention).
        let hpa = format!("hpa/{rest}");
        let has_hpa = hpas.contains(&hpa);
        let mut series = Vec::new();
        for run in runs {
            let fields: &[(&str, &str)] = if kind == "job" {
                &[
                    ("desired", "completions"),
                    ("current", "active"),
                    ("ready", "ready"),
                    ("available", "succeeded"),
                ]
            } else {
                &[
                    ("desired", "desired"),
                    ("current", "current"),
                    ("ready", "ready"),
                    ("available", "available"),
                ]
            };
            for (f, shown) in fields {
                if let Some(p) = run.series.points(&format!("{g}:{f}"), 1.0) {
                    let s = Series::line(label(runs, run, shown), p);
                    series.push(if *f == "desired" {
                        s.styled(Style::Dashed)
                    } else {
                        s
                    });
                }
            }
            if has_hpa {
                hpa_metric(runs, run, &hpa, &mut series);
            }
        }
        out.push(Chart {
            name: file_name(&format!("replicas-{}", g.replace('/', "-"))),
            title: format!("Replicas of {kind} {rest}"),
            y_label: "pods".into(),
            y2_label: has_hpa.then(|| metric_label.clone()),
            series,
            markers: Vec::new(),
            t_end: t_end(runs),
        });
    }
    for h in &hpas {
        let rest = h.trim_start_matches("hpa/");
        let mut series = Vec::new();
        for run in runs {
            if let Some(p) = run.series.points(&format!("{h}:desired"), 1.0) {
                series.push(
                    Series::line(label(runs, run, "desired replicas"), p).styled(Style::Dashed),
                );
            }
            if let Some(p) = run.series.points(&format!("{h}:current"), 1.0) {
                series.push(Series::line(label(runs, run, "current replicas"), p));
            }
            hpa_metric(runs, run, h, &mut series);
        }
        out.push(Chart {
            name: file_name(&format!("hpa-{}", rest.replace('/', "-"))),
            title: format!("HorizontalPodAutoscaler {rest}"),
            y_label: "pods".into(),
            y2_label: Some(metric_label.clone()),
            series,
            markers: Vec::new(),
            t_end: t_end(runs),
        });
    }
    out
}
