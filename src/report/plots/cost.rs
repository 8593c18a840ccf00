//! What the cluster cost so far (node-hours × the pools' prices).

use super::{Chart, Run, Series, label, t_end};

/// `cost` (runs from before the `cost_total` column have none).
pub fn charts(runs: &[Run]) -> Vec<Chart> {
    let series = runs
        .iter()
        .filter_map(|run| {
            run.series
                .points("cost_total", 1.0)
                .map(|p| Series::line(label(runs, run, "cumulative cost"), p))
        })
        .collect();
    vec![Chart {
        name: "cost".into(),
        title: "Cost over time".into(),
        y_label: "cost (price units)".into(),
        y2_label: None,
        series,
        markers: Vec::new(),
        t_end: t_end(runs),
    }]
}
