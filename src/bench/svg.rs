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
    for (pi, p) in panels.iter().enumerate() {
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
        for se in series {
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
