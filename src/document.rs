//! A parsed plan: metadata, sections, items and their responsibility lists.
//!
//! This is what the parser hands to the RDF mapper. It knows nothing of RDF;
//! every position is a code-point offset into the file.

use crate::annotate::{self, ListBasis, Reader, Role, RoleBasis};
use crate::error::{Diagnostic, ParseError};
use crate::outline::{self, Block, Node};
use crate::source::Source;
use regex::Regex;
use std::sync::LazyLock;

/// A span of the file in Unicode code points, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// First code point.
    pub start: usize,
    /// One past the last code point.
    pub end: usize,
}

/// Quoted text with its place in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// The exact text of the file in `span` (markup and line breaks included).
    pub exact: String,
    /// Where it is.
    pub span: Span,
    /// 1-based line where it starts.
    pub line: usize,
}

/// The parsed document.
#[derive(Debug, Clone)]
pub struct Document {
    /// Stable identifier, from the file name (`xiamen-metaverse-2022`).
    pub id: String,
    /// File name without directories.
    pub file: String,
    /// The path as given on the command line.
    pub path: String,
    /// The source file's front matter, as key and values.
    pub front: Vec<(String, Vec<String>)>,
    /// The plan's own title (from 《…》, a bold title line, or the front matter).
    pub plan_title: String,
    /// Issuing bodies as written.
    pub issuers: Vec<String>,
    /// For each issuer, the registry unit it resolves to (set by
    /// [`crate::recognize`]).
    pub issuer_units: Vec<Option<String>>,
    /// Period covered, in years (`2022—2024`).
    pub period: Option<(u16, u16)>,
    /// The place whose government issued the plan (`厦门市`, `全国`), if known.
    pub jurisdiction: Option<String>,
    /// Sections in text order.
    pub sections: Vec<Section>,
    /// Items in text order.
    pub items: Vec<Item>,
    /// Decisions the parser made that a user should know about.
    pub warnings: Vec<Diagnostic>,
    /// Number of code points in the file.
    pub length: usize,
    /// Hash of the file and of what read it (set by `build`).
    pub content_hash: Option<String>,
}

/// A heading.
#[derive(Debug, Clone)]
pub struct Section {
    /// 1-based order among sections.
    pub order: usize,
    /// Number as written (`二`, `（一）`).
    pub number: String,
    /// Heading text after the number, up to the first `。`.
    pub title: String,
    /// 1-based depth.
    pub level: usize,
    /// Index of the enclosing section.
    pub parent: Option<usize>,
    /// The heading paragraph.
    pub quote: Quote,
    /// Things the heading names (set by [`crate::recognize`]).
    pub mentions: Vec<Mention>,
}

/// The kind of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    /// A key task (重点任务).
    KeyTask,
    /// A safeguard measure (保障措施).
    Safeguard,
}

/// A numbered item that units can be responsible for.
#[derive(Debug, Clone)]
pub struct Item {
    /// 1-based order among items.
    pub order: usize,
    /// Number as written (`4`, `（一）`).
    pub number: String,
    /// Text after the number up to the first `。`.
    pub title: String,
    /// Full text after the number, markup removed.
    pub text: String,
    /// Key task or safeguard.
    pub kind: ItemKind,
    /// Index of the enclosing section.
    pub section: Option<usize>,
    /// The whole paragraph.
    pub quote: Quote,
    /// The responsibility list, if the item has one.
    pub list: Option<ResponsibilityList>,
    /// Things the item names, in text order (set by [`crate::recognize`]).
    pub mentions: Vec<Mention>,
}

/// A place where a text names a thing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// The thing's identifier (a registry IRI, or one minted from its kind
    /// and name when a pattern found it).
    pub key: String,
    /// Its class (`Technology`, `Institution`, `LegalAct` …, or
    /// `Organization` for a unit named in prose).
    pub class: String,
    /// The name as written.
    pub label: String,
    /// Whether a registry lists it.
    pub registered: bool,
    /// Where.
    pub quote: Quote,
}

/// A responsibility list as found.
#[derive(Debug, Clone)]
pub struct ResponsibilityList {
    /// The bracketed annotation.
    pub quote: Quote,
    /// The units in order.
    pub assignments: Vec<Assignment>,
    /// Whether 等 stands for further unnamed units.
    pub etc: bool,
    /// How it was found: a label, role phrases, a table column, a bare list.
    pub basis: ListBasis,
}

/// One unit's place in one item's list.
#[derive(Debug, Clone)]
pub struct Assignment {
    /// 1-based position in the list.
    pub position: usize,
    /// Name as written.
    pub label: String,
    /// Role.
    pub role: Role,
    /// How the role was decided.
    pub basis: RoleBasis,
    /// Where the name is.
    pub quote: Quote,
    /// The registry unit it resolves to (set by [`crate::recognize`]).
    pub unit: Option<String>,
}

/// Section headings whose items are safeguard measures rather than key tasks.
const SAFEGUARD_WORDS: &[&str] = &[
    "保障措施",
    "保障",
    "组织实施",
    "实施要求",
    "工作要求",
    "有关要求",
    "推进机制",
];

/// Parses a plan file.
///
/// # Errors
///
/// The file cannot be decoded, its front matter is broken, a responsibility
/// list never closes, or it has no numbered items at all.
pub fn parse(name: &str, bytes: &[u8]) -> Result<Document, ParseError> {
    let source = Source::parse(name, bytes)?;
    let blocks = outline::blocks(&source);
    for block in &blocks {
        check_closed(&source, block)?;
    }
    let nodes = outline::tree(&blocks);
    let mut warnings = Vec::new();

    // Which nodes are sections and which are items.
    let mut section_of_node: Vec<Option<usize>> = vec![None; nodes.len()];
    let mut sections: Vec<Section> = Vec::new();
    let mut items: Vec<Item> = Vec::new();
    let mut reader = Reader::new();
    let preamble_end = nodes.first().map_or(blocks.len(), |n| n.block);
    if let Some(b) = blocks[..preamble_end]
        .iter()
        .find(|b| annotate::states_lead_rule(&b.text) && Reader::new().peek(&b.text).is_empty())
    {
        reader.put_in_force(&b.text);
    }
    for (n, node) in nodes.iter().enumerate() {
        let block = &blocks[node.block];
        let rest = &block.text[node.number.rest..];
        let parent_section = ancestor_section(&nodes, &section_of_node, node);
        // The item's own text, plus any following paragraphs up to the one
        // that carries its list when the numbered line is only a title.
        let mut text_blocks = vec![node.block];
        let own_lists = reader.peek(rest);
        let bare = outline::is_bare_heading(rest);
        if own_lists.is_empty()
            && !node.has_children
            && let Some(k) = node
                .body
                .iter()
                .position(|&b| !reader.peek(&blocks[b].text).is_empty())
        {
            let first_is_list = blocks[node.body[k]].text.starts_with(['（', '(']);
            if bare || (k == 0 && first_is_list) {
                text_blocks.extend_from_slice(&node.body[..=k]);
            }
        }
        // A leaf is an item when it has a body of its own, or when nothing
        // follows it but the next number (a plan of one-line items); a bare
        // heading with paragraphs under it is a section.
        let is_item = text_blocks.len() > 1
            || !own_lists.is_empty()
            || (!node.has_children && (!bare || node.body.is_empty()));
        if !is_item {
            let quote = quote_of(&source, block, 0, block.text.len());
            section_of_node[n] = Some(sections.len());
            sections.push(Section {
                order: sections.len() + 1,
                number: node.number.label.clone(),
                title: outline::title_of(rest).to_owned(),
                level: node.level,
                parent: parent_section,
                quote,
                mentions: Vec::new(),
            });
            continue;
        }
        // Items below an item (sub-points) still count; their section is the
        // nearest section above.
        let kind = if section_chain(&sections, parent_section)
            .any(|s| SAFEGUARD_WORDS.iter().any(|w| s.title.contains(w)))
        {
            ItemKind::Safeguard
        } else {
            ItemKind::KeyTask
        };
        let mut text = rest.to_owned();
        for &b in &text_blocks[1..] {
            text.push_str(&blocks[b].text);
        }
        let list = responsibility(
            &source,
            &blocks,
            &text_blocks,
            node,
            &mut reader,
            &mut warnings,
            items.len() + 1,
        );
        let last = &blocks[*text_blocks.last().unwrap_or(&node.block)];
        let first = quote_of(&source, block, 0, block.text.len());
        let end_byte = last.file_range(0, last.text.len()).1;
        let start_byte = block.file_offset(0);
        let quote = Quote {
            exact: source.text[start_byte..end_byte].to_owned(),
            span: Span {
                start: first.span.start,
                end: source.char_offset(end_byte),
            },
            line: first.line,
        };
        items.push(Item {
            order: items.len() + 1,
            number: node.number.label.clone(),
            // The title stops at the list when no 。 comes first
            // (`1. 建设平台（责任单位：市工信局）`).
            title: outline::title_of(&rest[..own_lists.first().map_or(rest.len(), |l| l.span.0)])
                .to_owned(),
            text,
            kind,
            section: parent_section,
            quote,
            list,
            mentions: Vec::new(),
        });
    }
    if items.is_empty() {
        return Err(ParseError::NoItems {
            at: source.location(source.body_start),
        });
    }
    let meta = Metadata::extract(&source, &blocks[..preamble_end]);
    Ok(Document {
        id: document_id(name),
        file: file_name(name),
        path: name.to_owned(),
        front: source.front.fields.clone(),
        plan_title: meta.title,
        issuer_units: vec![None; meta.issuers.len()],
        issuers: meta.issuers,
        period: meta.period,
        jurisdiction: meta.jurisdiction,
        sections,
        items,
        warnings,
        length: source.text.chars().count(),
        content_hash: None,
    })
}

/// Parses the lists of an item's text blocks into one list, in order.
fn responsibility(
    source: &Source,
    blocks: &[Block],
    text_blocks: &[usize],
    node: &Node,
    reader: &mut Reader,
    warnings: &mut Vec<Diagnostic>,
    order: usize,
) -> Option<ResponsibilityList> {
    let mut found: Vec<(usize, annotate::List)> = Vec::new();
    for (k, &b) in text_blocks.iter().enumerate() {
        let block = &blocks[b];
        let from = if k == 0 { node.number.rest } else { 0 };
        for mut list in reader.read(&block.text[from..]) {
            shift(&mut list, from);
            for note in &list.notes {
                warnings.push(Diagnostic {
                    at: source.location(block.file_offset(note.at)),
                    message: format!("item {order}: {}", note.message),
                });
            }
            found.push((b, list));
        }
    }
    if found.is_empty() {
        return None;
    }
    let (first_block, first) = &found[0];
    let (last_block, last) = &found[found.len() - 1];
    let start = blocks[*first_block].file_offset(first.span.0);
    let end = blocks[*last_block].file_range(last.span.0, last.span.1).1;
    let start_line = source.line_of(start);
    let quote = Quote {
        exact: source.text[start..end].to_owned(),
        span: Span {
            start: source.char_offset(start),
            end: source.char_offset(end),
        },
        line: start_line,
    };
    let mut assignments: Vec<Assignment> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut etc = false;
    let basis = found
        .iter()
        .map(|(_, l)| l.basis)
        .min()
        .unwrap_or(ListBasis::Label);
    for (b, list) in &found {
        etc |= list.etc;
        for unit in &list.units {
            if !seen.insert((unit.label.as_str(), unit.role)) {
                continue;
            }
            if unit.basis == RoleBasis::Guessed {
                warnings.push(Diagnostic {
                    at: source.location(start),
                    message: format!(
                        "item {order}: took the bracketed names with no label or role word as responsible units (`{}`)",
                        unit.label
                    ),
                });
            }
            assignments.push(Assignment {
                position: assignments.len() + 1,
                label: unit.label.clone(),
                role: unit.role,
                basis: unit.basis,
                quote: quote_of(source, &blocks[*b], unit.span.0, unit.span.1),
                unit: None,
            });
        }
    }
    if found.len() > 1 {
        warnings.push(Diagnostic {
            at: source.location(start),
            message: format!(
                "item {order}: {} responsibility lists in one item were merged in order",
                found.len()
            ),
        });
    }
    Some(ResponsibilityList {
        quote,
        assignments,
        etc,
        basis,
    })
}

fn shift(list: &mut annotate::List, by: usize) {
    list.span = (list.span.0 + by, list.span.1 + by);
    for unit in &mut list.units {
        unit.span = (unit.span.0 + by, unit.span.1 + by);
    }
    for note in &mut list.notes {
        note.at += by;
    }
}

fn quote_of(source: &Source, block: &Block, start: usize, end: usize) -> Quote {
    let (s, e) = block.file_range(start, end);
    Quote {
        exact: source.text[s..e].to_owned(),
        span: Span {
            start: source.char_offset(s),
            end: source.char_offset(e),
        },
        line: source.line_of(s),
    }
}

/// A responsibility list that opens and never closes is an error, not a
/// silent loss of units.
fn check_closed(source: &Source, block: &Block) -> Result<(), ParseError> {
    let Some(open) = outline::open_bracket(&block.text) else {
        return Ok(());
    };
    // Only the unclosed bracket's own text counts: `（含虚拟现实。…（责任单位：…）`
    // has a closed list after a stray prose bracket.
    let inside = &block.text[open..];
    let own_end = inside
        .char_indices()
        .skip(1)
        .find(|&(_, c)| matches!(c, '（' | '(' | '【' | '['))
        .map_or(inside.len(), |(i, _)| i);
    let labelled = ["单位：", "部门：", "单位:", "部门:"]
        .iter()
        .any(|l| inside[..own_end].contains(l));
    if !labelled {
        return Ok(());
    }
    let open_char = inside.chars().next().unwrap_or('（');
    Err(ParseError::UnclosedList {
        at: source.location(block.file_offset(open)),
        open: open_char,
        close: if open_char == '(' { ')' } else { '）' },
    })
}

fn ancestor_section(
    nodes: &[Node],
    section_of_node: &[Option<usize>],
    node: &Node,
) -> Option<usize> {
    let mut p = node.parent;
    while let Some(i) = p {
        if let Some(s) = section_of_node[i] {
            return Some(s);
        }
        p = nodes[i].parent;
    }
    None
}

fn section_chain(sections: &[Section], start: Option<usize>) -> impl Iterator<Item = &Section> {
    std::iter::successors(start.map(|s| &sections[s]), |s| {
        s.parent.map(|p| &sections[p])
    })
}

/// The file name without directories.
fn file_name(name: &str) -> String {
    std::path::Path::new(name)
        .file_name()
        .map_or_else(|| name.to_owned(), |n| n.to_string_lossy().into_owned())
}

/// A stable, readable identifier from the file name: the stem, with
/// characters that do not belong in an IRI path segment replaced by `-`.
#[must_use]
pub fn document_id(name: &str) -> String {
    let stem = std::path::Path::new(name)
        .file_stem()
        .map_or_else(|| name.to_owned(), |n| n.to_string_lossy().into_owned());
    let id: String = stem
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .collect();
    if id.is_empty() {
        "document".to_owned()
    } else {
        id
    }
}

struct Metadata {
    title: String,
    issuers: Vec<String>,
    period: Option<(u16, u16)>,
    jurisdiction: Option<String>,
}

/// Words a plan's own title ends with (a referenced 通知 or 决定 is not the plan).
const PLAN_WORDS: &[&str] = &[
    "计划", "方案", "意见", "措施", "规划", "办法", "纲要", "要点", "行动",
];

static QUOTED_TITLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"《([^《》]{4,120})》").expect("valid regex"));
static PERIOD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"((?:19|20)\d\d)\s*年?\s*[—–\-－~～至到]+\s*((?:19|20)\d\d)\s*年")
        .expect("valid regex")
});
static PLACE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:中共)?(\p{Han}{2,7}?(?:省|自治区|市|自治州|州|区|县|盟|旗))")
        .expect("valid regex")
});

impl Metadata {
    fn extract(source: &Source, preamble: &[Block]) -> Self {
        let front = &source.front;
        let mut texts: Vec<&str> = Vec::new();
        if let Some(d) = front.get("description") {
            texts.push(d);
        }
        texts.extend(preamble.iter().map(|b| b.text.as_str()));
        let quoted = texts.iter().find_map(|t| {
            QUOTED_TITLE.captures_iter(t).find_map(|c| {
                let m = c.get(1)?;
                let title = m.as_str();
                let without_period = strip_trailing_bracket(title);
                PLAN_WORDS
                    .iter()
                    .any(|w| without_period.ends_with(w))
                    .then(|| (title.to_owned(), t.to_owned(), m.start()))
            })
        });
        let title = quoted
            .as_ref()
            .map(|(t, _, _)| t.clone())
            .or_else(|| front.get("plan_title").map(str::to_owned))
            .or_else(|| front.get("title").map(str::to_owned))
            .or_else(|| {
                preamble
                    .iter()
                    .find(|b| b.heading > 0)
                    .map(|b| b.text.clone())
            })
            .unwrap_or_default();
        let mut issuers: Vec<String> = front
            .values("issuer")
            .iter()
            .chain(front.values("issuers"))
            .flat_map(|v| v.split(['、', '，', ',']))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect();
        if issuers.is_empty()
            && let Some((_, text, at)) = &quoted
        {
            issuers = issuers_before(&text[..at.saturating_sub('《'.len_utf8())]);
        }
        let period = PERIOD.captures(&title).and_then(|c| {
            let a = c.get(1)?.as_str().parse().ok()?;
            let b = c.get(2)?.as_str().parse().ok()?;
            (a <= b).then_some((a, b))
        });
        let jurisdiction = front
            .get("jurisdiction")
            .map(str::to_owned)
            .or_else(|| place_of(&title))
            .or_else(|| issuers.iter().find_map(|i| place_of(i)))
            .or_else(|| front.get("title").and_then(place_of));
        Self {
            title,
            issuers,
            period,
            jurisdiction,
        }
    }
}

fn strip_trailing_bracket(title: &str) -> &str {
    if title.ends_with(['）', ')'])
        && let Some(i) = title.rfind(['（', '('])
    {
        return &title[..i];
    }
    title
}

/// The issuers named just before `印发《…》`: `厦门市工业和信息化局、厦门市大数据管理局联合印发`.
fn issuers_before(text: &str) -> Vec<String> {
    let Some(verb) = ["联合印发", "印发", "联合发布", "发布", "出台"]
        .iter()
        .find_map(|v| text.strip_suffix(v))
    else {
        return Vec::new();
    };
    let clause = verb
        .rsplit(['，', ',', '。', '：', '）', ')'])
        .next()
        .unwrap_or(verb);
    clause
        .split('、')
        .map(str::trim)
        .filter(|s| s.chars().count() >= 2)
        .map(str::to_owned)
        .collect()
}

/// The place a title or issuer starts with: `厦门市…` → `厦门市`;
/// the State Council and ministries → `全国`.
fn place_of(text: &str) -> Option<String> {
    if text.starts_with("国务院") || text.starts_with("中共中央") || text.starts_with("国家")
    {
        return Some("全国".to_owned());
    }
    PLACE
        .captures(text)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_owned())
        .filter(|p| !p.starts_with("关于"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuers_are_read_before_the_publishing_verb() {
        assert_eq!(
            issuers_before("（CWW）3月23日，厦门市工业和信息化局、厦门市大数据管理局联合印发"),
            ["厦门市工业和信息化局", "厦门市大数据管理局"]
        );
    }

    #[test]
    fn places_come_from_the_start_of_a_title() {
        assert_eq!(
            place_of("厦门市元宇宙产业发展三年行动计划").as_deref(),
            Some("厦门市")
        );
        assert_eq!(
            place_of("官渡区稳增长促发展政策措施").as_deref(),
            Some("官渡区")
        );
        assert_eq!(place_of("国务院关于促进").as_deref(), Some("全国"));
        assert_eq!(place_of("关于推进人才集聚工程的实施意见"), None);
    }

    #[test]
    fn document_ids_are_readable_path_segments() {
        assert_eq!(
            document_id("data/plans/xiamen metaverse.md"),
            "xiamen-metaverse"
        );
    }
}
