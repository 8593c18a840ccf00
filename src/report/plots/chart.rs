//! One chart: a title, a time axis (simulated h:mm), one or two value axes with units, line /
//! dashed / point series, and event markers; drawn with `plotters` into SVG text (or a PNG with
//! the `png` feature). The output is a pure function of the chart: same chart, same bytes.

use plotters::coord::Shift;
use plotters::prelude::*;

/// Width and height of every chart, in pixels.
pub const SIZE: (u32, u32) = (900, 380);

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// A solid line.
    Line,
    /// A dashed line (targets, limits, capacity).
    Dashed,
    /// Dots, one per point.
    Points,
}

/// A named series of `(time_s, value)` points.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend label.
    pub label: String,
    /// Points, in time order, already in the axis unit.
    pub points: Vec<(f64, f64)>,
    /// How it is drawn.
    pub style: Style,
    /// On the right-hand axis.
    pub secondary: bool,
}

impl Series {
    /// A solid line on the left axis.
    pub fn line(label: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        Series {
            label: label.into(),
            points,
            style: Style::Line,
            secondary: false,
        }
    }

    /// The same series drawn another way.
    pub fn styled(mut self, style: Style) -> Self {
        self.style = style;
        self
    }

    /// The same series on the right-hand axis.
    pub fn right(mut self) -> Self {
        self.secondary = true;
        self
    }
}

/// A vertical marker at an instant (e.g. a scale-up), grouped by `label` in the legend.
#[derive(Debug, Clone, PartialEq)]
pub struct Marker {
    /// Time, seconds.
    pub t: f64,
    /// Legend group (`scale-up`, `scale-down`, ...).
    pub label: String,
    /// Drawn as an upward triangle (else a cross).
    pub up: bool,
}

/// A chart to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// File name under `plots/` without extension (e.g. `load`).
    pub name: String,
    /// Title.
    pub title: String,
    /// Left axis description, with its unit.
    pub y_label: String,
    /// Right axis description, with its unit (series with `secondary`).
    pub y2_label: Option<String>,
    /// Series, drawn in order.
    pub series: Vec<Series>,
    /// Event markers.
    pub markers: Vec<Marker>,
    /// Time axis end (seconds).
    pub t_end: f64,
}

/// Tableau-10: distinct, colour-blind friendly.
const PALETTE: [(u8, u8, u8); 10] = [
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
];

fn color(i: usize) -> RGBColor {
    let (r, g, b) = PALETTE[i % PALETTE.len()];
    RGBColor(r, g, b)
}

/// Simulated time as `h:mm` (`h:mm:ss` when `seconds`).
pub fn hmm(t: f64, seconds: bool) -> String {
    let s = t.max(0.0).round() as u64;
    if seconds {
        format!("{}:{:02}:{:02}", s / 3600, s % 3600 / 60, s % 60)
    } else {
        format!("{}:{:02}", s / 3600, s % 3600 / 60)
    }
}

/// A round tick step for a time axis from 0 to `end` seconds (at most about 10 ticks), and
/// whether labels need seconds.
pub fn time_ticks(end: f64) -> (f64, bool) {
    const STEPS: [u64; 16] = [
        1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200,
    ];
    let step = STEPS
        .iter()
        .copied()
        .find(|s| end / *s as f64 <= 10.0)
        .unwrap_or(86400) as f64;
    (step, step < 60.0)
}

/// A short label for an axis value (fixed formatting: no locale, no float noise).
pub fn num(v: f64) -> String {
    let a = v.abs();
    if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.0}k", v / 1e3)
    } else if a >= 100.0 || v == v.round() {
        format!("{v:.0}")
    } else if a >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// Drops the interior points of flat runs (the drawn line is the same, the file smaller).
fn thin(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(points.len());
    for (i, &p) in points.iter().enumerate() {
        let flat_before = i > 0 && points[i - 1].1 == p.1;
        let flat_after = i + 1 < points.len() && points[i + 1].1 == p.1;
        if !(flat_before && flat_after) {
            out.push(p);
        }
    }
    out
}

/// A nice upper bound for values up to `max`.
fn top(max: f64) -> f64 {
    if max.is_nan() || max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let m = max * 1.08;
    let mag = 10f64.powf(m.log10().floor());
    for k in [1.0, 1.2, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0] {
        if k * mag >= m {
            return k * mag;
        }
    }
    10.0 * mag
}

/// Draws `c` on `root`.
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    c: &Chart,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    // With `png`, plotters measures text with real font metrics, SVG included.
    #[cfg(feature = "png")]
    super::font::register();
    root.fill(&WHITE)?;
    let t_end = if c.t_end > 0.0 { c.t_end } else { 1.0 };
    let max_of = |secondary: bool| {
        c.series
            .iter()
            .filter(|s| s.secondary == secondary)
            .flat_map(|s| s.points.iter().map(|p| p.1))
            .filter(|v| v.is_finite())
            .fold(0.0f64, f64::max)
    };
    let (y1, y2) = (top(max_of(false)), top(max_of(true)));
    let (step, secs) = time_ticks(t_end);
    let font = ("sans-serif", 14);
    let mut chart = ChartBuilder::on(root)
        .caption(&c.title, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(72)
        .right_y_label_area_size(if c.y2_label.is_some() { 72 } else { 12 })
        .build_cartesian_2d((0f64..t_end).step(step), 0f64..y1)?
        .set_secondary_coord((0f64..t_end).step(step), 0f64..y2);
    let xfmt = |t: &f64| hmm(*t, secs);
    let yfmt = |v: &f64| num(*v);
    chart
        .configure_mesh()
        .x_desc("simulated time (h:mm)")
        .y_desc(c.y_label.as_str())
        .x_label_formatter(&xfmt)
        .y_label_formatter(&yfmt)
        .label_style(font)
        .axis_desc_style(font)
        .max_light_lines(1)
        .light_line_style(RGBColor(245, 245, 245))
        .bold_line_style(RGBColor(220, 220, 220))
        .draw()?;
    if let Some(l) = &c.y2_label {
        chart
            .configure_secondary_axes()
            .y_desc(l.as_str())
            .y_label_formatter(&yfmt)
            .label_style(font)
            .axis_desc_style(font)
            .draw()?;
    }
    for (i, s) in c.series.iter().enumerate() {
        let col = color(i);
        let style = ShapeStyle::from(&col).stroke_width(2);
        let pts = match s.style {
            Style::Points => s.points.clone(),
            _ => thin(&s.points),
        };
        let anno = match (s.style, s.secondary) {
            (Style::Line, false) => chart.draw_series(LineSeries::new(pts, style))?,
            (Style::Line, true) => chart.draw_secondary_series(LineSeries::new(pts, style))?,
            (Style::Dashed, false) => chart.draw_series(DashedLineSeries::new(pts, 8, 5, style))?,
            (Style::Dashed, true) => {
                chart.draw_secondary_series(DashedLineSeries::new(pts, 8, 5, style))?
            }
            (Style::Points, false) => chart.draw_series(
                pts.into_iter()
                    .map(|p| Circle::new(p, 3, ShapeStyle::from(&col).filled())),
            )?,
            (Style::Points, true) => chart.draw_secondary_series(
                pts.into_iter()
                    .map(|p| Circle::new(p, 3, ShapeStyle::from(&col).filled())),
            )?,
        };
        let dots = s.style == Style::Points;
        anno.label(s.label.as_str()).legend(move |(x, y)| {
            let at = EmptyElement::at((x, y));
            let dot = Circle::new(
                (10, 0),
                if dots { 3 } else { 0 },
                ShapeStyle::from(&col).filled(),
            );
            let line = PathElement::new(
                vec![(0, 0), (if dots { 0 } else { 20 }, 0)],
                ShapeStyle::from(&col).stroke_width(2),
            );
            at + dot + line
        });
    }
    // Markers: one legend entry per group, in order of first appearance.
    let mut groups: Vec<(&str, bool)> = Vec::new();
    for m in &c.markers {
        if !groups.iter().any(|g| g.0 == m.label) {
            groups.push((&m.label, m.up));
        }
    }
    for (g, (label, up)) in groups.iter().enumerate() {
        let col = color(c.series.len() + g);
        let line = ShapeStyle::from(&col.mix(0.5)).stroke_width(1);
        let ts: Vec<f64> = c
            .markers
            .iter()
            .filter(|m| m.label == *label)
            .map(|m| m.t)
            .collect();
        chart.draw_series(
            ts.iter()
                .map(|&t| PathElement::new(vec![(t, 0.0), (t, y1 * 0.96)], line)),
        )?;
        let up = *up;
        let anno = if up {
            chart.draw_series(ts.iter().map(move |&t| {
                TriangleMarker::new((t, y1 * 0.96), 6, ShapeStyle::from(&col).filled())
            }))?
        } else {
            chart.draw_series(ts.iter().map(move |&t| {
                Cross::new((t, y1 * 0.96), 5, ShapeStyle::from(&col).stroke_width(2))
            }))?
        };
        if up {
            anno.label(*label).legend(move |(x, y)| {
                TriangleMarker::new((x + 10, y), 6, ShapeStyle::from(&col).filled())
            });
        } else {
            anno.label(*label).legend(move |(x, y)| {
                Cross::new((x + 10, y), 5, ShapeStyle::from(&col).stroke_width(2))
            });
        }
    }
    if !c.series.is_empty() || !c.markers.is_empty() {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .label_font(font)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(160, 160, 160))
            .draw()?;
    }
    root.present()?;
    Ok(())
}

/// The chart as SVG text.
pub fn svg(c: &Chart) -> Result<String, String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, SIZE).into_drawing_area();
        draw(&root, c).map_err(|e| format!("{}: {e}", c.name))?;
    }
    Ok(out)
}

/// The chart as a PNG file (text drawn with the embedded font).
#[cfg(feature = "png")]
pub fn png(c: &Chart, file: &std::path::Path) -> Result<(), String> {
    let root = BitMapBackend::new(file, SIZE).into_drawing_area();
    draw(&root, c).map_err(|e| format!("{}: {e}", c.name))
}
