//! Charts as inline SVG text: stacked areas and lines over time, horizontal bars, an
//! hour-of-day heatmap, an incident timeline and an identity chain. Colours come from
//! the page's CSS classes (`c0`..`c9`, `muted`), so one drawing serves the light and
//! the dark theme and prints; every mark carries a `<title>` as its tooltip.

use chrono::{DateTime, Utc};

use crate::html::esc;

/// Width of every chart's view box; the page scales it to the column.
const W: f64 = 960.0;
/// Left margin for the y axis labels.
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;

/// A named series of values, one per time bucket.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
}

/// A time in seconds since the epoch, as the reader reads it.
pub fn time_label(secs: i64, step: i64) -> String {
    let Some(t) = DateTime::<Utc>::from_timestamp(secs, 0) else {
        return secs.to_string();
    };
    if step < 86_400 {
        t.format("%m-%d %H:%M").to_string()
    } else {
        t.format("%Y-%m-%d").to_string()
    }
}

/// A count with thousands separators.
pub fn count(n: f64) -> String {
    let whole = n.round() as i64;
    let digits = whole.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if whole < 0 { format!("-{out}") } else { out }
}

/// A round upper bound for an axis: 1, 2 or 5 times a power of ten.
fn nice_max(max: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(max.log10().floor());
    for m in [1.0, 2.0, 5.0, 10.0] {
        if m * p >= max {
            return m * p;
        }
    }
    10.0 * p
}

fn open(height: f64, label: &str) -> String {
    format!(
        r#"<svg viewBox="0 0 {W} {height}" width="100%" role="img" aria-label="{}" preserveAspectRatio="xMinYMin meet">"#,
        esc(label)
    )
}

/// The y axis with grid lines from 0 to `max` between `top` and `bottom`.
fn y_axis(svg: &mut String, max: f64, top: f64, bottom: f64) {
    for i in 0..=4 {
        let v = max * f64::from(i) / 4.0;
        let y = bottom - (bottom - top) * f64::from(i) / 4.0;
        svg.push_str(&format!(
            r#"<line class="grid" x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}"/><text class="axis" x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            W - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            count(v)
        ));
    }
}

/// Labels under a time axis, about six of them.
fn x_axis(svg: &mut String, times: &[i64], step: i64, x: impl Fn(usize) -> f64, y: f64) {
    let n = times.len();
    let every = n.div_ceil(6).max(1);
    for (i, t) in times.iter().enumerate() {
        if i % every != 0 {
            continue;
        }
        svg.push_str(&format!(
            r#"<text class="axis" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            x(i),
            y + 16.0,
            esc(&time_label(*t, step))
        ));
    }
}

/// Series stacked over time buckets, as areas (one bucket: as bars).
pub fn stacked_area(times: &[i64], step: i64, series: &[Series], label: &str) -> String {
    let (top, bottom, height) = (12.0, 230.0, 256.0);
    let mut svg = open(height, label);
    let n = times.len();
    let totals: Vec<f64> = (0..n)
        .map(|i| {
            series
                .iter()
                .map(|s| s.values.get(i).copied().unwrap_or(0.0))
                .sum()
        })
        .collect();
    let max = nice_max(totals.iter().copied().fold(0.0, f64::max));
    y_axis(&mut svg, max, top, bottom);
    let plot = W - LEFT - RIGHT;
    let x = |i: usize| {
        if n <= 1 {
            LEFT + plot / 2.0
        } else {
            LEFT + plot * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: f64| bottom - (bottom - top) * v / max;
    let mut below = vec![0.0; n];
    for (k, s) in series.iter().enumerate() {
        let above: Vec<f64> = (0..n)
            .map(|i| below[i] + s.values.get(i).copied().unwrap_or(0.0))
            .collect();
        let class = format!("c{}", k % 10);
        let total: f64 = s.values.iter().sum();
        let title = format!("{}: {} events", s.name, count(total));
        if n <= 1 {
            svg.push_str(&format!(
                r#"<rect class="{class}" x="{:.1}" width="80" y="{:.1}" height="{:.1}"><title>{}</title></rect>"#,
                x(0) - 40.0,
                y(above[0]),
                (y(below[0]) - y(above[0])).max(0.0),
                esc(&title)
            ));
        } else {
            let mut d = String::new();
            for (i, v) in above.iter().enumerate() {
                d.push_str(&format!(
                    "{}{:.1},{:.1} ",
                    if i == 0 { "M" } else { "L" },
                    x(i),
                    y(*v)
                ));
            }
            for i in (0..n).rev() {
                d.push_str(&format!("L{:.1},{:.1} ", x(i), y(below[i])));
            }
            d.push('Z');
            svg.push_str(&format!(
                r#"<path class="{class} area" d="{d}"><title>{}</title></path>"#,
                esc(&title)
            ));
        }
        below = above;
    }
    x_axis(&mut svg, times, step, x, bottom);
    svg.push_str("</svg>");
    svg
}

/// Series over time buckets as lines, each point with its value as a tooltip.
pub fn lines(times: &[i64], step: i64, series: &[Series], label: &str) -> String {
    let (top, bottom, height) = (12.0, 190.0, 216.0);
    let mut svg = open(height, label);
    let n = times.len();
    let max = nice_max(
        series
            .iter()
            .flat_map(|s| s.values.iter().copied())
            .fold(0.0, f64::max),
    );
    y_axis(&mut svg, max, top, bottom);
    let plot = W - LEFT - RIGHT;
    let x = |i: usize| {
        if n <= 1 {
            LEFT + plot / 2.0
        } else {
            LEFT + plot * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: f64| bottom - (bottom - top) * v / max;
    for (k, s) in series.iter().enumerate() {
        let class = format!("c{}", k % 10);
        let points: Vec<String> = (0..n)
            .map(|i| {
                format!(
                    "{:.1},{:.1}",
                    x(i),
                    y(s.values.get(i).copied().unwrap_or(0.0))
                )
            })
            .collect();
        svg.push_str(&format!(
            r#"<polyline class="{class} line" points="{}"><title>{}</title></polyline>"#,
            points.join(" "),
            esc(&s.name)
        ));
        for (i, t) in times.iter().enumerate() {
            let v = s.values.get(i).copied().unwrap_or(0.0);
            if v > 0.0 {
                svg.push_str(&format!(
                    r#"<circle class="{class}" cx="{:.1}" cy="{:.1}" r="2.5"><title>{} {}: {}</title></circle>"#,
                    x(i),
                    y(v),
                    esc(&time_label(*t, step)),
                    esc(&s.name),
                    count(v)
                ));
            }
        }
    }
    x_axis(&mut svg, times, step, x, bottom);
    svg.push_str("</svg>");
    svg
}

/// Longest label drawn in full beside a bar; the tooltip has the whole text.
const LABEL_CHARS: usize = 52;

fn shortened(s: &str) -> String {
    if s.chars().count() <= LABEL_CHARS {
        return s.to_string();
    }
    // Keep both ends: ARNs differ at the end, services at the start.
    let head: String = s.chars().take(LABEL_CHARS / 2 - 1).collect();
    let tail: String = s
        .chars()
        .skip(s.chars().count() - (LABEL_CHARS / 2 - 1))
        .collect();
    format!("{head}…{tail}")
}

/// Horizontal bars, largest first as given.
pub fn bars(items: &[(String, f64)], unit: &str, label: &str) -> String {
    let row = 22.0;
    let height = row * items.len() as f64 + 8.0;
    let mut svg = open(height, label);
    let label_w = 400.0;
    let plot = W - label_w - 90.0;
    let max = items.iter().map(|(_, v)| *v).fold(0.0, f64::max).max(1.0);
    for (i, (name, v)) in items.iter().enumerate() {
        let y = 4.0 + row * i as f64;
        let w = (plot * v / max).max(1.0);
        svg.push_str(&format!(
            r#"<text class="label" x="{:.1}" y="{:.1}" text-anchor="end">{}</text><rect class="c0" x="{label_w}" y="{:.1}" width="{w:.1}" height="{:.1}"><title>{}: {} {}</title></rect><text class="axis" x="{:.1}" y="{:.1}">{}</text>"#,
            label_w - 8.0,
            y + 15.0,
            esc(&shortened(name)),
            y + 3.0,
            row - 6.0,
            esc(name),
            count(*v),
            esc(unit),
            label_w + w + 6.0,
            y + 15.0,
            count(*v)
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// Hour of day (rows, UTC) by day (columns): darker is busier.
pub fn heatmap(days: &[i64], cells: &[(usize, usize, f64)], label: &str) -> String {
    let (left, top) = (48.0, 8.0);
    let cols = days.len().max(1) as f64;
    let cell_w = ((W - left - RIGHT) / cols).min(48.0);
    let cell_h = 12.0;
    let height = top + 24.0 * cell_h + 28.0;
    let mut svg = open(height, label);
    let max = cells.iter().map(|c| c.2).fold(0.0, f64::max).max(1.0);
    for h in (0..24).step_by(3) {
        svg.push_str(&format!(
            r#"<text class="axis" x="{:.1}" y="{:.1}" text-anchor="end">{h:02}:00</text>"#,
            left - 6.0,
            top + cell_h * h as f64 + 10.0
        ));
    }
    for d in 0..days.len() {
        for h in 0..24 {
            svg.push_str(&format!(
                r#"<rect class="zero" x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}"/>"#,
                left + cell_w * d as f64,
                top + cell_h * h as f64,
                cell_w - 1.0,
                cell_h - 1.0
            ));
        }
    }
    for (d, h, v) in cells {
        let Some(day) = days.get(*d) else { continue };
        svg.push_str(&format!(
            r#"<rect class="c0" fill-opacity="{:.2}" x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}"><title>{} {h:02}:00 UTC: {} events</title></rect>"#,
            0.2 + 0.8 * v / max,
            left + cell_w * *d as f64,
            top + cell_h * *h as f64,
            cell_w - 1.0,
            cell_h - 1.0,
            esc(&time_label(*day, 86_400)),
            count(*v)
        ));
    }
    let every = days.len().div_ceil(8).max(1);
    for (d, day) in days.iter().enumerate().step_by(every) {
        svg.push_str(&format!(
            r#"<text class="axis" x="{:.1}" y="{:.1}">{}</text>"#,
            left + cell_w * d as f64,
            top + 24.0 * cell_h + 16.0,
            esc(&time_label(*day, 86_400))
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// A finding on an incident's timeline: its detection's lane, its span, its
/// tactic's colour.
#[derive(Debug, Clone)]
pub struct Span {
    pub lane: usize,
    pub from: i64,
    pub to: i64,
    /// Index into the page's colours (the tactic's place in ATT&CK's order).
    pub colour: usize,
    pub title: String,
}

/// One evidence event on a lane.
#[derive(Debug, Clone)]
pub struct Tick {
    pub lane: usize,
    pub at: i64,
    pub colour: usize,
    pub title: String,
}

/// An incident's findings on a time axis, one lane per detection, each event a tick.
pub fn timeline(lanes: &[String], spans: &[Span], ticks: &[Tick], label: &str) -> String {
    let (left, top, lane_h) = (300.0, 8.0, 24.0);
    let bottom = top + lane_h * lanes.len().max(1) as f64;
    let height = bottom + 28.0;
    let mut svg = open(height, label);
    let t0 = spans
        .iter()
        .map(|s| s.from)
        .chain(ticks.iter().map(|t| t.at))
        .min()
        .unwrap_or(0);
    let t1 = spans
        .iter()
        .map(|s| s.to)
        .chain(ticks.iter().map(|t| t.at))
        .max()
        .unwrap_or(0);
    let plot = W - left - RIGHT - 8.0;
    let x = |t: i64| {
        if t1 <= t0 {
            left + plot / 2.0
        } else {
            left + plot * (t - t0) as f64 / (t1 - t0) as f64
        }
    };
    for (i, name) in lanes.iter().enumerate() {
        let y = top + lane_h * i as f64;
        svg.push_str(&format!(
            r#"<line class="grid" x1="{left}" x2="{}" y1="{:.1}" y2="{:.1}"/><text class="label" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            W - RIGHT,
            y + lane_h / 2.0,
            y + lane_h / 2.0,
            left - 8.0,
            y + lane_h / 2.0 + 4.0,
            esc(&shortened(name))
        ));
    }
    for s in spans {
        let y = top + lane_h * s.lane as f64 + 6.0;
        let (a, b) = (x(s.from), x(s.to));
        svg.push_str(&format!(
            r#"<rect class="t{} span" x="{:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" rx="3"><title>{}</title></rect>"#,
            s.colour % 14,
            a - 3.0,
            (b - a + 6.0).max(6.0),
            lane_h - 12.0,
            esc(&s.title)
        ));
    }
    for t in ticks {
        let y = top + lane_h * t.lane as f64;
        svg.push_str(&format!(
            r#"<line class="t{} tick" x1="{:.1}" x2="{:.1}" y1="{:.1}" y2="{:.1}"><title>{}</title></line>"#,
            t.colour % 14,
            x(t.at),
            x(t.at),
            y + 3.0,
            y + lane_h - 3.0,
            esc(&t.title)
        ));
    }
    let step = if t1 - t0 < 2 * 86_400 { 60 } else { 86_400 };
    for (pos, t) in [(x(t0), t0), (x(t1), t1)] {
        svg.push_str(&format!(
            r#"<text class="axis" x="{pos:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            bottom + 16.0,
            esc(&time_label(t, step))
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// Most nodes drawn in one column of the identity chain.
const CHAIN_NODES: usize = 8;

/// Who acted, as columns (access key -> principal -> role -> account): each path is
/// one evidence event's identity; a node appears once per column, linked to the
/// nodes next to it on any path.
pub fn chain(headers: &[&str; 4], paths: &[[Option<String>; 4]], label: &str) -> String {
    let col_w = W / 4.0;
    let node_h = 26.0;
    let mut nodes: [Vec<String>; 4] = Default::default();
    for p in paths {
        for (c, v) in p.iter().enumerate() {
            if let Some(v) = v
                && !nodes[c].contains(v)
                && nodes[c].len() < CHAIN_NODES
            {
                nodes[c].push(v.clone());
            }
        }
    }
    let rows = nodes.iter().map(Vec::len).max().unwrap_or(0).max(1);
    let height = 28.0 + node_h * rows as f64 + 8.0;
    let mut svg = open(height, label);
    let centre = |c: usize, i: usize| (col_w * c as f64 + 8.0, 28.0 + node_h * i as f64);
    let mut edges: Vec<(usize, usize, usize, usize)> = Vec::new();
    for p in paths {
        let present: Vec<(usize, usize)> = p
            .iter()
            .enumerate()
            .filter_map(|(c, v)| Some((c, nodes[c].iter().position(|n| Some(n) == v.as_ref())?)))
            .collect();
        for w in present.windows(2) {
            let e = (w[0].0, w[0].1, w[1].0, w[1].1);
            if !edges.contains(&e) {
                edges.push(e);
            }
        }
    }
    for (c1, i1, c2, i2) in &edges {
        let (x1, y1) = centre(*c1, *i1);
        let (x2, y2) = centre(*c2, *i2);
        svg.push_str(&format!(
            r#"<line class="edge" x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}"/>"#,
            x1 + col_w - 24.0,
            y1 + 9.0,
            x2,
            y2 + 9.0
        ));
    }
    for (c, header) in headers.iter().enumerate() {
        svg.push_str(&format!(
            r#"<text class="label strong" x="{:.1}" y="16">{}</text>"#,
            col_w * c as f64 + 8.0,
            esc(header)
        ));
        for (i, n) in nodes[c].iter().enumerate() {
            let (x, y) = centre(c, i);
            let short: String = if n.chars().count() > 30 {
                let tail: String = n.chars().skip(n.chars().count() - 29).collect();
                format!("…{tail}")
            } else {
                n.clone()
            };
            svg.push_str(&format!(
                r#"<rect class="node" x="{x:.1}" y="{y:.1}" width="{:.1}" height="18" rx="4"><title>{}</title></rect><text class="label" x="{:.1}" y="{:.1}">{}</text>"#,
                col_w - 32.0,
                esc(n),
                x + 4.0,
                y + 13.0,
                esc(&short)
            ));
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_with_separators() {
        assert_eq!(count(0.0), "0");
        assert_eq!(count(999.0), "999");
        assert_eq!(count(1000.0), "1,000");
        assert_eq!(count(2_000_000.0), "2,000,000");
    }

    #[test]
    fn axes_end_on_round_numbers() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(7.0), 10.0);
        assert_eq!(nice_max(130.0), 200.0);
        assert_eq!(nice_max(4_900.0), 5_000.0);
    }

    #[test]
    fn charts_draw_one_mark_per_value_and_escape_labels() {
        let svg = bars(
            &[("<script>".to_string(), 3.0), ("b".to_string(), 1.0)],
            "events",
            "x",
        );
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(!svg.contains("<script>") && svg.contains("&lt;script&gt;"));
        let series = vec![
            Series {
                name: "a".into(),
                values: vec![1.0, 2.0, 3.0],
            },
            Series {
                name: "b".into(),
                values: vec![0.0, 1.0, 0.0],
            },
        ];
        let area = stacked_area(&[0, 3600, 7200], 3600, &series, "x");
        assert_eq!(area.matches("<path").count(), 2);
        let line = lines(&[0, 3600, 7200], 3600, &series, "x");
        assert_eq!(line.matches("<polyline").count(), 2);
        // Circles only where there is something.
        assert_eq!(line.matches("<circle").count(), 4);
        let heat = heatmap(&[0, 86_400], &[(0, 5, 2.0), (1, 23, 1.0)], "x");
        assert_eq!(heat.matches("class=\"c0\"").count(), 2);
        assert_eq!(heat.matches("class=\"zero\"").count(), 48);
    }

    #[test]
    fn the_chain_links_each_identity_once() {
        let path = |k: &str, a: &str| {
            [
                Some(k.to_string()),
                Some(a.to_string()),
                None,
                Some("111122223333".to_string()),
            ]
        };
        let svg = chain(
            &["key", "principal", "role", "account"],
            &[
                path("AKIA1", "alice"),
                path("AKIA1", "alice"),
                path("ASIA2", "alice"),
            ],
            "x",
        );
        assert_eq!(svg.matches("class=\"node\"").count(), 4);
        // key->principal twice (two keys), principal->account once.
        assert_eq!(svg.matches("class=\"edge\"").count(), 3);
    }
}
