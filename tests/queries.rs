//! Data-driven tests of the named queries, as oxigraph's testsuite does it:
//! each `queries/NAME.rq` has an expected result on the bundled plan in
//! `tests/expected/NAME.csv` (SPARQL CSV results).
//!
//! The expected files were produced by policykg and checked by hand against
//! the plan's text (data/plans/xiamen-metaverse-2022.md): the spot checks
//! below restate the figures that were counted by hand.

mod common;

use common::{Sandbox, repo_file};
use policykg::query::NAMED;
use std::sync::LazyLock;

/// One store with the bundled plan, shared by the tests of this file.
static BUNDLED: LazyLock<Sandbox> = LazyLock::new(|| {
    let sb = Sandbox::new();
    sb.run(&["build"]).ok();
    sb
});

/// Parameters for the queries that take some.
fn params(name: &str) -> Vec<&'static str> {
    match name {
        "tasks-of-unit" => vec!["--param", "unit=市工信局"],
        "units-by-technology" => vec!["--param", "technology=NFT"],
        _ => vec![],
    }
}

fn csv_of(name: &str) -> String {
    let mut args = vec!["query", "--format", "csv", "--name", name];
    args.extend(params(name));
    BUNDLED.run(&args).ok().stdout.replace("\r\n", "\n")
}

#[test]
fn every_named_query_gives_its_expected_result_on_the_bundled_plan() {
    for q in NAMED {
        // The one CONSTRUCT, web-annotation, is checked against the
        // provenance the graph once stored (tests/rdf.rs).
        if q.name == "web-annotation" {
            continue;
        }
        let expected =
            std::fs::read_to_string(repo_file(&format!("tests/expected/{}.csv", q.name)))
                .unwrap_or_else(|e| panic!("tests/expected/{}.csv: {e}", q.name));
        assert_eq!(
            csv_of(q.name),
            expected.replace("\r\n", "\n"),
            "queries/{}.rq",
            q.name
        );
    }
}

#[test]
fn every_query_file_is_a_named_query_with_a_question() {
    let mut files: Vec<String> = std::fs::read_dir(repo_file("queries"))
        .expect("queries/")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".rq").map(str::to_owned)
        })
        .collect();
    files.sort();
    let named: Vec<&str> = NAMED.iter().map(|q| q.name).collect();
    assert_eq!(files, named);
    for q in NAMED {
        assert!(
            !q.question().is_empty(),
            "queries/{}.rq has no `# Question:` header",
            q.name
        );
    }
}

fn rows(name: &str) -> Vec<Vec<String>> {
    let text = csv_of(name);
    csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("csv row").iter().map(str::to_owned).collect())
        .collect()
}

#[test]
fn assignments_has_the_columns_analysts_rely_on_and_61_rows() {
    let text = csv_of("assignments");
    let header = text.lines().next().expect("header");
    assert!(
        header.starts_with(
            "document,item_order,item_kind,item_number,item_title,unit,unit_label,position,role"
        ),
        "{header}"
    );
    let rows = rows("assignments");
    assert_eq!(rows.len(), 61);
    // Task 4 is written `\4.` in the source; the number is 4.
    assert!(rows.iter().any(|r| r[3] == "4" && r[4] == "通用性平台建设"));
    // No stated lead rule in the Xiamen plan: every role is "responsible".
    assert!(rows.iter().all(|r| r[8] == "responsible"));
}

#[test]
fn bureaus_by_involvement_ranks_the_industry_bureau_first_with_15_items() {
    let rows = rows("bureaus-by-involvement");
    assert_eq!(rows.len(), 20);
    // 市工信局 is on items 1–15 except none: all 15 annotated items; it is
    // listed first on 11 (all but tasks 1, 2, 9 and 11).
    assert_eq!(rows[0][1..], ["市工信局", "15", "11", "0"]);
    // 市科技局 and 市发改委: items 1, 2, 3, 5, 6, 8 and safeguard (二).
    assert_eq!(rows[1][1..3], ["市科技局", "7"]);
    assert_eq!(rows[2][1..3], ["市发改委", "7"]);
}

#[test]
fn outline_has_10_sections_12_key_tasks_and_4_safeguards() {
    let rows = rows("outline");
    let count = |kind: &str| rows.iter().filter(|r| r[1] == kind).count();
    assert_eq!(
        (count("section"), count("key-task"), count("safeguard")),
        (10, 12, 4)
    );
    // The 4th safeguard has no responsibility list.
    assert_eq!(
        rows.last().expect("rows")[2..],
        ["（四）", "健全治理体系", "三 保障措施", "0"]
    );
}

#[test]
fn a_parameter_is_bound_as_a_value_not_pasted_into_the_query() {
    let hostile = "x\" } UNION { ?s ?p ?o } #";
    let run = BUNDLED
        .run(&[
            "query",
            "--format",
            "csv",
            "--name",
            "tasks-of-unit",
            "--param",
            &format!("unit={hostile}"),
        ])
        .ok();
    assert_eq!(
        run.stdout.lines().count(),
        1,
        "only the header: {}",
        run.stdout
    );
}

#[test]
fn units_lists_all_twenty_with_full_names_and_kinds_and_none_unresolved() {
    let (header, rows) = common::read_csv(&csv_of("units"));
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    };
    assert_eq!(rows.len(), 20);
    for row in &rows {
        assert!(
            !row[col("name_zh")].is_empty() && !row[col("name_en")].is_empty(),
            "{row:?}"
        );
        assert!(!row[col("kind")].is_empty(), "{row:?}");
        assert_eq!(&row[col("resolved")], "true", "{row:?}");
    }
    let miit = rows
        .iter()
        .find(|r| &r[col("unit_label")] == "市工信局")
        .expect("市工信局");
    assert_eq!(&miit[col("name_zh")], "厦门市工业和信息化局");
    assert_eq!(&miit[col("kind")], "GovernmentDepartment");
    let kind_of = |label: &str| {
        rows.iter()
            .find(|r| &r[col("unit_label")] == label)
            .map(|r| r[col("kind")].to_owned())
    };
    assert_eq!(kind_of("市委组织部").as_deref(), Some("PartyOrgan"));
    assert_eq!(kind_of("市工商联").as_deref(), Some("PeoplesOrganisation"));
    assert_eq!(kind_of("火炬管委会").as_deref(), Some("ZoneCommittee"));
    assert_eq!(kind_of("各区政府").as_deref(), Some("Collective"));
    assert_eq!(rows_of("unresolved"), 0);
}

fn rows_of(name: &str) -> usize {
    csv_of(name).lines().count() - 1
}

#[test]
fn nft_work_falls_to_the_industry_bureau_first() {
    // Items naming NFT (by any label): tasks 1, 4 (NFT数字资产), 6 and
    // safeguard (二); 市工信局 is on all four.
    let rows = rows("units-by-technology");
    assert_eq!(rows[0][2..], ["市工信局", "4"]);
}

/// Two plans of one place naming the same units that no registry knows:
/// each unit is described again in each document's graph.
const TWO_PLANS_OF_ONE_PLACE: &str = "---
title: \"贵阳市印发数字经济三年行动计划\"
---

**贵阳市数字经济产业发展三年行动计划（2022—2024年）**

一、重点任务

1. 推进数据治理。围绕区块链开展应用示范。（责任单位：市数据局、市工信局）

2. 打造创新平台。围绕人工智能开展应用示范。（责任单位：市工信局、市数据局）
";

#[test]
fn units_lists_a_unit_once_when_several_documents_describe_it() {
    let sb = Sandbox::new();
    let a = sb.file("a.md", TWO_PLANS_OF_ONE_PLACE.as_bytes());
    let b = sb.file("b.md", TWO_PLANS_OF_ONE_PLACE.as_bytes());
    let (a, b) = (a.display().to_string(), b.display().to_string());
    sb.run(&["build", &a, &b]).ok();
    let out = sb
        .run(&["query", "--format", "csv", "--name", "units"])
        .ok()
        .stdout
        .replace("\r\n", "\n");
    let (_, rows) = common::read_csv(&out);
    let units: Vec<&str> = rows.iter().map(|r| &r[1]).collect();
    assert_eq!(units, ["市工信局", "市数据局"], "{out}");
    // Both documents count: two items each.
    assert!(rows.iter().all(|r| &r[8] == "4"), "{out}");
    let out = sb
        .run(&["query", "--format", "csv", "--name", "unresolved"])
        .ok()
        .stdout;
    assert_eq!(common::read_csv(&out).1.len(), 4, "{out}");
}
