//! `kubesim plot RUN_DIR [RUN_DIR ...] [--out DIR]`: draws the plots and `report.html` again
//! from the files of one run, or overlays several runs in one chart per metric.

use super::{EXIT_FAILURE, EXIT_INPUT};
use crate::report::plots::Run;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `plot`.
#[derive(Args, Debug)]
pub struct PlotArgs {
    /// Run directories written by `kubesim run` (timeseries.csv, summary.json, events.jsonl).
    #[arg(required = true)]
    pub runs: Vec<PathBuf>,
    /// Where to write plots/ and report.html (default: the first run directory).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs the verb.
pub fn plot(a: PlotArgs) -> i32 {
    let mut runs: Vec<Run> = Vec::new();
    for dir in &a.runs {
        match Run::load(dir) {
            Ok(mut r) => {
                // Two runs with the same directory name still get distinct legend labels.
                let base = r.name.clone();
                let mut n = 2;
                while runs.iter().any(|o| o.name == r.name) {
                    r.name = format!("{base}#{n}");
                    n += 1;
                }
                runs.push(r);
            }
            Err(e) => {
                eprintln!("kubesim: {e}");
                return EXIT_INPUT;
            }
        }
    }
    let out = a.out.clone().unwrap_or_else(|| a.runs[0].clone());
    if let Err(e) = std::fs::create_dir_all(&out) {
        eprintln!("kubesim: cannot create {}: {e}", out.display());
        return EXIT_FAILURE;
    }
    match crate::report::write_visuals(&out, &runs) {
        Ok(plots) => {
            if !a.quiet {
                println!(
                    "kubesim: wrote {} plot(s) to {}/plots/ and {}/report.html",
                    plots.len(),
                    out.display(),
                    out.display()
                );
            }
            0
        }
        Err(e) => {
            eprintln!("kubesim: cannot write plots to {}: {e}", out.display());
            EXIT_FAILURE
        }
    }
}
