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
