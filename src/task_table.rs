//! Task-division tables (重点任务分工表, 责任清单, 任务分解表): responsibility
//! given in columns rather than after each paragraph.
//!
//! Crawled text keeps such a table in one of three forms: a Markdown pipe
//! table, an HTML `<table>` left in a markdown file, or a table flattened to
//! one cell per paragraph (or per line). In every form the header is found by
//! its column words (序号, 工作任务, 牵头单位, 配合单位, 责任单位, 指导部门,
//! 完成时限 … in `data/grammar/table-columns.tsv`); repeated header rows are
//! skipped; a row that spans the table (`一、知识产权保护方面`) is a group.
//!
//! A flattened table has no row boundaries left, and merged cells (one task
//! over several content rows) leave cells out. Rows are found by their unit
//! cells: a run of cells shaped like lists of organisations (or `——`, none)
//! where the header has its unit columns; the cells before a run fill the
//! columns before it from the right (a continuation row has only its
//! content cell), and what is left over in front is a group row.
//!
//! This module finds tables and their cells; [`crate::document`] turns each
//! row that names units into an item.

use crate::annotate;
use crate::outline::{self, Block};
use crate::source::Source;
use crate::words::{Column, FieldKind, words};

/// How the table was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// `| 序号 | 任务 | 牵头单位 |`.
    Pipe,
    /// `<table><tr><td>…`.
    Html,
    /// One cell per paragraph or line.
    Flattened,
}

/// A task-division table.
#[derive(Debug, Clone)]
pub struct Table {
    /// The byte range of the file it takes (whole lines), left out of the
    /// outline.
    pub region: (usize, usize),
    /// The line just above the header that names it, if any.
    pub caption: Option<Block>,
    /// What each column holds.
    pub columns: Vec<Column>,
    /// The rows, in order.
    pub rows: Vec<Row>,
    /// How it was written.
    pub form: Form,
    /// Things a user should know: (file byte offset, sentence).
    pub notes: Vec<(usize, String)>,
}

/// A row of a table.
#[derive(Debug, Clone)]
pub enum Row {
    /// A row that spans the table and names a group of tasks.
    Group {
        /// Its numeral (`一`, `二、`), possibly empty.
        number: String,
        /// Its title.
        title: String,
        /// Where it is.
        block: Block,
    },
    /// A row of cells, one per column; `None` where the row has no cell of
    /// its own (merged with the row above, or empty).
    Task(Vec<Option<Block>>),
}

impl Table {
    /// The index of the first column of `kind`.
    #[must_use]
    pub fn column(&self, kind: Column) -> Option<usize> {
        self.columns.iter().position(|&c| c == kind)
    }
}

/// A line of the body: its byte offset in the file and its text without
/// the line break.
type Line<'a> = (usize, &'a str);

/// The task-division tables of a document, in text order.
#[must_use]
pub fn find(source: &Source) -> Vec<Table> {
    let mut lines: Vec<Line<'_>> = Vec::new();
    let mut offset = source.body_start;
    for line in source.body().split_inclusive('\n') {
        lines.push((offset, line.trim_end_matches(['\n', '\r'])));
        offset += line.len();
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let found = pipe(&lines, i)
            .or_else(|| html(source, &lines, i))
            .or_else(|| flattened(&lines, i));
        match found {
            Some((mut table, next)) => {
                table.caption = caption(&lines, i);
                out.push(table);
                i = next.max(i + 1);
            }
            None => i += 1,
        }
    }
    out
}

fn is_pad(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}' || c == '\u{200b}'
}

fn blank(line: &str) -> bool {
    line.trim_matches(is_pad).is_empty()
}

/// The end of a line (just past it, line break included).
fn line_end(source_lines: &[Line<'_>], k: usize) -> usize {
    source_lines
        .get(k + 1)
        .map_or(source_lines[k].0 + source_lines[k].1.len(), |l| l.0)
}

/// The nearest non-blank line above the header, when it names a table.
fn caption(lines: &[Line<'_>], header: usize) -> Option<Block> {
    let (start, line) = lines[..header].iter().rev().find(|(_, l)| !blank(l))?;
    let block = Block::of_line(*start, line)?;
    let n = block.text.chars().count();
    let named = words()
        .table_captions
        .iter()
        .any(|w| block.text.contains(w.as_str()));
    (named && n <= 80 && !block.text.contains('。')).then_some(block)
}

/// The columns a header row names, when it is a task-division table's:
/// at least one unit column and a number, task, content or category
/// column; other headers are read as fields that name no unit.
fn header(cells: &[String]) -> Option<Vec<Column>> {
    let w = words();
    let columns: Vec<Option<Column>> = cells.iter().map(|c| w.column(c)).collect();
    let units = columns.iter().any(|c| matches!(c, Some(Column::Units(_))));
    // Cells no list names. With no task column listed, the first of them
    // before the units names the row (`实事项目`, `交通子行业`); later ones
    // with a hint word inside (`工作举措及实施计划`) are its content; the
    // rest are fields of no unit.
    let first_unit = columns
        .iter()
        .position(|c| matches!(c, Some(Column::Units(_))));
    let mut task = columns.contains(&Some(Column::Task));
    let hinted = |k: usize| {
        let cell = w.simplify(&cells[k]).into_owned();
        w.column_hints.iter().any(|h| cell.contains(h.as_str()))
    };
    let mut out = Vec::with_capacity(columns.len());
    for (k, c) in columns.iter().enumerate() {
        out.push(match c {
            Some(c) => *c,
            None if !task && first_unit.is_some_and(|u| k < u) => {
                task = true;
                Column::Task
            }
            None if hinted(k) => Column::Content,
            None => Column::Field(FieldKind::Unknown),
        });
    }
    let known = out
        .iter()
        .filter(|c| {
            matches!(
                c,
                Column::Number | Column::Task | Column::Content | Column::Category
            )
        })
        .count();
    (units && known >= 1).then_some(out)
}

fn is_header_text(cells: &[String], columns: &[Column]) -> bool {
    header(cells).is_some_and(|c| c == columns)
}

// ---- Markdown pipe tables ------------------------------------------------

/// A row of a pipe table: `| a | b |`, or `a | b | c` with no outer pipes
/// (two separators at least).
fn is_pipe_line(line: &str) -> bool {
    let t = line.trim_matches(is_pad);
    (t.starts_with('|') && t.len() > 1) || t.matches('|').count() >= 2
}

/// The cells of a pipe row: (byte offset in the file, text).
fn pipe_cells(start: usize, line: &str) -> Vec<(usize, &str)> {
    let lead = line.len() - line.trim_start_matches(is_pad).len();
    let t = line.trim_matches(is_pad);
    let (inner_start, inner) = match t.strip_prefix('|') {
        Some(rest) => (lead + 1, rest),
        None => (lead, t),
    };
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    let mut out = Vec::new();
    let mut from = 0;
    let bytes = inner.as_bytes();
    for (i, c) in inner.char_indices() {
        if c == '|' && (i == 0 || bytes[i - 1] != b'\\') {
            out.push((start + inner_start + from, &inner[from..i]));
            from = i + 1;
        }
    }
    out.push((start + inner_start + from, &inner[from..]));
    out
}

fn is_separator_row(cells: &[(usize, &str)]) -> bool {
    cells.iter().all(|(_, c)| {
        let c = c.trim();
        !c.is_empty() && c.chars().all(|ch| matches!(ch, '-' | ':' | ' '))
    })
}

fn pipe(lines: &[Line<'_>], i: usize) -> Option<(Table, usize)> {
    if !is_pipe_line(lines[i].1) {
        return None;
    }
    let mut j = i;
    while j < lines.len() && is_pipe_line(lines[j].1) {
        j += 1;
    }
    // The header is the first row that names columns (rows of page
    // metadata may come first).
    let (h, columns) = (i..j).find_map(|k| {
        let (start, line) = lines[k];
        let head: Vec<String> = pipe_cells(start, line)
            .iter()
            .map(|(_, c)| clean(c))
            .collect();
        header(&head).map(|c| (k, c))
    })?;
    let mut rows = Vec::new();
    for &(start, line) in &lines[h + 1..j] {
        let cells = pipe_cells(start, line);
        if is_separator_row(&cells) {
            continue;
        }
        let texts: Vec<String> = cells.iter().map(|(_, c)| clean(c)).collect();
        if is_header_text(&texts, &columns) {
            continue;
        }
        let blocks: Vec<Option<Block>> =
            cells.iter().map(|&(at, c)| Block::of_line(at, c)).collect();
        rows.push(row_of(blocks, columns.len()));
    }
    let table = Table {
        region: (lines[h].0, line_end(lines, j - 1)),
        caption: None,
        columns,
        rows,
        form: Form::Pipe,
        notes: Vec::new(),
    };
    Some((table, j))
}

/// A header cell's words, markup and spaces removed.
fn clean(cell: &str) -> String {
    Block::of_line(0, cell).map_or_else(String::new, |b| b.text)
}

/// A row of cells: a group when only its first cell has text (a merged
/// cell spanning the row), else a task row.
fn row_of(mut cells: Vec<Option<Block>>, width: usize) -> Row {
    cells.resize(width.max(cells.len()), None);
    let filled: Vec<usize> = (0..cells.len()).filter(|&k| cells[k].is_some()).collect();
    if filled.len() == 1
        && filled[0] == 0
        && width > 2
        && let Some(block) = cells[0].take()
    {
        return group(block);
    }
    Row::Task(cells)
}

/// A group row: `一、知识产权保护方面（共5项）` → (`一`, its title).
fn group(block: Block) -> Row {
    let (number, title) = match outline::numbering(&block.text) {
        Some(n) => (n.label.clone(), block.text[n.rest..].to_owned()),
        None => (String::new(), block.text.clone()),
    };
    Row::Group {
        number,
        title,
        block,
    }
}

// ---- HTML tables -----------------------------------------------------------

/// A tag at `at` of `text`: its lower-case name (with `/` for a closing
/// tag), its attributes' text and its end.
fn tag_at(text: &str, at: usize) -> Option<(String, &str, usize)> {
    let rest = &text[at..];
    if !rest.starts_with('<') {
        return None;
    }
    let end = rest.find('>')?;
    let inner = &rest[1..end];
    let name_len = inner
        .char_indices()
        .find(|&(_, c)| c.is_whitespace() || c == '/' && inner.starts_with(|f: char| f != '/'))
        .map_or(inner.len(), |(i, _)| i);
    let name = inner[..name_len].to_ascii_lowercase();
    Some((name, &inner[name_len..], at + end + 1))
}

fn attribute(attrs: &str, name: &str) -> Option<usize> {
    let lower = attrs.to_ascii_lowercase();
    let at = lower.find(name)?;
    let rest = &attrs[at + name.len()..];
    let digits: String = rest
        .trim_start_matches(|c: char| c == '=' || c == '"' || c == '\'' || c.is_whitespace())
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The Block of a part of the file that may span lines (a cell's content).
fn block_of_range(source: &Source, start: usize, end: usize) -> Option<Block> {
    let mut out: Option<Block> = None;
    let mut at = start;
    for piece in source.text[start..end].split_inclusive('\n') {
        let line = piece.trim_end_matches(['\n', '\r']);
        if let Some(b) = Block::of_line(at, line) {
            match &mut out {
                Some(o) => o.append(&b),
                None => out = Some(b),
            }
        }
        at += piece.len();
    }
    out
}

fn html(source: &Source, lines: &[Line<'_>], i: usize) -> Option<(Table, usize)> {
    let open = lines[i]
        .1
        .as_bytes()
        .windows(6)
        .position(|w| w.eq_ignore_ascii_case(b"<table"))?;
    let start = lines[i].0 + open;
    let close_rel = source.text[start..].to_ascii_lowercase().find("</table>")?;
    let end = start + close_rel + "</table>".len();
    let last_line = lines.iter().rposition(|l| l.0 <= end.saturating_sub(1))?;
    // Rows and cells, with rowspans carried down.
    let text = &source.text[..end];
    let mut rows: Vec<Vec<(Option<Block>, usize)>> = Vec::new(); // (cell, colspan)
    let mut carried: Vec<usize> = Vec::new(); // rows a column is still covered for
    let mut current: Option<Vec<(Option<Block>, usize)>> = None;
    let mut cell_start: Option<(usize, usize, usize)> = None; // (content start, colspan, rowspan)
    let mut spans: Vec<Vec<(usize, usize)>> = Vec::new(); // per row: (column, rowspan)
    let mut at = start;
    while at < end {
        let Some(next) = text[at..].find('<') else {
            break;
        };
        at += next;
        let Some((name, attrs, after)) = tag_at(text, at) else {
            at += 1;
            continue;
        };
        match name.as_str() {
            "tr" => {
                current = Some(Vec::new());
                spans.push(Vec::new());
            }
            "td" | "th" => {
                cell_start = Some((
                    after,
                    attribute(attrs, "colspan").unwrap_or(1).max(1),
                    attribute(attrs, "rowspan").unwrap_or(1).max(1),
                ));
            }
            "/td" | "/th" => {
                if let (Some((from, colspan, rowspan)), Some(row)) =
                    (cell_start.take(), &mut current)
                {
                    if rowspan > 1
                        && let Some(s) = spans.last_mut()
                    {
                        s.push((row.len(), rowspan));
                    }
                    row.push((block_of_range(source, from, at), colspan));
                }
            }
            "/tr" => {
                if let Some(row) = current.take() {
                    rows.push(row);
                }
            }
            _ => {}
        }
        at = after;
    }
    if let Some(row) = current.take() {
        rows.push(row);
    }
    // Lay the cells out on a grid: a cell covered by a rowspan from above
    // is not the row's own.
    let mut grid: Vec<Vec<Option<Block>>> = Vec::new();
    for (r, row) in rows.into_iter().enumerate() {
        let mut out: Vec<Option<Block>> = Vec::new();
        let mut col = 0;
        let mut cells = row.into_iter().enumerate();
        let row_spans = spans.get(r).cloned().unwrap_or_default();
        loop {
            while carried.get(col).is_some_and(|&n| n > 0) {
                out.push(None);
                col += 1;
            }
            let Some((k, (cell, colspan))) = cells.next() else {
                break;
            };
            if let Some(&(_, rowspan)) = row_spans.iter().find(|&&(c, _)| c == k) {
                for c in col..col + colspan {
                    if carried.len() <= c {
                        carried.resize(c + 1, 0);
                    }
                    carried[c] = rowspan;
                }
            }
            out.push(cell);
            for _ in 1..colspan {
                out.push(None);
            }
            col += colspan;
        }
        for n in &mut carried {
            *n = n.saturating_sub(1);
        }
        grid.push(out);
    }
    let (h, columns) = grid.iter().enumerate().find_map(|(k, row)| {
        let texts: Vec<String> = row
            .iter()
            .map(|c| c.as_ref().map_or_else(String::new, |b| b.text.clone()))
            .collect();
        header(&texts).map(|c| (k, c))
    })?;
    let mut out_rows = Vec::new();
    for row in grid.into_iter().skip(h + 1) {
        let texts: Vec<String> = row
            .iter()
            .map(|c| c.as_ref().map_or_else(String::new, |b| b.text.clone()))
            .collect();
        if is_header_text(&texts, &columns) || row.iter().all(Option::is_none) {
            continue;
        }
        out_rows.push(row_of(row, columns.len()));
    }
    let table = Table {
        region: (lines[i].0, line_end(lines, last_line)),
        caption: None,
        columns,
        rows: out_rows,
        form: Form::Html,
        notes: Vec::new(),
    };
    Some((table, last_line + 1))
}

// ---- Flattened tables ------------------------------------------------------

/// A cell of a flattened table: its block and the index of its last line.
struct Cell {
    block: Block,
    last_line: usize,
}

/// The cells from line `i` on: paragraphs (lines separated by blank lines)
/// when `by_paragraph`, else lines; stops at a markdown heading or an
/// attachment's first line (`附件2`).
fn cells_from(lines: &[Line<'_>], i: usize, by_paragraph: bool) -> Vec<Cell> {
    let mut out: Vec<Cell> = Vec::new();
    let mut open = false;
    for (k, &(start, line)) in lines.iter().enumerate().skip(i) {
        if blank(line) {
            open = false;
            continue;
        }
        let bare = line.trim_matches(is_pad);
        if outline::is_page_number(bare) && !bare.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        let Some(block) = Block::of_line(start, line) else {
            open = false;
            continue;
        };
        if block.heading > 0 || is_attachment_line(&block.text) {
            break;
        }
        match out.last_mut() {
            Some(cell) if by_paragraph && open => {
                cell.block.append(&block);
                cell.last_line = k;
            }
            _ => out.push(Cell {
                block,
                last_line: k,
            }),
        }
        open = true;
    }
    out
}

/// `附件2`, `附件：`: an attachment starts.
fn is_attachment_line(text: &str) -> bool {
    text.strip_prefix("附件").is_some_and(|rest| {
        rest.chars().count() <= 3
            && rest
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '：' | ':' | ' ' | '　'))
    })
}

/// Whether `cell` is only the end of an organisation's name (`集团`) whose
/// start is the cell above (`申通地铁`), which is no name on its own.
fn ends_a_name(above: &str, cell: &str) -> bool {
    let w = words();
    cell.chars().count() <= 2
        && w.unit_endings.iter().any(|e| cell.ends_with(e.as_str()))
        && !above.ends_with(|c: char| "。；;，,、：:）)".contains(c))
        && above.chars().count() <= 20
        && !is_unit_cell(above)
        && !is_number_cell(above)
        && annotate::looks_like_unit(&format!("{above}{cell}"))
}

/// Whether a cell could be a header's: a short label, not a number, not a
/// list of organisations, not a sentence.
fn is_header_like(text: &str) -> bool {
    text.chars().count() <= 16
        && !text.contains(['。', '；'])
        && !is_number_cell(text)
        && !is_unit_cell(text)
}

/// Whether a cell of a flattened table is a row's number (`1`, `（一）`,
/// `二`, and a lone `—` printed for 一).
fn is_number_cell(text: &str) -> bool {
    let t = text.trim_end_matches(['、', '.', '．']);
    let n = t.chars().count();
    if n == 0 || n > 5 {
        return false;
    }
    t.chars()
        .all(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
        || t.chars().all(|c| "一二三四五六七八九十百零〇".contains(c))
        || t == "—"
        || outline::numbering(t).is_some_and(|num| t[num.rest..].is_empty())
}

/// Whether a cell reads as a list of organisations (or none). One name with
/// a weak ending (`高架车站`) is rather a place.
fn is_unit_cell(text: &str) -> bool {
    annotate::is_none_cell(text)
        || (!text.contains('。')
            && annotate::looks_like_unit_list(text)
            && !(text.chars().all(|c| !"、，,；;和及".contains(c))
                && words().has_weak_ending(text)))
}

/// Whether a cell fits a column after the first unit column.
fn fits(column: Column, text: &str) -> bool {
    match column {
        Column::Units(_) => is_unit_cell(text),
        Column::Number => is_number_cell(text),
        Column::Field(_) => text.chars().count() <= 60 && !is_number_cell(text),
        Column::Task | Column::Content | Column::Category => !is_unit_cell(text),
    }
}

fn flattened(lines: &[Line<'_>], i: usize) -> Option<(Table, usize)> {
    let w = words();
    // A column word is short: most lines are passed over here.
    if lines[i].1.trim_matches(is_pad).len() > 40 {
        return None;
    }
    let first = Block::of_line(lines[i].0, lines[i].1)?;
    w.column(&first.text)?;
    // A header: a run of column words, one per paragraph or per line; a
    // column word no list names (`交通子行业`, `十四五装机计划（MW）`) may sit
    // among them: the header ends at its last listed word.
    let by_paragraph = lines.get(i + 1).is_some_and(|l| blank(l.1));
    let cells = cells_from(lines, i, by_paragraph);
    let width = cells
        .iter()
        .take_while(|c| w.column(&c.block.text).is_some() || is_header_like(&c.block.text))
        .count();
    let width = cells[..width]
        .iter()
        .rposition(|c| w.column(&c.block.text).is_some())
        .map_or(0, |k| k + 1);
    let head: Vec<String> = cells[..width]
        .iter()
        .map(|c| c.block.text.clone())
        .collect();
    let columns = header(&head)?;
    let first_unit = columns.iter().position(|c| matches!(c, Column::Units(_)))?;
    // The run of unit columns anchors a row; columns after it (a deadline,
    // a leader) are taken when their cells are there.
    let unit_run = columns[first_unit..]
        .iter()
        .take_while(|c| matches!(c, Column::Units(_)))
        .count();
    let trailing = &columns[first_unit..first_unit + unit_run];
    let after = &columns[first_unit + unit_run..];
    let leading = &columns[..first_unit];
    // Cells after the header, without repeated headers; a cell that is only
    // an organisation's ending (`集团` under `申通地铁`) ends the cell above.
    let mut body: Vec<Cell> = Vec::new();
    let mut k = width;
    while k < cells.len() {
        let run: Vec<String> = cells[k..cells.len().min(k + width)]
            .iter()
            .map(|c| c.block.text.clone())
            .collect();
        if run.len() == width && is_header_text(&run, &columns) {
            k += width;
            continue;
        }
        let cell = &cells[k];
        match body.last_mut() {
            Some(last) if ends_a_name(&last.block.text, &cell.block.text) => {
                last.block.append(&cell.block);
                last.last_line = cell.last_line;
            }
            _ => body.push(Cell {
                block: cell.block.clone(),
                last_line: cell.last_line,
            }),
        }
        k += 1;
    }
    let mut rows: Vec<Row> = Vec::new();
    let mut notes = Vec::new();
    let mut at = 0;
    let mut last_line = cells[width - 1].last_line;
    // Rows are anchored on their unit cells; a table ends where no anchor
    // comes within a few cells.
    let reach = leading.len() + 6;
    while at < body.len() {
        let anchor = (at..body.len().min(at + reach + 1)).find(|&j| {
            j + trailing.len() <= body.len()
                && trailing
                    .iter()
                    .zip(&body[j..j + trailing.len()])
                    .all(|(&col, cell)| fits(col, &cell.block.text))
        });
        let Some(j) = anchor else { break };
        // More unit cells than unit columns: a cell broken over paragraphs.
        // The one that ends in `、` goes on in the next; else the last one
        // does (`区绿化市容局` / `区党政机关、公共机构`).
        let mut run = (j..body.len())
            .take_while(|&k| is_unit_cell(&body[k].block.text))
            .count();
        while run > trailing.len() {
            let broken =
                (j..j + run - 1).find(|&k| body[k].block.text.ends_with(['、', '，', ',']));
            let k = broken.unwrap_or(j + run - 2);
            let next = body.remove(k + 1);
            let cell = &mut body[k];
            if broken.is_some() {
                cell.block.append(&next.block);
            } else {
                cell.block.append_separated(&next.block, '、');
            }
            cell.last_line = next.last_line;
            run -= 1;
        }
        let before: Vec<&Cell> = body[at..j].iter().collect();
        // Fill the columns before the unit cells from the right.
        let mut row: Vec<Option<Block>> = vec![None; columns.len()];
        let mut left = before.len();
        for (c, &col) in leading.iter().enumerate().rev() {
            if left == 0 {
                break;
            }
            let text = &before[left - 1].block.text;
            let takes = match col {
                Column::Number => is_number_cell(text),
                Column::Task | Column::Content | Column::Category => !is_number_cell(text),
                _ => true,
            };
            if takes {
                row[c] = Some(before[left - 1].block.clone());
                left -= 1;
            }
        }
        // What is left in front: group rows (a numeral and a title), or
        // cells of a row with no unit cell of its own.
        let extra = &before[..left];
        let mut e = 0;
        while e < extra.len() {
            let text = &extra[e].block.text;
            if is_number_cell(text) && e + 1 < extra.len() {
                let mut block = extra[e].block.clone();
                let number = text.trim_end_matches(['、', '.', '．']).to_owned();
                let title = extra[e + 1].block.text.clone();
                block.append(&extra[e + 1].block);
                rows.push(Row::Group {
                    number,
                    title,
                    block,
                });
                e += 2;
            } else if extra.len() - e == 1 && text.chars().count() <= 30 && !text.contains('。') {
                rows.push(group(extra[e].block.clone()));
                e += 1;
            } else {
                notes.push((
                    extra[e].block.file_offset(0),
                    format!(
                        "a table cell with no unit cell in its row (`{}`): read as text of no item",
                        annotate::short(text)
                    ),
                ));
                e += 1;
            }
        }
        for (k, cell) in body[j..j + trailing.len()].iter().enumerate() {
            row[first_unit + k] = Some(cell.block.clone());
        }
        let mut next = j + trailing.len();
        for (k, &col) in after.iter().enumerate() {
            let Some(cell) = body.get(next) else { break };
            let text = &cell.block.text;
            if !(text.chars().count() <= 20 && fits(col, text) && !is_unit_cell(text)) {
                break;
            }
            // A deadline says when (`2019年9月`, `长期`); anything else is
            // the next row's.
            if col == Column::Field(FieldKind::Time) && !annotate::is_time(text) {
                break;
            }
            row[first_unit + unit_run + k] = Some(cell.block.clone());
            next += 1;
        }
        last_line = body[next - 1].last_line;
        rows.push(Row::Task(row));
        at = next;
    }
    if rows.is_empty() {
        return None;
    }
    let table = Table {
        region: (lines[i].0, line_end(lines, last_line)),
        caption: None,
        columns,
        rows,
        form: Form::Flattened,
        notes,
    };
    Some((table, last_line + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::words::LabelRole;

    fn tables(text: &str) -> Vec<Table> {
        find(&Source::parse("t.md", text.as_bytes()).expect("parses"))
    }

    fn cells(row: &Row) -> Vec<String> {
        match row {
            Row::Task(cells) => cells
                .iter()
                .map(|c| {
                    c.as_ref()
                        .map_or_else(|| "-".to_owned(), |b| b.text.clone())
                })
                .collect(),
            Row::Group { number, title, .. } => vec![format!("group {number} {title}")],
        }
    }

    #[test]
    fn a_pipe_table_with_a_group_row_and_a_scope_column() {
        let t = tables(
            "前言\n\n| 序号 | 改革举措 | 主 要 内 容 | 指导部门 | 推广范围 |\n| --- | --- | --- | --- | --- |\n| 一、知识产权方面（共1项） |  |  |  |  |\n| 1 | 三合一审判 | 整合。 | 最高人民法院、国家知识产权局 | 全国 |\n",
        );
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].form, Form::Pipe);
        assert_eq!(t[0].columns[3], Column::Units(LabelRole::Responsible));
        assert_eq!(cells(&t[0].rows[0]), ["group 一 知识产权方面（共1项）"]);
        assert_eq!(
            cells(&t[0].rows[1]),
            [
                "1",
                "三合一审判",
                "整合。",
                "最高人民法院、国家知识产权局",
                "全国"
            ]
        );
    }

    #[test]
    fn a_table_flattened_to_paragraphs_with_merged_and_repeated_cells() {
        let text = "分工表\n\n序号\n\n工作任务\n\n主要工作内容\n\n牵头单位\n\n配合单位\n\n一\n\n构建体系\n\n（一）\n\n推动减量\n\n增加内容。\n\n区建设管理委\n\n区水务局、区房管局\n\n开展工作。\n\n区土方工作\n专班\n\n——\n\n序号\n\n工作任务\n\n主要工作内容\n\n牵头单位\n\n配合单位\n\n（二）\n\n加强监管\n\n落实管理。\n\n——\n\n区城管执法局和属地街镇\n\n附件4\n\n1. 另一段。\n";
        let t = tables(text);
        assert_eq!(t.len(), 1, "one table");
        assert_eq!(t[0].form, Form::Flattened);
        assert_eq!(
            t[0].caption.as_ref().map(|b| b.text.as_str()),
            Some("分工表")
        );
        let rows: Vec<Vec<String>> = t[0].rows.iter().map(cells).collect();
        assert_eq!(
            rows,
            [
                vec!["group 一 构建体系".to_owned()],
                [
                    "（一）",
                    "推动减量",
                    "增加内容。",
                    "区建设管理委",
                    "区水务局、区房管局"
                ]
                .map(str::to_owned)
                .to_vec(),
                ["-", "-", "开展工作。", "区土方工作专班", "——"]
                    .map(str::to_owned)
                    .to_vec(),
                [
                    "（二）",
                    "加强监管",
                    "落实管理。",
                    "——",
                    "区城管执法局和属地街镇"
                ]
                .map(str::to_owned)
                .to_vec(),
            ]
        );
        // The attachment after it is not part of the table.
        assert!(!text[t[0].region.0..t[0].region.1].contains("附件4"));
    }

    #[test]
    fn a_flattened_table_whose_unit_column_comes_before_its_lead_column() {
        let t = tables(
            "分类\n\n序号\n\n事项\n\n责任单位\n\n牵头单位\n\n发展目标\n\n1\n\n增长6%。\n\n区农业局、区发改局\n\n区发改局\n\n2\n\n增长25%。\n\n区发改局\n\n区发改局\n",
        );
        let rows: Vec<Vec<String>> = t[0].rows.iter().map(cells).collect();
        assert_eq!(
            rows[0],
            [
                "发展目标",
                "1",
                "增长6%。",
                "区农业局、区发改局",
                "区发改局"
            ]
        );
        assert_eq!(rows[1], ["-", "2", "增长25%。", "区发改局", "区发改局"]);
    }

    #[test]
    fn a_flattened_header_may_hold_columns_no_list_names() {
        let t = tables(
            "分配表\n\n序号\n\n交通子行业\n\n建设区域\n\n装机计划（MW）\n\n责任单位\n\n1\n\n地铁\n\n高架车站\n\n35-36\n\n申通地铁\n\n集团\n\n2\n\n铁路\n\n候车楼\n\n15-20\n\n中国铁路上海局\n",
        );
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].columns[1], Column::Task);
        let rows: Vec<Vec<String>> = t[0].rows.iter().map(cells).collect();
        assert_eq!(rows[0], ["1", "地铁", "高架车站", "35-36", "申通地铁集团"]);
        assert_eq!(rows[1], ["2", "铁路", "候车楼", "15-20", "中国铁路上海局"]);
    }

    #[test]
    fn unit_cells_broken_over_paragraphs_are_one_cell() {
        let t = tables(
            "序号\n\n工作任务\n\n牵头部门\n\n配合部门\n\n完成时限\n\n9\n\n分类投放。\n\n各街镇（园区）\n\n区绿化市容局、\n\n区农业农村委\n\n2019年\n\n14\n\n机关示范。\n\n区机管局\n\n区绿化市容局\n\n区党政机关、公共机构\n\n2019年9月\n\n15\n\n宣传。\n\n区政府办公室、区绿化市容局、\n\n区规划资源局、区重大办\n\n长期\n",
        );
        let rows: Vec<Vec<String>> = t[0].rows.iter().map(cells).collect();
        assert_eq!(
            rows,
            [
                [
                    "9",
                    "分类投放。",
                    "各街镇（园区）",
                    "区绿化市容局、区农业农村委",
                    "2019年"
                ],
                [
                    "14",
                    "机关示范。",
                    "区机管局",
                    "区绿化市容局、区党政机关、公共机构",
                    "2019年9月"
                ],
                [
                    "15",
                    "宣传。",
                    "区政府办公室、区绿化市容局、",
                    "区规划资源局、区重大办",
                    "长期"
                ],
            ]
        );
    }

    #[test]
    fn an_html_table_with_rowspan() {
        let t = tables(
            "<table><tr><td>序号</td><td>任务</td><td>牵头单位</td><td>完成时限</td></tr>\n<tr><td rowspan=\"2\">1</td><td>建设<br>平台</td><td>市工信局</td><td>2023年</td></tr>\n<tr><td>推广</td><td>市科技局</td><td>2024年</td></tr></table>\n",
        );
        assert_eq!(t[0].form, Form::Html);
        let rows: Vec<Vec<String>> = t[0].rows.iter().map(cells).collect();
        assert_eq!(rows[0], ["1", "建设平台", "市工信局", "2023年"]);
        assert_eq!(rows[1], ["-", "推广", "市科技局", "2024年"]);
    }

    #[test]
    fn prose_with_column_words_is_not_a_table() {
        assert!(tables("序号\n\n一、总体要求\n\n牵头单位要加强领导。\n").is_empty());
    }
}
