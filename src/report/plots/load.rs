//! Load against what was served: per load source offered and served requests per second, and
//! the requests throttled pods could not serve.

use super::{Chart, Run, Series, Style, label, t_end, union};

/// `load`: offered (dashed) and served per source, unserved requests.
pub fn charts(runs: &[Run]) -> Vec<Chart> {
    let sources = union(runs, |r| r.series.groups("load/"));
    if sources.is_empty() {
        return Vec::new();
    }
    let mut series = Vec::new();
    for run in runs {
        let ts = &run.series;
        for s in &sources {
            let name = s.trim_start_matches("load/");
            let (Some(off), Some(srv)) = (
                ts.points(&format!("{s}:offered_rps"), 1.0),
                ts.points(&format!("{s}:served_rps"), 1.0),
            ) else {
                continue;
            };
            let dropped: Vec<(f64, f64)> = off
                .iter()
                .zip(&srv)
                .map(|(o, s)| (o.0, (o.1 - s.1).max(0.0)))
                .collect();
            series.push(
                Series::line(label(runs, run, &format!("{name} offered")), off)
                    .styled(Style::Dashed),
            );
            series.push(Series::line(
                label(runs, run, &format!("{name} served")),
                srv,
            ));
            if dropped.iter().any(|p| p.1 > 0.0) {
                series.push(Series::line(
                    label(runs, run, &format!("{name} unserved (no ready endpoint)")),
                    dropped,
                ));
            }
        }
        if let Some(u) = ts.points("unserved_rps", 1.0) {
            series.push(Series::line(
                label(runs, run, "unserved (throttled pods)"),
                u,
            ));
        }
    }
    vec![Chart {
        name: "load".into(),
        title: "Load: offered, served and unserved requests".into(),
        y_label: "requests/s".into(),
        y2_label: None,
        series,
        markers: Vec::new(),
        t_end: t_end(runs),
    }]
}
