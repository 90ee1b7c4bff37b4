//! The co-responsibility network, built from the store by SPARQL.
//!
//! Analysis never reads the parser's structs: a store built yesterday, from
//! ten documents, or loaded from RDF made elsewhere gives the same answers.
//! Units are linked when they share an item; the weight of a link is the
//! number of items they share.

pub mod algo;
mod measures;

pub use measures::{NetworkFigures, UnitMeasures, measure, number};

use crate::endpoint::Sparql;
use crate::query::QueryError;
use oxigraph::model::Term;
use oxigraph::store::Store;
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
    /// `lead`, `support` or `responsible`.
    pub role: String,
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

const ASSIGNMENTS: &str = r##"
PREFIX pkg: <https://w3id.org/policykg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?document ?jurisdiction ?item ?order ?number ?title ?kind ?unit ?label ?position ?role
WHERE {
  ?doc pkg:reports ?plan ; dcterms:identifier ?document .
  OPTIONAL { ?plan pkg:jurisdiction/skos:prefLabel ?j BIND(STR(?j) AS ?jurisdiction) }
  ?item pkg:inPlan ?plan ; a ?kind ; pkg:order ?order ; pkg:number ?number ; dcterms:title ?t ;
        pkg:hasAssignment ?a .
  VALUES ?kind { pkg:KeyTask pkg:Safeguard }
  ?a pkg:unit ?unit ; pkg:unitLabel ?l ; pkg:position ?position ; pkg:role ?r .
  BIND(STR(?t) AS ?title) BIND(STR(?l) AS ?label) BIND(LCASE(STRAFTER(STR(?r), "#")) AS ?role)
}
ORDER BY ?document ?order ?position
"##;

const UNITS: &str = r##"
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?unit (MIN(?zh) AS ?name_zh) (MIN(?en) AS ?name_en) (MIN(?k) AS ?kind)
WHERE {
  ?unit a org:Organization .
  OPTIONAL { ?unit skos:prefLabel ?z FILTER(LANGMATCHES(LANG(?z), "zh")) BIND(STR(?z) AS ?zh) }
  OPTIONAL { ?unit skos:prefLabel ?e FILTER(LANGMATCHES(LANG(?e), "en")) BIND(STR(?e) AS ?en) }
  OPTIONAL { ?unit org:classification ?c BIND(STRAFTER(STR(?c), "#") AS ?k) }
}
GROUP BY ?unit
"##;

fn text(term: Option<&Term>) -> String {
    match term {
        Some(Term::Literal(l)) => l.value().to_owned(),
        Some(Term::NamedNode(n)) => n.as_str().to_owned(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

impl Network {
    /// Reads the assignments from the store and builds the network.
    ///
    /// # Errors
    ///
    /// Query errors.
    pub fn from_store(store: &Store, options: &Options) -> Result<Self, QueryError> {
        Self::from_sparql(store, options)
    }

    /// Reads the assignments from a store or a remote endpoint and builds
    /// the network.
    ///
    /// # Errors
    ///
    /// Query errors.
    pub fn from_sparql(source: &dyn Sparql, options: &Options) -> Result<Self, QueryError> {
        // What the store says about each unit (label filled in below).
        let mut info: BTreeMap<String, Unit> = BTreeMap::new();
        for row in source.select("network units", UNITS)? {
            let opt = |name: &str| Some(text(row.get(name))).filter(|s| !s.is_empty());
            let iri = text(row.get("unit"));
            let unit = Unit {
                iri: iri.clone(),
                label: String::new(),
                name_zh: opt("name_zh"),
                name_en: opt("name_en"),
                kind: opt("kind"),
            };
            info.insert(iri, unit);
        }
        let mut raw = Vec::new();
        let mut labels: BTreeMap<String, String> = BTreeMap::new();
        for row in source.select("network assignments", ASSIGNMENTS)? {
            let document = text(row.get("document"));
            if options.document.as_ref().is_some_and(|d| *d != document) {
                continue;
            }
            if options
                .jurisdiction
                .as_ref()
                .is_some_and(|j| *j != text(row.get("jurisdiction")))
            {
                continue;
            }
            let key_task = text(row.get("kind")).ends_with("#KeyTask");
            if options.key_tasks_only && !key_task {
                continue;
            }
            let unit = text(row.get("unit"));
            let label = text(row.get("label"));
            labels
                .entry(unit.clone())
                .and_modify(|l| {
                    if label < *l {
                        l.clone_from(&label);
                    }
                })
                .or_insert(label);
            raw.push((document, row, key_task, unit));
        }
        let mut units: Vec<Unit> = labels
            .into_iter()
            .map(|(iri, label)| {
                let known = info.remove(&iri);
                Unit {
                    label,
                    name_zh: known.as_ref().and_then(|k| k.name_zh.clone()),
                    name_en: known.as_ref().and_then(|k| k.name_en.clone()),
                    kind: known.and_then(|k| k.kind),
                    iri,
                }
            })
            .collect();
        if options.without_collectives {
            units.retain(|u| !u.is_collective());
        }
        let index: BTreeMap<&str, usize> = units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.iri.as_str(), i))
            .collect();
        let mut assignments = Vec::new();
        for (document, row, key_task, unit) in &raw {
            let Some(&unit) = index.get(unit.as_str()) else {
                continue;
            };
            assignments.push(Assignment {
                document: document.clone(),
                item: text(row.get("item")),
                item_number: text(row.get("number")),
                item_title: text(row.get("title")),
                key_task: *key_task,
                unit,
                position: text(row.get("position")).parse().unwrap_or(0),
                role: text(row.get("role")),
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
