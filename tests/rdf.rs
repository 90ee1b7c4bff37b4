//! The RDF the mapper emits: every `pkg:` term it uses is declared in
//! `ontology/policykg.ttl`, and the same file always gives the same quads.

use policykg::commands::build::{BUNDLED, BUNDLED_NAME};
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
fn the_same_document_gives_the_same_quads() {
    let a = rdf::quads(&document::parse(BUNDLED_NAME, BUNDLED).expect("parses"));
    let b = rdf::quads(&document::parse(BUNDLED_NAME, BUNDLED).expect("parses"));
    assert_eq!(a, b);
    assert!(a.iter().all(|q| q.graph_name.to_string()
        == format!("<{}>", rdf::graph_iri("xiamen-metaverse-2022").as_str())));
}

#[test]
fn every_anchor_and_mention_has_a_source_and_one_quote_and_position_selector() {
    use policykg::vocab::{oa, rdf as rdf_vocab};
    let doc = document::parse(BUNDLED_NAME, BUNDLED).expect("parses");
    let quads = rdf::quads(&doc);
    let objects = |s: &str, p: &str| -> Vec<String> {
        quads
            .iter()
            .filter(|q| q.subject.to_string() == s && q.predicate.as_str() == p)
            .map(|q| q.object.to_string())
            .collect()
    };
    let spans: Vec<String> = quads
        .iter()
        .filter(|q| {
            q.predicate == pkg::ANCHOR
                || (q.predicate == rdf_vocab::TYPE
                    && q.object.to_string() == pkg::MENTION.to_string())
        })
        .map(|q| {
            if q.predicate == pkg::ANCHOR {
                q.object.to_string()
            } else {
                q.subject.to_string()
            }
        })
        .collect();
    assert!(spans.len() > 100, "too few spans: {}", spans.len());
    for span in &spans {
        assert_eq!(objects(span, oa::HAS_SOURCE.as_str()).len(), 1, "{span}");
        let selectors = objects(span, oa::HAS_SELECTOR.as_str());
        assert_eq!(selectors.len(), 1, "{span}");
        let types = objects(&selectors[0], rdf_vocab::TYPE.as_str());
        assert!(
            types.contains(&oa::TEXT_QUOTE_SELECTOR.to_string()),
            "{span}"
        );
        assert!(
            types.contains(&oa::TEXT_POSITION_SELECTOR.to_string()),
            "{span}"
        );
        for p in [oa::EXACT, oa::START, oa::END] {
            assert_eq!(objects(&selectors[0], p.as_str()).len(), 1, "{span} {p}");
        }
    }
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
