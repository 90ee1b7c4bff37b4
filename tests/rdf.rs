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
