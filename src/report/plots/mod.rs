//! Plots of a run (or of several runs overlaid), drawn from the files a run writes:
//! `timeseries.csv`, `events.jsonl` and `summary.json`. One file per chart family builds its
//! [`Chart`]s; [`chart`] draws them with `plotters`. Every chart and its file name are listed
//! in `docs/outputs.md`.

pub mod chart;
pub mod cost;
pub mod data;
#[cfg(feature = "png")]
mod font;
pub mod kubelet;
pub mod load;
pub mod nodes;
pub mod resources;
pub mod scheduling;
pub mod workloads;

pub use chart::{Chart, Marker, Series, Style};
pub use data::{DataError, Run};

use std::path::Path;

/// A drawn chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Plot {
    /// File name without extension (`plots/<name>.svg`).
    pub name: String,
    /// Title.
    pub title: String,
    /// Number of series (legend entries, markers included).
    pub legend: Vec<String>,
    /// SVG text.
    pub svg: String,
}

/// A legend label: the run's name first when several runs are overlaid.
pub(crate) fn label(runs: &[Run], run: &Run, what: &str) -> String {
    if runs.len() > 1 {
        format!("{}: {what}", run.name)
    } else {
        what.to_string()
    }
}

/// The latest end time over the runs.
pub(crate) fn t_end(runs: &[Run]) -> f64 {
    runs.iter().map(|r| r.series.end()).fold(0.0, f64::max)
}

/// A file-name-safe form of an object's name.
pub fn file_name(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Distinct values of `f(run)` over runs, in first-seen order.
pub(crate) fn union(runs: &[Run], f: impl Fn(&Run) -> Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in runs {
        for g in f(r) {
            if !out.contains(&g) {
                out.push(g);
            }
        }
    }
    out
}

/// Every chart for these runs, in a fixed order (charts without data are left out).
pub fn charts(runs: &[Run]) -> Vec<Chart> {
    let mut out = Vec::new();
    out.extend(load::charts(runs));
    out.extend(workloads::charts(runs));
    out.extend(resources::charts(runs));
    out.extend(nodes::charts(runs));
    out.extend(scheduling::charts(runs));
    out.extend(kubelet::charts(runs));
    out.extend(cost::charts(runs));
    out.retain(|c| c.series.iter().any(|s| !s.points.is_empty()) || !c.markers.is_empty());
    out
}

/// Draws every chart as SVG.
pub fn render(runs: &[Run]) -> Result<Vec<Plot>, String> {
    charts(runs)
        .iter()
        .map(|c| {
            let mut legend: Vec<String> = c.series.iter().map(|s| s.label.clone()).collect();
            for m in &c.markers {
                if !legend.contains(&m.label) {
                    legend.push(m.label.clone());
                }
            }
            Ok(Plot {
                name: c.name.clone(),
                title: c.title.clone(),
                legend,
                svg: chart::svg(c)?,
            })
        })
        .collect()
}

/// Writes `plots/<name>.svg` under `dir` (and `.png` with the `png` feature).
pub fn write(dir: &Path, runs: &[Run], plots: &[Plot]) -> std::io::Result<()> {
    let pd = dir.join("plots");
    std::fs::create_dir_all(&pd)?;
    for p in plots {
        std::fs::write(pd.join(format!("{}.svg", p.name)), &p.svg)?;
    }
    #[cfg(feature = "png")]
    for c in charts(runs) {
        chart::png(&c, &pd.join(format!("{}.png", c.name))).map_err(std::io::Error::other)?;
    }
    #[cfg(not(feature = "png"))]
    let _ = runs;
    Ok(())
}
