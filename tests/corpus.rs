//! The real plans in `tests/corpus/` parse to exactly what their hand-checked
//! gold files say: every annotated item, its number, title, units and roles.
//!
//! Gold convention (tests/corpus/README.md): a plain list with no label and no
//! stated lead rule puts every unit under `lead`; we read that as
//! "responsible" (jointly, no lead stated).

use policykg::annotate::Role;
use policykg::document::{self, Document};
use serde_json::Value;
use std::path::Path;

fn parse(name: &str) -> (Document, Value) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let md = std::fs::read(dir.join(format!("{name}.md"))).expect("corpus file");
    let gold = std::fs::read_to_string(dir.join(format!("{name}.gold.json"))).expect("gold file");
    let doc = document::parse(&format!("tests/corpus/{name}.md"), &md).expect("parses");
    (doc, serde_json::from_str(&gold).expect("gold is JSON"))
}

/// (number, title, lead, support) as the gold file writes them.
type Row = (String, String, Vec<String>, Vec<String>);

fn ours(doc: &Document) -> Vec<Row> {
    let has_rule_or_labels = |roles: &[Role]| roles.iter().any(|r| *r != Role::Responsible);
    doc.items
        .iter()
        .filter_map(|item| {
            let list = item.list.as_ref()?;
            let roles: Vec<Role> = list.assignments.iter().map(|a| a.role).collect();
            let pick = |want: Role| -> Vec<String> {
                list.assignments
                    .iter()
                    .filter(|a| {
                        a.role == want || (want == Role::Lead && a.role == Role::Responsible)
                    })
                    .map(|a| a.label.clone())
                    .collect()
            };
            let _ = has_rule_or_labels(&roles);
            Some((
                item.number.clone(),
                item.title.clone(),
                pick(Role::Lead),
                pick(Role::Support),
            ))
        })
        .collect()
}

fn gold(gold: &Value) -> Vec<Row> {
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    gold["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            (
                i["number"].as_str().unwrap_or_default().to_owned(),
                i["title"].as_str().unwrap_or_default().to_owned(),
                strings(&i["lead"]),
                strings(&i["support"]),
            )
        })
        .collect()
}

fn check(name: &str) {
    let (doc, g) = parse(name);
    let ours = ours(&doc);
    let gold = gold(&g);
    for (o, g) in ours.iter().zip(&gold) {
        assert_eq!(o, g, "{name}: item {} differs from the gold file", g.0);
    }
    assert_eq!(ours.len(), gold.len(), "{name}: number of annotated items");
    // Each annotation quote is the gold's units_verbatim, byte for byte.
    let quotes: Vec<&str> = doc
        .items
        .iter()
        .filter_map(|i| i.list.as_ref().map(|l| l.quote.exact.as_str()))
        .collect();
    let verbatim: Vec<&str> = g["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["units_verbatim"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(quotes, verbatim, "{name}: annotation quotes");
}

#[test]
fn shanghai_medical_devices_matches_gold() {
    check("02-shanghai-medical-devices-2025");
}

#[test]
fn shanghai_basic_research_matches_gold() {
    check("04-shanghai-basic-research-2025");
}

#[test]
fn guangzhou_talent_cluster_matches_gold() {
    check("06-guangzhou-talent-cluster-2012");
}

#[test]
fn kunming_guandu_growth_measures_matches_gold() {
    check("07-kunming-guandu-growth-measures-2016");
}

#[test]
fn state_council_bonded_zones_matches_gold() {
    check("08-state-council-comprehensive-bonded-zones-2019");
}

#[test]
fn every_unit_of_the_corpus_resolves_in_the_registry() {
    let registry = policykg::registry::Registry::bundled().expect("registries parse");
    for name in [
        "02-shanghai-medical-devices-2025",
        "04-shanghai-basic-research-2025",
        "06-guangzhou-talent-cluster-2012",
        "07-kunming-guandu-growth-measures-2016",
        "08-state-council-comprehensive-bonded-zones-2019",
    ] {
        let (mut doc, _) = parse(name);
        let warnings = policykg::recognize::recognize(&mut doc, &registry);
        assert!(warnings.is_empty(), "{name}: {warnings:?}");
        let unresolved: Vec<&str> = doc
            .items
            .iter()
            .filter_map(|i| i.list.as_ref())
            .flat_map(|l| &l.assignments)
            .filter(|a| a.unit.is_none())
            .map(|a| a.label.as_str())
            .collect();
        assert!(unresolved.is_empty(), "{name}: {unresolved:?}");
        assert!(
            doc.issuer_units.iter().all(Option::is_some),
            "{name}: issuers {:?}",
            doc.issuers
        );
    }
}
