//! The outline of a plan: paragraphs, their numbering, sections and items.
//!
//! A plan numbers its parts in a few styles (`一、`, `（一）`, `1.`, `（1）`, `①`).
//! Which style is deeper is not fixed across documents, so levels follow the
//! order in which styles first appear, as in legal drafting: a style already
//! open closes everything below it; a new style opens a deeper level.
//!
//! This module finds the paragraphs ([`blocks`]), their numbers
//! ([`numbering`]) and the tree they make ([`tree`]); which numbered
//! paragraphs are *items* (something a unit is responsible for) and which
//! are *sections* is decided in [`crate::document`].

use crate::source::Source;

/// A paragraph of the body with markup removed, mapped back to the file.
#[derive(Debug, Clone)]
pub struct Block {
    /// The text without markdown markup (`**`, `\` escapes, `#` prefixes) and
    /// without the line breaks of a list that wraps.
    pub text: String,
    /// (offset in `text`, byte offset in the file) at the start of each
    /// contiguous piece.
    map: Vec<(usize, usize)>,
    /// Byte offset in the file just past the block's last character.
    end: usize,
    /// Characters read from more file bytes than they take in `text`
    /// (HTML entities): (offset in `text`, bytes in the file).
    wide: Vec<(usize, usize)>,
    /// `#` heading level in markdown, 0 for a plain paragraph.
    pub heading: usize,
}

impl Block {
    /// The file byte offset of a byte offset in `text` (or its end).
    #[must_use]
    pub fn file_offset(&self, at: usize) -> usize {
        if at >= self.text.len() {
            return self.end;
        }
        let i = self.map.partition_point(|&(t, _)| t <= at) - 1;
        let (t, f) = self.map[i];
        f + (at - t)
    }

    /// File byte range of a range of `text`.
    #[must_use]
    pub fn file_range(&self, start: usize, end: usize) -> (usize, usize) {
        let file_end = if end == 0 {
            self.file_offset(0)
        } else {
            // The end of the last character, so that a range ending at a
            // piece boundary does not stretch over removed markup.
            let last = self.text[..end]
                .char_indices()
                .next_back()
                .map_or(0, |(i, _)| i);
            self.file_offset(last) + self.source_len(last)
        };
        (self.file_offset(start), file_end)
    }

    fn push(&mut self, c: char, file_byte: usize) {
        self.push_wide(c, file_byte, c.len_utf8());
    }

    /// Adds `c`, read from `source_len` bytes of the file (an HTML entity
    /// is one character from several bytes). Padding before the first
    /// character is dropped: it may appear only once markup is gone
    /// (`<p>&nbsp;1.`).
    fn push_wide(&mut self, c: char, file_byte: usize, source_len: usize) {
        if self.text.is_empty() && is_pad(c) {
            return;
        }
        let contiguous = self
            .map
            .last()
            .is_some_and(|&(t, f)| f + (self.text.len() - t) == file_byte);
        if !contiguous {
            self.map.push((self.text.len(), file_byte));
        }
        if source_len != c.len_utf8() {
            self.wide.push((self.text.len(), source_len));
        }
        self.text.push(c);
        self.end = file_byte + source_len;
    }

    /// How many file bytes the character at `at` (in `text`) was read from.
    fn source_len(&self, at: usize) -> usize {
        match self.wide.binary_search_by_key(&at, |&(t, _)| t) {
            Ok(i) => self.wide[i].1,
            Err(_) => self.text[at..].chars().next().map_or(0, char::len_utf8),
        }
    }
}

/// Characters that pad lines in real documents: ASCII and ideographic spaces,
/// em spaces used as indentation, no-break spaces, form feeds, BOMs.
fn is_pad(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}' || c == '\u{200b}'
}

/// A line that is only a page number left by PDF extraction (`- 3 -`, `—3—`).
#[must_use]
pub fn is_page_number(line: &str) -> bool {
    let core = line.trim_matches(|c: char| is_pad(c) || matches!(c, '-' | '—' | '－' | '–'));
    !core.is_empty() && core.len() <= 4 && core.chars().all(|c| c.is_ascii_digit())
        || core.starts_with('第') && core.ends_with('页') && core.chars().count() <= 8
}

/// Splits the body into blocks, one per non-empty line, removing markdown
/// markup. A line that opens a bracket and does not close it is joined with
/// the following lines until the bracket closes (a list broken by a PDF page).
/// Lines inside `skip` (byte ranges of the file: task-division tables, read
/// on their own) are left out.
#[must_use]
pub fn blocks(source: &Source, skip: &[(usize, usize)]) -> Vec<Block> {
    let body_start = source.body_start;
    let mut lines = Vec::new();
    let mut offset = body_start;
    for line in source.body().split_inclusive('\n') {
        if !skip.iter().any(|&(a, b)| a <= offset && offset < b) {
            lines.push((offset, line.trim_end_matches(['\n', '\r'])));
        }
        offset += line.len();
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let (start, line) = lines[i];
        i += 1;
        let Some(mut block) = block_of_line(start, line) else {
            continue;
        };
        // Join continuation lines while a bracket stays open, at most a few
        // lines: a list is short, and prose with a stray bracket must not
        // swallow the rest of the document.
        let mut joined = 0;
        while open_bracket(&block.text).is_some() && joined < MAX_JOINED_LINES && i < lines.len() {
            let (next_start, next) = lines[i];
            if next.trim_matches(is_pad).is_empty() || is_page_number(next) {
                i += 1;
                joined += 1;
                continue;
            }
            let Some(more) = block_of_line(next_start, next) else {
                break;
            };
            // A numbered line (`**2. …**` once markup is gone) or a heading
            // starts a new block: a stray bracket must not swallow it.
            if more.heading > 0 || numbering(&more.text).is_some() {
                break;
            }
            block.append(&more);
            i += 1;
            joined += 1;
        }
        out.push(block);
    }
    out
}

/// How many lines a broken bracket may be joined over.
pub const MAX_JOINED_LINES: usize = 6;

impl Block {
    /// The block of one line (or part of one) starting at byte `start` of
    /// the file, markup removed; `None` when nothing is left.
    /// A line that is only a number is kept: in a table it is a row's
    /// number, not a page's.
    #[must_use]
    pub fn of_line(start: usize, line: &str) -> Option<Self> {
        read_line(start, line)
    }

    /// Appends `other` (a later part of the file) to this block, with no
    /// separator: a table cell broken over lines is one name.
    pub fn append(&mut self, other: &Self) {
        for (t, c) in other.text.char_indices() {
            let len = other.source_len(t);
            self.push_wide(c, other.file_offset(t), len);
        }
    }

    /// Appends `other` after `separator`, a character of no file bytes of
    /// its own (it sits where `other` starts): the cells of one list that
    /// a page cut into two paragraphs.
    pub fn append_separated(&mut self, other: &Self, separator: char) {
        self.push_wide(separator, other.file_offset(0), 0);
        self.append(other);
    }

    /// The file byte offset just past the block.
    #[must_use]
    pub fn file_end(&self) -> usize {
        self.end
    }
}

fn block_of_line(start: usize, line: &str) -> Option<Block> {
    if is_page_number(line.trim_matches(is_pad)) {
        return None;
    }
    read_line(start, line)
}

fn read_line(start: usize, line: &str) -> Option<Block> {
    let lead = line.len() - line.trim_start_matches(is_pad).len();
    let content = line.trim_matches(is_pad);
    if content.is_empty() {
        return None;
    }
    let mut block = Block {
        text: String::new(),
        map: Vec::new(),
        end: start + lead,
        heading: 0,
        wide: Vec::new(),
    };
    let base = start + lead;
    let mut chars = content.char_indices().peekable();
    // A markdown heading: `#`s then a space.
    let hashes = content.chars().take_while(|&c| c == '#').count();
    if hashes > 0 && content[hashes..].starts_with(' ') {
        block.heading = hashes;
        for _ in 0..hashes {
            chars.next();
        }
        while chars.peek().is_some_and(|&(_, c)| is_pad(c)) {
            chars.next();
        }
    }
    while let Some((i, c)) = chars.next() {
        let next = chars.peek().map(|&(_, n)| n);
        match (c, next) {
            // Markdown escape such as `\4.` or `\*`: keep the escaped char.
            ('\\', Some(n)) if n.is_ascii_punctuation() || n.is_ascii_digit() => {}
            // Bold/italic markers `**` and `__`.
            ('*', Some('*')) | ('_', Some('_')) => {
                chars.next();
            }
            // HTML left by a crawler: tags are dropped, entities decoded.
            ('<', Some(n)) if n.is_ascii_alphabetic() || n == '/' => {
                match html_tag_len(&content[i..]) {
                    Some(len) => {
                        while chars.peek().is_some_and(|&(j, _)| j < i + len) {
                            chars.next();
                        }
                    }
                    None => block.push(c, base + i),
                }
            }
            ('&', _) => match html_entity(&content[i..]) {
                Some((decoded, len)) => {
                    block.push_wide(decoded, base + i, len);
                    while chars.peek().is_some_and(|&(j, _)| j < i + len) {
                        chars.next();
                    }
                }
                None => block.push(c, base + i),
            },
            _ => block.push(c, base + i),
        }
    }
    let trimmed = block.text.trim_end_matches(is_pad).len();
    if trimmed == 0 {
        return None;
    }
    block.text.truncate(trimmed);
    let last = block.text.char_indices().next_back().map_or(0, |(i, _)| i);
    let last_len = block.text.len() - last;
    block.end = block.file_offset(last) + last_len;
    Some(block)
}

/// The length of an HTML tag at the start of `text` (`<p>`, `</span>`,
/// `<br/>`, `<a href="…">`): ASCII only and closed within the line.
fn html_tag_len(text: &str) -> Option<usize> {
    let end = text.find('>')?;
    let inner = &text[1..end];
    let name = inner.trim_start_matches('/');
    (end <= 400 && inner.is_ascii() && name.starts_with(|c: char| c.is_ascii_alphabetic()))
        .then_some(end + 1)
}

/// A character entity at the start of `text`: the character and the
/// entity's length.
fn html_entity(text: &str) -> Option<(char, usize)> {
    let end = text.bytes().take(12).position(|b| b == b';')?;
    let name = &text[1..end];
    let c = match name {
        "nbsp" | "ensp" | "emsp" => ' ',
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "quot" => '"',
        "apos" => '\'',
        "ldquo" => '“',
        "rdquo" => '”',
        "mdash" => '—',
        _ => {
            let code =
                if let Some(hex) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                    u32::from_str_radix(hex, 16).ok()?
                } else {
                    name.strip_prefix('#')?.parse().ok()?
                };
            char::from_u32(code)?
        }
    };
    Some((c, end + 1))
}

/// The byte offset of the first bracket in `text` that opens and does not
/// close, if any.
#[must_use]
pub fn open_bracket(text: &str) -> Option<usize> {
    let mut stack = Vec::new();
    for (i, c) in text.char_indices() {
        match c {
            '（' | '(' => stack.push(i),
            '）' | ')' => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack.first().copied()
}

/// A numbering style.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `一、`
    Han,
    /// `（一）` or `(一)`
    ParenHan,
    /// `1.` `1．` `1、`
    Arabic,
    /// `（1）` or `(1)`
    ParenArabic,
    /// `①`
    Circled,
}

/// A recognised number: its style, its label as the gold files write it
/// (`一`, `（一）`, `1`), and the byte offset where the text after it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Number {
    /// The style.
    pub style: Style,
    /// The label without trailing `、`/`.`; bracketed labels keep brackets.
    pub label: String,
    /// Byte offset of the text after the number (and any spaces).
    pub rest: usize,
    /// Whether it could also be read as a decimal (`11.121人才…`): such a
    /// number counts only where it continues the sequence.
    pub ambiguous: bool,
}

const HAN_DIGITS: &str = "一二三四五六七八九十百零〇";

/// An ASCII or full-width decimal digit.
fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || fullwidth_digit(c).is_some()
}

fn fullwidth_digit(c: char) -> Option<u32> {
    ('０'..='９')
        .contains(&c)
        .then(|| u32::from(c) - u32::from('０'))
}

/// Recognises the number at the start of a paragraph.
#[must_use]
pub fn numbering(text: &str) -> Option<Number> {
    let skip_pad =
        |at: usize| at + (text[at..].len() - text[at..].trim_start_matches(is_pad).len());
    let first = text.chars().next()?;
    if first == '（' || first == '(' {
        let inner_start = first.len_utf8();
        let inner: String = text[inner_start..]
            .chars()
            .take_while(|&c| HAN_DIGITS.contains(c) || is_digit(c))
            .collect();
        if inner.is_empty() || inner.chars().count() > 4 {
            return None;
        }
        let after = inner_start + inner.len();
        let close = text[after..].chars().next()?;
        if close != '）' && close != ')' {
            return None;
        }
        let end = after + close.len_utf8();
        let style = if inner.chars().all(is_digit) {
            Style::ParenArabic
        } else if inner.chars().all(|c| HAN_DIGITS.contains(c)) {
            Style::ParenHan
        } else {
            return None;
        };
        return Some(Number {
            style,
            label: text[..end].to_owned(),
            rest: skip_pad(end),
            ambiguous: false,
        });
    }
    // ①–⑳, ㉑–㉟ and ㊱–㊿.
    if ('①'..='⑳').contains(&first)
        || ('㉑'..='㉟').contains(&first)
        || ('㊱'..='㊿').contains(&first)
    {
        return Some(Number {
            style: Style::Circled,
            label: first.to_string(),
            rest: skip_pad(first.len_utf8()),
            ambiguous: false,
        });
    }
    // ASCII or full-width digits (`１．`); the label is written in ASCII.
    let digits: String = text.chars().take_while(|&c| is_digit(c)).collect();
    if !digits.is_empty() && digits.chars().count() <= 3 {
        let after = &text[digits.len()..];
        let sep = after.chars().next()?;
        let follower = after[sep.len_utf8()..].chars().next();
        if matches!(sep, '.' | '．' | '、') {
            return Some(Number {
                style: Style::Arabic,
                label: digits
                    .chars()
                    .filter_map(|c| c.to_digit(10).or_else(|| fullwidth_digit(c)))
                    .map(|d| char::from(b'0' + d as u8))
                    .collect(),
                rest: skip_pad(digits.len() + sep.len_utf8()),
                // `1.5亿元` is a decimal, not a number label.
                ambiguous: sep == '.' && follower.is_some_and(is_digit),
            });
        }
        return None;
    }
    let han: String = text
        .chars()
        .take_while(|&c| HAN_DIGITS.contains(c))
        .collect();
    if !han.is_empty() && han.chars().count() <= 3 {
        let after = &text[han.len()..];
        if after.starts_with('、') {
            return Some(Number {
                style: Style::Han,
                label: han.clone(),
                rest: skip_pad(han.len() + '、'.len_utf8()),
                ambiguous: false,
            });
        }
    }
    None
}

/// One numbered paragraph in the tree.
#[derive(Debug, Clone)]
pub struct Node {
    /// Index of its block.
    pub block: usize,
    /// Its number.
    pub number: Number,
    /// 1-based depth.
    pub level: usize,
    /// Index (in the node list) of the enclosing node.
    pub parent: Option<usize>,
    /// Whether a deeper-numbered paragraph follows before the next paragraph
    /// at this level or above.
    pub has_children: bool,
    /// Blocks without a number that follow it, before the next numbered one.
    pub body: Vec<usize>,
}

/// Builds the numbering tree over the blocks. Blocks before the first number
/// (the preamble) belong to no node.
#[must_use]
pub fn tree(blocks: &[Block]) -> Vec<Node> {
    let mut nodes: Vec<Node> = Vec::new();
    // Open levels: (style, node index).
    let mut open: Vec<(Style, usize)> = Vec::new();
    for (b, block) in blocks.iter().enumerate() {
        let number = numbering(&block.text);
        // A decimal-looking number counts only as the next in its sequence.
        let number = number.filter(|n| {
            !n.ambiguous
                || open
                    .iter()
                    .rev()
                    .find(|(s, _)| *s == n.style)
                    .is_some_and(|&(_, i)| {
                        nodes[i].number.label.parse::<u32>().ok().map(|p| p + 1)
                            == n.label.parse::<u32>().ok()
                    })
        });
        let Some(number) = number else {
            if let Some(last) = nodes.last_mut() {
                last.body.push(b);
            }
            continue;
        };
        if let Some(depth) = open.iter().position(|(s, _)| *s == number.style) {
            open.truncate(depth);
        }
        let parent = open.last().map(|&(_, n)| n);
        if let Some(p) = parent {
            nodes[p].has_children = true;
        }
        let index = nodes.len();
        open.push((number.style, index));
        nodes.push(Node {
            block: b,
            number,
            level: open.len(),
            parent,
            has_children: false,
            body: Vec::new(),
        });
    }
    nodes
}

/// The title of a numbered paragraph: the text after the number up to the
/// first `。` (or `；`/`：` or an opening bracket of a list, when there is no
/// `。`).
#[must_use]
pub fn title_of(rest: &str) -> &str {
    let end = rest
        .find('。')
        .or_else(|| rest.find(['；', '：']))
        .unwrap_or(rest.len());
    rest[..end].trim_matches(is_pad)
}

/// Whether the text after a number is a bare heading: one short phrase with
/// no sentence after it.
#[must_use]
pub fn is_bare_heading(rest: &str) -> bool {
    let core = rest.trim_end_matches(['。', '：', ':']);
    !core.contains('。') && core.chars().count() <= 40
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(text: &str) -> Source {
        Source::parse("t.md", text.as_bytes()).expect("parses")
    }

    #[test]
    fn numbering_styles_are_recognised() {
        fn n(t: &str) -> Option<(Style, String, &str)> {
            numbering(t).map(|n| (n.style, n.label, &t[n.rest..]))
        }
        assert_eq!(
            n("一、总体要求"),
            Some((Style::Han, "一".into(), "总体要求"))
        );
        assert_eq!(
            n("一、 提高效率"),
            Some((Style::Han, "一".into(), "提高效率"))
        );
        assert_eq!(
            n("（二）总体目标"),
            Some((Style::ParenHan, "（二）".into(), "总体目标"))
        );
        assert_eq!(n("12. 提升"), Some((Style::Arabic, "12".into(), "提升")));
        assert_eq!(n("1.目标。"), Some((Style::Arabic, "1".into(), "目标。")));
        assert_eq!(
            n("(3)细则"),
            Some((Style::ParenArabic, "(3)".into(), "细则"))
        );
        assert!(numbering("1.5亿元").is_some_and(|n| n.ambiguous));
        assert!(numbering("11.121人才").is_some_and(|n| n.ambiguous && n.label == "11"));
        assert_eq!(n("2024年"), None);
        assert_eq!(n("（CWW）"), None);
        assert_eq!(n("十分重要、"), None);
    }

    #[test]
    fn markdown_escape_and_bold_are_removed_but_offsets_kept() {
        let s = src("\\4. 通用**平台**建设。\n");
        let b = &blocks(&s, &[])[0];
        assert_eq!(b.text, "4. 通用平台建设。");
        let at = b.text.find('平').expect("has 平");
        assert_eq!(&s.text[b.file_offset(at)..b.file_offset(at) + 3], "平");
        let (start, end) = b.file_range(0, b.text.len());
        assert_eq!(&s.text[start..end], "4. 通用**平台**建设。");
    }

    #[test]
    fn html_tags_and_entities_left_by_a_crawler_are_removed() {
        let s = src("<p>&nbsp;1. 建设&lt;平台&gt;。（责任单位：市工信局）</p>\n");
        let b = &blocks(&s, &[])[0];
        assert_eq!(b.text, "1. 建设<平台>。（责任单位：市工信局）");
        let at = b.text.find('市').expect("has 市");
        assert_eq!(&s.text[b.file_offset(at)..b.file_offset(at) + 3], "市");
        assert_eq!(numbering(&b.text).map(|n| n.label), Some("1".to_owned()));
    }

    #[test]
    fn an_entity_at_the_end_of_a_range_is_quoted_whole() {
        let s = src("1. 甲&lt;\n");
        let b = &blocks(&s, &[])[0];
        let (start, end) = b.file_range(b.text.find('甲').expect("甲"), b.text.len());
        assert_eq!(&s.text[start..end], "甲&lt;");
    }

    #[test]
    fn padding_that_appears_once_tags_are_gone_is_dropped() {
        for line in [
            "** 1. 建设平台。",
            "<p> 1. 建设平台。",
            "<p>　　1. 建设平台。（责任单位：市工信局）</p>",
        ] {
            let s = src(&format!("{line}\n"));
            let b = &blocks(&s, &[])[0];
            assert!(b.text.starts_with("1. 建设平台"), "{line}: {}", b.text);
            let (start, _) = b.file_range(0, 1);
            assert_eq!(&s.text[start..start + 1], "1", "{line}");
        }
    }

    #[test]
    fn a_bold_numbered_line_is_not_swallowed_by_a_stray_bracket() {
        let s = src("1. 推进应用（详见附件\n**2. 培育企业。**推进。（市科技局牵头）\n");
        assert_eq!(blocks(&s, &[]).len(), 2);
    }

    #[test]
    fn a_list_broken_over_a_page_is_joined() {
        let s = src("1. 任务。（责任单位：市工信局、\n\n- 3 -\n\n市科技局）\n2. 下一项。\n");
        let b = blocks(&s, &[]);
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].text, "1. 任务。（责任单位：市工信局、市科技局）");
    }

    #[test]
    fn a_decimal_counts_as_a_number_only_in_sequence() {
        let s = src("1. 甲。文。\n1.5亿元用于乙。\n2.121人才项目。文。\n");
        let t = tree(&blocks(&s, &[]));
        let labels: Vec<_> = t.iter().map(|n| n.number.label.as_str()).collect();
        assert_eq!(labels, ["1", "2"]);
    }

    #[test]
    fn levels_follow_first_appearance() {
        let s = src("一、甲\n（一）乙\n1. 丙。文。\n2. 丁。文。\n（二）戊\n二、己\n");
        let b = blocks(&s, &[]);
        let t = tree(&b);
        let levels: Vec<_> = t.iter().map(|n| n.level).collect();
        assert_eq!(levels, [1, 2, 3, 3, 2, 1]);
        assert_eq!(t[2].parent, Some(1));
        assert!(t[1].has_children && !t[4].has_children);
    }
}
