//! Aligned text tables. Chinese characters take two columns on a terminal,
//! so widths are display widths, not bytes or chars.

use std::io::{self, Write};
use unicode_width::UnicodeWidthStr;

/// The widest a cell is printed, in display columns (`None`: whole). Set
/// once by the command line: on a terminal long cells (an item's text) are
/// cut with `…` unless `--wide`; into a pipe or a file they stay whole.
static CELL_LIMIT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// Cuts cells wider than `columns` (`None`: never).
pub fn limit_cells(columns: Option<usize>) {
    CELL_LIMIT.store(columns.unwrap_or(0), std::sync::atomic::Ordering::Relaxed);
}

/// A cell cut to `limit` display columns, `…` included.
fn cut(cell: String, limit: usize) -> String {
    if limit == 0 || cell.width() <= limit {
        return cell;
    }
    let mut out = String::new();
    let mut width = 0;
    for c in cell.chars() {
        let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
        if width + w + 1 > limit {
            break;
        }
        out.push(c);
        width += w;
    }
    out.push('…');
    out
}

/// A table of text cells.
#[derive(Debug, Clone, Default)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column names.
    #[must_use]
    pub fn new(header: Vec<String>) -> Self {
        Self {
            header,
            rows: Vec::new(),
        }
    }

    /// Adds a row (missing cells are blank).
    pub fn push(&mut self, row: Vec<String>) {
        self.rows.push(row);
    }

    /// Writes the table: header, a rule, then rows, columns padded to their
    /// widest cell; line breaks inside cells are shown as spaces, other
    /// control characters escaped (`\u{1b}`), so that text from a plan
    /// cannot move the cursor or recolour a terminal.
    ///
    /// # Errors
    ///
    /// Write errors.
    pub fn write(&self, out: &mut dyn Write) -> io::Result<()> {
        let limit = CELL_LIMIT.load(std::sync::atomic::Ordering::Relaxed);
        let clean = |s: &str| -> String {
            let mut out = String::with_capacity(s.len());
            for c in s.chars() {
                match c {
                    '\n' | '\r' | '\t' => out.push(' '),
                    c if c.is_control() => out.extend(c.escape_unicode()),
                    c => out.push(c),
                }
            }
            cut(out, limit)
        };
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.width()).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate() {
                if i < widths.len() {
                    widths[i] = widths[i].max(clean(cell).width());
                }
            }
        }
        let line = |cells: &[String], out: &mut dyn Write| -> io::Result<()> {
            let mut text = String::new();
            for (i, width) in widths.iter().enumerate() {
                let cell = clean(cells.get(i).map_or("", String::as_str));
                if i > 0 {
                    text.push_str("  ");
                }
                text.push_str(&cell);
                if i + 1 < widths.len() {
                    text.push_str(&" ".repeat(width.saturating_sub(cell.width())));
                }
            }
            writeln!(out, "{}", text.trim_end())
        };
        line(&self.header, out)?;
        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
        line(&rule, out)?;
        for row in &self.rows {
            line(row, out)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_cells_are_cut_to_the_limit_by_display_width() {
        assert_eq!(cut("市工信局市科技局".to_owned(), 9), "市工信局…");
        assert_eq!(cut("abcdef".to_owned(), 6), "abcdef");
        assert_eq!(cut("abcdefg".to_owned(), 6), "abcde…");
        assert_eq!(cut("abcdefg".to_owned(), 0), "abcdefg");
    }

    #[test]
    fn control_characters_are_shown_not_sent() {
        let mut t = Table::new(vec!["title".into()]);
        t.push(vec!["\u{1b}[31m红\u{7}".into()]);
        let mut out = Vec::new();
        t.write(&mut out).expect("writes");
        let text = String::from_utf8(out).expect("utf-8");
        assert_eq!(text.lines().nth(2), Some("\\u{1b}[31m红\\u{7}"));
    }

    #[test]
    fn chinese_cells_align_by_display_width() {
        let mut t = Table::new(vec!["unit".into(), "items".into()]);
        t.push(vec!["市工信局".into(), "15".into()]);
        t.push(vec!["NFT".into(), "3".into()]);
        let mut out = Vec::new();
        t.write(&mut out).expect("writes");
        let text = String::from_utf8(out).expect("utf-8");
        assert_eq!(
            text,
            "unit      items\n--------  -----\n市工信局  15\nNFT       3\n"
        );
    }
}
