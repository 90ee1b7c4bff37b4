//! The most-involved-bureaus report and the whole-network figures, as an
//! aligned table, CSV, JSON, Markdown or a self-contained HTML page.

pub mod html;

use crate::network::{NetworkFigures, UnitMeasures, number};
use crate::table::Table;
use std::io::{self, Write};

/// Output formats of `report`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    /// Aligned table for the terminal.
    Table,
    /// CSV with every measure (stable column names).
    Csv,
    /// JSON with every measure and the network figures.
    Json,
    /// A Markdown table, for notes and papers.
    Markdown,
}

/// Measures a report can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SortKey {
    /// Items the unit is on.
    Items,
    /// Items where it is listed first.
    FirstListed,
    /// Items it leads.
    Led,
    /// Distinct partners.
    Degree,
    /// Shared items summed over partners.
    Strength,
    /// Unweighted betweenness.
    Betweenness,
    /// Betweenness with link length 1/weight.
    BetweennessWeighted,
    /// Closeness.
    Closeness,
    /// Eigenvector centrality.
    Eigenvector,
    /// PageRank.
    Pagerank,
    /// Clustering coefficient.
    Clustering,
    /// k-core number.
    Core,
    /// Burt's constraint (ascending: least constrained first).
    Constraint,
    /// Burt's effective size.
    EffectiveSize,
}

impl SortKey {
    fn value(self, m: &UnitMeasures) -> f64 {
        match self {
            Self::Items => m.items as f64,
            Self::FirstListed => m.first_listed as f64,
            Self::Led => m.led as f64,
            Self::Degree => m.degree as f64,
            Self::Strength => m.strength,
            Self::Betweenness => m.betweenness,
            Self::BetweennessWeighted => m.betweenness_weighted,
            Self::Closeness => m.closeness,
            Self::Eigenvector => m.eigenvector,
            Self::Pagerank => m.pagerank,
            Self::Clustering => m.clustering,
            Self::Core => m.core as f64,
            // Less constrained units are the brokers: rank them first.
            Self::Constraint => -m.constraint.unwrap_or(f64::INFINITY),
            Self::EffectiveSize => m.effective_size.unwrap_or(f64::NEG_INFINITY),
        }
    }
}

/// Sorts units by `key` (descending), then by items, strength and label, so
/// the order is total and stable.
pub fn rank(units: &mut [UnitMeasures], key: SortKey) {
    units.sort_by(|a, b| {
        key.value(b)
            .total_cmp(&key.value(a))
            .then(b.items.cmp(&a.items))
            .then(b.strength.total_cmp(&a.strength))
            .then(a.label.cmp(&b.label))
            .then(a.unit.cmp(&b.unit))
    });
}

/// CSV columns, in order; also the JSON field names: rank, IRI, the name
/// as written, then [`UnitMeasures::FIELDS`].
#[must_use]
pub fn csv_columns() -> Vec<&'static str> {
    ["rank", "unit", "label"]
        .into_iter()
        .chain(UnitMeasures::FIELDS.iter().copied())
        .collect()
}

fn opt(v: Option<&String>) -> String {
    v.cloned().unwrap_or_default()
}

/// Writes the ranked units in `format`.
///
/// # Errors
///
/// Write errors.
pub fn write(
    units: &[UnitMeasures],
    figures: &NetworkFigures,
    format: ReportFormat,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        ReportFormat::Table | ReportFormat::Markdown => {
            let header = [
                "rank",
                "unit",
                "full name",
                "english",
                "kind",
                "items",
                "first",
                "led",
                "partners",
                "strength",
                "betweenness",
                "eigenvector",
                "community",
            ];
            let rows = units.iter().enumerate().map(|(i, m)| {
                vec![
                    (i + 1).to_string(),
                    m.label.clone(),
                    opt(m.name_zh.as_ref()),
                    opt(m.name_en.as_ref()),
                    opt(m.kind.as_ref()),
                    m.items.to_string(),
                    m.first_listed.to_string(),
                    m.led.to_string(),
                    m.degree.to_string(),
                    number(m.strength),
                    format!("{:.3}", m.betweenness),
                    format!("{:.3}", m.eigenvector),
                    m.community.to_string(),
                ]
            });
            if format == ReportFormat::Table {
                let mut table = Table::new(header.iter().map(|h| (*h).to_owned()).collect());
                for row in rows {
                    table.push(row);
                }
                table.write(out)
            } else {
                writeln!(out, "| {} |", header.join(" | "))?;
                writeln!(out, "|{}", "---|".repeat(header.len()))?;
                for row in rows {
                    let cells: Vec<String> = row.iter().map(|c| c.replace('|', "\\|")).collect();
                    writeln!(out, "| {} |", cells.join(" | "))?;
                }
                Ok(())
            }
        }
        ReportFormat::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(csv_columns())?;
            for (i, m) in units.iter().enumerate() {
                let fixed = [(i + 1).to_string(), m.unit.clone(), m.label.clone()];
                w.write_record(fixed.into_iter().chain(m.fields()))?;
            }
            w.flush()
        }
        ReportFormat::Json => {
            #[derive(serde::Serialize)]
            struct Ranked<'a> {
                rank: usize,
                #[serde(flatten)]
                measures: &'a UnitMeasures,
            }
            #[derive(serde::Serialize)]
            struct Report<'a> {
                network: &'a NetworkFigures,
                units: Vec<Ranked<'a>>,
            }
            let report = Report {
                network: figures,
                units: units
                    .iter()
                    .enumerate()
                    .map(|(i, m)| Ranked {
                        rank: i + 1,
                        measures: m,
                    })
                    .collect(),
            };
            serde_json::to_writer_pretty(&mut *out, &report)?;
            writeln!(out)
        }
    }
}

/// Writes the whole-network figures and the communities as text.
///
/// # Errors
///
/// Write errors.
pub fn write_figures(f: &NetworkFigures, out: &mut dyn Write) -> io::Result<()> {
    let mut table = Table::new(vec!["measure".into(), "value".into()]);
    let rows: [(&str, String); 9] = [
        ("units (nodes)", f.nodes.to_string()),
        ("links (edges)", f.edges.to_string()),
        ("items", f.items.to_string()),
        ("density", format!("{:.4}", f.density)),
        ("components", f.components.to_string()),
        ("average clustering", format!("{:.4}", f.average_clustering)),
        (
            "degree centralisation",
            format!("{:.4}", f.degree_centralization),
        ),
        (
            "core (highest k-core)",
            format!("k = {}: {}", f.max_core, f.core.join("、")),
        ),
        ("modularity", format!("{:.4}", f.modularity)),
    ];
    for (k, v) in rows {
        table.push(vec![k.to_owned(), v]);
    }
    table.write(out)?;
    writeln!(out)?;
    let mut table = Table::new(vec!["community".into(), "size".into(), "units".into()]);
    for (i, c) in f.communities.iter().enumerate() {
        table.push(vec![i.to_string(), c.len().to_string(), c.join("、")]);
    }
    table.write(out)
}
