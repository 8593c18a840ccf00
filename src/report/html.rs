//! `report.html`: one self-contained page per run (or per overlay of runs) with the summary,
//! the plots as inline SVG, per-workload and per-pool tables and a filterable event timeline.
//! No network fetches: the CSS and the few lines of JavaScript are inline. Every text taken
//! from the run is HTML-escaped.

use super::plots::{Plot, Run};
use serde_json::Value;
use std::fmt::Write;

/// At most this many events go into the timeline (per report); the rest are counted.
pub const MAX_EVENTS: usize = 5000;

/// Escapes text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

const CSS: &str = "body{font-family:sans-serif;margin:1.5em auto;max-width:1000px;color:#222;padding:0 1em}\
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}\
table{border-collapse:collapse;font-size:.9em;margin:.5em 0}td,th{border:1px solid #ddd;padding:.2em .5em;text-align:left;vertical-align:top}\
th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:tabular-nums}\
figure{margin:1em 0}figcaption{font-weight:bold;margin-bottom:.3em}svg{max-width:100%;height:auto}\
nav a{margin-right:1em}.warn{color:#b00}#ev-controls{margin:.5em 0}#ev-controls>*{margin-right:.6em}\
.note{color:#666;font-size:.9em}";

const JS: &str = "(function(){\
var q=document.getElementById('ev-filter'),ty=document.getElementById('ev-type'),\
re=document.getElementById('ev-reason'),cnt=document.getElementById('ev-count');\
if(!q)return;\
var m=location.hash.match(/^#q=(.*)$/);if(m)q.value=decodeURIComponent(m[1]);\
var rows=Array.prototype.slice.call(document.querySelectorAll('#events tbody tr'));\
function apply(){var t=q.value.toLowerCase(),a=ty.value,b=re.value,n=0;\
rows.forEach(function(r){var ok=(!a||r.getAttribute('data-type')===a)&&(!b||r.getAttribute('data-reason')===b)&&(!t||r.textContent.toLowerCase().indexOf(t)>=0);\
r.style.display=ok?'':'none';if(ok)n++;});\
cnt.textContent=n+' of '+rows.length+' events shown';}\
q.addEventListener('input',apply);ty.addEventListener('change',apply);re.addEventListener('change',apply);apply();})();";

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::Null => Some("-".into()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

/// `key` → text for the scalar fields of the summary and of its objects (one level down).
fn flatten(v: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let Some(o) = v.as_object() else { return out };
    for (k, v) in o {
        if let Some(s) = scalar(v) {
            out.push((k.clone(), s));
        } else if let Some(inner) = v.as_object() {
            for (k2, v2) in inner {
                if let Some(s) = scalar(v2) {
                    out.push((format!("{k}.{k2}"), s));
                }
            }
        }
    }
    out
}

fn summary_table(h: &mut String, runs: &[Run]) {
    let flat: Vec<Vec<(String, String)>> = runs.iter().map(|r| flatten(&r.summary)).collect();
    let mut keys: Vec<&str> = Vec::new();
    for f in &flat {
        for (k, _) in f {
            if !keys.contains(&k.as_str()) {
                keys.push(k);
            }
        }
    }
    h.push_str("<table id=\"summary-table\"><thead><tr><th>field</th>");
    if runs.len() == 1 {
        // One run: the page must not depend on the output directory's name.
        h.push_str("<th>value</th>");
    } else {
        for r in runs {
            let _ = write!(h, "<th>{}</th>", escape(&r.name));
        }
    }
    h.push_str("</tr></thead><tbody>");
    for k in keys {
        let _ = write!(h, "<tr><th>{}</th>", escape(k));
        for f in &flat {
            let v = f.iter().find(|(kk, _)| kk == k).map_or("", |(_, v)| v);
            let _ = write!(h, "<td>{}</td>", escape(v));
        }
        h.push_str("</tr>");
    }
    h.push_str("</tbody></table>");
}

/// A table of the objects in `summary[key]` with these fields.
fn array_table(h: &mut String, runs: &[Run], key: &str, fields: &[&str]) -> bool {
    let rows: Vec<(&Run, &Value)> = runs
        .iter()
        .flat_map(|r| {
            r.summary
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(move |v| (r, v))
        })
        .collect();
    if rows.is_empty() {
        return false;
    }
    let _ = write!(h, "<table id=\"{}-table\"><thead><tr>", escape(key));
    if runs.len() > 1 {
        h.push_str("<th>run</th>");
    }
    for f in fields {
        let _ = write!(h, "<th>{}</th>", escape(f));
    }
    h.push_str("</tr></thead><tbody>");
    for (r, v) in rows {
        h.push_str("<tr>");
        if runs.len() > 1 {
            let _ = write!(h, "<td>{}</td>", escape(&r.name));
        }
        for f in fields {
            let cell = v.get(*f).and_then(scalar).unwrap_or_default();
            let class = if v.get(*f).is_some_and(Value::is_number) {
                " class=\"n\""
            } else {
                ""
            };
            let _ = write!(h, "<td{class}>{}</td>", escape(&cell));
        }
        h.push_str("</tr>");
    }
    h.push_str("</tbody></table>");
    true
}

fn pools_table(h: &mut String, runs: &[Run]) {
    let mut any = false;
    let mut body = String::new();
    for r in runs {
        let pools = r
            .summary
            .pointer("/cost/pools")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let last = r.series.rows.last();
        for p in &pools {
            any = true;
            let name = p.get("pool").and_then(Value::as_str).unwrap_or("-");
            let final_of = |f: &str| {
                r.series
                    .col(&format!("pool/{name}:{f}"))
                    .and_then(|c| last.map(|row| super::plots::chart::num(row[c])))
                    .unwrap_or_default()
            };
            body.push_str("<tr>");
            if runs.len() > 1 {
                let _ = write!(body, "<td>{}</td>", escape(&r.name));
            }
            let _ = write!(body, "<td>{}</td>", escape(name));
            for cell in [
                final_of("nodes"),
                final_of("nodes_ready"),
                p.get("node_hours").and_then(scalar).unwrap_or_default(),
                p.get("price_per_hour").and_then(scalar).unwrap_or_default(),
                p.get("cost").and_then(scalar).unwrap_or_default(),
            ] {
                let _ = write!(body, "<td class=\"n\">{}</td>", escape(&cell));
            }
            body.push_str("</tr>");
        }
    }
    if !any {
        h.push_str("<p class=\"note\">No node pools.</p>");
        return;
    }
    h.push_str("<table id=\"pools-table\"><thead><tr>");
    if runs.len() > 1 {
        h.push_str("<th>run</th>");
    }
    h.push_str("<th>pool</th><th>nodes at end</th><th>ready at end</th><th>node-hours</th><th>price per node-hour</th><th>cost</th></tr></thead><tbody>");
    h.push_str(&body);
    h.push_str("</tbody></table>");
}

fn events_section(h: &mut String, runs: &[Run]) {
    let total: usize = runs.iter().map(|r| r.events.len()).sum();
    if total == 0 {
        h.push_str("<p class=\"note\">No events were written for this run (see <code>output.events</code>).</p>");
        return;
    }
    let mut reasons: Vec<&str> = runs
        .iter()
        .flat_map(|r| r.events.iter().map(|e| e.reason.as_str()))
        .collect();
    reasons.sort_unstable();
    reasons.dedup();
    h.push_str("<div id=\"ev-controls\"><input id=\"ev-filter\" type=\"search\" placeholder=\"filter: text in any column\" size=\"32\">");
    h.push_str("<select id=\"ev-type\"><option value=\"\">all types</option><option>Normal</option><option>Warning</option></select>");
    h.push_str("<select id=\"ev-reason\"><option value=\"\">all reasons</option>");
    for r in &reasons {
        let _ = write!(h, "<option>{}</option>", escape(r));
    }
    h.push_str("</select><span id=\"ev-count\"></span></div>");
    let per_run = MAX_EVENTS / runs.len().max(1);
    let shown: usize = runs.iter().map(|r| r.events.len().min(per_run)).sum();
    if shown < total {
        let _ = write!(
            h,
            "<p class=\"note\">The first {shown} of {total} events; all of them are in events.jsonl.</p>"
        );
    }
    h.push_str("<table id=\"events\"><thead><tr>");
    if runs.len() > 1 {
        h.push_str("<th>run</th>");
    }
    h.push_str("<th>time</th><th>type</th><th>reason</th><th>object</th><th>message</th><th>source</th></tr></thead><tbody>");
    for r in runs {
        for e in r.events.iter().take(per_run) {
            let _ = write!(
                h,
                "<tr data-type=\"{}\" data-reason=\"{}\">",
                escape(&e.type_),
                escape(&e.reason)
            );
            if runs.len() > 1 {
                let _ = write!(h, "<td>{}</td>", escape(&r.name));
            }
            let obj = if e.object.namespace.is_empty() {
                format!("{}/{}", e.object.kind, e.object.name)
            } else {
                format!("{}/{}/{}", e.object.kind, e.object.namespace, e.object.name)
            };
            let class = if e.type_ == "Warning" {
                " class=\"warn\""
            } else {
                ""
            };
            let _ = write!(
                h,
                "<td>{}</td><td{class}>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&e.time),
                escape(&e.type_),
                escape(&e.reason),
                escape(&obj),
                escape(&e.message),
                escape(&e.source)
            );
        }
    }
    h.push_str("</tbody></table>");
}

/// The page for these runs and their drawn plots.
pub fn report(runs: &[Run], plots: &[Plot]) -> String {
    let title = if runs.len() == 1 {
        let scenario = runs[0]
            .summary
            .get("scenario")
            .and_then(Value::as_str)
            .unwrap_or(&runs[0].name);
        format!("kubesim report: {scenario}")
    } else {
        let names: Vec<&str> = runs.iter().map(|r| r.name.as_str()).collect();
        format!("kubesim report: {}", names.join(" vs "))
    };
    let mut h = String::with_capacity(plots.iter().map(|p| p.svg.len()).sum::<usize>() + 65536);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{t}</title><style>{CSS}</style></head><body>\n<h1>{t}</h1>\n",
        t = escape(&title)
    );
    h.push_str("<nav><a href=\"#summary\">Summary</a><a href=\"#plots\">Plots</a><a href=\"#workloads\">Workloads</a><a href=\"#pools\">Pools</a><a href=\"#timeline\">Events</a></nav>\n");
    h.push_str("<section id=\"summary\"><h2>Summary</h2>");
    summary_table(&mut h, runs);
    h.push_str("</section>\n<section id=\"plots\"><h2>Plots</h2>");
    for p in plots {
        let _ = write!(
            h,
            "<figure class=\"plot\" id=\"plot-{}\"><figcaption>{}</figcaption>",
            escape(&p.name),
            escape(&p.title)
        );
        // The SVG as plotters wrote it (no XML declaration), inline.
        h.push_str(p.svg.trim_start_matches(|c: char| c != '<'));
        h.push_str("</figure>\n");
    }
    h.push_str("</section>\n<section id=\"workloads\"><h2>Workloads</h2>");
    let w = array_table(
        &mut h,
        runs,
        "workloads",
        &[
            "kind",
            "namespace",
            "name",
            "desired",
            "current",
            "ready",
            "available",
        ],
    );
    let j = array_table(
        &mut h,
        runs,
        "jobs",
        &[
            "namespace",
            "name",
            "completions",
            "parallelism",
            "active",
            "succeeded",
            "failed",
            "condition",
            "reason",
            "duration_s",
        ],
    );
    if !w && !j {
        h.push_str("<p class=\"note\">No workloads.</p>");
    }
    h.push_str("</section>\n<section id=\"pools\"><h2>Node pools</h2>");
    pools_table(&mut h, runs);
    h.push_str("</section>\n<section id=\"timeline\"><h2>Events</h2>");
    events_section(&mut h, runs);
    let _ = write!(h, "</section>\n<script>{JS}</script>\n</body></html>\n");
    h
}
