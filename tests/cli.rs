//! The command line end to end: building, rebuilding, bad input, the store
//! lock, and queries in every output format.

mod common;

use common::{Sandbox, repo_file, run_in};

/// The bundled plan's counts, as issue #2 and a hand count of the plan give
/// them: 16 items (12 key tasks, 4 safeguards), 61 (item, unit) assignments
/// over 20 distinct units.
const BUNDLED_SUMMARY: &str = "1 document, 16 items, 61 assignments, 20 units";

#[test]
fn build_with_no_input_builds_the_bundled_plan() {
    let sb = Sandbox::new();
    let run = sb.run(&["build"]).ok();
    assert!(run.stderr.contains(BUNDLED_SUMMARY), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "data only on stdout: {}", run.stdout);
}

#[test]
fn build_twice_leaves_the_store_unchanged() {
    let sb = Sandbox::new();
    sb.run(&["build"]).ok();
    let first = sb.dump();
    sb.run(&["build"]).ok();
    assert_eq!(first, sb.dump());
    assert!(
        sb.run(&["query", "SELECT * {}"])
            .ok()
            .stderr
            .contains(BUNDLED_SUMMARY)
    );
}

#[test]
fn the_same_file_built_in_two_stores_gives_the_same_bytes() {
    let (a, b) = (Sandbox::new(), Sandbox::new());
    a.run(&["build"]).ok();
    b.run(&["build"]).ok();
    assert_eq!(a.dump(), b.dump());
}

#[test]
fn building_a_directory_skips_files_that_are_not_plans() {
    let sb = Sandbox::new();
    let corpus = repo_file("tests/corpus");
    let run = sb.run(&["build", corpus.to_str().expect("utf-8")]).ok();
    assert!(
        run.stderr.contains("README.md: not a plan"),
        "{}",
        run.stderr
    );
    // One document per gold file in the directory (tests/corpus/README.md).
    let plans = corpus_plans();
    assert!(
        run.stderr.contains(&format!("{plans} documents")),
        "{}",
        run.stderr
    );
    let pairs = sb
        .run(&["query", "--format", "csv", "--name", "assignments"])
        .ok();
    let documents: std::collections::BTreeSet<&str> = pairs
        .stdout
        .lines()
        .skip(1)
        .filter_map(|l| l.split(',').next())
        .collect();
    assert_eq!(documents.len(), plans);
}

/// The plans of tests/corpus: one per gold file.
fn corpus_plans() -> usize {
    std::fs::read_dir(repo_file("tests/corpus"))
        .expect("tests/corpus")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".gold.json"))
        })
        .count()
}

/// Builds the bundled plan, then a bad input: the build fails with exit code
/// 1, a message naming the file and line, and the store is as it was.
fn rejects(name: &str, bytes: &[u8], expected: &str) {
    let sb = Sandbox::new();
    sb.run(&["build"]).ok();
    let before = sb.dump();
    let path = sb.file(name, bytes);
    let run = sb.run(&["build", path.to_str().expect("utf-8")]).fails();
    assert!(
        run.stderr.contains(expected),
        "expected `{expected}` in:\n{}",
        run.stderr
    );
    assert_eq!(before, sb.dump(), "the store changed");
}

#[test]
fn non_utf8_input_is_rejected_and_named_as_gbk() {
    // "一、任务" then "厦门" in GBK.
    let mut bytes = "一、任务\n".as_bytes().to_vec();
    bytes.extend([0xCF, 0xC3, 0xC3, 0xC5]);
    rejects("gbk.md", &bytes, "gbk.md:2: the file is not valid UTF-8");
}

#[test]
fn a_file_with_no_items_is_rejected() {
    rejects(
        "notes.md",
        "只是一段说明文字。\n".as_bytes(),
        "notes.md:1: no numbered items found",
    );
}

#[test]
fn broken_front_matter_is_rejected() {
    rejects(
        "fm.md",
        b"---\ntitle: x\n",
        "fm.md:1: the front matter opened here never closes",
    );
    rejects("yaml.md", b"---\ntitle: [a\n---\n1. x\n", "yaml.md:");
}

#[test]
fn an_unclosed_responsibility_list_is_rejected() {
    rejects(
        "open.md",
        "一、任务\n\n1. 建设平台。（责任单位：市工信局、市科技局\n\n2. 下一项。\n".as_bytes(),
        "open.md:3: a responsibility list opens with （ but never closes; expected ）",
    );
}

#[test]
fn an_empty_file_is_rejected() {
    rejects("empty.md", b"", "empty.md:1: the file is empty");
}

#[test]
fn a_missing_path_and_an_empty_directory_are_rejected() {
    let sb = Sandbox::new();
    let run = sb.run(&["build", "no/such/plan.md"]).fails();
    assert!(
        run.stderr
            .contains("no/such/plan.md: cannot read this input"),
        "{}",
        run.stderr
    );
    std::fs::create_dir(sb.dir.path().join("empty")).expect("mkdir");
    let run = sb.run(&["build", "empty"]).fails();
    assert!(
        run.stderr.contains("empty: no plans in this directory"),
        "{}",
        run.stderr
    );
    assert!(
        !sb.store().join("policykg-store.json").exists(),
        "no store is created for a failed build"
    );
}

#[test]
fn a_store_in_use_is_reported_as_such() {
    let sb = Sandbox::new();
    sb.run(&["build"]).ok();
    let _held = policykg::store::StoreDir::open(&sb.store(), policykg::store::Access::Write)
        .expect("opens");
    let run = sb.run(&["build"]).fails();
    let expected = format!(
        "the store at {} is in use by another policykg process",
        sb.store().display()
    );
    assert!(run.stderr.contains(&expected), "{}", run.stderr);
}

#[test]
fn a_store_from_a_newer_version_or_the_other_backend_is_refused() {
    let sb = Sandbox::new();
    sb.run(&["build"]).ok();
    let meta = sb.store().join("policykg-store.json");
    let backend = policykg::store::BACKEND;
    std::fs::write(
        &meta,
        format!("{{\"format\":\"policykg-store\",\"version\":99,\"backend\":\"{backend}\"}}"),
    )
    .expect("write");
    let run = sb.run(&["query", "--name", "outline"]).fails();
    assert!(
        run.stderr
            .contains("has format version 99, newer than this policykg reads"),
        "{}",
        run.stderr
    );
    // A store of the layout before the lean graph (version 1) says to
    // rebuild.
    std::fs::write(
        &meta,
        format!("{{\"format\":\"policykg-store\",\"version\":1,\"backend\":\"{backend}\"}}"),
    )
    .expect("write");
    let run = sb.run(&["report"]).fails();
    assert!(
        run.stderr
            .contains("has format version 1, written by an older policykg")
            && run.stderr.contains("build a new store from the plans"),
        "{}",
        run.stderr
    );
    let other = if backend == "rocksdb" {
        "memory"
    } else {
        "rocksdb"
    };
    std::fs::write(
        &meta,
        format!("{{\"format\":\"policykg-store\",\"version\":1,\"backend\":\"{other}\"}}"),
    )
    .expect("write");
    let run = sb.run(&["query", "--name", "outline"]).fails();
    assert!(
        run.stderr
            .contains(&format!("was written by the {other} backend")),
        "{}",
        run.stderr
    );
}

#[test]
fn a_directory_that_is_not_a_store_is_not_touched() {
    let sb = Sandbox::new();
    sb.file("store/thesis.docx", b"precious");
    let run = sb.run(&["build"]).fails();
    assert!(
        run.stderr.contains("is not a policykg store"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read(sb.store().join("thesis.docx")).expect("still there"),
        b"precious"
    );
}

#[test]
fn querying_a_store_that_does_not_exist_says_how_to_make_one() {
    let sb = Sandbox::new();
    let run = sb.run(&["query", "--name", "outline"]).fails();
    assert!(
        run.stderr.contains("there is no store at"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("policykg build"), "{}", run.stderr);
}

#[test]
fn queries_run_inline_from_a_file_and_by_name() {
    let sb = Sandbox::new();
    sb.run(&["build"]).ok();
    let count = "PREFIX pkg: <https://w3id.org/policykg/ontology#> SELECT (COUNT(*) AS ?n) WHERE { ?a a pkg:Assignment }";
    let inline = sb.run(&["query", "--format", "csv", count]).ok();
    assert_eq!(inline.stdout, "n\r\n61\r\n");
    let file = sb.file("count.rq", count.as_bytes());
    let from_file = sb
        .run(&[
            "query",
            "--format",
            "csv",
            "--file",
            file.to_str().expect("utf-8"),
        ])
        .ok();
    assert_eq!(from_file.stdout, inline.stdout);
    let named = sb
        .run(&[
            "query",
            "--name",
            "tasks-of-unit",
            "--param",
            "unit=市招商办",
        ])
        .ok();
    assert!(
        named.stdout.contains("引进行业领军企业"),
        "{}",
        named.stdout
    );
}

#[test]
fn every_results_format_is_well_formed() {
    let sb = Sandbox::new();
    sb.run(&["build"]).ok();
    let q = ["query", "--name", "bureaus-by-involvement", "--format"];
    let json = sb.run(&[&q[..], &["json"]].concat()).ok().stdout;
    let parsed: serde_json::Value = serde_json::from_str(&json).expect("JSON results");
    assert_eq!(
        parsed["results"]["bindings"].as_array().map(Vec::len),
        Some(20)
    );
    let tsv = sb.run(&[&q[..], &["tsv"]].concat()).ok().stdout;
    assert_eq!(tsv.lines().count(), 21);
    assert!(tsv.starts_with("?unit\t?unit_label\t?items"), "{tsv}");
    let xml = sb.run(&[&q[..], &["xml"]].concat()).ok().stdout;
    assert_eq!(xml.matches("<result>").count(), 20);
    let csv = sb.run(&[&q[..], &["csv"]].concat()).ok().stdout;
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(reader.records().count(), 20);
}

#[test]
fn bad_queries_and_parameters_get_clear_errors() {
    let sb = Sandbox::new();
    sb.run(&["build"]).ok();
    let run = sb.run(&["query", "SELECT ?x WHERE { ?x"]).fails();
    assert!(
        run.stderr.contains("query: the query is not valid SPARQL"),
        "{}",
        run.stderr
    );
    let run = sb.run(&["query", "--name", "nope"]).fails();
    assert!(
        run.stderr
            .contains("no such named query; choose one of assignments"),
        "{}",
        run.stderr
    );
    let run = sb.run(&["query", "--name", "tasks-of-unit"]).fails();
    assert!(
        run.stderr.contains("needs --param unit=VALUE"),
        "{}",
        run.stderr
    );
    let run = sb
        .run(&["query", "--name", "outline", "--param", "x=1"])
        .fails();
    assert!(
        run.stderr.contains("has no parameter `x`"),
        "{}",
        run.stderr
    );
    let usage = sb.run(&["query"]);
    assert_eq!(usage.code, 2, "bad usage exits 2: {}", usage.stderr);
}

#[test]
fn a_closed_stdout_pipe_is_not_an_error() {
    let sb = Sandbox::new();
    sb.run(&["build"]).ok();
    let bin = env!("CARGO_BIN_EXE_policykg");
    let store = sb.store();
    // Every quad: far more than a pipe buffer, so the writer hits the closed pipe.
    let script = format!(
        "set -o pipefail; '{bin}' query --store '{}' --format csv 'SELECT * WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}' | head -c 10 >/dev/null",
        store.display()
    );
    let status = std::process::Command::new("bash")
        .args(["-c", &script])
        .status()
        .expect("bash runs");
    assert!(status.success());
}

#[test]
fn every_subcommand_has_help_that_names_each_of_its_options() {
    use clap::CommandFactory;
    fn visit(command: &clap::Command, path: &mut Vec<String>, seen: &mut Vec<String>) {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let run = run_in(dir.path(), &args).ok();
        let usage = format!(
            "Usage: policykg{}",
            path.iter().map(|p| format!(" {p}")).collect::<String>()
        );
        assert!(run.stdout.contains(&usage), "{args:?}: {}", run.stdout);
        for arg in command.get_arguments() {
            if let Some(long) = arg.get_long() {
                // Hidden: what the program passes itself (serve's
                // --query-worker), not for users.
                assert_eq!(
                    run.stdout.contains(&format!("--{long}")),
                    !arg.is_hide_set(),
                    "{args:?} shows --{long} unless hidden: {}",
                    run.stdout
                );
            }
        }
        seen.push(path.join(" "));
        for sub in command.get_subcommands() {
            if sub.get_name() == "help" {
                continue;
            }
            path.push(sub.get_name().to_owned());
            visit(sub, path, seen);
            path.pop();
        }
    }
    let mut seen = Vec::new();
    visit(&policykg::cli::Cli::command(), &mut Vec::new(), &mut seen);
    // The top level, ten subcommands and export's four formats (src/cli.rs).
    assert_eq!(seen.len(), 15, "{seen:?}");
    let top = run_in(tempfile::tempdir().expect("temp dir").path(), &["--help"]).ok();
    for code in ["0 success", "1 error", "2 bad usage", "3"] {
        assert!(
            top.stdout.contains(code),
            "exit code {code}: {}",
            top.stdout
        );
    }
}

#[test]
fn list_shows_every_named_query_with_its_question() {
    let dir = tempfile::tempdir().expect("temp dir");
    let run = run_in(dir.path(), &["query", "--list"]).ok();
    for q in policykg::query::NAMED {
        assert!(
            run.stdout.contains(q.name) && run.stdout.contains(q.question()),
            "{}",
            run.stdout
        );
    }
}

#[test]
fn report_works_from_a_fresh_store_and_ranks_the_industry_bureau_first() {
    // No --store: the default store in the current directory, which a read
    // command makes, with the bundled plan, when it does not exist yet.
    let dir = tempfile::tempdir().expect("temp dir");
    let run = run_in(dir.path(), &["report", "--top", "3"]).ok();
    assert!(
        run.stderr.contains("building the bundled plan first"),
        "{}",
        run.stderr
    );
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 5, "header, rule and 3 rows: {}", run.stdout);
    assert!(
        lines[2].starts_with("1     市工信局") && lines[2].contains(" 15 "),
        "{}",
        lines[2]
    );
    // A second run finds the store built and does not build again.
    let again = run_in(dir.path(), &["report", "--top", "3"]).ok();
    assert!(!again.stderr.contains("building"), "{}", again.stderr);
    assert_eq!(again.stdout, run.stdout);
    // And `build` finds the bundled plan unchanged: the read built it as
    // `build` does.
    let build = run_in(dir.path(), &["build"]).ok();
    assert!(
        build.stderr.contains("built 0, 1 unchanged"),
        "{}",
        build.stderr
    );
}

#[test]
fn read_commands_never_write_a_store_the_user_named_or_that_exists() {
    let sb = Sandbox::new();
    for sub in [
        &["report"][..],
        &["network"],
        &["export", "csv", "--table", "nodes", "--out", "-"],
    ] {
        let run = sb.run(sub);
        assert_eq!(run.code, 1, "{sub:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("there is no store at") && run.stderr.contains("policykg build"),
            "{sub:?}: {}",
            run.stderr
        );
        assert!(!sb.store().exists(), "{sub:?} made the store");
    }
    // A store whose documents were all removed stays empty.
    sb.run(&["build"]).ok();
    sb.run(&["remove", "xiamen-metaverse-2022"]).ok();
    let before = sb.dump();
    let run = sb.run(&["report"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("holds no document"), "{}", run.stderr);
    assert_eq!(sb.dump(), before, "the read wrote");
}

#[test]
fn report_formats_carry_every_measure() {
    let sb = Sandbox::new();
    sb.run(&["build"]).ok();
    let csv_text = sb.run(&["report", "--format", "csv"]).ok().stdout;
    let (header, rows) = common::read_csv(&csv_text);
    assert_eq!(header, policykg::report::csv_columns());
    assert_eq!(rows.len(), 20);
    let json: serde_json::Value =
        serde_json::from_str(&sb.run(&["report", "--format", "json"]).ok().stdout).expect("JSON");
    assert_eq!(json["units"][0]["label"], "市工信局");
    for column in policykg::report::csv_columns() {
        assert!(
            json["units"][0].get(column).is_some(),
            "json lacks {column}"
        );
    }
    assert_eq!(json["network"]["nodes"], 20);
    let md = sb
        .run(&["report", "--format", "markdown", "--top", "1"])
        .ok()
        .stdout;
    assert!(
        md.starts_with("| rank | unit |") && md.contains("| 1 | 市工信局 |"),
        "{md}"
    );
    let by_betweenness = sb
        .run(&[
            "report",
            "--format",
            "csv",
            "--sort",
            "betweenness",
            "--top",
            "1",
        ])
        .ok()
        .stdout;
    assert!(
        by_betweenness
            .lines()
            .nth(1)
            .is_some_and(|l| l.contains(",市工信局,")),
        "{by_betweenness}"
    );
}

#[test]
fn report_html_is_one_self_contained_page() {
    let sb = Sandbox::new();
    sb.run(&["build"]).ok();
    let page = sb.dir.path().join("report.html");
    sb.run(&["report", "--html", page.to_str().expect("utf-8")])
        .ok();
    let html = std::fs::read_to_string(&page).expect("page written");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(
        html.matches("<svg").count(),
        2,
        "bar chart and network drawing"
    );
    assert_eq!(html.matches("<circle").count(), 20, "one node per unit");
    assert!(
        !html.contains("src=") && !html.contains("<link") && !html.contains("<script"),
        "nothing fetched"
    );
    let again = sb.dir.path().join("again.html");
    sb.run(&["report", "--html", again.to_str().expect("utf-8")])
        .ok();
    assert_eq!(
        std::fs::read(&again).expect("written"),
        html.as_bytes(),
        "same input, same bytes"
    );
}

#[test]
fn network_prints_figures_and_communities() {
    let sb = Sandbox::new();
    sb.run(&["build"]).ok();
    let run = sb.run(&["network"]).ok();
    assert!(
        run.stdout.contains("units (nodes)          20"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("links (edges)          66"),
        "{}",
        run.stdout
    );
    let json: serde_json::Value =
        serde_json::from_str(&sb.run(&["network", "--format", "json"]).ok().stdout).expect("JSON");
    assert_eq!(json["edges"], 66);
}

#[test]
fn an_unknown_unit_is_kept_flagged_and_warned_about_once() {
    let sb = Sandbox::new();
    let plan = "---\ntitle: 厦门市测试方案\n---\n一、重点任务\n\n1. 建设平台。（责任单位：市工信局、市未知局）\n\n2. 推广应用。（责任单位：市未知局）\n";
    let path = sb.file("plan.md", plan.as_bytes());
    let run = sb.run(&["build", path.to_str().expect("utf-8")]).ok();
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("市未知局"))
        .collect();
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    assert!(
        warnings[0].contains("plan.md:6: unit `市未知局` is not in the registry of 厦门市"),
        "{}",
        warnings[0]
    );
    let unresolved = sb
        .run(&["query", "--format", "csv", "--name", "unresolved"])
        .ok()
        .stdout;
    assert_eq!(unresolved.lines().count(), 2, "{unresolved}");
    assert!(unresolved.contains(",市未知局,6,2"), "{unresolved}");
}

#[cfg(not(feature = "rocksdb"))]
#[test]
fn a_damaged_graph_file_is_reported_and_never_overwritten() {
    let sb = Sandbox::new();
    sb.run(&["build"]).ok();
    let meta: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(sb.store().join("policykg-store.json")).expect("meta"),
    )
    .expect("json");
    let name =
        meta["graphs"]["https://w3id.org/policykg/id/graph/xiamen-metaverse-2022"]["file"]["name"]
            .as_str()
            .expect("the plan's graph file")
            .to_owned();
    let snapshot = sb.store().join("graphs").join(&name);
    let mut damaged = std::fs::read(&snapshot).expect("graph file");
    damaged.truncate(damaged.len() / 2);
    damaged.extend(b"\n<broken\n");
    std::fs::write(&snapshot, &damaged).expect("write");
    let run = sb.run(&["query", "--name", "outline"]).fails();
    assert!(
        run.stderr
            .contains(&format!("{name}: the store is damaged")),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("rebuild it"), "{}", run.stderr);
    let run = sb.run(&["build"]).fails();
    assert!(
        run.stderr.contains("the store is damaged"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read(&snapshot).expect("snapshot"),
        damaged,
        "a build does not overwrite what it could not read"
    );
}

#[test]
fn a_query_that_runs_too_long_is_stopped() {
    let sb = Sandbox::new();
    sb.run(&["build"]).ok();
    // A cartesian product of every triple with every triple, streamed.
    let run = sb
        .run(&[
            "query",
            "--timeout",
            "1",
            "--format",
            "csv",
            "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }",
        ])
        .fails();
    assert!(
        run.stderr
            .contains("the query ran longer than --timeout 1 s and was stopped"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_syntax_error_points_at_its_place() {
    let sb = Sandbox::new();
    sb.run(&["build"]).ok();
    let run = sb.run(&["query", "SELECT ?x\nWHERE { ?x ?y ) }"]).fails();
    assert!(run.stderr.contains("error at 2:"), "{}", run.stderr);
    assert!(
        run.stderr.contains("\n  WHERE { ?x ?y ) }\n"),
        "the line is shown: {}",
        run.stderr
    );
    assert!(run.stderr.trim_end().ends_with('^'), "{}", run.stderr);
}

#[test]
fn a_federated_query_cannot_call_out() {
    let sb = Sandbox::new();
    sb.run(&["build"]).ok();
    let run = sb
        .run(&[
            "query",
            "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        ])
        .fails();
    assert!(run.stderr.contains("is not supported"), "{}", run.stderr);
}

#[test]
fn a_bad_document_is_skipped_unless_strict() {
    let sb = Sandbox::new();
    sb.file(
        "plans/a.md",
        "一、重点任务\n\n1. 建设平台。（责任单位：市工信局）\n".as_bytes(),
    );
    sb.file(
        "plans/b.md",
        "一、重点任务\n\n1. 建设平台。（责任单位：市工信局\n".as_bytes(),
    );
    let strict = sb.run(&["build", "--strict", "plans"]).fails();
    assert!(
        strict
            .stderr
            .contains("b.md:3: a responsibility list opens with （"),
        "{}",
        strict.stderr
    );
    assert!(!sb.store().exists(), "--strict wrote nothing");
    let run = sb.run(&["build", "plans"]);
    assert_eq!(run.code, 3, "some documents were skipped: {}", run.stderr);
    assert!(
        run.stderr.contains(
            "b.md:3: a responsibility list opens with （ but never closes; expected ）; skipped"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("1 document, 1 item, 1 assignment"),
        "{}",
        run.stderr
    );
}

/// Documents are written while later ones are still being parsed, so a bad
/// document far down the list meets a write already under way: `--strict`
/// must still leave a new store absent and an old one as it was.
#[test]
fn strict_stops_a_write_under_way_without_a_trace() {
    let sb = Sandbox::new();
    // More good documents than are parsed in one go (`CHUNK` in build.rs is
    // 16), then a bad one.
    for i in 0..40 {
        sb.file(
            &format!("plans/p{i:02}.md"),
            format!("一、重点任务\n\n1. 建设平台{i}。（责任单位：市工信局）\n").as_bytes(),
        );
    }
    let bad = sb.file(
        "plans/p99.md",
        "一、重点任务\n\n1. 建设平台。（责任单位：市工信局\n".as_bytes(),
    );
    let plans = bad
        .parent()
        .expect("dir")
        .to_str()
        .expect("utf-8")
        .to_owned();
    let strict = sb.run(&["build", "--strict", &plans]).fails();
    assert!(strict.stderr.contains("p99.md:3:"), "{}", strict.stderr);
    assert!(!sb.store().exists(), "a new store is not left behind");

    sb.run(&["build"]).ok();
    let before = sb.dump();
    sb.run(&["build", "--strict", &plans]).fails();
    assert_eq!(sb.dump(), before, "an old store is unchanged");
}

#[test]
fn an_unchanged_document_is_not_rebuilt() {
    let sb = Sandbox::new();
    let path = sb.file(
        "plan.md",
        "一、重点任务\n\n1. 建设平台。（责任单位：市工信局）\n".as_bytes(),
    );
    let path = path.to_str().expect("utf-8");
    sb.run(&["build", path]).ok();
    let again = sb.run(&["build", path]).ok();
    assert!(
        again.stderr.contains("built 0, 1 unchanged"),
        "{}",
        again.stderr
    );
    sb.file(
        "plan.md",
        "一、重点任务\n\n1. 建设平台。（责任单位：市工信局、市科技局）\n".as_bytes(),
    );
    let changed = sb.run(&["build", path]).ok();
    assert!(
        changed.stderr.contains("2 assignments"),
        "{}",
        changed.stderr
    );
}

#[test]
fn list_shows_documents_and_remove_takes_one_out() {
    let sb = Sandbox::new();
    let corpus = repo_file("tests/corpus");
    sb.run(&["build", corpus.to_str().expect("utf-8")]).ok();
    let list = sb.run(&["list", "--format", "csv"]).ok();
    let plans = corpus_plans();
    assert_eq!(
        list.stdout.lines().count(),
        plans + 1,
        "header and {plans} documents: {}",
        list.stdout
    );
    let removed = sb
        .run(&["remove", "07-kunming-guandu-growth-measures-2016"])
        .ok();
    assert!(
        removed.stderr.contains(&format!("{} documents", plans - 1)),
        "{}",
        removed.stderr
    );
    let missing = sb
        .run(&["remove", "07-kunming-guandu-growth-measures-2016"])
        .fails();
    assert!(
        missing.stderr.contains("no such document in the store"),
        "{}",
        missing.stderr
    );
}

/// Kills `build` at several moments while it replaces a store: every time the
/// store must read back exactly as before the build or as after it, both
/// its quads and the report made from the answers kept beside them.
#[test]
fn killing_a_build_leaves_the_store_before_or_after() {
    let sb = Sandbox::new();
    sb.run(&["build"]).ok();
    let state = |sb: &Sandbox| {
        let report = sb.run(&["report", "--format", "json"]).ok().stdout;
        (sb.dump(), report)
    };
    let before = state(&sb);
    let corpus = repo_file("tests/corpus");
    let corpus = corpus.to_str().expect("utf-8");
    let after = {
        let other = Sandbox::new();
        other.run(&["build"]).ok();
        other.run(&["build", corpus]).ok();
        state(&other)
    };
    let store = sb.store();
    for delay_ms in [5u64, 20, 40, 80, 120, 200, 400] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_policykg"))
            .args(["build", corpus, "--store", store.to_str().expect("utf-8")])
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("starts");
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill(); // SIGKILL: no chance to clean up
        let _ = child.wait();
        let now = state(&sb);
        assert!(
            now == before || now == after,
            "after a kill at {delay_ms} ms the store is neither the old nor the new one"
        );
        if now == after {
            // Start again from the old store for the next kill.
            std::fs::remove_dir_all(&store).expect("reset");
            sb.run(&["build"]).ok();
        }
    }
}

#[test]
fn the_quads_recorded_at_a_write_are_the_quads_in_the_store() {
    use policykg::store::{Access, StoreDir};
    let sb = Sandbox::new();
    sb.run(&["build"]).ok();
    sb.run(&["build", repo_file("tests/corpus").to_str().expect("utf-8")])
        .ok();
    let store = StoreDir::open(&sb.store(), Access::Read).expect("store opens");
    let walked = store.store().expect("loads").len().expect("len");
    assert!(walked > 1000, "{walked}");
    assert_eq!(store.triple_count(), walked);
}

#[test]
fn check_reads_plans_without_a_store_and_fails_on_a_suspect() {
    let sb = Sandbox::new();
    let clean = repo_file("tests/corpus/13-shanghai-gas-safety-campaign-2023.md");
    // 48 annotated items in its gold file; 52 numbered items in all.
    let run = run_in(
        &sb.store().with_file_name(""),
        &["check", clean.to_str().expect("utf-8")],
    )
    .ok();
    assert!(
        run.stdout
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>()[..4]
                == ["13-shanghai-gas-safety-campaign-2023", "52", "48", "162"]),
        "{}",
        run.stdout
    );
    assert!(!sb.store().exists(), "check needs no store and makes none");
    let odd = sb.file(
        "odd.md",
        "一、任务\n\n1. 建设平台。（责任单位：市工信局）\n\n2. 推进应用（市科技局、市财政局）做好服务。\n".as_bytes(),
    );
    let dir = sb.store().with_file_name("");
    let run = run_in(&dir, &["check", odd.to_str().expect("utf-8")]).fails();
    assert!(
        run.stdout.contains("odd.md:5: suspect:") && run.stdout.contains("市科技局、市财政局"),
        "{}",
        run.stdout
    );
    let json = run_in(
        &dir,
        &["check", "--format", "json", odd.to_str().expect("utf-8")],
    )
    .fails();
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    assert_eq!(v[0]["suspects"][0]["line"], 5);
    assert_eq!(v[0]["lists"], 1);
}

#[test]
fn build_counts_the_suspects_of_a_document_in_one_warning() {
    let sb = Sandbox::new();
    let odd = sb.file(
        "odd.md",
        "一、任务\n\n1. 建设平台。（责任单位：市工信局）\n\n2. 推进应用（市科技局、市财政局）做好服务。\n\n3. 做好保障（市财政局、市审计局）落实经费。\n".as_bytes(),
    );
    let run = sb.run(&["build", odd.to_str().expect("utf-8")]).ok();
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains("look like responsibility"))
        .collect();
    assert_eq!(warnings.len(), 1, "{}", run.stderr);
    assert!(warnings[0].contains("2 places"), "{}", warnings[0]);
    assert!(warnings[0].contains("policykg check"), "{}", warnings[0]);
}

#[test]
fn a_query_too_deep_to_evaluate_is_refused_with_the_bound_not_a_crash() {
    let sb = Sandbox::new();
    sb.run(&["build"]).ok();
    // 1,000 nested groups aborted the process (stack overflow, exit 134).
    let deep = format!(
        "SELECT * WHERE {}?s ?p ?o{}",
        "{".repeat(1000),
        "}".repeat(1000)
    );
    let run = sb.run(&["query", &deep]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("nests brackets 1000 levels deep") && run.stderr.contains("256"),
        "{}",
        run.stderr
    );
    // At the bound it runs (policykg::sparql::MAX_NESTING).
    let at = format!(
        "SELECT * WHERE {}?s ?p ?o{} LIMIT 1",
        "{".repeat(256),
        "}".repeat(256)
    );
    sb.run(&["query", &at]).ok();
}

#[test]
fn a_file_does_not_silently_replace_a_document_of_the_same_id_from_another_file() {
    let sb = Sandbox::new();
    let xiamen = std::fs::read(common::repo_file("data/plans/xiamen-metaverse-2022.md"))
        .expect("bundled plan");
    let first = sb.file("corp/2022/plan.md", &xiamen);
    let other = std::fs::read(common::repo_file(
        "tests/corpus/04-shanghai-basic-research-2025.md",
    ))
    .expect("corpus plan");
    let second = sb.file("corp/2023/plan.md", &other);
    sb.run(&["build", first.to_str().expect("utf-8")]).ok();
    let before = sb.dump();
    let clash = sb.run(&["build", second.to_str().expect("utf-8")]);
    assert_eq!(clash.code, 1, "{}", clash.stderr);
    assert!(
        clash
            .stderr
            .contains("corp/2023/plan.md would replace document `plan`")
            && clash.stderr.contains("corp/2022/plan.md")
            && clash.stderr.contains("--replace"),
        "{}",
        clash.stderr
    );
    assert_eq!(sb.dump(), before, "the store is unchanged");
    // The same file by another path is the same document.
    let again = sb.run(&["build", "corp/2022/../2022/plan.md"]).ok();
    assert!(again.stderr.contains("1 unchanged"), "{}", again.stderr);
    // Asked for, it replaces.
    sb.run(&["build", second.to_str().expect("utf-8"), "--replace"])
        .ok();
    assert_ne!(sb.dump(), before);
}

#[test]
fn two_processes_give_the_same_bytes_for_every_read() {
    // Each process has its own hash seeds: an order taken from a hash map
    // would show here, where two calls in one process could agree by luck.
    let sb = Sandbox::new();
    sb.run(&[
        "build",
        common::repo_file("tests/corpus").to_str().expect("utf-8"),
    ])
    .ok();
    for args in [
        &["report", "--format", "json"][..],
        &["network"],
        &["export", "graphml", "--out", "-"],
        &["export", "csv", "--table", "assignments", "--out", "-"],
        &["export", "rdf", "--format", "nq", "--out", "-"],
        &["query", "--name", "co-responsible-pairs", "--format", "csv"],
    ] {
        let a = sb.run(args).ok().stdout;
        let b = sb.run(args).ok().stdout;
        assert!(!a.is_empty(), "{args:?} printed nothing");
        assert!(a == b, "{args:?} differs between two runs");
    }
}

#[test]
fn queries_come_from_standard_input_and_construct_takes_the_format_asked_for() {
    use std::io::Write as _;
    let sb = Sandbox::new();
    sb.run(&["build"]).ok();
    let count = "PREFIX pkg: <https://w3id.org/policykg/ontology#> SELECT (COUNT(*) AS ?n) WHERE { ?a pkg:unit ?u }";
    for args in [&["query", "-"][..], &["query", "--file", "-"]] {
        let store = sb.store();
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_policykg"))
            .args(args)
            .args(["--format", "csv", "--store"])
            .arg(&store)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("runs");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(count.as_bytes())
            .expect("writes");
        let output = child.wait_with_output().expect("ends");
        // 61 assignments in the bundled plan (tests/xiamen.rs).
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            "n\r\n61\r\n",
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let construct = "PREFIX pkg: <https://w3id.org/policykg/ontology#> CONSTRUCT { ?a pkg:unit ?u } WHERE { ?a pkg:unit ?u } LIMIT 2";
    let json = sb
        .run(&["query", "--format", "json", construct])
        .ok()
        .stdout;
    let parsed: serde_json::Value = serde_json::from_str(&json).expect("JSON-LD is JSON");
    assert!(parsed.is_array() || parsed.is_object(), "{json}");
    let xml = sb.run(&["query", "--format", "xml", construct]).ok().stdout;
    assert!(xml.contains("rdf:RDF"), "{xml}");
    let csv = sb.run(&["query", "--format", "csv", construct]);
    assert_eq!(csv.code, 1, "{}", csv.stderr);
    assert!(
        csv.stderr.contains("gives triples, not rows"),
        "{}",
        csv.stderr
    );
}

#[test]
fn many_warnings_are_summed_up_by_kind_and_quiet_prints_none() {
    let sb = Sandbox::new();
    // 40 plans, each naming a unit no registry knows: 40 warnings of one
    // kind (plus one of another per plan: the place is unknown).
    for i in 0..40 {
        sb.file(
            &format!("plans/p{i:02}.md"),
            format!("一、重点任务\n1. 建设平台。（责任单位：第{i}未知局）\n").as_bytes(),
        );
    }
    let plans = sb.dir.path().join("plans");
    let run = sb.run(&["build", plans.to_str().expect("utf-8")]).ok();
    let shown = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning: ") && l.contains("plans/p"))
        .count();
    assert_eq!(shown, 30, "{}", run.stderr);
    assert!(
        run.stderr.contains("more warnings, not shown; by kind:"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("× unit `…` is not in the registry"),
        "{}",
        run.stderr
    );
    let quiet = sb
        .run(&["build", plans.to_str().expect("utf-8"), "--quiet"])
        .ok();
    assert_eq!(quiet.stderr, "", "--quiet");
    let quiet = sb.run(&["-q", "report"]).ok();
    assert_eq!(quiet.stderr, "", "-q");
}

#[test]
fn one_label_of_several_places_is_told_apart_by_its_place() {
    // The corpus has 市财政局 of 上海市 and of other cities (tests/corpus).
    let sb = Sandbox::new();
    sb.run(&[
        "build",
        common::repo_file("tests/corpus").to_str().expect("utf-8"),
    ])
    .ok();
    let csv = sb.run(&["report", "--format", "csv"]).ok().stdout;
    let (header, rows) = common::read_csv(&csv);
    let label = header
        .iter()
        .position(|h| h == "label")
        .expect("label column");
    let labels: Vec<&str> = rows.iter().map(|r| &r[label]).collect();
    let distinct: std::collections::BTreeSet<&str> = labels.iter().copied().collect();
    assert_eq!(distinct.len(), labels.len(), "every label names one unit");
    assert!(labels.contains(&"市财政局（上海市）"), "{labels:?}");
}

/// The README's first console block, command by command, as a new user
/// would type them in an empty directory: the same lines (timings aside;
/// a block ending in `…` shows the first rows only).
#[test]
fn the_readme_shows_what_the_tool_prints() {
    let readme = std::fs::read_to_string(common::repo_file("README.md")).expect("README");
    let block = readme
        .split("```console\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("a console block");
    let dir = tempfile::tempdir().expect("temp dir");
    let timing = |line: &str| -> String {
        match line.rfind(" (") {
            Some(at) if line.ends_with(" s)") => format!("{} (… s)", &line[..at]),
            _ => line.trim_end().to_owned(),
        }
    };
    let mut commands = 0;
    for part in block.split("$ policykg ").filter(|p| !p.trim().is_empty()) {
        let mut lines = part.lines();
        let command = lines.next().expect("a command");
        let args: Vec<&str> = command.split_whitespace().collect();
        let mut expected: Vec<String> = lines.filter(|l| !l.is_empty()).map(timing).collect();
        let run = run_in(dir.path(), &args).ok();
        let mut actual: Vec<String> = run
            .stdout
            .lines()
            .chain(run.stderr.lines())
            .map(timing)
            .collect();
        if expected.last().is_some_and(|l| l == "…") {
            expected.pop();
            let shown: std::collections::HashSet<&String> = expected.iter().collect();
            actual.retain(|l| shown.contains(l));
            actual.truncate(expected.len());
        }
        expected.sort();
        actual.sort();
        assert_eq!(actual, expected, "`policykg {command}`");
        commands += 1;
    }
    assert_eq!(commands, 4, "the four commands of the block");
}
