//! The queries whose answers a build keeps beside the store, and how they
//! are computed: by SPARQL, on each graph alone.
//!
//! The report, the network, the CSV and GraphML exports and the one-line
//! summary read the store only through these queries. Each joins nothing
//! across graphs (a document's items, assignments, places and minted units
//! are in its own graph; the registry's units and technologies in the
//! registry's), so the rows a query gives on the union of all graphs are the
//! rows it gives on each graph, together. A build evaluates them on each
//! graph it writes (a small in-memory store holding only that graph) and
//! the store keeps the rows; a reader asking one of these exact query texts
//! gets the kept rows without loading the store. A test checks that the
//! kept path and the SPARQL path give byte-identical reports on the corpus.

use crate::sparql::{QueryError, Sparql, Summary};
use crate::store::answers::{Answers, Cell, Table};
use crate::vocab::{dcterms, org, pkg, rdf, skos};
use oxigraph::model::{Literal, NamedNodeRef, NamedOrBlankNode, Quad, Term};
use oxigraph::sparql::{QueryResults, QuerySolution, SparqlEvaluator};
use oxigraph::store::Store;
use std::collections::{HashMap, HashSet};

// The network comes from five plain SELECTs joined in Rust rather than one
// query with an OPTIONAL, string functions and ORDER BY: on a store of
// 1,000 plans the single query took some 40 s (a left join per row and a
// sort that re-evaluates its keys), these take about a second. Plain
// triple patterns also keep the queries cheap on a remote endpoint.
// DISTINCT matters: the default graph is the union of one graph per
// document, so a unit or place described in every document comes back
// once per document without it, and joining two of its descriptions
// gives the square of that (a million rows at 1,000 plans): units are
// made distinct before their names and kinds are joined.

/// Every assignment with its item and role.
pub const ASSIGNMENTS: &str = r##"
PREFIX pkg: <https://w3id.org/policykg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?plan ?item ?order ?number ?title ?kind ?unit ?label ?position ?role
WHERE {
  ?item pkg:inPlan ?plan ; a ?kind ; pkg:order ?order ; pkg:number ?number ; dcterms:title ?title ;
        pkg:hasAssignment ?a .
  VALUES ?kind { pkg:KeyTask pkg:Safeguard }
  ?a pkg:unit ?unit ; pkg:unitLabel ?label ; pkg:position ?position ; pkg:role ?role .
}
"##;

/// Each plan's documents.
pub const PLANS: &str = r##"
PREFIX pkg: <https://w3id.org/policykg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?plan ?document WHERE { ?doc pkg:reports ?plan ; dcterms:identifier ?document . }
"##;

/// Each plan's jurisdictions.
pub const JURISDICTIONS: &str = r##"
PREFIX pkg: <https://w3id.org/policykg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?plan ?jurisdiction
WHERE { ?doc pkg:reports ?plan . ?plan pkg:jurisdiction ?j . ?j skos:prefLabel ?jurisdiction . }
"##;

/// The names of units.
pub const UNIT_NAMES: &str = r##"
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?unit ?name
WHERE { { SELECT DISTINCT ?unit WHERE { ?unit a org:Organization } } ?unit skos:prefLabel ?name . }
"##;

/// The kinds of units.
pub const UNIT_KINDS: &str = r##"
PREFIX org: <http://www.w3.org/ns/org#>
SELECT DISTINCT ?unit ?kind
WHERE { { SELECT DISTINCT ?unit WHERE { ?unit a org:Organization } } ?unit org:classification ?kind . }
"##;

/// Every item with its section, kind and number of units (`items.csv`).
pub const ITEMS: &str = r##"
PREFIX pkg: <https://w3id.org/policykg/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?document ?item ?order ?number ?title ?section ?kind (COUNT(DISTINCT ?a) AS ?units)
WHERE {
  ?doc pkg:reports ?plan ; dcterms:identifier ?document .
  ?item pkg:inPlan ?plan ; a ?class ; pkg:order ?order ; pkg:number ?number ; dcterms:title ?t .
  VALUES (?class ?kind) { (pkg:KeyTask "key-task") (pkg:Safeguard "safeguard") }
  OPTIONAL { ?item dcterms:isPartOf ?s . ?s a pkg:Section ; pkg:number ?sn ; dcterms:title ?st . }
  OPTIONAL { ?item pkg:hasAssignment ?a }
  BIND(STR(?t) AS ?title)
  BIND(IF(BOUND(?sn), CONCAT(?sn, " ", STR(?st)), "") AS ?section)
}
GROUP BY ?document ?item ?order ?number ?title ?section ?kind
ORDER BY ?document ?order
"##;

/// What each item or heading names.
pub const MENTIONED: &str = r##"
PREFIX pkg: <https://w3id.org/policykg/ontology#>
SELECT DISTINCT ?item ?thing WHERE { ?item pkg:mentions ?thing }
"##;

/// The Chinese labels of technologies.
pub const TECHNOLOGY_LABELS: &str = r##"
PREFIX pkg: <https://w3id.org/policykg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?thing ?label
WHERE {
  ?thing a pkg:Technology ; skos:prefLabel ?l .
  FILTER(LANGMATCHES(LANG(?l), "zh"))
  BIND(STR(?l) AS ?label)
}
"##;

/// The counts of the one-line summary, per graph (summed).
const COUNTS: &str = crate::sparql::SUMMARY_COUNTS;

/// The units a graph's assignments name (a unit may be named in several).
const UNITS_NAMED: &str = "PREFIX pkg: <https://w3id.org/policykg/ontology#>
SELECT DISTINCT ?unit WHERE { ?assignment pkg:unit ?unit }";

/// The queries whose rows on all graphs are the rows on each, together:
/// a reader may be answered from what is kept.
pub const KEPT: &[&str] = &[
    ASSIGNMENTS,
    PLANS,
    JURISDICTIONS,
    UNIT_NAMES,
    UNIT_KINDS,
    ITEMS,
    MENTIONED,
    TECHNOLOGY_LABELS,
];

/// The summary's parts, kept under their own names (their rows are per
/// graph, never the answer of the query over all graphs).
const SUMMARY_COUNTS: &str = "summary counts";
const SUMMARY_UNITS: &str = "summary units";

/// The answers of every kept query on the quads of one graph (or of the
/// registry and ontology graphs together), by SPARQL on a store of these
/// quads alone: the definition [`answers`] is checked against.
///
/// # Errors
///
/// Storage or evaluation errors.
pub fn answers_by_sparql(quads: impl IntoIterator<Item = Quad>) -> Result<Answers, QueryError> {
    // A new small store for each graph (an in-memory store keeps what was
    // removed from it as history, so one store emptied and reused grows
    // slower with each graph), and the queries parsed once.
    let store = Store::new().map_err(evaluation("kept answers"))?;
    let mut loader = store.bulk_loader();
    loader
        .load_quads(quads)
        .map_err(evaluation("kept answers"))?;
    loader.commit().map_err(evaluation("kept answers"))?;
    let mut out = Answers::default();
    for (key, query) in prepared()? {
        out.tables
            .insert(key.clone(), table(&store, query.clone())?);
    }
    Ok(out)
}

/// The kept queries, parsed once: (key, query).
fn prepared() -> Result<&'static [(String, oxigraph::sparql::PreparedSparqlQuery)], QueryError> {
    static PREPARED: std::sync::LazyLock<
        Result<Vec<(String, oxigraph::sparql::PreparedSparqlQuery)>, String>,
    > = std::sync::LazyLock::new(|| {
        KEPT.iter()
            .map(|&q| (q.to_owned(), q))
            .chain([
                (SUMMARY_COUNTS.to_owned(), COUNTS),
                (SUMMARY_UNITS.to_owned(), UNITS_NAMED),
            ])
            .map(|(key, text)| {
                let mut prepared = SparqlEvaluator::new()
                    .parse_query(text)
                    .map_err(|e| format!("{key}: {e}"))?;
                prepared.dataset_mut().set_default_graph_as_union();
                Ok((key, prepared))
            })
            .collect()
    });
    PREPARED
        .as_ref()
        .map(Vec::as_slice)
        .map_err(|e| QueryError::Evaluation {
            origin: "kept queries".to_owned(),
            cause: e.clone().into(),
        })
}

fn evaluation<E: std::error::Error + Send + Sync + 'static>(
    origin: &str,
) -> impl FnOnce(E) -> QueryError + '_ {
    move |e| QueryError::Evaluation {
        origin: origin.to_owned(),
        cause: e.into(),
    }
}

/// The rows of `query` on `store` (its default graph the union of its
/// graphs, as for every read).
fn table(
    store: &Store,
    prepared: oxigraph::sparql::PreparedSparqlQuery,
) -> Result<Table, QueryError> {
    let QueryResults::Solutions(solutions) = prepared
        .on_store(store)
        .execute()
        .map_err(evaluation("kept query"))?
    else {
        return Ok(Table::default());
    };
    let variables: Vec<String> = solutions
        .variables()
        .iter()
        .map(|v| v.as_str().to_owned())
        .collect();
    let mut rows = Vec::new();
    for solution in solutions {
        let solution = solution.map_err(evaluation("kept query"))?;
        rows.push(
            solution
                .values()
                .iter()
                .map(|t| t.as_ref().map(Cell::of))
                .collect(),
        );
    }
    Ok(Table { variables, rows })
}

/// The answers of every kept query on the quads of one graph (or of the
/// registry and ontology graphs together): the rows [`answers_by_sparql`]
/// gives, in another order, computed by matching the queries' patterns on
/// the quads directly (a build does this for every document; the SPARQL
/// way took four times as long as parsing). A test compares the two on
/// every corpus plan.
#[must_use]
pub fn answers(quads: impl IntoIterator<Item = Quad>) -> Answers {
    let quads: Vec<Quad> = quads.into_iter().collect();
    let graph = Graph::new(&quads);
    let mut out = Answers::default();
    // Rows sorted, so that the same graph keeps the same bytes.
    let mut put = |key: &str, variables: &[&str], rows: Vec<Vec<Option<Term>>>| {
        let mut rows: Vec<Vec<Option<Cell>>> = rows
            .into_iter()
            .map(|row| row.iter().map(|t| t.as_ref().map(Cell::of)).collect())
            .collect();
        rows.sort_unstable();
        out.tables.insert(
            key.to_owned(),
            Table {
                variables: variables.iter().map(|v| (*v).to_owned()).collect(),
                rows,
            },
        );
    };
    put(
        ASSIGNMENTS,
        &[
            "plan", "item", "order", "number", "title", "kind", "unit", "label", "position", "role",
        ],
        graph.assignments(),
    );
    put(PLANS, &["plan", "document"], graph.plans());
    put(
        JURISDICTIONS,
        &["plan", "jurisdiction"],
        graph.jurisdictions(),
    );
    put(
        UNIT_NAMES,
        &["unit", "name"],
        graph.units_with(skos::PREF_LABEL),
    );
    put(
        UNIT_KINDS,
        &["unit", "kind"],
        graph.units_with(org::CLASSIFICATION),
    );
    put(
        ITEMS,
        &[
            "document", "item", "order", "number", "title", "section", "kind", "units",
        ],
        graph.items(),
    );
    put(MENTIONED, &["item", "thing"], graph.mentioned());
    put(
        TECHNOLOGY_LABELS,
        &["thing", "label"],
        graph.technology_labels(),
    );
    put(
        SUMMARY_COUNTS,
        &["documents", "items", "assignments", "units"],
        graph.counts(),
    );
    put(SUMMARY_UNITS, &["unit"], graph.units_named());
    out
}

/// One graph's triples, indexed by subject and by predicate (borrowed from
/// its quads), for matching the kept queries. A graph is a set: a triple
/// stated twice is matched once.
struct Graph<'a> {
    subjects: HashMap<&'a str, Vec<(&'a str, &'a Term)>>,
    predicates: HashMap<&'a str, Vec<(&'a NamedOrBlankNode, &'a Term)>>,
}

fn subject_key(s: &NamedOrBlankNode) -> &str {
    match s {
        NamedOrBlankNode::NamedNode(n) => n.as_str(),
        NamedOrBlankNode::BlankNode(b) => b.as_str(),
    }
}

/// The key of an object that may be a subject (a literal never is).
fn object_key(term: &Term) -> Option<&str> {
    match term {
        Term::NamedNode(n) => Some(n.as_str()),
        Term::BlankNode(b) => Some(b.as_str()),
        _ => None,
    }
}

/// A table's rows of cells, as kept beside the store.
type Cells = Vec<Vec<Option<Term>>>;

impl<'a> Graph<'a> {
    fn new(quads: &'a [Quad]) -> Self {
        let mut subjects: HashMap<&str, Vec<(&str, &Term)>> = HashMap::new();
        let mut predicates: HashMap<&str, Vec<(&NamedOrBlankNode, &Term)>> = HashMap::new();
        let mut seen: HashSet<(&str, &str, &Term)> = HashSet::with_capacity(quads.len());
        for q in quads {
            let subject = subject_key(&q.subject);
            if !seen.insert((subject, q.predicate.as_str(), &q.object)) {
                continue;
            }
            subjects
                .entry(subject)
                .or_default()
                .push((q.predicate.as_str(), &q.object));
            predicates
                .entry(q.predicate.as_str())
                .or_default()
                .push((&q.subject, &q.object));
        }
        Self {
            subjects,
            predicates,
        }
    }

    /// The objects of `subject`'s `predicate`.
    fn objects(&self, subject: &str, predicate: NamedNodeRef<'_>) -> Vec<&'a Term> {
        self.subjects
            .get(subject)
            .into_iter()
            .flatten()
            .filter(|(p, _)| *p == predicate.as_str())
            .map(|(_, o)| *o)
            .collect()
    }

    /// The objects of a term's `predicate` (none for a literal).
    fn objects_of(&self, term: &Term, predicate: NamedNodeRef<'_>) -> Vec<&'a Term> {
        object_key(term).map_or_else(Vec::new, |k| self.objects(k, predicate))
    }

    fn has(&self, subject: &str, predicate: NamedNodeRef<'_>, object: NamedNodeRef<'_>) -> bool {
        self.subjects.get(subject).is_some_and(|pos| {
            pos.iter().any(|(p, o)| {
                *p == predicate.as_str()
                    && matches!(o, Term::NamedNode(n) if n.as_str() == object.as_str())
            })
        })
    }

    /// (subject, object) of every triple with `predicate`.
    fn with(&self, predicate: NamedNodeRef<'_>) -> &[(&'a NamedOrBlankNode, &'a Term)] {
        self.predicates
            .get(predicate.as_str())
            .map_or(&[][..], Vec::as_slice)
    }

    /// Subjects typed `class`.
    fn typed(&self, class: NamedNodeRef<'_>) -> Vec<&'a NamedOrBlankNode> {
        self.with(rdf::TYPE)
            .iter()
            .filter(|(_, o)| matches!(o, Term::NamedNode(n) if n.as_str() == class.as_str()))
            .map(|(s, _)| *s)
            .collect()
    }

    fn assignments(&self) -> Cells {
        let mut rows = Vec::new();
        for &(item, plan) in self.with(pkg::IN_PLAN) {
            let i = subject_key(item);
            for kind in self.objects(i, rdf::TYPE).into_iter().filter(|k| {
                matches!(k, Term::NamedNode(n) if n.as_ref() == pkg::KEY_TASK || n.as_ref() == pkg::SAFEGUARD)
            }) {
                for order in self.objects(i, pkg::ORDER) {
                    for number in self.objects(i, pkg::NUMBER) {
                        for title in self.objects(i, dcterms::TITLE) {
                            for a in self.objects(i, pkg::HAS_ASSIGNMENT) {
                                for unit in self.objects_of(a, pkg::UNIT) {
                                    for label in self.objects_of(a, pkg::UNIT_LABEL) {
                                        for position in self.objects_of(a, pkg::POSITION) {
                                            for role in self.objects_of(a, pkg::ROLE_PROP) {
                                                let item: Term = item.clone().into();
                                                rows.push(
                                                    [
                                                        plan, &item, order, number, title, kind,
                                                        unit, label, position, role,
                                                    ]
                                                    .map(|t| Some(t.clone()))
                                                    .to_vec(),
                                                );
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        rows
    }

    fn plans(&self) -> Cells {
        let mut rows = Vec::new();
        for &(doc, plan) in self.with(pkg::REPORTS) {
            for id in self.objects(subject_key(doc), dcterms::IDENTIFIER) {
                rows.push(vec![Some(plan.clone()), Some(id.clone())]);
            }
        }
        rows
    }

    fn jurisdictions(&self) -> Cells {
        let mut rows = HashSet::new();
        for &(_, plan) in self.with(pkg::REPORTS) {
            for j in self.objects_of(plan, pkg::JURISDICTION_PROP) {
                for label in self.objects_of(j, skos::PREF_LABEL) {
                    rows.insert((plan, label));
                }
            }
        }
        rows.into_iter()
            .map(|(a, b)| vec![Some(a.clone()), Some(b.clone())])
            .collect()
    }

    /// Distinct (unit, object of `predicate`) for every organisation.
    fn units_with(&self, predicate: NamedNodeRef<'_>) -> Cells {
        let mut rows = HashSet::new();
        for unit in self.typed(org::ORGANIZATION) {
            for o in self.objects(subject_key(unit), predicate) {
                rows.insert((unit, o));
            }
        }
        rows.into_iter()
            .map(|(a, b)| vec![Some(a.clone().into()), Some(b.clone())])
            .collect()
    }

    fn items(&self) -> Cells {
        let kinds = [(pkg::KEY_TASK, "key-task"), (pkg::SAFEGUARD, "safeguard")];
        // Grouped by every selected value but the count, as the query does.
        let mut groups: HashMap<Vec<Term>, HashSet<&Term>> = HashMap::new();
        for &(doc, plan) in self.with(pkg::REPORTS) {
            for document in self.objects(subject_key(doc), dcterms::IDENTIFIER) {
                for &(item, _) in self.with(pkg::IN_PLAN).iter().filter(|(_, p)| *p == plan) {
                    let i = subject_key(item);
                    for &(class, kind) in &kinds {
                        if !self.has(i, rdf::TYPE, class) {
                            continue;
                        }
                        let mut sections: Vec<String> = Vec::new();
                        for s in self.objects(i, dcterms::IS_PART_OF) {
                            let Some(sk) = object_key(s) else { continue };
                            if !self.has(sk, rdf::TYPE, pkg::SECTION) {
                                continue;
                            }
                            for sn in self.objects(sk, pkg::NUMBER) {
                                for st in self.objects(sk, dcterms::TITLE) {
                                    sections.push(format!("{} {}", lexical(sn), lexical(st)));
                                }
                            }
                        }
                        if sections.is_empty() {
                            sections.push(String::new());
                        }
                        let assignments: Vec<&Term> = self.objects(i, pkg::HAS_ASSIGNMENT);
                        for order in self.objects(i, pkg::ORDER) {
                            for number in self.objects(i, pkg::NUMBER) {
                                for t in self.objects(i, dcterms::TITLE) {
                                    for section in &sections {
                                        let key = vec![
                                            document.clone(),
                                            item.clone().into(),
                                            order.clone(),
                                            number.clone(),
                                            Literal::new_simple_literal(lexical(t)).into(),
                                            Literal::new_simple_literal(section.as_str()).into(),
                                            Literal::new_simple_literal(kind).into(),
                                        ];
                                        groups
                                            .entry(key)
                                            .or_default()
                                            .extend(assignments.iter().copied());
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        groups
            .into_iter()
            .map(|(key, assignments)| {
                let mut row: Vec<Option<Term>> = key.into_iter().map(Some).collect();
                row.push(Some(Literal::from(assignments.len() as i64).into()));
                row
            })
            .collect()
    }

    fn mentioned(&self) -> Cells {
        let rows: HashSet<(&NamedOrBlankNode, &Term)> =
            self.with(pkg::MENTIONS).iter().copied().collect();
        rows.into_iter()
            .map(|(a, b)| vec![Some(a.clone().into()), Some(b.clone())])
            .collect()
    }

    fn technology_labels(&self) -> Cells {
        let mut rows = HashSet::new();
        for thing in self.typed(pkg::TECHNOLOGY) {
            for label in self.objects(subject_key(thing), skos::PREF_LABEL) {
                if let Term::Literal(l) = label
                    && l.language().is_some_and(|lang| {
                        lang.eq_ignore_ascii_case("zh")
                            || (lang.len() > 2
                                && lang.as_bytes()[2] == b'-'
                                && lang[..2].eq_ignore_ascii_case("zh"))
                    })
                {
                    rows.insert((thing, l.value()));
                }
            }
        }
        rows.into_iter()
            .map(|(a, b)| {
                vec![
                    Some(a.clone().into()),
                    Some(Literal::new_simple_literal(b).into()),
                ]
            })
            .collect()
    }

    fn counts(&self) -> Cells {
        let distinct = |it: Vec<&str>| it.into_iter().collect::<HashSet<_>>().len();
        let documents = distinct(
            self.typed(pkg::SOURCE_DOCUMENT)
                .into_iter()
                .map(subject_key)
                .collect(),
        );
        let items = distinct(
            self.with(pkg::IN_PLAN)
                .iter()
                .map(|(s, _)| subject_key(s))
                .collect(),
        );
        let assignments = distinct(
            self.with(pkg::UNIT)
                .iter()
                .map(|(s, _)| subject_key(s))
                .collect(),
        );
        let units = self
            .with(pkg::UNIT)
            .iter()
            .map(|(_, o)| *o)
            .collect::<HashSet<_>>()
            .len();
        vec![
            [documents, items, assignments, units]
                .map(|n| Some(Literal::from(n as i64).into()))
                .to_vec(),
        ]
    }

    fn units_named(&self) -> Cells {
        let units: HashSet<&Term> = self.with(pkg::UNIT).iter().map(|(_, o)| *o).collect();
        units.into_iter().map(|u| vec![Some(u.clone())]).collect()
    }
}

/// A term's lexical form, as SPARQL's STR gives it.
fn lexical(term: &Term) -> String {
    match term {
        Term::Literal(l) => l.value().to_owned(),
        Term::NamedNode(n) => n.as_str().to_owned(),
        other => other.to_string(),
    }
}

/// The summary from the kept counts of every graph, when they are kept.
///
/// # Errors
///
/// A damaged answers file.
pub fn summary(
    store: &crate::store::StoreDir,
) -> Result<Option<Summary>, crate::store::StoreError> {
    let (Some(counts), Some(units)) = (
        store.kept_answers(SUMMARY_COUNTS)?,
        store.kept_answers(SUMMARY_UNITS)?,
    ) else {
        return Ok(None);
    };
    let column = |name: &str| counts.variables.iter().position(|v| v == name);
    let sum = |name: &str| -> u64 {
        let Some(k) = column(name) else { return 0 };
        counts
            .rows
            .iter()
            .filter_map(|row| row.get(k).cloned().flatten())
            .filter_map(|term| match term {
                Term::Literal(l) => l.value().parse::<u64>().ok(),
                _ => None,
            })
            .sum()
    };
    let distinct: HashSet<&Option<Term>> =
        units.rows.iter().filter_map(|row| row.first()).collect();
    Ok(Some(Summary {
        documents: sum("documents"),
        items: sum("items"),
        assignments: sum("assignments"),
        units: distinct.len() as u64,
        triples: store.triple_count() as u64,
    }))
}

impl Sparql for crate::store::StoreDir {
    /// The answers kept beside the store when the query is one of
    /// [`crate::cached::KEPT`] (the store is then never loaded), else the
    /// store's.
    fn rows(&self, origin: &str, sparql: &str) -> Result<crate::sparql::Rows<'_>, QueryError> {
        let storage = |e: crate::store::StoreError| QueryError::Evaluation {
            origin: origin.to_owned(),
            cause: e.into(),
        };
        if crate::cached::KEPT.contains(&sparql)
            && let Some(table) = self.kept_answers(sparql).map_err(storage)?
        {
            let variables: std::sync::Arc<[oxigraph::sparql::Variable]> = table
                .variables
                .iter()
                .map(|v| oxigraph::sparql::Variable::new_unchecked(v.as_str()))
                .collect();
            return Ok(Box::new(table.rows.into_iter().map(move |values| {
                Ok(QuerySolution::from((variables.clone(), values)))
            })));
        }
        self.store().map_err(storage)?.rows(origin, sparql)
    }

    /// As recorded at the last write.
    fn triples(&self) -> Result<u64, QueryError> {
        Ok(u64::try_from(self.triple_count()).unwrap_or(u64::MAX))
    }

    fn kept_summary(&self) -> Result<Option<Summary>, QueryError> {
        crate::cached::summary(self).map_err(|e| QueryError::Evaluation {
            origin: "summary".to_owned(),
            cause: e.into(),
        })
    }
}
