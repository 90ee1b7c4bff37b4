//! The real plans in `tests/corpus/` parse to exactly what their hand-checked
//! gold files say: every annotated item, its number, title, units in order,
//! their roles, and the annotation's exact text.
//!
//! Gold convention (tests/corpus/README.md): a list with no lead word and no
//! stated rule puts every unit under `lead`; we read that as "responsible"
//! (jointly, no lead stated), so `responsible` counts as `lead` here.
//!
//! Every plan in the directory is checked; the test prints one line per plan
//! (items, units, unit-F1) so that a change shows where it helps or hurts.

use policykg::document::{self, Document};
use policykg::vocab::Role;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

fn corpus_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// The plan names (file stems) that have a gold file, in name order.
fn plans() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(corpus_dir())
        .expect("tests/corpus is readable")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".gold.json").map(str::to_owned)
        })
        .collect();
    names.sort();
    names
}

fn parse(name: &str) -> (Result<Document, policykg::error::ParseError>, Value) {
    let dir = corpus_dir();
    let md = std::fs::read(dir.join(format!("{name}.md"))).expect("corpus file");
    let gold = std::fs::read_to_string(dir.join(format!("{name}.gold.json"))).expect("gold file");
    let doc = document::parse(&format!("tests/corpus/{name}.md"), &md);
    (doc, serde_json::from_str(&gold).expect("gold is JSON"))
}

/// One annotated item as the gold file writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    number: String,
    title: String,
    lead: Vec<String>,
    support: Vec<String>,
    quote: String,
    /// Whether `等` stands for further unnamed units (gold: absent is false).
    etc: bool,
}

fn ours(doc: &Document) -> Vec<Row> {
    doc.items
        .iter()
        .filter_map(|item| {
            let list = item.list.as_ref()?;
            let pick = |want: Role| -> Vec<String> {
                list.assignments
                    .iter()
                    .filter(|a| {
                        a.role == want || (want == Role::Lead && a.role == Role::Responsible)
                    })
                    .map(|a| a.label.clone())
                    .collect()
            };
            Some(Row {
                number: item.number.clone(),
                title: item.title.clone(),
                lead: pick(Role::Lead),
                support: pick(Role::Support),
                quote: list.quote.exact.clone(),
                etc: list.etc,
            })
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
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    gold["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| Row {
            number: text(&i["number"]),
            title: text(&i["title"]),
            lead: strings(&i["lead"]),
            support: strings(&i["support"]),
            quote: text(&i["units_verbatim"]),
            etc: i["etc"].as_bool().unwrap_or(false),
        })
        .collect()
}

/// (item number, unit, role) triples, counted: the unit-F1 compares these.
fn assignments(rows: &[Row]) -> BTreeMap<(String, String, &'static str), usize> {
    let mut out = BTreeMap::new();
    for row in rows {
        for (units, role) in [(&row.lead, "lead"), (&row.support, "support")] {
            for unit in units {
                *out.entry((row.number.clone(), unit.clone(), role))
                    .or_insert(0) += 1;
            }
        }
    }
    out
}

/// Unit-F1 over (item number, unit, role): 1.0 when every assignment is
/// found with its role and nothing else is.
fn unit_f1(ours: &[Row], gold: &[Row]) -> f64 {
    let (o, g) = (assignments(ours), assignments(gold));
    let found: usize = o.values().sum();
    let wanted: usize = g.values().sum();
    let hit: usize = o
        .iter()
        .map(|(k, n)| (*n).min(g.get(k).copied().unwrap_or(0)))
        .sum();
    if found + wanted == 0 {
        return 1.0;
    }
    2.0 * hit as f64 / (found + wanted) as f64
}

#[test]
fn every_corpus_plan_matches_its_gold_file() {
    let names = plans();
    assert!(names.len() >= 13, "tests/corpus has {} plans", names.len());
    let mut table = String::from(
        "plan                                                          items (ours/gold)  units (ours/gold)  unit-F1  exact\n",
    );
    let mut failures = String::new();
    for name in &names {
        let (doc, g) = parse(name);
        let (ours, gold) = (doc.as_ref().map(ours).unwrap_or_default(), gold(&g));
        let units = |rows: &[Row]| {
            rows.iter()
                .map(|r| r.lead.len() + r.support.len())
                .sum::<usize>()
        };
        let mut first_difference = None;
        for (k, (o, g)) in ours.iter().zip(&gold).enumerate() {
            if o != g {
                first_difference = Some(format!(
                    "{name}: item {} (the {}th annotated item) differs from the gold file:\n  ours: {o:?}\n  gold: {g:?}",
                    g.number,
                    k + 1
                ));
                break;
            }
        }
        if first_difference.is_none() && ours.len() != gold.len() {
            first_difference = Some(format!(
                "{name}: {} annotated items, the gold file has {}",
                ours.len(),
                gold.len()
            ));
        }
        let _ = writeln!(
            table,
            "{name:<62}  {:>7}/{:<9}  {:>7}/{:<9}  {:.3}    {}",
            ours.len(),
            gold.len(),
            units(&ours),
            units(&gold),
            unit_f1(&ours, &gold),
            if first_difference.is_none() {
                "yes"
            } else {
                "no"
            }
        );
        if let Some(d) = first_difference {
            failures.push_str(&d);
            failures.push('\n');
        }
    }
    println!("{table}");
    assert!(failures.is_empty(), "{table}\n{failures}");
}

#[test]
fn every_unit_of_the_corpus_resolves_in_the_registry() {
    let registry = policykg::registry::Registry::bundled().expect("registries parse");
    for name in &plans() {
        let (doc, _) = parse(name);
        let mut doc = doc.expect("parses");
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
