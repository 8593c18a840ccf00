//! What the kubelets did to containers: restarts, OOM kills, node-pressure evictions
//! (running totals) and cpu throttling.

use super::{Chart, Run, Series, label, t_end};

/// `restarts` and `throttling`.
pub fn charts(runs: &[Run]) -> Vec<Chart> {
    let mut counts = Vec::new();
    let mut throttle = Vec::new();
    for run in runs {
        for (c, shown) in [
            ("container_restarts", "container restarts"),
            ("oom_kills", "OOM kills"),
            ("evictions", "evictions"),
        ] {
            if let Some(p) = run.series.points(c, 1.0) {
                counts.push(Series::line(label(runs, run, shown), p));
            }
        }
        if let Some(p) = run.series.points("cpu_throttled_m", 0.001) {
            throttle.push(Series::line(label(runs, run, "cpu throttled"), p));
        }
    }
    vec![
        Chart {
            name: "restarts".into(),
            title: "Container restarts, OOM kills and evictions (running totals)".into(),
            y_label: "count".into(),
            y2_label: None,
            series: counts,
            markers: Vec::new(),
            t_end: t_end(runs),
        },
        Chart {
            name: "throttling".into(),
            title: "cpu demanded above limits (throttled)".into(),
            y_label: "cpu (cores)".into(),
            y2_label: None,
            series: throttle,
            markers: Vec::new(),
            t_end: t_end(runs),
        },
    ]
}
