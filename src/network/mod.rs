//! The co-responsibility network, built from the store by SPARQL.
//!
//! Analysis never reads the parser's structs: a store built yesterday, from
//! ten documents, or loaded from RDF made elsewhere gives the same answers.
//! Units are linked when they share an item; the weight of a link is the
//! number of items they share.

pub mod algo;
mod measures;

pub use measures::{NetworkFigures, UnitMeasures, measure, number};

use crate::sparql::{QueryError, Sparql};
use crate::vocab::{ItemKind, Role};
use oxigraph::model::Term;
use petgraph::graph::{NodeIndex, UnGraph};
use std::collections::{BTreeMap, BTreeSet};

/// Which assignments make up the network.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Count key tasks only, not safeguard measures.
    pub key_tasks_only: bool,
    /// Leave out collective actors (各区政府, 各有关单位 …).
    pub without_collectives: bool,
    /// Only this document (its id, e.g. `xiamen-metaverse-2022`).
    pub document: Option<String>,
    /// Only documents of this jurisdiction (e.g. `厦门市`).
    pub jurisdiction: Option<String>,
}

/// A unit as the store describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// Its IRI.
    pub iri: String,
    /// The name as written in the lists (the first in Unicode order if it
    /// was written in several ways).
    pub label: String,
    /// Full Chinese name, when a registry knows it.
    pub name_zh: Option<String>,
    /// English name, when a registry knows it.
    pub name_en: Option<String>,
    /// Kind (`GovernmentDepartment`, `Collective` …), when known.
    pub kind: Option<String>,
}

impl Unit {
    /// Whether the unit stands for a group of bodies (各区政府).
    #[must_use]
    pub fn is_collective(&self) -> bool {
        self.kind.as_deref() == Some("Collective")
    }
}

/// One assignment row read from the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// Document id.
    pub document: String,
    /// Item IRI.
    pub item: String,
    /// Item number as written.
    pub item_number: String,
    /// Item title.
    pub item_title: String,
    /// Whether the item is a key task (else a safeguard).
    pub key_task: bool,
    /// Index of the unit in [`Network::units`].
    pub unit: usize,
    /// 1-based position in the list.
    pub position: u32,
    /// The unit's role.
    pub role: Role,
}

/// The network and the assignments it was built from.
#[derive(Debug, Clone)]
pub struct Network {
    /// Units, sorted by IRI; node `i` of [`Network::graph`] is unit `i`.
    pub units: Vec<Unit>,
    /// The assignments kept by the options, in document and item order.
    pub assignments: Vec<Assignment>,
    /// One-mode co-responsibility graph; edge weight = shared items.
    pub graph: UnGraph<usize, f64>,
}

// The five queries are in [`crate::cached`]: a build keeps their answers
// beside the store, so that a network is built without loading it.
use crate::cached::{ASSIGNMENTS, JURISDICTIONS, PLANS, UNIT_KINDS, UNIT_NAMES};

/// Whether a language tag matches `range` as SPARQL's `LANGMATCHES` does.
fn lang_matches(tag: &str, range: &str) -> bool {
    tag.eq_ignore_ascii_case(range)
        || (tag.len() > range.len()
            && tag.as_bytes()[range.len()] == b'-'
            && tag[..range.len()].eq_ignore_ascii_case(range))
}

/// Keeps the least value seen, so that a unit named in several ways gets
/// one name whatever order the store returns them in.
fn keep_least(slot: &mut Option<String>, value: &str) {
    if slot.as_deref().is_none_or(|v| value < v) {
        *slot = Some(value.to_owned());
    }
}

fn text(term: Option<&Term>) -> String {
    match term {
        Some(Term::Literal(l)) => l.value().to_owned(),
        Some(Term::NamedNode(n)) => n.as_str().to_owned(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

/// The values of `column` for each `?plan` of a SELECT.
/// Gives units that share a label (市财政局 of three cities) their scope,
/// the jurisdiction (or document) their IRI was minted in:
/// `市财政局（厦门市）`. Labels used once stay as written.
fn disambiguate(units: &mut [Unit]) {
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for unit in units.iter() {
        *count.entry(unit.label.clone()).or_default() += 1;
    }
    for unit in units.iter_mut() {
        if count.get(&unit.label).copied().unwrap_or(0) < 2 {
            continue;
        }
        let scope = unit
            .iri
            .split("/unit/")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .map(|s| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            });
        if let Some(scope) = scope {
            unit.label = format!("{}（{scope}）", unit.label);
        }
    }
}

/// A `--document` or `--jurisdiction` that names nothing in the store is a
/// mistake (a typo), not an empty network: an error naming what there is.
fn check_selection(
    options: &Options,
    documents: &BTreeMap<String, Vec<String>>,
    jurisdictions: &BTreeMap<String, Vec<String>>,
) -> Result<(), QueryError> {
    let named = |known: &BTreeMap<String, Vec<String>>| -> BTreeSet<String> {
        known.values().flatten().cloned().collect()
    };
    let listed = |names: &BTreeSet<String>| {
        let mut shown: Vec<&str> = names.iter().map(String::as_str).take(8).collect();
        if names.len() > 8 {
            shown.push("…");
        }
        shown.join(", ")
    };
    if let Some(document) = &options.document {
        let documents = named(documents);
        if !documents.contains(document) {
            return Err(QueryError::Params(format!(
                "--document {document}: no such document in the store (it has {}; `policykg list` shows them)",
                listed(&documents)
            )));
        }
    }
    if let Some(place) = &options.jurisdiction {
        let places = named(jurisdictions);
        if !places.contains(place) {
            return Err(QueryError::Params(format!(
                "--jurisdiction {place}: no plan of that jurisdiction in the store (it has {})",
                listed(&places)
            )));
        }
    }
    Ok(())
}

fn by_plan(
    source: &dyn Sparql,
    origin: &str,
    sparql: &str,
    column: &str,
) -> Result<BTreeMap<String, Vec<String>>, QueryError> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in source.rows(origin, sparql)? {
        let row = row?;
        out.entry(text(row.get("plan")))
            .or_default()
            .push(text(row.get(column)));
    }
    Ok(out)
}

impl Network {
    /// Reads the assignments from a store or a remote endpoint and builds
    /// the network.
    ///
    /// # Errors
    ///
    /// Query errors.
    pub fn from_sparql(source: &dyn Sparql, options: &Options) -> Result<Self, QueryError> {
        // What the store says about each unit (label filled in below).
        let mut info: BTreeMap<String, Unit> = BTreeMap::new();
        let blank = |iri: &str| Unit {
            iri: iri.to_owned(),
            label: String::new(),
            name_zh: None,
            name_en: None,
            kind: None,
        };
        for row in source.select("network unit names", UNIT_NAMES)? {
            let Some(Term::Literal(name)) = row.get("name") else {
                continue;
            };
            let iri = text(row.get("unit"));
            let unit = info.entry(iri.clone()).or_insert_with(|| blank(&iri));
            let lang = name.language().unwrap_or("");
            if lang_matches(lang, "zh") {
                keep_least(&mut unit.name_zh, name.value());
            }
            if lang_matches(lang, "en") {
                keep_least(&mut unit.name_en, name.value());
            }
        }
        for row in source.select("network unit kinds", UNIT_KINDS)? {
            let iri = text(row.get("unit"));
            let unit = info.entry(iri.clone()).or_insert_with(|| blank(&iri));
            let kind = text(row.get("kind"));
            keep_least(&mut unit.kind, kind.split_once('#').map_or("", |(_, k)| k));
        }
        for unit in info.values_mut() {
            for slot in [&mut unit.name_zh, &mut unit.name_en, &mut unit.kind] {
                if slot.as_deref() == Some("") {
                    *slot = None;
                }
            }
        }
        // Each plan's documents and jurisdictions (usually one of each).
        let documents = by_plan(source, "network plans", PLANS, "document")?;
        let jurisdictions = by_plan(
            source,
            "network jurisdictions",
            JURISDICTIONS,
            "jurisdiction",
        )?;
        check_selection(options, &documents, &jurisdictions)?;
        let unknown = vec![String::new()];
        let mut raw = Vec::new();
        // Rows are taken as they come: at 10,000 plans they are some 600,000.
        for row in source.rows("network assignments", ASSIGNMENTS)? {
            let row = row?;
            let key_task = ItemKind::from_iri(&text(row.get("kind"))) == Some(ItemKind::KeyTask);
            if options.key_tasks_only && !key_task {
                continue;
            }
            let plan = text(row.get("plan"));
            // An item of a plan no document reports is not counted.
            let Some(docs) = documents.get(&plan) else {
                continue;
            };
            let places = jurisdictions.get(&plan).unwrap_or(&unknown);
            // Every assignment policykg writes has one of its roles.
            let Some(role) = Role::from_iri(&text(row.get("role"))) else {
                continue;
            };
            for document in docs {
                if options.document.as_ref().is_some_and(|d| d != document) {
                    continue;
                }
                for place in places {
                    if options.jurisdiction.as_ref().is_some_and(|j| j != place) {
                        continue;
                    }
                    raw.push(Row {
                        document: document.clone(),
                        order: text(row.get("order")).parse().unwrap_or(0),
                        position: text(row.get("position")).parse().unwrap_or(0),
                        item: text(row.get("item")),
                        unit: text(row.get("unit")),
                        label: text(row.get("label")),
                        role,
                        key_task,
                        number: text(row.get("number")),
                        title: text(row.get("title")),
                        jurisdiction: place.clone(),
                    });
                }
            }
        }
        // Document, item and list order; the other fields make the order
        // total, and equal rows (an item read twice) count once.
        raw.sort_unstable();
        raw.dedup();
        let mut labels: BTreeMap<&str, &str> = BTreeMap::new();
        for row in &raw {
            labels
                .entry(row.unit.as_str())
                .and_modify(|l| *l = (*l).min(row.label.as_str()))
                .or_insert(row.label.as_str());
        }
        let mut units: Vec<Unit> = labels
            .into_iter()
            .map(|(iri, label)| {
                let known = info.remove(iri);
                Unit {
                    label: label.to_owned(),
                    name_zh: known.as_ref().and_then(|k| k.name_zh.clone()),
                    name_en: known.as_ref().and_then(|k| k.name_en.clone()),
                    kind: known.and_then(|k| k.kind),
                    iri: iri.to_owned(),
                }
            })
            .collect();
        if options.without_collectives {
            units.retain(|u| !u.is_collective());
        }
        disambiguate(&mut units);
        let index: BTreeMap<&str, usize> = units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.iri.as_str(), i))
            .collect();
        let mut assignments = Vec::with_capacity(raw.len());
        // Moved, not copied: the rows are not needed again.
        for row in raw {
            let Some(&unit) = index.get(row.unit.as_str()) else {
                continue;
            };
            assignments.push(Assignment {
                document: row.document,
                item: row.item,
                item_number: row.number,
                item_title: row.title,
                key_task: row.key_task,
                unit,
                position: row.position,
                role: row.role,
            });
        }
        let graph = co_responsibility(units.len(), &assignments);
        Ok(Self {
            units,
            assignments,
            graph,
        })
    }

    /// The items of each unit (item IRIs), by unit index.
    #[must_use]
    pub fn items_of(&self) -> Vec<BTreeSet<&str>> {
        let mut items = vec![BTreeSet::new(); self.units.len()];
        for a in &self.assignments {
            items[a.unit].insert(a.item.as_str());
        }
        items
    }
}

/// One assignment as read from the store, joined with its plan's document
/// and jurisdiction; ordered by document, item order and list position.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Row {
    document: String,
    order: i64,
    position: u32,
    item: String,
    unit: String,
    label: String,
    role: Role,
    key_task: bool,
    number: String,
    title: String,
    jurisdiction: String,
}

/// Links units that share an item; weight = number of shared items.
fn co_responsibility(n: usize, assignments: &[Assignment]) -> UnGraph<usize, f64> {
    let mut by_item: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
    for a in assignments {
        by_item.entry(a.item.as_str()).or_default().insert(a.unit);
    }
    let mut weights: BTreeMap<(usize, usize), f64> = BTreeMap::new();
    for units in by_item.values() {
        let units: Vec<usize> = units.iter().copied().collect();
        for (i, &a) in units.iter().enumerate() {
            for &b in &units[i + 1..] {
                *weights.entry((a, b)).or_insert(0.0) += 1.0;
            }
        }
    }
    let mut graph = UnGraph::with_capacity(n, weights.len());
    for i in 0..n {
        graph.add_node(i);
    }
    for ((a, b), w) in weights {
        graph.add_edge(NodeIndex::new(a), NodeIndex::new(b), w);
    }
    graph
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_ranges_match_as_in_sparql() {
        assert!(lang_matches("zh", "zh"));
        assert!(lang_matches("ZH-Hans", "zh"));
        assert!(!lang_matches("zhx", "zh"));
        assert!(!lang_matches("", "zh"));
        assert!(!lang_matches("en", "zh"));
    }

    #[test]
    fn the_least_name_wins_whatever_the_order() {
        let mut slot = None;
        for name in ["市工信局", "市工业和信息化局", "工信局"] {
            keep_least(&mut slot, name);
        }
        assert_eq!(slot.as_deref(), Some("工信局"));
    }
}
