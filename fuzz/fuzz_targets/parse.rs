//! The whole parser on arbitrary bytes: source → outline → responsibility
//! lists → recognition → RDF. It may reject input with an error; it must
//! never panic or hang.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static REGISTRY: LazyLock<policykg::registry::Registry> =
    LazyLock::new(|| policykg::registry::Registry::bundled().expect("bundled registries parse"));

fuzz_target!(|data: &[u8]| {
    if let Ok(mut doc) = policykg::document::parse("fuzz.md", data) {
        let _ = policykg::recognize::recognize(&mut doc, &REGISTRY);
        let _ = policykg::rdf::quads(&doc);
    }
});
