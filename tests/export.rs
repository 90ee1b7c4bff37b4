//! Exports of the bundled plan: exact bytes pinned by snapshots, and the
//! command-line contract (bad paths fail first, `--out -`, formats from
//! extensions). `.ci/export_check.py` opens every file with networkx,
//! igraph and rdflib on each CI run.

mod common;

use common::Sandbox;
use std::sync::LazyLock;

static BUNDLED: LazyLock<Sandbox> = LazyLock::new(|| {
    let sb = Sandbox::new();
    sb.run(&["build"]).ok();
    sb
});

fn export_stdout(args: &[&str]) -> String {
    let mut all = vec!["export"];
    all.extend(args);
    all.extend(["--out", "-"]);
    BUNDLED.run(&all).ok().stdout
}

#[test]
fn csv_tables_are_stable() {
    for table in ["nodes", "edges", "assignments", "items"] {
        let text = export_stdout(&["csv", "--table", table]);
        insta::assert_snapshot!(format!("csv_{table}"), text);
    }
}

#[test]
fn graphml_is_stable() {
    insta::assert_snapshot!("graphml_co_responsibility", export_stdout(&["graphml"]));
    insta::assert_snapshot!(
        "graphml_two_mode",
        export_stdout(&["graphml", "--network", "two-mode"])
    );
}

#[test]
fn graphml_declares_keys_per_domain_with_standard_types_only() {
    let text = export_stdout(&["graphml", "--yed"]);
    assert!(!text.contains("for=\"all\""));
    assert!(!text.contains("attr.name=\"id\""));
    for ty in text
        .split("attr.type=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap_or(""))
    {
        assert!(
            ["boolean", "int", "long", "float", "double", "string"].contains(&ty),
            "{ty}"
        );
    }
    assert_eq!(text.matches("<y:NodeLabel>").count(), 20);
    assert!(
        text.contains("<node id=\"unit/厦门市/工业和信息化局\">"),
        "readable node ids"
    );
}

#[test]
fn csv_tables_have_a_row_per_unit_link_assignment_and_item() {
    // 20 units, 66 links, 61 assignments, 16 items (issue #2's counts).
    let rows = |table: &str| export_stdout(&["csv", "--table", table]).lines().count() - 1;
    assert_eq!(
        (
            rows("nodes"),
            rows("edges"),
            rows("assignments"),
            rows("items")
        ),
        (20, 66, 61, 16)
    );
    let excel = export_stdout(&["csv", "--table", "nodes", "--excel"]);
    assert!(excel.starts_with('\u{feff}'), "BOM for Excel");
}

#[test]
fn rdf_dumps_are_deterministic_and_follow_the_extension() {
    let sb = &*BUNDLED;
    let a = sb.dir.path().join("a.nq");
    let b = sb.dir.path().join("b.nq");
    sb.run(&["export", "rdf", "--out", a.to_str().expect("utf-8")])
        .ok();
    sb.run(&["export", "rdf", "--out", b.to_str().expect("utf-8")])
        .ok();
    let (a, b) = (
        std::fs::read_to_string(a).expect("a"),
        std::fs::read_to_string(b).expect("b"),
    );
    assert_eq!(a, b);
    // The dump is CSV, where the stored source text spans lines.
    let (_, quads) = common::read_csv(&sb.dump());
    assert_eq!(a.lines().count(), quads.len(), "one line per quad");
    let ttl = sb.dir.path().join("one.ttl");
    sb.run(&[
        "export",
        "rdf",
        "--document",
        "xiamen-metaverse-2022",
        "--out",
        ttl.to_str().expect("utf-8"),
    ])
    .ok();
    let text = std::fs::read_to_string(ttl).expect("ttl");
    assert!(text.starts_with("@prefix"), "{}", &text[..100]);
    assert!(
        !text.contains("graph/registry"),
        "only the document's graph"
    );
    let run = sb.run(&["export", "rdf", "--out", "x.unknown"]).fails();
    assert!(
        run.stderr
            .contains("cannot tell the RDF syntax from `.unknown`"),
        "{}",
        run.stderr
    );
    let run = sb
        .run(&[
            "export",
            "rdf",
            "--document",
            "nope",
            "--out",
            "-",
            "--format",
            "nt",
        ])
        .fails();
    assert!(
        run.stderr.contains("--document nope: no such document"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_bad_output_path_fails_before_any_work() {
    let sb = Sandbox::new();
    let run = sb
        .run(&["export", "graphml", "--out", "no/such/dir/net.graphml"])
        .fails();
    assert!(
        run.stderr
            .contains("the directory no/such/dir does not exist"),
        "{}",
        run.stderr
    );
    assert!(
        !sb.store().exists(),
        "no store was built for a failed export"
    );
    let run = sb.run(&["export", "csv", "--out", "-"]).fails();
    assert!(run.stderr.contains("give --table"), "{}", run.stderr);
}

#[test]
fn an_existing_file_is_replaced() {
    let sb = &*BUNDLED;
    let path = sb.file("net.dot", b"old contents");
    sb.run(&["export", "dot", "--out", path.to_str().expect("utf-8")])
        .ok();
    let text = std::fs::read_to_string(path).expect("dot");
    assert!(text.starts_with("graph co_responsibility {") && text.ends_with("}\n"));
    assert_eq!(text.matches(" -- ").count(), 66);
}
