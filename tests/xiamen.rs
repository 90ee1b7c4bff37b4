//! The bundled Xiamen plan, parsed: the figures issue #2 states, counted by
//! hand from the plan's text, and provenance that points at the exact text.

use policykg::build::{BUNDLED, BUNDLED_NAME};
use policykg::document::{self, Document};
use policykg::vocab::{ItemKind, Role};
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

/// Every thing each item names, in text order, written out by hand from the
/// plan's text (a reading of each item, not a run of policykg). 元宇宙 is
/// the technology scheme's 元宇宙; a unit named in prose (市工信局 in
/// safeguard (一)) is a mention of that organisation; names inside a
/// longer registry name (动漫 in 动漫协会, NFT in NFT数字藏品产业基地) are
/// not mentions of their own.
const MENTIONS: [&[&str]; 16] = [
    &[
        "元宇宙",
        "NFT",
        "VR",
        "AR",
        "脑机接口",
        "智能芯片",
        "智能算法",
        "元宇宙",
        "元宇宙",
    ],
    &[
        "厦门大学",
        "华侨大学",
        "集美大学",
        "厦门理工学院",
        "元宇宙",
        "元宇宙",
        "元宇宙",
    ],
    &[
        "鼓浪屿",
        "沙坡尾",
        "筼筜湖",
        "金鸡百花奖",
        "马拉松",
        "元宇宙",
        "会展",
        "旅游",
        "体育",
        "商业",
    ],
    &[
        "元宇宙",
        "三维数字空间",
        "虚拟数字人",
        "NFT数字资产",
        "城市管理",
        "民生服务",
        "元宇宙",
    ],
    &[
        "元宇宙",
        "元宇宙产业联盟",
        "元宇宙",
        "厦门市中小企业公共服务平台",
        "厦门科技创新创业综合服务平台",
        "元宇宙",
        "金融",
    ],
    &[
        "元宇宙",
        "智能芯片",
        "NFT",
        "VR",
        "AR",
        "元宇宙",
        "元宇宙数字文明与生态大会",
        "元宇宙创业项目大赛",
        "金海豚-厦门国际动漫节",
        "元宇宙",
    ],
    &["元宇宙", "元宇宙", "元宇宙", "元宇宙", "元宇宙"],
    &[
        "元宇宙",
        "元宇宙",
        "厦门大学",
        "集美大学",
        "华侨大学",
        "厦门理工学院",
        "人工智能",
        "动漫",
        "数字经济",
        "元宇宙",
        "元宇宙",
    ],
    &[
        "元宇宙",
        "元宇宙",
        "金融",
        "元宇宙",
        "元宇宙",
        "融资租赁",
        "元宇宙",
    ],
    &["软件协会", "信息协会", "动漫协会"],
    &[
        "元宇宙",
        "网络安全法",
        "数据安全法",
        "个人信息保护法",
        "区块链信息服务管理规定",
        "元宇宙",
        "元宇宙",
        "元宇宙",
        "元宇宙",
    ],
    &[
        "元宇宙",
        "元宇宙",
        "元宇宙",
        "“数字拍卖”NFT运营平台",
        "NFT数字藏品产业基地",
    ],
    &["市工信局", "元宇宙"],
    &[
        "VR",
        "AR",
        "人工智能",
        "区块链",
        "金鸡百花奖",
        "NFT",
        "NFT",
        "动漫",
        "游戏",
    ],
    &[
        "动漫节",
        "元宇宙",
        "元宇宙",
        "元宇宙",
        "元宇宙",
        "元宇宙",
        "VR",
    ],
    &["元宇宙", "金融", "元宇宙", "元宇宙"],
];

#[test]
fn each_item_names_what_a_reader_finds_in_it() {
    let registry = policykg::registry::Registry::bundled().expect("registries parse");
    let mut d = doc();
    let warnings = policykg::recognize::recognize(&mut d, &registry);
    assert!(warnings.is_empty(), "every unit resolves: {warnings:?}");
    for (item, expected) in d.items.iter().zip(MENTIONS) {
        let found: Vec<&str> = item.mentions.iter().map(|m| m.label.as_str()).collect();
        assert_eq!(found, expected, "item {} {}", item.number, item.title);
        assert!(
            item.mentions.iter().all(|m| m.registered),
            "all are in the registries"
        );
    }
    let text = String::from_utf8(BUNDLED.to_vec()).expect("utf-8");
    let chars: Vec<char> = text.chars().collect();
    for m in d.items.iter().flat_map(|i| &i.mentions) {
        let quoted: String = chars[m.quote.span.start..m.quote.span.end].iter().collect();
        assert_eq!(quoted, m.label, "the offsets quote the name");
    }
    let classes = |label: &str| {
        d.items
            .iter()
            .flat_map(|i| &i.mentions)
            .find(|m| m.label == label)
            .map(|m| m.class.as_str())
    };
    assert_eq!(classes("厦门大学"), Some("Institution"));
    assert_eq!(classes("鼓浪屿"), Some("Place"));
    assert_eq!(classes("金鸡百花奖"), Some("Event"));
    assert_eq!(classes("网络安全法"), Some("LegalAct"));
    assert_eq!(classes("软件协会"), Some("Association"));
    assert_eq!(classes("会展"), Some("Field"));
    assert_eq!(classes("NFT数字资产"), Some("Technology"));
    assert_eq!(classes("市工信局"), Some("Organization"));
}
