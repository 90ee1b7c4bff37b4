//! The bundled Xiamen plan, parsed: the figures issue #2 states, counted by
//! hand from the plan's text, and provenance that points at the exact text.

use policykg::annotate::Role;
use policykg::commands::build::{BUNDLED, BUNDLED_NAME};
use policykg::document::{self, Document, ItemKind};
use std::collections::BTreeSet;

fn doc() -> Document {
    document::parse(BUNDLED_NAME, BUNDLED).expect("the bundled plan parses")
}

#[test]
fn the_plan_has_its_title_issuers_and_period() {
    let d = doc();
    assert_eq!(
        d.plan_title,
        "厦门市元宇宙产业发展三年行动计划（2022—2024年）"
    );
    assert_eq!(d.issuers, ["厦门市工业和信息化局", "厦门市大数据管理局"]);
    assert_eq!(d.period, Some((2022, 2024)));
    assert_eq!(d.jurisdiction.as_deref(), Some("厦门市"));
    let front = |k: &str| {
        d.front
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        front("title"),
        ["抢抓元宇宙发展机遇，厦门市印发三年行动计划"]
    );
    assert_eq!(front("authors"), ["浮尘"]);
    assert_eq!(front("tags"), ["元宇宙", "数字藏品", "NFT"]);
    assert_eq!(front("date"), ["2022-07-06T21:57:40+08:00"]);
}

#[test]
fn twelve_key_tasks_and_four_safeguards_in_order() {
    let d = doc();
    let tasks: Vec<&str> = d
        .items
        .iter()
        .filter(|i| i.kind == ItemKind::KeyTask)
        .map(|i| i.number.as_str())
        .collect();
    assert_eq!(
        tasks,
        [
            "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"
        ]
    );
    let safeguards: Vec<&str> = d
        .items
        .iter()
        .filter(|i| i.kind == ItemKind::Safeguard)
        .map(|i| i.number.as_str())
        .collect();
    assert_eq!(safeguards, ["（一）", "（二）", "（三）", "（四）"]);
    // `\4.` is a markdown escape: the title starts after the number.
    assert_eq!(d.items[3].title, "通用性平台建设");
    assert_eq!(d.items[0].title, "实施重点领域研发");
    let parent = |i: usize| d.items[i].section.map(|s| d.sections[s].title.as_str());
    assert_eq!(parent(0), Some("基础研究攻关行动"));
    assert_eq!(parent(12), Some("保障措施"));
}

#[test]
fn sixty_one_assignments_over_twenty_units() {
    let d = doc();
    let lists: Vec<_> = d.items.iter().filter_map(|i| i.list.as_ref()).collect();
    assert_eq!(lists.len(), 15);
    assert!(d.items[15].list.is_none(), "the 4th safeguard has no list");
    let assignments: Vec<_> = lists.iter().flat_map(|l| &l.assignments).collect();
    assert_eq!(assignments.len(), 61);
    let units: BTreeSet<&str> = assignments.iter().map(|a| a.label.as_str()).collect();
    assert_eq!(units.len(), 20);
    assert_eq!(
        assignments.iter().filter(|a| a.label == "市工信局").count(),
        15
    );
    // No labels and no stated rule: jointly responsible, none called lead.
    assert!(assignments.iter().all(|a| a.role == Role::Responsible));
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
}

#[test]
fn provenance_offsets_are_code_points_that_quote_the_exact_text() {
    let d = doc();
    let text = String::from_utf8(BUNDLED.to_vec()).expect("utf-8");
    let chars: Vec<char> = text.chars().collect();
    let at = |s: usize, e: usize| chars[s..e].iter().collect::<String>();
    for item in &d.items {
        assert_eq!(
            at(item.quote.span.start, item.quote.span.end),
            item.quote.exact
        );
        let Some(list) = &item.list else { continue };
        assert_eq!(
            at(list.quote.span.start, list.quote.span.end),
            list.quote.exact
        );
        assert!(
            list.quote.exact.starts_with("（责任单位："),
            "{}",
            list.quote.exact
        );
        for a in &list.assignments {
            assert_eq!(at(a.quote.span.start, a.quote.span.end), a.label);
        }
    }
    // Task 1 and its list are on line 45 of the file (`grep -n 实施重点领域研发`).
    assert_eq!(d.items[0].list.as_ref().map(|l| l.quote.line), Some(45));
}
