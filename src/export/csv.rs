//! CSV tables in Gephi's spreadsheet convention (`nodes.csv` with `Id,Label`,
//! `edges.csv` with `Source,Target,Type,Weight`), plus `assignments.csv` and
//! `items.csv` for Excel. UTF-8; a byte-order mark on request so that Excel
//! on Windows shows Chinese.

use super::node_id;
use crate::cached::{ITEMS, MENTIONED, TECHNOLOGY_LABELS};
use crate::network::{Network, UnitMeasures, number};
use crate::sparql::{QueryError, Sparql};
use oxigraph::model::Term;
use petgraph::visit::EdgeRef;
use std::collections::{BTreeMap, BTreeSet};

/// The tables, by file name.
pub const TABLES: &[&str] = &["nodes", "edges", "assignments", "items"];

/// UTF-8 byte-order mark.
const BOM: &str = "\u{feff}";

/// Writes a table; for Excel (`excel`: with a byte-order mark) each text
/// cell that a spreadsheet would take for a formula is guarded.
fn table(header: &[&str], rows: impl IntoIterator<Item = Vec<String>>, excel: bool) -> Vec<u8> {
    let bom = excel;
    let mut w = ::csv::Writer::from_writer(Vec::new());
    // Writing to a Vec cannot fail.
    let _ = w.write_record(header);
    for row in rows {
        if excel {
            let _ = w.write_record(row.iter().map(|cell| guard_formula(cell).into_owned()));
        } else {
            let _ = w.write_record(&row);
        }
    }
    let body = w.into_inner().unwrap_or_default();
    if bom {
        [BOM.as_bytes(), &body].concat()
    } else {
        body
    }
}

/// A cell that starts as a formula would (`=`, `+`, `-`, `@`, a tab or a
/// carriage return), and is not a number, gets a leading `'`, as OWASP
/// advises against CSV injection: a unit named `=HYPERLINK(…)` in a plan
/// stays text in Excel. Numbers (`-0.5`) are left as they are.
fn guard_formula(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && cell.trim().parse::<f64>().is_err() {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// `nodes.csv`: one row per unit with its names, kind and every measure.
#[must_use]
pub fn nodes(units: &[UnitMeasures], bom: bool) -> Vec<u8> {
    let header: Vec<&str> = ["Id", "Label"]
        .into_iter()
        .chain(UnitMeasures::FIELDS.iter().copied())
        .collect();
    let mut sorted: Vec<&UnitMeasures> = units.iter().collect();
    sorted.sort_by(|a, b| a.unit.cmp(&b.unit));
    let rows = sorted.into_iter().map(|m| {
        [node_id(&m.unit), m.label.clone()]
            .into_iter()
            .chain(m.fields())
            .collect()
    });
    table(&header, rows, bom)
}

/// The items two units share, as `document:number` strings, per edge.
#[must_use]
pub fn shared_items(network: &Network) -> BTreeMap<(usize, usize), Vec<String>> {
    let mut by_item: BTreeMap<&str, (String, BTreeSet<usize>)> = BTreeMap::new();
    for a in &network.assignments {
        let entry = by_item
            .entry(a.item.as_str())
            .or_insert_with(|| (format!("{}:{}", a.document, a.item_number), BTreeSet::new()));
        entry.1.insert(a.unit);
    }
    let mut shared: BTreeMap<(usize, usize), Vec<String>> = BTreeMap::new();
    for (name, units) in by_item.values() {
        let units: Vec<usize> = units.iter().copied().collect();
        for (i, &a) in units.iter().enumerate() {
            for &b in &units[i + 1..] {
                shared.entry((a, b)).or_default().push(name.clone());
            }
        }
    }
    shared
}

/// `edges.csv`: one row per pair of units sharing items (undirected).
#[must_use]
pub fn edges(network: &Network, bom: bool) -> Vec<u8> {
    let shared = shared_items(network);
    let mut rows: Vec<Vec<String>> = network
        .graph
        .edge_references()
        .map(|e| {
            let (a, b) = (e.source().index(), e.target().index());
            let (ia, ib) = (
                node_id(&network.units[a].iri),
                node_id(&network.units[b].iri),
            );
            let (source, target) = if ia <= ib { (ia, ib) } else { (ib, ia) };
            vec![
                source,
                target,
                "Undirected".to_owned(),
                number(*e.weight()),
                shared
                    .get(&(a.min(b), a.max(b)))
                    .map(|v| v.join(" "))
                    .unwrap_or_default(),
            ]
        })
        .collect();
    rows.sort();
    table(&["Source", "Target", "Type", "Weight", "items"], rows, bom)
}

/// `assignments.csv`: one row per (item, unit).
#[must_use]
pub fn assignments(network: &Network, bom: bool) -> Vec<u8> {
    let rows = network.assignments.iter().map(|a| {
        let u = &network.units[a.unit];
        vec![
            a.document.clone(),
            a.item_number.clone(),
            a.item_title.clone(),
            super::kind_of(a).as_str().to_owned(),
            node_id(&u.iri),
            u.label.clone(),
            a.role.as_str().to_owned(),
            a.position.to_string(),
        ]
    });
    table(
        &[
            "document",
            "item_number",
            "item_title",
            "item_kind",
            "unit",
            "unit_label",
            "role",
            "position",
        ],
        rows,
        bom,
    )
}

fn text(term: Option<&Term>) -> String {
    match term {
        Some(Term::Literal(l)) => l.value().to_owned(),
        Some(Term::NamedNode(n)) => n.as_str().to_owned(),
        _ => String::new(),
    }
}

/// `items.csv`: one row per item of every document (or of `document`), with
/// its section, kind, number of units and the technologies it names.
///
/// # Errors
///
/// Query errors.
pub fn items(
    source: &dyn Sparql,
    document: Option<&str>,
    bom: bool,
) -> Result<Vec<u8>, QueryError> {
    let mut labels: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for row in source.select("items.csv technologies", TECHNOLOGY_LABELS)? {
        labels
            .entry(text(row.get("thing")))
            .or_default()
            .insert(text(row.get("label")));
    }
    let mut technologies: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for row in source.select("items.csv mentions", MENTIONED)? {
        if let Some(names) = labels.get(&text(row.get("thing"))) {
            technologies
                .entry(text(row.get("item")))
                .or_default()
                .extend(names.iter().cloned());
        }
    }
    // In document and item order, as the query's ORDER BY says (rows kept
    // beside the store come graph by graph).
    let mut found = source.select("items.csv", ITEMS)?;
    let order = |row: &oxigraph::sparql::QuerySolution| {
        (
            text(row.get("document")),
            text(row.get("order")).parse::<i64>().unwrap_or(0),
        )
    };
    found.sort_by_cached_key(order);
    let mut rows = Vec::new();
    for row in found {
        let doc = text(row.get("document"));
        if document.is_some_and(|d| d != doc) {
            continue;
        }
        let item = text(row.get("item"));
        rows.push(vec![
            doc,
            text(row.get("order")),
            text(row.get("number")),
            text(row.get("title")),
            text(row.get("section")),
            text(row.get("kind")),
            text(row.get("units")),
            technologies
                .get(&item)
                .map(|t| t.iter().cloned().collect::<Vec<_>>().join("、"))
                .unwrap_or_default(),
        ]);
    }
    Ok(table(
        &[
            "document",
            "item_order",
            "item_number",
            "item_title",
            "section",
            "kind",
            "units",
            "technologies",
        ],
        rows,
        bom,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_guarded_for_excel_only() {
        let rows = vec![vec![
            "=HYPERLINK(\"http://example.com\")".to_owned(),
            "@SUM(A1)".to_owned(),
            "+1+2".to_owned(),
            "-0.5".to_owned(),
            "市工信局".to_owned(),
        ]];
        let excel = String::from_utf8(table(&["a", "b", "c", "d", "e"], rows.clone(), true))
            .expect("utf-8");
        assert_eq!(
            excel.trim_start_matches(BOM).lines().nth(1),
            Some("\"'=HYPERLINK(\"\"http://example.com\"\")\",'@SUM(A1),'+1+2,-0.5,市工信局")
        );
        let plain =
            String::from_utf8(table(&["a", "b", "c", "d", "e"], rows, false)).expect("utf-8");
        assert!(plain.contains("\"=HYPERLINK("), "{plain}");
    }
}
