//! cpu and memory: allocatable (dashed), requested and used, for the cluster and per node pool.

use super::{Chart, Run, Series, Style, file_name, label, t_end, union};

const GIB: f64 = 1.0 / (1024.0 * 1024.0 * 1024.0);

fn chart(runs: &[Run], name: String, title: String, prefix: &str, cpu: bool) -> Chart {
    let (unit, scale, cols) = if cpu {
        (
            "cpu (cores)",
            0.001,
            ["cpu_allocatable_m", "cpu_requested_m", "cpu_used_m"],
        )
    } else {
        (
            "memory (GiB)",
            GIB,
            [
                "memory_allocatable_bytes",
                "memory_requested_bytes",
                "memory_used_bytes",
            ],
        )
    };
    let mut series = Vec::new();
    for run in runs {
        for (c, shown) in cols.iter().zip(["allocatable", "requested", "used"]) {
            if let Some(p) = run.series.points(&format!("{prefix}{c}"), scale) {
                let s = Series::line(label(runs, run, shown), p);
                series.push(if shown == "allocatable" {
                    s.styled(Style::Dashed)
                } else {
                    s
                });
            }
        }
        if cpu
            && prefix.is_empty()
            && let Some(p) = run.series.points("cpu_throttled_m", scale)
            && p.iter().any(|p| p.1 > 0.0)
        {
            series.push(Series::line(label(runs, run, "throttled"), p));
        }
    }
    Chart {
        name,
        title,
        y_label: unit.into(),
        y2_label: None,
        series,
        markers: Vec::new(),
        t_end: t_end(runs),
    }
}

/// `cpu`, `memory`, and `pool-<name>-cpu`, `pool-<name>-memory` per pool.
pub fn charts(runs: &[Run]) -> Vec<Chart> {
    let mut out = vec![
        chart(
            runs,
            "cpu".into(),
            "Cluster cpu: allocatable, requested, used".into(),
            "",
            true,
        ),
        chart(
            runs,
            "memory".into(),
            "Cluster memory: allocatable, requested, used".into(),
            "",
            false,
        ),
    ];
    for p in union(runs, |r| r.series.groups("pool/")) {
        let pool = p.trim_start_matches("pool/");
        for cpu in [true, false] {
            let what = if cpu { "cpu" } else { "memory" };
            out.push(chart(
                runs,
                file_name(&format!("pool-{pool}-{what}")),
                format!("Pool {pool}: {what} allocatable, requested, used"),
                &format!("{p}:"),
                cpu,
            ));
        }
    }
    out
}
