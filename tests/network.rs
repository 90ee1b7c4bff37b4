//! The co-responsibility network of the bundled plan, read back from the
//! store, and the report built on it.
//!
//! Counts (items, first-listed, led, degree, strength) are derived by hand
//! from the plan's 15 responsibility lists; centralities are networkx 3.6.1
//! values on the same edges (`betweenness_centrality(G)`,
//! `betweenness_centrality(G, weight="distance")` with distance = 1/weight,
//! `closeness_centrality(G)`, `eigenvector_centrality(G, weight="weight",
//! tol=1e-12)`, `pagerank(G, weight="weight", tol=1e-12)`, `clustering(G)`,
//! `core_number(G)`, `constraint(G, weight="weight")`,
//! `effective_size(G, nodes=list(G), weight="weight")`). `.ci/networkx_check.py`
//! repeats the comparison for every unit on every CI run.

mod common;

use common::Sandbox;
use policykg::network::{self, Network, Options, UnitMeasures};
use policykg::report::{self, ReportFormat, SortKey};
use policykg::store::{Access, StoreDir};

fn measures(options: &Options) -> (Vec<UnitMeasures>, network::NetworkFigures) {
    let sb = Sandbox::new();
    sb.run(&["build"]).ok();
    let store = StoreDir::open(&sb.store(), Access::Read).expect("store opens");
    let network = Network::from_sparql(&store, options).expect("network");
    let (mut units, figures) = network::measure(&network);
    report::rank(&mut units, SortKey::Items);
    (units, figures)
}

fn unit<'a>(units: &'a [UnitMeasures], label: &str) -> &'a UnitMeasures {
    units
        .iter()
        .find(|u| u.label == label)
        .unwrap_or_else(|| panic!("{label} not in the network"))
}

#[track_caller]
fn close(got: f64, want: f64) {
    assert!((got - want).abs() < 1e-6, "got {got}, networkx says {want}");
}

#[test]
fn counts_per_unit_match_the_lists() {
    let (units, figures) = measures(&Options::default());
    assert_eq!(units.len(), 20);
    // 市工信局 is on all 15 lists, so it is linked to all 19 other units, and
    // its strength is the sum of (list length − 1): 61 − 15 = 46.
    let miit = &units[0];
    assert_eq!(miit.label, "市工信局");
    assert_eq!(
        (
            miit.items,
            miit.first_listed,
            miit.led,
            miit.degree,
            miit.strength
        ),
        (15, 11, 0, 19, 46.0)
    );
    // 市发改委: tasks 1, 2, 3, 5, 6, 8 and safeguard (二), lists of 3, 4, 5, 4,
    // 5, 6 and 8 units: strength 2+3+4+3+4+5+7 = 28 over 13 distinct partners.
    let ndrc = unit(&units, "市发改委");
    assert_eq!(
        (
            ndrc.items,
            ndrc.first_listed,
            ndrc.led,
            ndrc.degree,
            ndrc.strength
        ),
        (7, 0, 0, 13, 28.0)
    );
    // 市民政局: only task 10 (with 市工信局 and 市工商联).
    let civil = unit(&units, "市民政局");
    assert_eq!((civil.items, civil.degree, civil.strength), (1, 2, 2.0));
    // No lead is stated anywhere in the Xiamen plan.
    assert!(units.iter().all(|u| u.led == 0));
    // 15 items; 66 links among 20 units: density 66 / 190.
    assert_eq!(
        (
            figures.nodes,
            figures.edges,
            figures.items,
            figures.components
        ),
        (20, 66, 15, 1)
    );
    close(figures.density, 66.0 / 190.0);
}

#[test]
fn centralities_agree_with_networkx() {
    let (units, figures) = measures(&Options::default());
    let miit = unit(&units, "市工信局");
    close(miit.betweenness, 0.483_918_128_654_970_75);
    close(miit.betweenness_weighted, 0.775_341_130_604_288_3);
    close(miit.closeness, 1.0);
    close(miit.eigenvector, 0.545_548_088_423_341_7);
    close(miit.pagerank, 0.194_770_933_462_227_57);
    close(miit.clustering, 0.274_853_801_169_590_63);
    assert_eq!(miit.core, 7);
    close(
        miit.constraint.expect("has partners"),
        0.255_724_688_583_688_1,
    );
    close(
        miit.effective_size.expect("has partners"),
        14.400_517_598_343_685,
    );
    let districts = unit(&units, "各区政府");
    close(districts.betweenness, 0.049_707_602_339_181_284);
    close(districts.betweenness_weighted, 0.002_923_976_608_187_134_3);
    close(districts.closeness, 0.678_571_428_571_428_6);
    close(districts.eigenvector, 0.233_523_264_457_163_18);
    close(districts.pagerank, 0.066_662_874_363_659_68);
    close(districts.clustering, 0.577_777_777_777_777_7);
    close(
        districts.constraint.expect("has partners"),
        0.453_213_424_608_876_7,
    );
    close(
        districts.effective_size.expect("has partners"),
        5.552_380_952_380_952,
    );
    let civil = unit(&units, "市民政局");
    close(civil.closeness, 0.527_777_777_777_777_8);
    close(
        civil.constraint.expect("has partners"),
        0.823_487_712_665_406_5,
    );
    assert_eq!(civil.core, 2);
    // networkx average_clustering(G) on the same graph.
    close(figures.average_clustering, 0.848_742_690_058_479_6);
}

#[test]
fn communities_cover_every_unit() {
    // That they come out the same in every run is checked across processes
    // (each with its own hash seeds) in tests/cli.rs.
    let (_, fa) = measures(&Options::default());
    assert_eq!(fa.communities.iter().map(Vec::len).sum::<usize>(), 20);
    assert!(fa.modularity > 0.0);
}

#[test]
fn options_restrict_the_network() {
    let (units, figures) = measures(&Options {
        key_tasks_only: true,
        ..Options::default()
    });
    // The 12 key tasks: 市工信局 is on all 12; 市委组织部 only on task 8.
    assert_eq!(figures.items, 12);
    assert_eq!(unit(&units, "市工信局").items, 12);
    assert_eq!(unit(&units, "市委组织部").items, 1);
    // A selection that names nothing is an error, not an empty network.
    let sb = Sandbox::new();
    sb.run(&["build"]).ok();
    let store = StoreDir::open(&sb.store(), Access::Read).expect("store opens");
    for options in [
        Options {
            document: Some("no-such-document".into()),
            ..Options::default()
        },
        Options {
            jurisdiction: Some("北京市".into()),
            ..Options::default()
        },
    ] {
        let error = Network::from_sparql(&store, &options)
            .expect_err("no such selection")
            .to_string();
        assert!(
            error.contains("xiamen-metaverse-2022") || error.contains("厦门市"),
            "{error}"
        );
    }
}

#[test]
fn the_report_table_is_stable() {
    let (units, figures) = measures(&Options::default());
    let mut out = Vec::new();
    report::write(&units, &figures, ReportFormat::Table, &mut out).expect("writes");
    insta::assert_snapshot!("report_table", String::from_utf8(out).expect("utf-8"));
}

/// The answers a build keeps beside the store, and SPARQL over the store
/// itself, give the same report, network and CSV exports, byte for byte, on
/// the corpus and the bundled plan, with every selection.
#[test]
fn the_kept_answers_and_the_store_give_byte_identical_reports_on_the_corpus() {
    let sb = Sandbox::new();
    let corpus = common::repo_file("tests/corpus");
    let plans = common::repo_file("data/plans");
    sb.run(&[
        "build",
        corpus.to_str().expect("utf-8"),
        plans.to_str().expect("utf-8"),
    ])
    .ok();
    let store = StoreDir::open(&sb.store(), Access::Read).expect("store opens");
    let loaded = store.store().expect("the store loads");
    let render = |source: &dyn policykg::sparql::Sparql, options: &Options| {
        let network = Network::from_sparql(source, options).expect("network");
        let (mut units, figures) = network::measure(&network);
        report::rank(&mut units, SortKey::Items);
        let mut out = Vec::new();
        for format in [ReportFormat::Json, ReportFormat::Csv] {
            report::write(&units, &figures, format, &mut out).expect("report");
        }
        out.extend(policykg::export::csv::assignments(&network, false));
        out.extend(policykg::export::csv::edges(&network, false));
        out.extend(policykg::export::csv::items(source, None, false).expect("items"));
        out
    };
    let selections = [
        Options::default(),
        Options {
            key_tasks_only: true,
            without_collectives: true,
            ..Options::default()
        },
        Options {
            jurisdiction: Some("上海市".to_owned()),
            ..Options::default()
        },
        Options {
            document: Some("16-shanghai-qingpu-construction-waste-2025".to_owned()),
            ..Options::default()
        },
    ];
    for options in &selections {
        let kept = render(&store, options);
        let queried = render(loaded, options);
        assert!(kept.len() > 1000, "{options:?}: a report with rows");
        assert!(
            kept == queried,
            "{options:?}: the kept answers and the store disagree"
        );
    }
    assert_eq!(
        policykg::sparql::summary(&store).expect("kept summary"),
        policykg::sparql::summary(loaded)
            .map(|mut s| {
                s.triples = store.triple_count() as u64;
                s
            })
            .expect("summary by SPARQL")
    );
}
