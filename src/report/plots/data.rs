//! Reading a run directory back: `timeseries.csv`, `events.jsonl` and `summary.json`, with
//! errors that name the file (and the line).

use serde::Deserialize;
use std::fmt;
use std::path::{Path, PathBuf};

/// A file of a run directory that could not be read or parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct DataError {
    /// The file.
    pub file: PathBuf,
    /// 1-based line, when the problem is on one line.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{l}: {}", self.file.display(), self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

impl std::error::Error for DataError {}

/// `timeseries.csv`: named columns of numbers, one row per sample.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TimeSeries {
    /// Column names, in file order (the first is `time_s`).
    pub columns: Vec<String>,
    /// Rows of values, one per column.
    pub rows: Vec<Vec<f64>>,
}

impl TimeSeries {
    /// Parses CSV text; `file` names it in errors.
    pub fn parse(text: &str, file: &Path) -> Result<Self, DataError> {
        let err = |line: usize, message: String| DataError {
            file: file.to_path_buf(),
            line: Some(line),
            message,
        };
        let mut lines = text.lines();
        let header = lines
            .next()
            .filter(|h| !h.trim().is_empty())
            .ok_or_else(|| err(1, "empty file: expected a header row".into()))?;
        let columns: Vec<String> = header.split(',').map(|c| c.trim().to_string()).collect();
        if columns.first().map(String::as_str) != Some("time_s") {
            return Err(err(1, "the first column must be `time_s`".into()));
        }
        let mut rows = Vec::new();
        for (i, l) in lines.enumerate() {
            let n = i + 2;
            if l.trim().is_empty() {
                continue;
            }
            let mut row = Vec::with_capacity(columns.len());
            for (j, v) in l.split(',').enumerate() {
                let x: f64 = v.trim().parse().map_err(|_| {
                    let col = columns.get(j).map_or("?", String::as_str);
                    err(
                        n,
                        format!("column {} ({col}): {v:?} is not a number", j + 1),
                    )
                })?;
                row.push(x);
            }
            if row.len() != columns.len() {
                return Err(err(
                    n,
                    format!("{} values, the header has {}", row.len(), columns.len()),
                ));
            }
            rows.push(row);
        }
        Ok(TimeSeries { columns, rows })
    }

    /// Index of a column.
    pub fn col(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }

    /// `(time_s, value)` points of a column, values scaled by `scale`.
    pub fn points(&self, name: &str, scale: f64) -> Option<Vec<(f64, f64)>> {
        let c = self.col(name)?;
        Some(self.rows.iter().map(|r| (r[0], r[c] * scale)).collect())
    }

    /// The last time.
    pub fn end(&self) -> f64 {
        self.rows.last().map_or(0.0, |r| r[0])
    }

    /// The distinct prefixes of columns `<prefix>:<field>` whose prefix starts with `start`,
    /// in column order.
    pub fn groups(&self, start: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for c in &self.columns {
            if let Some((p, _)) = c.rsplit_once(':')
                && p.starts_with(start)
                && !out.iter().any(|o| o == p)
            {
                out.push(p.to_string());
            }
        }
        out
    }
}

/// The involved object of an event.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct EventObject {
    /// Kind.
    pub kind: String,
    /// Namespace (empty when cluster-scoped).
    #[serde(default)]
    pub namespace: String,
    /// Name.
    pub name: String,
}

/// One line of `events.jsonl`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct Event {
    /// `H:MM:SS.mmm`.
    pub time: String,
    /// Seconds.
    pub t: f64,
    /// `Normal` or `Warning`.
    #[serde(rename = "type")]
    pub type_: String,
    /// Reason.
    pub reason: String,
    /// Involved object.
    pub object: EventObject,
    /// Message.
    #[serde(default)]
    pub message: String,
    /// Reporting component.
    #[serde(default)]
    pub source: String,
}

/// Parses `events.jsonl` text; `file` names it in errors.
pub fn parse_events(text: &str, file: &Path) -> Result<Vec<Event>, DataError> {
    let mut out = Vec::new();
    for (i, l) in text.lines().enumerate() {
        if l.trim().is_empty() {
            continue;
        }
        let e: Event = serde_json::from_str(l).map_err(|e| DataError {
            file: file.to_path_buf(),
            line: Some(i + 1),
            message: format!("not an event: {e}"),
        })?;
        out.push(e);
    }
    Ok(out)
}

/// Everything the plots and the report read from one run.
#[derive(Debug, Clone, Default)]
pub struct Run {
    /// Name shown in legends (the directory's name).
    pub name: String,
    /// `timeseries.csv`.
    pub series: TimeSeries,
    /// `events.jsonl` (empty if the file is absent).
    pub events: Vec<Event>,
    /// `summary.json`.
    pub summary: serde_json::Value,
}

fn read(file: &Path) -> Result<String, DataError> {
    std::fs::read_to_string(file).map_err(|e| DataError {
        file: file.to_path_buf(),
        line: None,
        message: format!("cannot read: {e}"),
    })
}

impl Run {
    /// Reads a run directory. `timeseries.csv` and `summary.json` are required; a missing
    /// `events.jsonl` (e.g. `--events none` runs that removed it) gives no events.
    pub fn load(dir: &Path) -> Result<Run, DataError> {
        if !dir.is_dir() {
            return Err(DataError {
                file: dir.to_path_buf(),
                line: None,
                message: "not a directory (expected a run directory written by `kubesim run`)"
                    .into(),
            });
        }
        let csv_file = dir.join("timeseries.csv");
        let series = TimeSeries::parse(&read(&csv_file)?, &csv_file)?;
        let sum_file = dir.join("summary.json");
        let summary: serde_json::Value =
            serde_json::from_str(&read(&sum_file)?).map_err(|e| DataError {
                file: sum_file.clone(),
                line: Some(e.line()),
                message: format!("not JSON: {e}"),
            })?;
        if !summary.is_object() {
            return Err(DataError {
                file: sum_file,
                line: None,
                message: "expected a JSON object".into(),
            });
        }
        let ev_file = dir.join("events.jsonl");
        let events = if ev_file.exists() {
            parse_events(&read(&ev_file)?, &ev_file)?
        } else {
            Vec::new()
        };
        let name = dir
            .canonicalize()
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_string_lossy().to_string()))
            .unwrap_or_else(|| dir.display().to_string());
        Ok(Run {
            name,
            series,
            events,
            summary,
        })
    }
}
