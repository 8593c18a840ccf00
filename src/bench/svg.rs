//! A minimal SVG line chart (no plotting dependency): series of (x, y) points, solid or dashed.

use std::fmt::Write;

/// One line of a chart.
#[derive(Clone, Debug)]
pub struct Series {
    /// Legend label.
    pub label: String,
    /// Colour (CSS).
    pub color: String,
    /// Dashed line.
    pub dashed: bool,
    /// Points; NaN y values break the line.
    pub points: Vec<(f64, f64)>,
}

/// A panel: title, axis ranges and labels.
#[derive(Clone, Debug)]
pub struct Panel {
    /// Title above the panel.
    pub title: String,
    /// x range.
    pub x: (f64, f64),
    /// y range.
    pub y: (f64, f64),
    /// x axis label.
    pub x_label: String,
    /// y axis label.
    pub y_label: String,
}

/// Renders panels side by side sharing the series (clipped to each panel's ranges), with a
/// legend and a footer line (provenance).
pub fn chart(panels: &[Panel], series: &[Series], footer: &str) -> String {
    let each: Vec<(Panel, &[Series])> = panels.iter().map(|p| (p.clone(), series)).collect();
    chart_each(&each, series, footer)
}

/// Renders panels side by side, each with its own series; the legend shows `legend`.
pub fn chart_each(panels: &[(Panel, &[Series])], legend: &[Series], footer: &str) -> String {
    let series = legend;
    let (pw, ph, ml, mt, mb) = (460.0, 320.0, 55.0, 30.0, 45.0);
    let legend_h = 18.0 * series.len().div_ceil(3) as f64 + 10.0;
    let width = panels.len() as f64 * (pw + ml + 20.0) + 10.0;
    let height = mt + ph + mb + legend_h + 20.0;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" font-family="sans-serif" font-size="11">"#
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    for (pi, (p, panel_series)) in panels.iter().enumerate() {
        let ox = 10.0 + pi as f64 * (pw + ml + 20.0) + ml;
        let oy = mt;
        let fx = |x: f64| ox + (x - p.x.0) / (p.x.1 - p.x.0) * pw;
        let fy = |y: f64| oy + ph - (y - p.y.0) / (p.y.1 - p.y.0) * ph;
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="18" text-anchor="middle" font-size="13">{}</text>"#,
            ox + pw / 2.0,
            esc(&p.title)
        );
        let _ = writeln!(
            s,
            r##"<rect x="{ox:.1}" y="{oy:.1}" width="{pw}" height="{ph}" fill="none" stroke="#444"/>"##
        );
        for k in 0..=5 {
            let xv = p.x.0 + (p.x.1 - p.x.0) * k as f64 / 5.0;
            let yv = p.y.0 + (p.y.1 - p.y.0) * k as f64 / 5.0;
            let _ = writeln!(
                s,
                r##"<line x1="{0:.1}" y1="{1:.1}" x2="{0:.1}" y2="{2:.1}" stroke="#ddd"/><text x="{0:.1}" y="{3:.1}" text-anchor="middle">{4}</text>"##,
                fx(xv),
                oy,
                oy + ph,
                oy + ph + 14.0,
                fmt_tick(xv)
            );
            let _ = writeln!(
                s,
                r##"<line x1="{0:.1}" y1="{1:.1}" x2="{2:.1}" y2="{1:.1}" stroke="#ddd"/><text x="{3:.1}" y="{4:.1}" text-anchor="end">{5}</text>"##,
                ox,
                fy(yv),
                ox + pw,
                ox - 4.0,
                fy(yv) + 4.0,
                fmt_tick(yv)
            );
        }
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            ox + pw / 2.0,
            oy + ph + 32.0,
            esc(&p.x_label)
        );
        let _ = writeln!(
            s,
            r#"<text transform="translate({:.1},{:.1}) rotate(-90)" text-anchor="middle">{}</text>"#,
            ox - 40.0,
            oy + ph / 2.0,
            esc(&p.y_label)
        );
        for se in panel_series.iter() {
            let mut d = String::new();
            let mut pen = false;
            for &(x, y) in &se.points {
                let inside = !y.is_nan() && x >= p.x.0 && x <= p.x.1 && y >= p.y.0 && y <= p.y.1;
                if inside {
                    let _ = write!(
                        d,
                        "{}{:.1},{:.1} ",
                        if pen { "L" } else { "M" },
                        fx(x),
                        fy(y)
                    );
                }
                pen = inside;
            }
            let dash = if se.dashed {
                r#" stroke-dasharray="5,3""#
            } else {
                ""
            };
            let _ = writeln!(
                s,
                r#"<path d="{}" fill="none" stroke="{}" stroke-width="1.5"{dash}/>"#,
                d.trim_end(),
                se.color
            );
        }
    }
    let ly = mt + ph + mb + 10.0;
    for (i, se) in series.iter().enumerate() {
        let x = 20.0 + (i % 3) as f64 * 260.0;
        let y = ly + (i / 3) as f64 * 18.0;
        let dash = if se.dashed {
            r#" stroke-dasharray="5,3""#
        } else {
            ""
        };
        let _ = writeln!(
            s,
            r#"<line x1="{x:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{}" stroke-width="2"{dash}/><text x="{:.1}" y="{:.1}">{}</text>"#,
            x + 24.0,
            se.color,
            x + 30.0,
            y + 4.0,
            esc(&se.label)
        );
    }
    let _ = writeln!(
        s,
        r##"<text x="10" y="{:.1}" font-size="9" fill="#666">{}</text>"##,
        height - 6.0,
        esc(footer)
    );
    s.push_str("</svg>\n");
    s
}

/// One estimate in a [`ci_chart`] panel: a point with a confidence interval.
#[derive(Clone, Debug)]
pub struct Estimate {
    /// Category label (the policy).
    pub label: String,
    /// Colour (CSS).
    pub color: String,
    /// Point estimate; NaN draws nothing.
    pub mean: f64,
    /// Lower end of the interval; NaN draws no whisker.
    pub lo: f64,
    /// Upper end of the interval; NaN draws no whisker.
    pub hi: f64,
}

/// A panel of a [`ci_chart`]: one metric, one dot with whiskers per category.
#[derive(Clone, Debug)]
pub struct CiPanel {
    /// Title (the metric).
    pub title: String,
    /// Estimates, drawn left to right.
    pub estimates: Vec<Estimate>,
    /// Draw a dashed line at y = 0 and keep 0 in the range (paired differences).
    pub zero_line: bool,
}

/// Renders a grid of dot-and-whisker panels (four per row) under a title, with a footer.
pub fn ci_chart(title: &str, panels: &[CiPanel], footer: &str) -> String {
    let (pw, ph, ml, mt, mb, cols) = (220.0, 160.0, 60.0, 40.0, 60.0, 4usize);
    let rows = panels.len().div_ceil(cols).max(1);
    let cell_w = ml + pw + 15.0;
    let cell_h = 22.0 + ph + mb;
    let width = cols.min(panels.len().max(1)) as f64 * cell_w + 20.0;
    let height = mt + rows as f64 * cell_h + 20.0;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height:.0}" font-family="sans-serif" font-size="10">"#
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="10" y="20" font-size="13">{}</text>"#,
        esc(title)
    );
    for (pi, p) in panels.iter().enumerate() {
        let ox = 10.0 + (pi % cols) as f64 * cell_w + ml;
        let oy = mt + (pi / cols) as f64 * cell_h + 22.0;
        let mut vals: Vec<f64> = p
            .estimates
            .iter()
            .flat_map(|e| [e.mean, e.lo, e.hi])
            .filter(|v| v.is_finite())
            .collect();
        if p.zero_line || vals.is_empty() {
            vals.push(0.0);
        }
        let (mut y0, mut y1) = (
            vals.iter().copied().fold(f64::INFINITY, f64::min),
            vals.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        );
        if y1 - y0 < 1e-9 {
            y0 -= 1.0;
            y1 += 1.0;
        }
        let pad = (y1 - y0) * 0.08;
        let (y0, y1) = (y0 - pad, y1 + pad);
        let fy = |y: f64| oy + ph - (y - y0) / (y1 - y0) * ph;
        let n = p.estimates.len().max(1) as f64;
        let fx = |i: usize| ox + (i as f64 + 0.5) * pw / n;
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="11">{}</text>"#,
            ox + pw / 2.0,
            oy - 6.0,
            esc(&p.title)
        );
        let _ = writeln!(
            s,
            r##"<rect x="{ox:.1}" y="{oy:.1}" width="{pw}" height="{ph}" fill="none" stroke="#444"/>"##
        );
        for k in 0..=4 {
            let yv = y0 + (y1 - y0) * k as f64 / 4.0;
            let _ = writeln!(
                s,
                r##"<line x1="{0:.1}" y1="{1:.1}" x2="{2:.1}" y2="{1:.1}" stroke="#ddd"/><text x="{3:.1}" y="{4:.1}" text-anchor="end">{5}</text>"##,
                ox,
                fy(yv),
                ox + pw,
                ox - 4.0,
                fy(yv) + 3.0,
                fmt_val(yv, y1 - y0)
            );
        }
        if p.zero_line {
            let _ = writeln!(
                s,
                r##"<line x1="{ox:.1}" y1="{0:.1}" x2="{1:.1}" y2="{0:.1}" stroke="#444" stroke-dasharray="4,3"/>"##,
                fy(0.0),
                ox + pw
            );
        }
        for (i, e) in p.estimates.iter().enumerate() {
            let x = fx(i);
            if e.lo.is_finite() && e.hi.is_finite() {
                let _ = writeln!(
                    s,
                    r#"<line x1="{x:.1}" y1="{0:.1}" x2="{x:.1}" y2="{1:.1}" stroke="{2}" stroke-width="1.5"/><line x1="{3:.1}" y1="{0:.1}" x2="{4:.1}" y2="{0:.1}" stroke="{2}"/><line x1="{3:.1}" y1="{1:.1}" x2="{4:.1}" y2="{1:.1}" stroke="{2}"/>"#,
                    fy(e.lo),
                    fy(e.hi),
                    e.color,
                    x - 5.0,
                    x + 5.0
                );
            }
            if e.mean.is_finite() {
                let _ = writeln!(
                    s,
                    r#"<circle cx="{x:.1}" cy="{:.1}" r="3.5" fill="{}"/>"#,
                    fy(e.mean),
                    e.color
                );
            }
            let _ = writeln!(
                s,
                r#"<text transform="translate({x:.1},{:.1}) rotate(25)" text-anchor="start">{}</text>"#,
                oy + ph + 12.0,
                esc(&e.label)
            );
        }
    }
    let _ = writeln!(
        s,
        r##"<text x="10" y="{:.1}" font-size="9" fill="#666">{}</text>"##,
        height - 6.0,
        esc(footer)
    );
    s.push_str("</svg>\n");
    s
}

/// A tick value with decimals suited to the axis span.
fn fmt_val(v: f64, span: f64) -> String {
    let d = if span >= 20.0 {
        0
    } else if span >= 2.0 {
        1
    } else if span >= 0.2 {
        2
    } else {
        3
    };
    let t = format!("{v:.d$}");
    // "-0.0" and "0.0" are the same tick.
    if t.trim_start_matches('-')
        .chars()
        .all(|c| c == '0' || c == '.')
    {
        t.trim_start_matches('-').to_string()
    } else {
        t
    }
}

fn fmt_tick(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{}", v.round() as i64)
    } else {
        format!("{v:.1}")
    }
}

fn esc(t: &str) -> String {
    t.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
