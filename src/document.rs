//! A parsed plan: metadata, sections, items and their responsibility lists.
//!
//! This is what the parser hands to the RDF mapper. It knows nothing of RDF;
//! every position is a code-point offset into the file.

use crate::annotate::{self, ListBasis, Reader, RoleBasis};
use crate::error::{Diagnostic, Location, ParseError};
use crate::outline::{self, Block, Node, is_bare_heading};
use crate::source::Source;
use crate::task_table::{self, Row, Table};
use crate::vocab::{ItemKind, Role};
use crate::words::{Column, LabelRole, words};
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
    /// Text that looks like responsibility that no list read.
    pub suspects: Vec<Suspect>,
    /// Number of code points in the file.
    pub length: usize,
    /// The file's text, which every span points into.
    pub source_text: String,
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
    /// The heading paragraph (for a table, its caption or header).
    pub quote: Quote,
    /// Whether it is a task-division table (its rows are items).
    pub table: bool,
    /// Things the heading names (set by [`crate::recognize`]).
    pub mentions: Vec<Mention>,
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
    /// The task-division table (a section index) the item is a row of.
    pub table: Option<usize>,
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
/// list never closes, or it has no numbered items (and no task table) at all.
pub fn parse(name: &str, bytes: &[u8]) -> Result<Document, ParseError> {
    let source = Source::parse(name, bytes)?;
    let tables = task_table::find(&source);
    let regions: Vec<(usize, usize)> = tables.iter().map(|t| t.region).collect();
    let blocks = outline::blocks(&source, &regions);
    for block in &blocks {
        check_closed(&source, block)?;
    }
    let nodes = outline::tree(&blocks);
    let preamble_end = nodes.first().map_or(blocks.len(), |n| n.block);
    let mut b = Builder {
        shape: blocks.iter().map(shape_of).collect(),
        source: &source,
        blocks: &blocks,
        nodes: &nodes,
        reader: Reader::new(),
        sections: Vec::new(),
        items: Vec::new(),
        warnings: Vec::new(),
        section_of_node: vec![None; nodes.len()],
        consumed: Vec::new(),
        table_suspects: Vec::new(),
    };
    if let Some(rule) = blocks[..preamble_end]
        .iter()
        .find(|b| annotate::states_lead_rule(&b.text) && Reader::new().peek(&b.text).is_empty())
    {
        b.reader.put_in_force(&rule.text);
    }
    let bodies = b.bodies();
    let mut tables = tables.iter().peekable();
    // The preamble's lists belong to no item: read for the rules they
    // state (and reported as suspects, not consumed).
    for block in &blocks[..preamble_end] {
        while let Some(t) = tables.next_if(|t| t.region.0 < block.file_offset(0)) {
            b.table(t);
        }
        b.reader.read(&block.text);
    }
    for n in 0..nodes.len() {
        let at = blocks[nodes[n].block].file_offset(0);
        while let Some(t) = tables.next_if(|t| t.region.0 < at) {
            b.table(t);
        }
        b.node(n, &bodies[n]);
    }
    for t in tables {
        b.table(t);
    }
    if b.items.is_empty() {
        return Err(ParseError::NoItems {
            at: source.location(source.body_start),
        });
    }
    let suspects = b.suspects();
    let Builder {
        sections,
        items,
        warnings,
        ..
    } = b;
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
        suspects,
        length: source.text.chars().count(),
        source_text: source.text.clone(),
        content_hash: None,
    })
}

/// Text that looks like responsibility but that no list read: shown by
/// `policykg check`, counted by `build`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suspect {
    /// Where.
    pub at: Location,
    /// The text, shortened.
    pub text: String,
    /// Why it looks like responsibility.
    pub reason: String,
}

/// The blocks of one paragraph, and for each the byte offset in its text
/// where the paragraph's text starts (after the number, for the first).
type Para = Vec<(usize, usize)>;

/// What a block holds, read once before the outline is put together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// No responsibility list.
    NoList,
    /// Lists, among other text.
    Lists,
    /// Nothing but one list (`责任单位:市发改委`, `（牵头单位：…）`).
    ListLine,
}

fn shape_of(block: &Block) -> Shape {
    let text = &block.text;
    let lists = Reader::new().peek(text);
    match lists.as_slice() {
        [] => Shape::NoList,
        [list]
            if list.span.0 == 0
                && text[list.span.1..]
                    .trim_matches(|c: char| c.is_whitespace() || "。；;.".contains(c))
                    .is_empty() =>
        {
            Shape::ListLine
        }
        _ => Shape::Lists,
    }
}

/// Puts sections and items together from the outline and the tables, in
/// text order, reading lists as it goes (a rule stated with 下同 holds for
/// what comes after).
struct Builder<'a> {
    /// What each block holds.
    shape: Vec<Shape>,
    source: &'a Source,
    blocks: &'a [Block],
    nodes: &'a [Node],
    reader: Reader,
    sections: Vec<Section>,
    items: Vec<Item>,
    warnings: Vec<Diagnostic>,
    section_of_node: Vec<Option<usize>>,
    /// File byte ranges the lists read.
    consumed: Vec<(usize, usize)>,
    /// Table cells in unit columns that gave no unit.
    table_suspects: Vec<Suspect>,
}

impl Builder<'_> {
    /// Each node's blocks, grouped into paragraphs: the numbered one first
    /// (with the lines that continue it and a list on a line of its own),
    /// then the paragraphs of its body. A list on its own line after the
    /// sub-items `(1)(2)` of an item that has none is the item's.
    fn bodies(&self) -> Vec<Vec<Para>> {
        let mut out: Vec<Vec<Para>> = self
            .nodes
            .iter()
            .map(|node| {
                let mut blocks = vec![(node.block, node.number.rest)];
                blocks.extend(node.body.iter().map(|&b| (b, 0)));
                self.paragraphs(&blocks)
            })
            .collect();
        // Whether each node's paragraphs carry a list, summed over node
        // order, so that "no list under P before its last child" is one
        // subtraction (P's subtree is a run of nodes).
        let has = |paras: &[Para]| paras.iter().any(|para| self.has_list(para));
        let mut all = vec![0usize; self.nodes.len() + 1];
        for (n, paras) in out.iter().enumerate() {
            all[n + 1] = all[n] + usize::from(has(paras));
        }
        let mut children = vec![0usize; self.nodes.len()];
        for node in self.nodes {
            if let Some(p) = node.parent {
                children[p] += 1;
            }
        }
        for c in 0..self.nodes.len() {
            let Some(p) = self.nodes[c].parent else {
                continue;
            };
            let last_child = self
                .nodes
                .get(c + 1)
                .is_none_or(|next| next.level <= self.nodes[p].level);
            let siblings = children[p];
            // The list lines closing the last paragraph (not its first block).
            let Some(last) = out[c].last() else { continue };
            let tail = last
                .iter()
                .skip(1)
                .rev()
                .take_while(|&&(b, _)| self.is_list_line(b))
                .count();
            let tail = if out[c].len() > 1 && tail + 1 == last.len() && self.is_list_line(last[0].0)
            {
                last.len()
            } else {
                tail
            };
            if !(last_child && siblings >= 2 && tail > 0 && all[c] - all[p] == 0) {
                continue;
            }
            let mut rest = out[c].clone();
            let Some(last) = rest.last_mut() else {
                continue;
            };
            let moved = last.split_off(last.len() - tail);
            if last.is_empty() {
                rest.pop();
            }
            if rest.iter().any(|para| self.has_list(para)) {
                continue;
            }
            out[c] = rest;
            out[p][0].extend(moved);
        }
        out
    }

    /// Groups blocks into paragraphs.
    fn paragraphs(&self, blocks: &[(usize, usize)]) -> Vec<Para> {
        let mut out: Vec<Para> = Vec::new();
        for &(b, from) in blocks {
            if let Some(last) = out.last_mut() {
                let prev = &self.blocks[last[last.len() - 1].0];
                if self.is_list_line(b) || continues(prev, &self.blocks[b]) {
                    last.push((b, from));
                    continue;
                }
            }
            out.push(vec![(b, from)]);
        }
        out
    }

    /// A block that is only a responsibility list (`责任单位:市发改委`, or
    /// one bracketed list).
    fn is_list_line(&self, b: usize) -> bool {
        self.shape[b] == Shape::ListLine
    }

    fn para_text(&self, para: &Para) -> String {
        para.iter()
            .map(|&(b, from)| &self.blocks[b].text[from..])
            .collect()
    }

    /// Whether a paragraph has a responsibility list (its blocks were read
    /// once, up front: whether there is a list does not depend on the rules
    /// in force, only the roles do).
    fn has_list(&self, para: &Para) -> bool {
        para.iter().any(|&(b, _)| self.shape[b] != Shape::NoList)
    }

    /// Reads a paragraph that is no item's: for the rules it states.
    fn skip(&mut self, para: &Para) {
        for &(b, from) in para {
            self.reader.read(&self.blocks[b].text[from..]);
        }
    }

    fn node(&mut self, n: usize, paras: &[Para]) {
        let node = &self.nodes[n];
        let parent_section = ancestor_section(self.nodes, &self.section_of_node, node);
        let first = &paras[0];
        let body = &paras[1..];
        let own = self.has_list(first);
        let annotated: Vec<usize> = (0..body.len())
            .filter(|&k| self.has_list(&body[k]))
            .collect();
        let bare = is_bare_heading(&self.para_text(first));
        // The numbered paragraph: an item when it has a list or a body of
        // its own; with one annotated paragraph under it and no sub-items,
        // the item runs to that paragraph; a heading with sub-items, or
        // with several annotated paragraphs, is a section.
        let merged = !own && !node.has_children && annotated.len() == 1;
        let is_item = own
            || merged
            || (!node.has_children && !bare && annotated.len() != 1)
            || (!node.has_children && annotated.is_empty() && body.is_empty());
        let mut own_section = None;
        let rest_from = if merged { annotated[0] + 1 } else { 0 };
        if is_item {
            let mut item_paras: Vec<&Para> = vec![first];
            if merged {
                item_paras.extend(&body[..=annotated[0]]);
            }
            self.item(
                node.number.label.clone(),
                &item_paras,
                parent_section,
                // A numbered paragraph's title is its first sentence; when
                // its list is in a paragraph below, the title is the
                // numbered line.
                first,
            );
        } else {
            self.skip(first);
            let block = &self.blocks[node.block];
            let quote = quote_of(self.source, block, 0, block.text.len());
            self.section_of_node[n] = Some(self.sections.len());
            own_section = Some(self.sections.len());
            self.sections.push(Section {
                order: self.sections.len() + 1,
                number: node.number.label.clone(),
                title: outline::title_of(&block.text[node.number.rest..]).to_owned(),
                level: node.level,
                parent: parent_section,
                quote,
                table: false,
                mentions: Vec::new(),
            });
        }
        // Further annotated paragraphs under the number are items of their
        // own, with its number.
        for (k, para) in body.iter().enumerate().skip(rest_from) {
            if annotated.contains(&k) {
                self.item(
                    node.number.label.clone(),
                    &[para],
                    own_section.or(parent_section),
                    para,
                );
            } else {
                self.skip(para);
            }
        }
    }

    /// An item of the outline: its paragraphs, the paragraph its title
    /// comes from, and its section.
    fn item(&mut self, number: String, paras: &[&Para], section: Option<usize>, titled: &Para) {
        let blocks: Vec<(usize, usize)> = paras.iter().flat_map(|p| p.iter().copied()).collect();
        let order = self.items.len() + 1;
        let kind = self.kind_of(section);
        // The title stops at the list when no 。 comes first
        // (`1. 建设平台（责任单位：市工信局）`).
        let title_text = {
            let mut reader = self.reader.clone();
            let mut text = String::new();
            for &(b, from) in titled {
                let own = &self.blocks[b].text[from..];
                match reader.read(own).first() {
                    Some(l) => {
                        text.push_str(&own[..l.span.0]);
                        break;
                    }
                    None => text.push_str(own),
                }
            }
            text
        };
        let text: String = blocks
            .iter()
            .map(|&(b, from)| &self.blocks[b].text[from..])
            .collect();
        let list = self.responsibility(&blocks, order);
        let (first, last) = (blocks[0].0, blocks[blocks.len() - 1].0);
        let start_byte = self.blocks[first].file_offset(0);
        let end_byte = self.blocks[last].file_end();
        let quote = Quote {
            exact: self.source.text[start_byte..end_byte].to_owned(),
            span: Span {
                start: self.source.char_offset(start_byte),
                end: self.source.char_offset(end_byte),
            },
            line: self.source.line_of(start_byte),
        };
        self.items.push(Item {
            order,
            number,
            title: outline::title_of(&title_text).to_owned(),
            text,
            kind,
            section,
            quote,
            list,
            table: None,
            mentions: Vec::new(),
        });
    }

    fn kind_of(&self, section: Option<usize>) -> ItemKind {
        if section_chain(&self.sections, section)
            .any(|s| SAFEGUARD_WORDS.iter().any(|w| s.title.contains(w)))
        {
            ItemKind::Safeguard
        } else {
            ItemKind::KeyTask
        }
    }

    fn responsibility(
        &mut self,
        blocks: &[(usize, usize)],
        order: usize,
    ) -> Option<ResponsibilityList> {
        let (list, bytes) = responsibility(
            self.source,
            self.blocks,
            blocks,
            &mut self.reader,
            &mut self.warnings,
            order,
        )?;
        self.consumed.push(bytes);
        Some(list)
    }

    /// A task-division table: a section (its caption), a section per group
    /// row, an item per row that names units.
    fn table(&mut self, table: &Table) {
        for &(at, ref message) in &table.notes {
            self.warnings.push(Diagnostic {
                at: self.source.location(at),
                message: message.clone(),
            });
        }
        let source = self.source;
        let head = table.caption.clone().or_else(|| {
            let (start, end) = table.region;
            let first_line = source.text[start..end].lines().next().unwrap_or_default();
            Block::of_line(start, first_line)
        });
        let Some(head) = head else { return };
        let table_section = self.sections.len();
        self.sections.push(Section {
            order: table_section + 1,
            number: String::new(),
            title: table
                .caption
                .as_ref()
                .map_or_else(|| "任务分工表".to_owned(), |c| c.text.clone()),
            level: 1,
            parent: None,
            quote: quote_of(source, &head, 0, head.text.len()),
            table: true,
            mentions: Vec::new(),
        });
        let column = |kind| table.column(kind);
        let (number_col, task_col, content_col, category_col) = (
            column(Column::Number),
            column(Column::Task),
            column(Column::Content),
            column(Column::Category),
        );
        let mut group: Option<usize> = None;
        let mut category: Option<String> = None;
        let mut number = String::new();
        let mut task: Option<Block> = None;
        for row in &table.rows {
            let cells = match row {
                Row::Group {
                    number,
                    title,
                    block,
                } => {
                    group = Some(self.sections.len());
                    self.sections.push(Section {
                        order: self.sections.len() + 1,
                        number: number.clone(),
                        title: title.clone(),
                        level: 2,
                        parent: Some(table_section),
                        quote: quote_of(source, block, 0, block.text.len()),
                        table: false,
                        mentions: Vec::new(),
                    });
                    continue;
                }
                Row::Task(cells) => cells,
            };
            let cell = |c: Option<usize>| c.and_then(|c| cells.get(c)).and_then(Option::as_ref);
            if let Some(c) = cell(category_col)
                && category.as_deref() != Some(c.text.as_str())
            {
                category = Some(c.text.clone());
                group = Some(self.sections.len());
                self.sections.push(Section {
                    order: self.sections.len() + 1,
                    number: String::new(),
                    title: c.text.clone(),
                    level: 2,
                    parent: Some(table_section),
                    quote: quote_of(source, c, 0, c.text.len()),
                    table: false,
                    mentions: Vec::new(),
                });
            }
            if let Some(c) = cell(number_col) {
                number = c.text.trim_end_matches(['、', '.', '．']).to_owned();
                task = None;
            }
            if let Some(c) = cell(task_col) {
                task = Some(c.clone());
            }
            let content = cell(content_col);
            let units: Vec<(usize, LabelRole)> = table
                .columns
                .iter()
                .enumerate()
                .filter_map(|(k, col)| match col {
                    Column::Units(role) if cells.get(k).is_some_and(Option::is_some) => {
                        Some((k, *role))
                    }
                    _ => None,
                })
                .collect();
            if units.is_empty() {
                continue;
            }
            let order = self.items.len() + 1;
            let texts: Vec<(&str, LabelRole)> = units
                .iter()
                .filter_map(|&(k, role)| cells[k].as_ref().map(|b| (b.text.as_str(), role)))
                .collect();
            let unit_blocks: Vec<&Block> = units
                .iter()
                .filter_map(|&(k, _)| cells[k].as_ref())
                .collect();
            let read = self.reader.read_cells(&texts);
            let Some((found, etc)) = read else {
                for (b, (text, _)) in unit_blocks.iter().zip(&texts) {
                    if !annotate::is_none_cell(text) {
                        self.table_suspects.push(Suspect {
                            at: source.location(b.file_offset(0)),
                            text: annotate::short(text),
                            reason: "a unit cell of a task table from which no unit was read"
                                .to_owned(),
                        });
                    }
                }
                continue;
            };
            let first = unit_blocks[0];
            let last = unit_blocks[unit_blocks.len() - 1];
            let (start, _) = first.file_range(0, first.text.len());
            let (_, end) = last.file_range(0, last.text.len());
            self.consumed.push((start, end));
            let list_quote = Quote {
                exact: source.text[start..end].to_owned(),
                span: Span {
                    start: source.char_offset(start),
                    end: source.char_offset(end),
                },
                line: source.line_of(start),
            };
            let assignments = found
                .iter()
                .enumerate()
                .map(|(p, (k, unit))| Assignment {
                    position: p + 1,
                    label: unit.label.clone(),
                    role: unit.role,
                    basis: unit.basis,
                    quote: quote_of(source, unit_blocks[*k], unit.span.0, unit.span.1),
                    unit: None,
                })
                .collect();
            let present: Vec<&Block> = cells.iter().flatten().collect();
            let row_start = present
                .iter()
                .map(|b| b.file_offset(0))
                .min()
                .unwrap_or(start);
            let row_end = present.iter().map(|b| b.file_end()).max().unwrap_or(end);
            let title_source = task.as_ref().or(content).map_or("", |b| b.text.as_str());
            let mut text = task.as_ref().map_or_else(String::new, |b| b.text.clone());
            if let Some(c) = content {
                if !text.is_empty() {
                    text.push('\n');
                }
                text.push_str(&c.text);
            }
            let section = group.or(Some(table_section));
            self.items.push(Item {
                order,
                number: number.clone(),
                title: outline::title_of(title_source).to_owned(),
                text,
                kind: self.kind_of(section),
                section,
                quote: Quote {
                    exact: source.text[row_start..row_end].to_owned(),
                    span: Span {
                        start: source.char_offset(row_start),
                        end: source.char_offset(row_end),
                    },
                    line: source.line_of(row_start),
                },
                list: Some(ResponsibilityList {
                    quote: list_quote,
                    assignments,
                    etc,
                    basis: ListBasis::TableColumn,
                }),
                table: Some(table_section),
                mentions: Vec::new(),
            });
        }
    }

    /// Brackets and lines outside the lists that look like responsibility.
    fn suspects(&mut self) -> Vec<Suspect> {
        let mut out = self.table_suspects.clone();
        self.consumed.sort_unstable();
        let consumed = &self.consumed;
        // The read range that starts last at or before `s`.
        let before = |s: usize| consumed[..consumed.partition_point(|&(a, _)| a <= s)].last();
        let read = |s: usize, e: usize| before(s).is_some_and(|&(_, b)| e <= b);
        let overlaps = |s: usize, e: usize| {
            before(s).is_some_and(|&(_, b)| b > s)
                || consumed
                    .get(consumed.partition_point(|&(a, _)| a <= s))
                    .is_some_and(|&(a, _)| a < e)
        };
        for block in self.blocks {
            let text = &block.text;
            for at in annotate::unclosed(text) {
                let (s, _) = block.file_range(at, at);
                let bracket = text[at..].chars().next().unwrap_or('（');
                self.warnings.push(Diagnostic {
                    at: self.source.location(s),
                    message: format!(
                        "a {bracket} here never closes; the lists after it were read as if it were not there: check them"
                    ),
                });
            }
            for (o, c) in annotate::brackets(text) {
                let (s, e) = block.file_range(o, c);
                let inner_start = o + text[o..].chars().next().map_or(1, char::len_utf8);
                let inner_end = c - text[..c].chars().next_back().map_or(1, char::len_utf8);
                if !read(s, e)
                    && !annotate::is_qualifier(text, o, c)
                    && annotate::looks_like_responsibility(
                        &text[inner_start..inner_end.max(inner_start)],
                    )
                {
                    out.push(Suspect {
                        at: self.source.location(s),
                        text: annotate::short(&text[o..c]),
                        reason: "a bracket naming organisations or roles that no list read"
                            .to_owned(),
                    });
                }
            }
            let rest = outline::numbering(text).map_or(0, |n| n.rest);
            let line = &text[rest..];
            let labelled = line.char_indices().take(12).any(|(i, c)| {
                matches!(c, '：' | ':')
                    && words()
                        .label_ending(&line[..i])
                        .is_some_and(|(l, _)| l.len() == i)
            });
            let (s, e) = block.file_range(rest, text.len());
            if labelled && !overlaps(s, e) {
                out.push(Suspect {
                    at: self.source.location(s),
                    text: annotate::short(line),
                    reason: "a line that opens with a responsibility label but that no list read"
                        .to_owned(),
                });
            }
        }
        out.sort_by_key(|s| s.at.line);
        out
    }
}

/// Whether `next` continues `prev` as one paragraph that a page break or a
/// hard line break cut: `prev` stops mid-sentence (after `，` or `、`, or a
/// long line with no closing punctuation).
fn continues(prev: &Block, next: &Block) -> bool {
    if prev.heading > 0 || next.heading > 0 {
        return false;
    }
    let Some(last) = prev.text.chars().next_back() else {
        return false;
    };
    let closed = "。！？；：:;!?…”’）)】』」》".contains(last);
    let mid = matches!(last, '，' | '、' | ',');
    mid || (!closed && prev.text.chars().count() > 40)
}

/// Parses the lists of an item's text blocks into one list, in order.
fn responsibility(
    source: &Source,
    blocks: &[Block],
    text_blocks: &[(usize, usize)],
    reader: &mut Reader,
    warnings: &mut Vec<Diagnostic>,
    order: usize,
) -> Option<(ResponsibilityList, (usize, usize))> {
    let mut found: Vec<(usize, annotate::List)> = Vec::new();
    for &(b, from) in text_blocks {
        let block = &blocks[b];
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
    // Lists on lines of their own (`牵头单位:X` then `责任单位:A、B`) are one
    // list: a 责任单位 group beside an explicit lead supports, and does not
    // list the lead again.
    if found.len() > 1 {
        let leads: Vec<String> = found
            .iter()
            .flat_map(|(_, l)| &l.units)
            .filter(|u| u.role == Role::Lead && u.basis == RoleBasis::ExplicitLabel)
            .map(|u| u.label.clone())
            .collect();
        if !leads.is_empty() {
            for (_, list) in &mut found {
                if list.units.iter().any(|u| u.role != Role::Responsible) {
                    continue;
                }
                list.units.retain(|u| !leads.contains(&u.label));
                for u in &mut list.units {
                    u.role = Role::Support;
                    u.basis = RoleBasis::ExplicitLabel;
                }
            }
        }
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
    Some((
        ResponsibilityList {
            quote,
            assignments,
            etc,
            basis,
        },
        (start, end),
    ))
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

    /// (number, title, lead, support, responsible) of every item with a
    /// list.
    fn rows(text: &str) -> Vec<(String, String, String, String, String)> {
        let doc = parse("t.md", text.as_bytes()).expect("parses");
        doc.items
            .iter()
            .filter_map(|i| {
                let list = i.list.as_ref()?;
                let names = |role: Role| {
                    list.assignments
                        .iter()
                        .filter(|a| a.role == role)
                        .map(|a| a.label.as_str())
                        .collect::<Vec<_>>()
                        .join("、")
                };
                Some((
                    i.number.clone(),
                    i.title.clone(),
                    names(Role::Lead),
                    names(Role::Support),
                    names(Role::Responsible),
                ))
            })
            .collect()
    }

    fn row(
        n: &str,
        t: &str,
        l: &str,
        s: &str,
        r: &str,
    ) -> (String, String, String, String, String) {
        (n.into(), t.into(), l.into(), s.into(), r.into())
    }

    #[test]
    fn a_list_on_a_line_of_its_own_belongs_to_the_item_above() {
        assert_eq!(
            rows(
                "一、目标\n\n1.增长6%。\n\n牵头单位:区发改局\n\n责任单位:区财政局,区税务局\n\n2.增长8%。\n\n责任单位:区科技局\n"
            ),
            [
                row("1", "增长6%", "区发改局", "区财政局、区税务局", ""),
                row("2", "增长8%", "", "", "区科技局"),
            ]
        );
    }

    #[test]
    fn a_list_after_several_sub_items_belongs_to_the_item_they_are_under() {
        assert_eq!(
            rows(
                "一、任务\n1.完善预案体系\n(1)加强管理。\n(2)推进精编。\n(责任单位:市应急局、各县(市、区)人民政府)\n2.健全机制\n(1)推进建设。(责任单位:市编办)\n"
            ),
            [
                row(
                    "1",
                    "完善预案体系",
                    "",
                    "",
                    "市应急局、各县(市、区)人民政府"
                ),
                row("(1)", "推进建设", "", "", "市编办"),
            ]
        );
    }

    #[test]
    fn several_annotated_paragraphs_under_one_heading_are_items_of_their_own() {
        assert_eq!(
            rows(
                "一、任务\n（一）加强组织保障\n建立机制。（责任单位：市工信局）\n落实经费。（责任单位：市财政局）\n（二）强化宣传\n开展宣传。（责任单位：市委宣传部）\n"
            ),
            [
                row("（一）", "建立机制", "", "", "市工信局"),
                row("（一）", "落实经费", "", "", "市财政局"),
                row("（二）", "强化宣传", "", "", "市委宣传部"),
            ]
        );
    }

    #[test]
    fn a_paragraph_cut_by_a_page_break_is_one_paragraph() {
        let doc = parse(
            "t.md",
            "一、任务\n\n1. 推进平台建设，支持企业开展关键技术攻关和应用示范，推动形成一批可复制可推广的经验做法和\n\n- 3 -\n\n典型案例。（责任单位：市科技局、市工信局）\n\n2. 下一项。（责任单位：市发改委）\n".as_bytes(),
        )
        .expect("parses");
        let first = &doc.items[0];
        assert_eq!(first.number, "1");
        assert!(first.title.ends_with("典型案例"), "{}", first.title);
        let list = first
            .list
            .as_ref()
            .expect("the list after the break is the item's");
        assert_eq!(list.assignments.len(), 2);
    }

    #[test]
    fn rows_of_a_task_table_are_items_with_their_table() {
        let doc = parse(
            "t.md",
            "附件\n\n重点任务分工表\n\n| 序号 | 工作任务 | 牵头单位 | 配合单位 | 完成时限 |\n| --- | --- | --- | --- | --- |\n| 一、产业发展 |  |  |  |  |\n| 1 | 建设平台。推进应用。 | 市工信局 | 市科技局、市财政局 | 2023年底 |\n| 2 | 培育企业 | —— | 各区政府 | 长期 |\n".as_bytes(),
        )
        .expect("parses");
        let table = doc
            .sections
            .iter()
            .position(|s| s.table)
            .expect("a table section");
        assert_eq!(doc.sections[table].title, "重点任务分工表");
        let group = &doc.sections[table + 1];
        assert_eq!(
            (group.number.as_str(), group.title.as_str()),
            ("一", "产业发展")
        );
        let items: Vec<_> = doc
            .items
            .iter()
            .filter(|i| i.table == Some(table))
            .collect();
        assert_eq!(items.len(), 2);
        assert_eq!(
            (items[0].number.as_str(), items[0].title.as_str()),
            ("1", "建设平台")
        );
        let list = items[0].list.as_ref().expect("list");
        assert_eq!(list.basis, ListBasis::TableColumn);
        assert_eq!(list.quote.exact, "市工信局 | 市科技局、市财政局");
        let roles: Vec<_> = list
            .assignments
            .iter()
            .map(|a| (a.label.as_str(), a.role))
            .collect();
        assert_eq!(
            roles,
            [
                ("市工信局", Role::Lead),
                ("市科技局", Role::Support),
                ("市财政局", Role::Support)
            ]
        );
        // No lead at all: the support cell alone; the deadline is no unit.
        let second = items[1].list.as_ref().expect("list");
        assert_eq!(second.assignments.len(), 1);
        assert_eq!(second.assignments[0].role, Role::Support);
        assert_eq!(items[1].section, Some(table + 1));
    }

    #[test]
    fn a_plan_of_only_a_table_is_a_plan() {
        let doc = parse(
            "t.md",
            "分类\n\n序号\n\n事项\n\n责任单位\n\n牵头单位\n\n发展目标\n\n1\n\n增长6%。\n\n区农业局、区发改局\n\n区发改局\n".as_bytes(),
        )
        .expect("parses");
        assert_eq!(doc.items.len(), 1);
        assert_eq!(doc.items[0].title, "增长6%");
    }

    #[test]
    fn text_that_looks_like_responsibility_but_is_not_read_is_a_suspect() {
        let doc = parse(
            "t.md",
            "一、任务\n\n六、公安青浦分局（交警支队）\n\n1. 建设平台。（责任单位：市工信局）\n"
                .as_bytes(),
        )
        .expect("parses");
        assert_eq!(doc.suspects.len(), 1, "{:?}", doc.suspects);
        assert_eq!(doc.suspects[0].at.line, 3);
        assert!(doc.suspects[0].text.contains("交警支队"));
        let clean = parse(
            "t.md",
            "一、任务\n\n1. 建设平台（2023年）。（责任单位：市工信局）\n".as_bytes(),
        )
        .expect("parses");
        assert!(clean.suspects.is_empty(), "{:?}", clean.suspects);
    }
}
