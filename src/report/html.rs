//! A self-contained HTML page: the table, a bar chart of involvement and a
//! drawing of the co-responsibility network. No scripts, fonts or images are
//! fetched: everything is inline SVG and CSS, so the page opens offline and
//! pastes into a slide.

use crate::network::{Network, NetworkFigures, UnitMeasures};
use petgraph::visit::EdgeRef;
use std::fmt::Write as _;

/// Colours for communities (Tableau 10, readable on white).
const PALETTE: &[&str] = &[
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac",
];
const FONT: &str = "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei','WenQuanYi Micro Hei',sans-serif";

fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Renders the page. `units` are in report order; `title` heads the page.
#[must_use]
pub fn page(
    title: &str,
    network: &Network,
    units: &[UnitMeasures],
    figures: &NetworkFigures,
) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<!DOCTYPE html>
<html lang="zh">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font-family: {FONT}; margin: 2rem auto; max-width: 1180px; color: #222; }}
h1 {{ font-size: 1.5rem; }} h2 {{ font-size: 1.15rem; margin-top: 2rem; }}
table {{ border-collapse: collapse; font-size: 0.9rem; }}
th, td {{ padding: 0.25rem 0.6rem; border-bottom: 1px solid #ddd; text-align: left; }}
td.n {{ text-align: right; font-variant-numeric: tabular-nums; }}
td.u {{ white-space: nowrap; }}
.figures td:first-child {{ color: #555; }}
svg text {{ font-family: {FONT}; }}
.swatch {{ display: inline-block; width: 0.8em; height: 0.8em; border-radius: 50%; margin-right: 0.3em; vertical-align: -0.05em; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p>{nodes} units linked by {edges} shared-item ties over {items} items. Node size: items; link width: shared items; colour: community.</p>
"#,
        title = esc(title),
        nodes = figures.nodes,
        edges = figures.edges,
        items = figures.items,
    );
    s.push_str("<h2>Co-responsibility network</h2>\n");
    s.push_str(&network_svg(network, units));
    s.push_str("\n<h2>Involvement</h2>\n");
    s.push_str(&bars_svg(units));
    s.push_str("\n<h2>Units</h2>\n<table>\n<tr><th>#</th><th>unit</th><th>full name</th><th>kind</th><th>items</th><th>first</th><th>led</th><th>partners</th><th>strength</th><th>betweenness</th><th>eigenvector</th><th>community</th></tr>\n");
    for (i, m) in units.iter().enumerate() {
        let colour = PALETTE[m.community % PALETTE.len()];
        let name = match (&m.name_zh, &m.name_en) {
            (Some(zh), Some(en)) => format!("{}<br><small>{}</small>", esc(zh), esc(en)),
            (Some(zh), None) => esc(zh),
            _ => String::new(),
        };
        let _ = writeln!(
            s,
            r#"<tr><td class="n">{}</td><td class="u">{}</td><td>{}</td><td>{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{}</td><td class="n">{:.3}</td><td class="n">{:.3}</td><td><span class="swatch" style="background:{colour}"></span>{}</td></tr>"#,
            i + 1,
            esc(&m.label),
            name,
            esc(m.kind.as_deref().unwrap_or("")),
            m.items,
            m.first_listed,
            m.led,
            m.degree,
            m.strength,
            m.betweenness,
            m.eigenvector,
            m.community
        );
    }
    s.push_str("</table>\n<h2>Network figures</h2>\n<table class=\"figures\">\n");
    for (k, v) in [
        ("density", format!("{:.4}", figures.density)),
        ("components", figures.components.to_string()),
        (
            "average clustering",
            format!("{:.4}", figures.average_clustering),
        ),
        (
            "degree centralisation",
            format!("{:.4}", figures.degree_centralization),
        ),
        (
            "core (highest k-core)",
            format!("k = {}: {}", figures.max_core, figures.core.join("、")),
        ),
        ("modularity", format!("{:.4}", figures.modularity)),
    ] {
        let _ = writeln!(s, "<tr><td>{k}</td><td>{}</td></tr>", esc(&v));
    }
    s.push_str("</table>\n<p><small>Made with policykg. Measures follow networkx 3.x definitions.</small></p>\n</body>\n</html>\n");
    s
}

fn bars_svg(units: &[UnitMeasures]) -> String {
    let row = 22.0;
    let left = 150.0;
    let width = 900.0;
    let max = units.iter().map(|m| m.items).max().unwrap_or(1).max(1) as f64;
    let height = row * units.len() as f64 + 30.0;
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="items per unit">"#
    );
    // Room on the right for the "15 (11 first)" label of the longest bar.
    let scale = (width - left - 120.0) / max;
    for (i, m) in units.iter().enumerate() {
        let y = i as f64 * row + 4.0;
        let colour = PALETTE[m.community % PALETTE.len()];
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" font-size="13" text-anchor="end">{}</text><rect x="{left}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{colour}" opacity="0.35"/><rect x="{left}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{colour}"/><text x="{:.1}" y="{:.1}" font-size="12">{} ({} first)</text>"#,
            left - 8.0,
            y + 14.0,
            esc(&m.label),
            m.items as f64 * scale,
            row - 6.0,
            m.first_listed as f64 * scale,
            row - 6.0,
            left + m.items as f64 * scale + 6.0,
            y + 14.0,
            m.items,
            m.first_listed
        );
    }
    let _ = write!(
        s,
        r##"<text x="{left}" y="{:.1}" font-size="11" fill="#555">light bar: items; dark bar: items where the unit is listed first</text></svg>"##,
        height - 6.0
    );
    s
}

/// The most units the drawing shows (the most involved, in the report's
/// order): the layout takes time with the square of the units, and past a
/// few hundred a picture is a blot. The table lists every unit.
const DRAWN: usize = 150;

/// The most labels written on the drawing; the other nodes name themselves
/// on hover.
const LABELLED: usize = 40;

fn network_svg(network: &Network, units: &[UnitMeasures]) -> String {
    let (w, h) = (1000.0, 640.0);
    let at: std::collections::HashMap<&str, usize> = network
        .units
        .iter()
        .enumerate()
        .map(|(i, u)| (u.iri.as_str(), i))
        .collect();
    // The drawn units, in rank order, with their index in the network.
    let drawn: Vec<(usize, &UnitMeasures)> = units
        .iter()
        .filter_map(|m| at.get(m.unit.as_str()).map(|&i| (i, m)))
        .take(DRAWN)
        .collect();
    let local: std::collections::HashMap<usize, usize> = drawn
        .iter()
        .enumerate()
        .map(|(k, &(i, _))| (i, k))
        .collect();
    let edges: Vec<(usize, usize, f64)> = network
        .graph
        .edge_references()
        .filter_map(|e| {
            Some((
                *local.get(&e.source().index())?,
                *local.get(&e.target().index())?,
                *e.weight(),
            ))
        })
        .collect();
    let positions = layout(drawn.len(), &edges, w, h);
    let mut s = String::new();
    if network.units.len() > drawn.len() {
        let _ = writeln!(
            s,
            "<p class=\"note\">The {} most involved of {} units and the links among them; the table below lists every unit.</p>",
            drawn.len(),
            network.units.len()
        );
    }
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-label="co-responsibility network">"#
    );
    let max_weight = edges.iter().map(|e| e.2).fold(1.0, f64::max);
    for &(a, b, weight) in &edges {
        let (a, b) = (positions[a], positions[b]);
        let width = 0.6 + 5.0 * (weight / max_weight);
        let _ = write!(
            s,
            r##"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#8a8a8a" stroke-opacity="0.55" stroke-width="{width:.2}"/>"##,
            a.0, a.1, b.0, b.1
        );
    }
    for (k, (_, m)) in drawn.iter().enumerate() {
        let (x, y) = positions[k];
        let r = node_radius(m.items);
        let colour = PALETTE[m.community % PALETTE.len()];
        let _ = write!(
            s,
            r##"<circle cx="{x:.1}" cy="{y:.1}" r="{r:.1}" fill="{colour}" stroke="#fff" stroke-width="1.5"><title>{} — {} items</title></circle>"##,
            esc(&m.label),
            m.items,
        );
        if k < LABELLED {
            let _ = write!(
                s,
                r##"<text x="{x:.1}" y="{:.1}" font-size="14" text-anchor="middle" stroke="#fff" stroke-width="3" paint-order="stroke">{}</text>"##,
                y - r - 4.0,
                esc(&m.label)
            );
        }
    }
    s.push_str("</svg>");
    s
}

fn node_radius(items: usize) -> f64 {
    5.0 + 4.0 * (items as f64).sqrt()
}

/// Fruchterman–Reingold layout from a fixed start (a circle in unit order)
/// with a fixed number of steps: the same network always gets the same
/// picture.
fn layout(n: usize, edges: &[(usize, usize, f64)], w: f64, h: f64) -> Vec<(f64, f64)> {
    if n == 0 {
        return Vec::new();
    }
    let mut pos: Vec<(f64, f64)> = (0..n)
        .map(|i| {
            let a = std::f64::consts::TAU * i as f64 / n as f64;
            (a.cos(), a.sin())
        })
        .collect();
    let k = (4.0 / n as f64).sqrt();
    let steps = 400;
    for step in 0..steps {
        let temperature = 0.1 * (1.0 - step as f64 / steps as f64) + 0.002;
        let mut disp = vec![(0.0, 0.0); n];
        for i in 0..n {
            for j in 0..n {
                if i == j {
                    continue;
                }
                let (dx, dy) = (pos[i].0 - pos[j].0, pos[i].1 - pos[j].1);
                let d = (dx * dx + dy * dy).sqrt().max(1e-3);
                let f = k * k / d;
                disp[i].0 += dx / d * f;
                disp[i].1 += dy / d * f;
            }
            // A weak pull to the centre keeps isolates and small components near.
            disp[i].0 -= pos[i].0 * 0.05;
            disp[i].1 -= pos[i].1 * 0.05;
        }
        for &(a, b, weight) in edges {
            let (dx, dy) = (pos[a].0 - pos[b].0, pos[a].1 - pos[b].1);
            let d = (dx * dx + dy * dy).sqrt().max(1e-3);
            let f = d * d / k * weight.sqrt();
            disp[a].0 -= dx / d * f;
            disp[a].1 -= dy / d * f;
            disp[b].0 += dx / d * f;
            disp[b].1 += dy / d * f;
        }
        for i in 0..n {
            let len = (disp[i].0 * disp[i].0 + disp[i].1 * disp[i].1)
                .sqrt()
                .max(1e-9);
            let step = len.min(temperature);
            pos[i].0 += disp[i].0 / len * step;
            pos[i].1 += disp[i].1 / len * step;
        }
    }
    let (min_x, max_x) = pos
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (min_y, max_y) = pos
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
    let margin = 60.0;
    let sx = (w - 2.0 * margin) / (max_x - min_x).max(1e-9);
    let sy = (h - 2.0 * margin) / (max_y - min_y).max(1e-9);
    pos.iter()
        .map(|&(x, y)| (margin + (x - min_x) * sx, margin + (y - min_y) * sy))
        .collect()
}
