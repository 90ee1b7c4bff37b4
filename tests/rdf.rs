//! The RDF the mapper emits: every `pkg:` term it uses is declared in
//! `ontology/policykg.ttl`, and the same file always gives the same quads.

use policykg::build::{BUNDLED, BUNDLED_NAME};
use policykg::registry::Registry;
use policykg::vocab::pkg;
use policykg::{document, ontology, rdf, recognize};
use std::collections::BTreeSet;

fn documents() -> Vec<document::Document> {
    let registry = Registry::bundled().expect("registries parse");
    let mut docs = vec![document::parse(BUNDLED_NAME, BUNDLED).expect("bundled plan")];
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/corpus")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "md") && !p.ends_with("README.md"))
        .collect();
    files.sort();
    for path in files {
        let bytes = std::fs::read(&path).expect("read");
        docs.push(document::parse(&path.display().to_string(), &bytes).expect("corpus plan"));
    }
    for doc in &mut docs {
        recognize::recognize(doc, &registry);
    }
    docs
}

#[test]
fn nothing_undeclared_is_emitted() {
    let declared: BTreeSet<String> = ontology::quads()
        .expect("ontology parses")
        .into_iter()
        .filter(|q| q.predicate.as_str().ends_with("#type"))
        .map(|q| q.subject.to_string())
        .collect();
    let mut used = BTreeSet::new();
    let registry = Registry::bundled().expect("registries parse").quads;
    for doc in documents() {
        for q in rdf::quads(&doc).iter().chain(&registry) {
            for term in [q.predicate.to_string(), q.object.to_string()] {
                if term.starts_with(&format!("<{}", pkg::NS)) {
                    used.insert(term);
                }
            }
        }
    }
    assert!(used.len() > 20, "the check saw too few terms: {used:?}");
    let undeclared: Vec<_> = used.difference(&declared).collect();
    assert!(
        undeclared.is_empty(),
        "used but not declared in ontology/policykg.ttl: {undeclared:?}"
    );
}

#[test]
fn every_quad_of_a_document_is_in_its_graph() {
    // Same input, same bytes is checked across processes (each with its
    // own hash seeds) in tests/cli.rs.
    let a = rdf::quads(&document::parse(BUNDLED_NAME, BUNDLED).expect("parses"));
    assert!(a.iter().all(|q| q.graph_name.to_string()
        == format!("<{}>", rdf::graph_iri("xiamen-metaverse-2022").as_str())));
}

#[test]
fn every_span_points_at_its_quote_in_the_one_stored_text() {
    use oxigraph::model::Term;
    for doc in documents() {
        let quads = rdf::quads(&doc);
        let value = |s: &str, p: &str| -> Option<String> {
            quads
                .iter()
                .find(|q| q.subject.to_string() == s && q.predicate.as_str() == p)
                .map(|q| match &q.object {
                    Term::Literal(l) => l.value().to_owned(),
                    other => other.to_string(),
                })
        };
        let texts: Vec<&str> = quads
            .iter()
            .filter(|q| q.predicate == pkg::SOURCE_TEXT)
            .filter_map(|q| match &q.object {
                Term::Literal(l) => Some(l.value()),
                _ => None,
            })
            .collect();
        assert_eq!(texts.len(), 1, "{}: one source text", doc.id);
        let chars: Vec<char> = texts[0].chars().collect();
        let spanned: BTreeSet<String> = quads
            .iter()
            .filter(|q| q.predicate == pkg::START)
            .map(|q| q.subject.to_string())
            .collect();
        let lists = doc.items.iter().filter(|i| i.list.is_some()).count();
        let assignments: usize = doc
            .items
            .iter()
            .filter_map(|i| i.list.as_ref())
            .map(|l| l.assignments.len())
            .sum();
        assert_eq!(
            spanned.len(),
            doc.sections.len() + doc.items.len() + lists + assignments,
            "{}: one span per section, item, list and assignment",
            doc.id
        );
        for item in &doc.items {
            let iri = format!(
                "<{}/item/{}>",
                rdf::graph_iri(&doc.id)
                    .as_str()
                    .replace("/graph/", "/plan/"),
                item.order
            );
            let start: usize = value(&iri, pkg::START.as_str())
                .and_then(|v| v.parse().ok())
                .expect("start");
            let end: usize = value(&iri, pkg::END.as_str())
                .and_then(|v| v.parse().ok())
                .expect("end");
            let quote: String = chars[start..end].iter().collect();
            assert_eq!(quote, item.quote.exact, "{} {iri}", doc.id);
            assert_eq!(
                value(&iri, pkg::LINE.as_str()),
                Some(item.quote.line.to_string())
            );
        }
    }
}

/// The Web Annotation form made on demand equals, quote for quote, the
/// provenance the graph stored before it kept offsets instead:
/// `tests/expected/web-annotation.nq` holds the anchors, selectors and
/// mention nodes policykg 0.1.0 stored for the bundled plan.
#[test]
fn the_web_annotation_form_equals_the_provenance_once_stored() {
    let registry = Registry::bundled().expect("registries parse");
    let mut doc = document::parse(BUNDLED_NAME, BUNDLED).expect("parses");
    recognize::recognize(&mut doc, &registry);
    let store = oxigraph::store::Store::new().expect("store");
    for q in rdf::quads(&doc)
        .iter()
        .chain(&registry.quads)
        .chain(&ontology::quads().expect("ontology"))
    {
        store.insert(q).expect("insert");
    }
    let annotations =
        policykg::export::web_annotation::quads(&store, &registry, None).expect("annotations");
    let is_provenance = |q: &oxigraph::model::Quad| {
        let s = q.subject.to_string();
        s.contains("/anchor")
            || s.contains("/mention/")
            || q.predicate == pkg::ANCHOR
            || q.predicate == pkg::HAS_MENTION
    };
    let mut got: Vec<String> = annotations
        .iter()
        .filter(|q| is_provenance(q))
        .map(|q| format!("{q} .\n"))
        .collect();
    got.sort();
    got.dedup();
    let expected = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expected/web-annotation.nq"),
    )
    .expect("fixture");
    let expected: Vec<String> = expected.lines().map(|l| format!("{l}\n")).collect();
    assert_eq!(got.len(), expected.len(), "number of provenance quads");
    for (g, e) in got.iter().zip(&expected) {
        assert_eq!(g, e);
    }
    // And the lean graph itself states none of them.
    assert!(!rdf::quads(&doc).iter().any(is_provenance));
}

/// A document is mapped one part at a time (its head, each section, each
/// item) so a huge one never holds all its quads; no quad may come twice
/// across the parts, since a new RocksDB store records their sum as its size.
#[test]
fn a_document_comes_in_parts_that_hold_each_quad_once() {
    use std::collections::HashSet;
    // A unit no registry knows, named in two items: described in the first.
    let mut unknown = document::parse(
        "unknown-unit.md",
        "一、重点任务\n\n1. 建设平台。（责任单位：市元宇宙推进办）\n\n2. 建设中心。（责任单位：市元宇宙推进办）\n"
            .as_bytes(),
    )
    .expect("parses");
    recognize::recognize(&mut unknown, &Registry::bundled().expect("registries"));
    assert!(unknown.items.iter().all(|i| {
        i.list
            .as_ref()
            .is_some_and(|l| l.assignments[0].unit.is_none())
    }));
    // A list longer than the 1,024 assignments a part takes (`rdf.rs`),
    // naming one registry unit in its first and last part under two names:
    // three parts for one item, and its shortcuts to that unit stated once.
    let units: Vec<String> = (0..2500).map(|i| format!("市第{i}局")).collect();
    let long = format!(
        "---\ntitle: 厦门市加快发展平台的行动计划\n---\n一、重点任务\n\n1. 建设平台。（责任单位：市工信局、{}、厦门市工业和信息化局）\n",
        units.join("、")
    );
    let mut long = document::parse("long-list.md", long.as_bytes()).expect("parses");
    recognize::recognize(&mut long, &Registry::bundled().expect("registries"));
    let list = long.items[0].list.as_ref().expect("a list");
    assert_eq!(list.assignments.len(), 2502);
    assert!(list.assignments[0].unit.is_some());
    assert_eq!(list.assignments[0].unit, list.assignments[2501].unit);
    for doc in documents().into_iter().chain([unknown, long]) {
        let parts: Vec<_> = rdf::parts(&doc).collect();
        let item_parts: usize = doc
            .items
            .iter()
            .map(|i| {
                i.list
                    .as_ref()
                    .map_or(1, |l| l.assignments.len().div_ceil(1024).max(1))
            })
            .sum();
        assert_eq!(
            parts.len(),
            1 + doc.sections.len() + item_parts,
            "{}",
            doc.id
        );
        if doc.id == "long-list" {
            assert_eq!(item_parts, 3, "2,502 assignments in three parts");
        }
        let all: Vec<_> = parts.iter().flatten().collect();
        let distinct: HashSet<_> = all.iter().copied().collect();
        assert_eq!(all.len(), distinct.len(), "{}: a quad came twice", doc.id);
        // Small documents are mapped at once, large ones part by part: the
        // same quads either way.
        let at_once = rdf::quads(&doc);
        assert_eq!(at_once.iter().collect::<Vec<_>>(), all, "{}", doc.id);
    }
}

/// The answers a build keeps beside each graph, computed by matching the
/// kept queries' patterns on its quads, are the rows SPARQL gives on the
/// same quads, for every corpus plan, the bundled plan and the registries.
#[test]
fn kept_answers_are_the_rows_sparql_gives_on_each_graph() {
    use policykg::cached;
    let registry = Registry::bundled().expect("registries parse");
    let mut graphs: Vec<(String, Vec<oxigraph::model::Quad>)> = documents()
        .iter()
        .map(|d| (d.id.clone(), rdf::quads(d)))
        .collect();
    graphs.push((
        "registry and ontology".to_owned(),
        ontology::quads()
            .expect("ontology")
            .into_iter()
            .chain(registry.quads.iter().cloned())
            .collect(),
    ));
    for (name, quads) in graphs {
        let fast = cached::answers(quads.iter().cloned());
        let mut reference = cached::answers_by_sparql(quads.iter().cloned()).expect("sparql");
        for table in reference.tables.values_mut() {
            table.rows.sort();
        }
        assert_eq!(
            fast.tables.keys().collect::<Vec<_>>(),
            reference.tables.keys().collect::<Vec<_>>()
        );
        for (query, table) in &reference.tables {
            assert_eq!(&fast.tables[query], table, "{name}: {query}");
        }
        assert!(
            fast.tables.values().map(|t| t.rows.len()).sum::<usize>() > 10,
            "{name}: rows to compare"
        );
    }
}
