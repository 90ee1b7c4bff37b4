//! The catalogue of bad and odd inputs in `tests/bad-input/`: each file has
//! a `.expected` file beside it with the exact outcome, either the error
//! message (`error: …`) or what was read from odd but real input
//! (`ok: N items, M assignments, K warnings`). Huge inputs are generated
//! here rather than committed; their speed and memory are measured by
//! `benches/bad_input.sh`, not asserted.

use policykg::document::{self, Document};
use std::path::Path;

fn outcome(name: &str, bytes: &[u8]) -> String {
    match document::parse(name, bytes) {
        Ok(doc) => summary(&doc),
        Err(e) => format!("error: {e}"),
    }
}

fn summary(doc: &Document) -> String {
    let assignments: usize = doc
        .items
        .iter()
        .filter_map(|i| i.list.as_ref())
        .map(|l| l.assignments.len())
        .sum();
    let units: Vec<String> = doc
        .items
        .iter()
        .filter_map(|i| i.list.as_ref())
        .flat_map(|l| &l.assignments)
        .map(|a| format!("{}/{}", a.label, a.role.as_str()))
        .collect();
    let units = if units.is_empty() {
        String::new()
    } else {
        format!(": {}", units.join(" "))
    };
    format!(
        "ok: {} items, {assignments} assignments, {} warnings{units}",
        doc.items.len(),
        doc.warnings.len()
    )
}

#[test]
fn every_catalogued_input_gives_its_expected_outcome() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad-input");
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/bad-input")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e != "expected"))
        .collect();
    inputs.sort();
    assert!(inputs.len() >= 15, "the catalogue lost files");
    let mut failures = Vec::new();
    for input in inputs {
        let name = input
            .file_name()
            .and_then(|n| n.to_str())
            .expect("utf-8 name")
            .to_owned();
        let got = outcome(&name, &std::fs::read(&input).expect("read"));
        let expected_path = input.with_file_name(format!("{name}.expected"));
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if got != expected.trim_end() {
            failures.push(format!(
                "{name}\n  expected: {}\n  got:      {got}",
                expected.trim_end()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_plan_of_100000_items_parses() {
    // Numbers run past three digits, so items are numbered 1–999 again in
    // each block of a thousand (as a long plan's sections restart them).
    let mut text = String::from("一、重点任务\n\n");
    for i in 0..100_000 {
        text.push_str(&format!(
            "{}. 任务。推进工作。（责任单位：市工信局、市科技局）\n",
            i % 999 + 1
        ));
    }
    let doc = document::parse("big.md", text.as_bytes()).expect("parses");
    assert_eq!(doc.items.len(), 100_000);
    assert!(
        doc.items
            .iter()
            .all(|i| i.list.as_ref().is_some_and(|l| l.assignments.len() == 2))
    );
}

#[test]
fn a_file_of_50_megabytes_parses() {
    // The bundled plan's body repeated to 50 MB: every repeat restarts its
    // numbering; all 15 lists of each copy are read.
    let plan = std::str::from_utf8(policykg::build::BUNDLED).expect("utf-8");
    let body = &plan[plan.find("一、总体要求").expect("body")..];
    let copies = 50 * 1024 * 1024 / body.len() + 1;
    let text = body.repeat(copies);
    let doc = document::parse("huge.md", text.as_bytes()).expect("parses");
    let lists = doc.items.iter().filter(|i| i.list.is_some()).count();
    assert_eq!(lists, 15 * copies);
}

#[test]
fn a_unit_name_of_10000_characters_is_kept_whole() {
    let name = format!("市{}局", "很".repeat(9_998));
    let text = format!("一、重点任务\n\n1. 任务。推进。（责任单位：{name}、市科技局）\n");
    let doc = document::parse("long.md", text.as_bytes()).expect("parses");
    let list = doc.items[0].list.as_ref().expect("list");
    assert_eq!(list.assignments[0].label.chars().count(), 10_000);
    assert_eq!(list.assignments[1].label, "市科技局");
    let quads = policykg::rdf::quads(&doc);
    assert!(quads.iter().any(|q| q.object.to_string().contains(&name)));
}
