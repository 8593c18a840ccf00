//! Loader of the openb CSVs (`openb_node_list_*.csv`, `openb_pod_list_*.csv`): errors name the
//! file, the 1-based line and column, and the field.
// Mirrors the authors' converters data/pod_csv_to_yaml.py and the node YAML of the simulator repo.

use super::{GPU_MILLI, GpuCluster, GpuNode, GpuPod, ModelTable};
use crate::diag::Diagnostic;
use std::path::Path;
use std::sync::Arc;

/// Bit of a pod's `spec` naming a GPU model that no node of the cluster has.
pub const UNKNOWN_MODEL_BIT: u32 = 1 << 31;

/// Shows the offending row under the message.
trait SrcLine {
    fn src(self, row: &str) -> Self;
}

impl SrcLine for Diagnostic {
    fn src(mut self, row: &str) -> Self {
        self.source_line = Some(row.to_string());
        self
    }
}

struct Csv<'a> {
    file: Arc<str>,
    header: Vec<&'a str>,
    rows: Vec<(u32, &'a str)>,
}

fn err(file: &Arc<str>, line: u32, col: Option<u32>, field: &str, msg: String) -> Diagnostic {
    let mut d = Diagnostic::error(msg).in_file(file).at(line, col);
    if !field.is_empty() {
        d = d.with_path(field);
    }
    d
}

fn parse_csv<'a>(file: &Arc<str>, text: &'a str) -> Result<Csv<'a>, Diagnostic> {
    let mut lines = text.lines().enumerate();
    let header = loop {
        match lines.next() {
            None => {
                return Err(err(
                    file,
                    1,
                    None,
                    "",
                    "empty file: expected a CSV header".into(),
                ));
            }
            Some((_, l)) if l.trim().is_empty() => continue,
            Some((_, l)) => break l.trim_end_matches('\r').split(',').map(str::trim).collect(),
        }
    };
    let rows = lines
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| (i as u32 + 1, l.trim_end_matches('\r')))
        .collect();
    Ok(Csv {
        file: file.clone(),
        header,
        rows,
    })
}

impl<'a> Csv<'a> {
    fn col(&self, name: &str, required: bool) -> Result<Option<usize>, Diagnostic> {
        match self.header.iter().position(|h| *h == name) {
            Some(i) => Ok(Some(i)),
            None if required => Err(err(
                &self.file,
                1,
                None,
                name,
                format!("missing column `{name}` in the header"),
            )),
            None => Ok(None),
        }
    }

    /// The fields of a row with their 1-based columns; checks the field count.
    fn fields(&self, line: u32, text: &'a str) -> Result<Vec<(u32, &'a str)>, Diagnostic> {
        let mut out = Vec::with_capacity(self.header.len());
        let mut col = 1u32;
        for f in text.split(',') {
            out.push((col, f.trim()));
            col += f.chars().count() as u32 + 1;
        }
        if out.len() != self.header.len() {
            return Err(err(
                &self.file,
                line,
                None,
                "",
                format!(
                    "expected {} fields (as in the header), found {}",
                    self.header.len(),
                    out.len()
                ),
            )
            .src(text));
        }
        Ok(out)
    }

    fn int(
        &self,
        line: u32,
        text: &str,
        fields: &[(u32, &str)],
        i: usize,
        min: i64,
        max: i64,
    ) -> Result<i64, Diagnostic> {
        let (col, v) = fields[i];
        let name = self.header[i];
        let parsed: Result<i64, String> = v
            .parse::<i64>()
            .map_err(|_| format!("`{v}` is not an integer"));
        match parsed {
            Ok(n) if n >= min && n <= max => Ok(n),
            Ok(n) => Err(format!("{n} is out of range {min}..={max}")),
            Err(e) => Err(e),
        }
        .map_err(|m| err(&self.file, line, Some(col), name, m).src(text))
    }
}

/// Reads a node list (`sn,cpu_milli,memory_mib,gpu,model`) into a cluster, nodes sorted by name.
pub fn load_nodes(path: &Path) -> Result<GpuCluster, Diagnostic> {
    let file: Arc<str> = path.to_string_lossy().into();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Diagnostic::error(format!("cannot read: {e}")).in_file(&file))?;
    parse_nodes(&file, &text)
}

/// [`load_nodes`] over text already read; `file` names it in errors.
pub fn parse_nodes(file: &Arc<str>, text: &str) -> Result<GpuCluster, Diagnostic> {
    let csv = parse_csv(file, text)?;
    let sn = csv.col("sn", true)?.unwrap_or(0);
    let cpu = csv.col("cpu_milli", true)?.unwrap_or(0);
    let mem = csv.col("memory_mib", true)?.unwrap_or(0);
    let gpu = csv.col("gpu", true)?.unwrap_or(0);
    let model = csv.col("model", true)?.unwrap_or(0);
    let mut models = ModelTable::default();
    let mut nodes = Vec::with_capacity(csv.rows.len());
    let mut seen = std::collections::BTreeSet::new();
    for &(line, text) in &csv.rows {
        let f = csv.fields(line, text)?;
        let name = f[sn].1;
        if name.is_empty() {
            return Err(err(file, line, Some(f[sn].0), "sn", "empty node name".into()).src(text));
        }
        if !seen.insert(name.to_string()) {
            return Err(err(
                file,
                line,
                Some(f[sn].0),
                "sn",
                format!("duplicate node name `{name}`"),
            )
            .src(text));
        }
        let c = csv.int(line, text, &f, cpu, 0, i64::MAX / 4)?;
        let m = csv.int(line, text, &f, mem, 0, i64::MAX / 4)?;
        let g = csv.int(line, text, &f, gpu, 0, 64)? as u32;
        let mname = f[model].1;
        let bit = if g == 0 || mname.is_empty() {
            0
        } else {
            models.intern(mname).ok_or_else(|| {
                err(
                    file,
                    line,
                    Some(f[model].0),
                    "model",
                    "more than 31 GPU models".into(),
                )
                .src(text)
            })?
        };
        if g > 0 && mname.is_empty() {
            return Err(err(
                file,
                line,
                Some(f[model].0),
                "model",
                "a node with GPUs needs a model".into(),
            )
            .src(text));
        }
        nodes.push(GpuNode::new(name, c, m, g, bit));
    }
    if nodes.is_empty() {
        return Err(err(file, 1, None, "", "no nodes".into()));
    }
    nodes.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(GpuCluster { nodes, models })
}

/// Reads a pod list (`name,cpu_milli,memory_mib,num_gpu,gpu_milli[,gpu_spec,...]`), in file
/// order; `gpu_spec` models are resolved against `models` (unknown ones match no node).
pub fn load_pods(path: &Path, models: &ModelTable) -> Result<Vec<GpuPod>, Diagnostic> {
    let file: Arc<str> = path.to_string_lossy().into();
    let text = std::fs::read_to_string(path)
        .map_err(|e| Diagnostic::error(format!("cannot read: {e}")).in_file(&file))?;
    parse_pods(&file, &text, models)
}

/// [`load_pods`] over text already read; `file` names it in errors.
pub fn parse_pods(
    file: &Arc<str>,
    text: &str,
    models: &ModelTable,
) -> Result<Vec<GpuPod>, Diagnostic> {
    let csv = parse_csv(file, text)?;
    let name = csv.col("name", true)?.unwrap_or(0);
    let cpu = csv.col("cpu_milli", true)?.unwrap_or(0);
    let mem = csv.col("memory_mib", true)?.unwrap_or(0);
    let ngpu = csv.col("num_gpu", true)?.unwrap_or(0);
    let milli = csv.col("gpu_milli", true)?.unwrap_or(0);
    let spec = csv.col("gpu_spec", false)?;
    let mut pods = Vec::with_capacity(csv.rows.len());
    for &(line, text) in &csv.rows {
        let f = csv.fields(line, text)?;
        let n = csv.int(line, text, &f, ngpu, 0, 64)? as u32;
        // The converter clamps gpu_milli to 0..=1000.
        let m = csv
            .int(line, text, &f, milli, i64::MIN / 4, i64::MAX / 4)?
            .clamp(0, GPU_MILLI as i64) as u32;
        let mut mask = 0u32;
        if let Some(s) = spec {
            let v = f[s].1;
            if !v.is_empty() {
                for model in v.split('|').map(str::trim).filter(|m| !m.is_empty()) {
                    mask |= match models.find(model) {
                        Some(b) => 1 << b,
                        None => UNKNOWN_MODEL_BIT,
                    };
                }
            }
        }
        pods.push(GpuPod {
            name: f[name].1.to_string(),
            cpu: csv.int(line, text, &f, cpu, 0, i64::MAX / 4)?,
            mem_mib: csv.int(line, text, &f, mem, 0, i64::MAX / 4)?,
            num_gpu: n,
            milli: if n == 0 { 0 } else { m },
            spec: if n == 0 { 0 } else { mask },
        });
    }
    Ok(pods)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_and_pods_load_and_bad_fields_are_located() {
        let f: Arc<str> = "n.csv".into();
        let c = parse_nodes(
            &f,
            "sn,cpu_milli,memory_mib,gpu,model\nb,32000,1024,2,T4\na,8000,512,0,\n",
        )
        .unwrap();
        assert_eq!(c.nodes[0].name, "a");
        assert_eq!(c.nodes[1].left.as_slice(), &[1000, 1000]);
        assert_eq!(c.models.names, vec!["T4".to_string()]);
        let e = parse_nodes(&f, "sn,cpu_milli,memory_mib,gpu,model\na,8000,x12,0,\n").unwrap_err();
        assert_eq!(
            (e.line, e.column, e.path.as_deref()),
            (Some(2), Some(8), Some("memory_mib"))
        );
        let p: Arc<str> = "p.csv".into();
        let pods = parse_pods(
            &p,
            "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec\np0,1000,0,1,1200,T4|V100\np1,500,1,0,0,\n",
            &c.models,
        )
        .unwrap();
        assert_eq!(pods[0].milli, 1000);
        assert_eq!(pods[0].spec, 1 | UNKNOWN_MODEL_BIT);
        let e = parse_pods(
            &p,
            "name,cpu_milli,memory_mib,num_gpu,gpu_milli\np0,1000,0,1\n",
            &c.models,
        )
        .unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("expected 5 fields"), "{}", e.message);
    }
}
