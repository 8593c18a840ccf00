//! Pending pods, and how long pods waited to be scheduled (from `events.jsonl`: creation, or
//! the first event about the pod, to its `Scheduled` event).

use super::{Chart, Run, Series, Style, label, t_end};
use std::collections::BTreeMap;

/// Buckets the time axis is cut into for time-to-schedule.
const BUCKETS: f64 = 120.0;

/// `(scheduled at, seconds waited)` for every pod with a `Scheduled` event, in time order.
pub fn waits(run: &Run) -> Vec<(f64, f64)> {
    let mut created: BTreeMap<(&str, &str), f64> = BTreeMap::new();
    let mut out = Vec::new();
    for e in &run.events {
        if e.reason == "SuccessfulCreate"
            && let Some(pod) = e.message.strip_prefix("Created pod: ")
        {
            created.entry((&e.object.namespace, pod)).or_insert(e.t);
            continue;
        }
        if e.object.kind != "Pod" {
            continue;
        }
        let key = (e.object.namespace.as_str(), e.object.name.as_str());
        let first = *created.entry(key).or_insert(e.t);
        if e.reason == "Scheduled" {
            out.push((e.t, (e.t - first).max(0.0)));
            created.remove(&key);
        }
    }
    out
}

/// `pending` and `time-to-schedule`.
pub fn charts(runs: &[Run]) -> Vec<Chart> {
    let end = t_end(runs);
    let mut pending = Vec::new();
    let mut wait = Vec::new();
    for run in runs {
        for (c, shown) in [
            ("pods_pending", "pending"),
            ("pods_unbound", "unbound"),
            ("scheduler_queue", "in scheduling queue"),
        ] {
            if let Some(p) = run.series.points(c, 1.0) {
                pending.push(Series::line(label(runs, run, shown), p));
            }
        }
        let w = waits(run);
        if w.is_empty() {
            continue;
        }
        // Mean and max per bucket, at the bucket's start.
        let width = (end / BUCKETS).max(1.0);
        let mut buckets: BTreeMap<u64, (f64, f64, u32)> = BTreeMap::new();
        for (t, d) in w {
            let b = buckets.entry((t / width).floor() as u64).or_default();
            b.0 += d;
            b.1 = b.1.max(d);
            b.2 += 1;
        }
        let mean = buckets
            .iter()
            .map(|(k, b)| (*k as f64 * width, b.0 / f64::from(b.2)))
            .collect();
        let max = buckets
            .iter()
            .map(|(k, b)| (*k as f64 * width, b.1))
            .collect();
        wait.push(Series::line(label(runs, run, "max wait"), max).styled(Style::Points));
        wait.push(Series::line(label(runs, run, "mean wait"), mean));
    }
    vec![
        Chart {
            name: "pending".into(),
            title: "Pending pods".into(),
            y_label: "pods".into(),
            y2_label: None,
            series: pending,
            markers: Vec::new(),
            t_end: end,
        },
        Chart {
            name: "time-to-schedule".into(),
            title: "Time to schedule (creation to Scheduled), by when bound".into(),
            y_label: "seconds".into(),
            y2_label: None,
            series: wait,
            markers: Vec::new(),
            t_end: end,
        },
    ]
}
