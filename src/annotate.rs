//! Responsibility lists: who is responsible for an item, in which order and
//! in which role.
//!
//! Plans write this in many ways: labelled (`（牵头单位：X，配合单位：A、B）`,
//! `（责任单位：A、B）`, `责任单位:A` on a line of its own), with role phrases
//! after the names (`（X牵头，A、B配合）`, `（X牵头负责、各区政府组织落实）`,
//! `（A、B负责）`, `（X会同A、B负责）`), with fields that name no unit
//! (`责任领导：张三；`, `；适用范围：…`), with ASCII brackets and commas, with
//! `等` standing for unnamed units. Some state once that the first-listed
//! unit leads (`排在第一位的部门为牵头部门，下同`), with exceptions
//! (`除标注“分别牵头”外`).
//!
//! A list is read in three steps: fields are split at their labels, runs of
//! names are closed by the role phrase that ends them (so role groups may be
//! separated by `，` or by `、`), then roles are decided over the whole list.
//! The words are in `data/grammar/` ([`crate::words`]); the rules here are
//! about those words and separators, never about one document.

use crate::vocab::Role;
use crate::words::{FieldKind, LabelRole, Tier, words};

use regex::Regex;
use std::sync::LazyLock;

/// How a role was decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RoleBasis {
    /// A label or role word in the list itself (牵头单位, 配合, 负责).
    ExplicitLabel,
    /// A rule the document states (排在第一位的部门为牵头部门).
    StatedRule,
    /// A plain list with no label and no stated rule: jointly responsible.
    NoLeadStated,
    /// A bracketed list of unit-like names with no label or role word at all,
    /// taken as a responsibility list by guess (reported as a warning).
    Guessed,
}

impl RoleBasis {
    /// The name used in IRIs.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ExplicitLabel => "explicit-label",
            Self::StatedRule => "stated-rule",
            Self::NoLeadStated => "no-lead-stated",
            Self::Guessed => "guessed",
        }
    }
}

/// How a list was found in the text: what an analyst filters on when only
/// some readings are trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ListBasis {
    /// A label (`责任单位：`).
    Label,
    /// Role phrases after the names (`X牵头，A配合`, `A、B负责`).
    RolePhrase,
    /// A column of a task-division table (牵头单位, 配合单位).
    TableColumn,
    /// Organisation-like names with no label or role word (a guess).
    BareList,
}

impl ListBasis {
    /// The name used in IRIs.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Label => "label",
            Self::RolePhrase => "role-phrase",
            Self::TableColumn => "table-column",
            Self::BareList => "bare-list",
        }
    }
}

/// One unit in a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// The name as written (without 等 and role words).
    pub label: String,
    /// Byte range of the name in the text that was parsed.
    pub span: (usize, usize),
    /// The role.
    pub role: Role,
    /// How the role was decided.
    pub basis: RoleBasis,
}

/// Something the reader decided that a user should know about, at a byte
/// offset of the text that was parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// Byte offset.
    pub at: usize,
    /// What was decided, as a sentence.
    pub message: String,
}

/// A parsed responsibility list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct List {
    /// Byte range of the whole annotation (brackets included).
    pub span: (usize, usize),
    /// The units in order.
    pub units: Vec<Unit>,
    /// Whether `等` stands for further unnamed units.
    pub etc: bool,
    /// A lead rule stated inside this list, if any.
    pub rule: Option<LeadRule>,
    /// How the list was found.
    pub basis: ListBasis,
    /// What the reader decided on the way.
    pub notes: Vec<Note>,
}

/// A rule a document states about who leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeadRule {
    /// The first-listed unit leads, for this list only.
    FirstListedHere,
    /// The first-listed unit leads, for this list and every later one (下同).
    FirstListedFromHere,
}

/// A first-listed rule in force, with the phrases that exempt a list from
/// it (`除标注“分别牵头”外` → `分别牵头`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rule {
    /// A list containing one of these is not read by the rule.
    pub exempt: Vec<String>,
}

/// Reads the lists of a document in order, keeping the rules it states.
#[derive(Debug, Clone, Default)]
pub struct Reader {
    in_force: Option<Rule>,
}

/// Whether `text` states the rule that the first-listed unit leads
/// (`排在第一位的部门为牵头部门`, `列第一位者为牵头单位`, `排名首位的为牵头单位`).
#[must_use]
pub fn states_lead_rule(text: &str) -> bool {
    let text = words().simplify(text);
    text.contains("牵头")
        && words()
            .lead_rule_words
            .iter()
            .any(|w| text.contains(w.as_str()))
}

/// `除标注“分别牵头”外`: the phrase that exempts a list from a stated rule.
static EXEMPTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"除(?:另有|特别)?(?:标注|注明|标明|明确)?[“「『\x22]([^”」』\x22]{1,16})[”」』\x22](?:的|者)?(?:以)?外")
        .expect("valid regex")
});

fn exemptions(text: &str) -> Vec<String> {
    EXEMPTION
        .captures_iter(text)
        .filter_map(|c| c.get(1).map(|m| m.as_str().to_owned()))
        .collect()
}

impl Reader {
    /// A reader with no rule in force.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether a first-listed rule is in force.
    #[must_use]
    pub fn rule_in_force(&self) -> bool {
        self.in_force.is_some()
    }

    /// Puts a rule stated outside any list (in a preamble) in force.
    pub fn put_in_force(&mut self, text: &str) {
        self.in_force = Some(Rule {
            exempt: exemptions(text),
        });
    }

    /// The lists in `text` (an item's text) without changing what is in
    /// force: whether there is one, and where.
    #[must_use]
    pub fn peek(&self, text: &str) -> Vec<List> {
        self.clone().read(text)
    }

    /// Finds and parses the responsibility lists in `text`, in text order;
    /// a bracket group that is not a responsibility list (`（2022—2024年）`,
    /// `（CWW）`) is skipped. A rule stated with 下同 stays in force for the
    /// texts read after. Traditional characters are read as their
    /// simplified forms; names are kept as written.
    pub fn read(&mut self, text: &str) -> Vec<List> {
        let simple = words().simplify(text);
        let mut lists = self.read_simplified(&simple);
        if let std::borrow::Cow::Owned(_) = simple {
            for unit in lists.iter_mut().flat_map(|l| &mut l.units) {
                unit.label = text[unit.span.0..unit.span.1].to_owned();
            }
        }
        lists
    }

    fn read_simplified(&mut self, text: &str) -> Vec<List> {
        let trailing = trailing_label(text);
        let text_end = trimmed_end(text);
        let mut out: Vec<List> = Vec::new();
        for (open, close) in bracket_groups(text) {
            if trailing.is_some_and(|(t, _)| open >= t) {
                continue;
            }
            let inner = inner_range(text, open, close);
            let context = Context {
                at_end: close >= text_end,
                may_guess: may_guess(&text[..open]),
            };
            match self.group(text, inner, context) {
                Group::List(mut list) => {
                    list.span = (open, close);
                    out.push(list);
                }
                Group::Rule(rule, from_here) => {
                    // A rule in a bracket of its own reads the list just
                    // before it too: `（责任单位：A、B）（列第一位者牵头，下同）`.
                    if let Some(last) = out.last_mut()
                        && text[last.span.1..open]
                            .trim_matches(|c: char| is_pad(c) || "。；;，,".contains(c))
                            .is_empty()
                    {
                        apply_rule(last, LeadRule::FirstListedHere);
                    }
                    if from_here {
                        self.in_force = Some(rule);
                    }
                }
                Group::Nothing => {}
            }
        }
        if let Some((start, end)) = trailing {
            let context = Context {
                at_end: true,
                may_guess: false,
            };
            if let Group::List(mut list) = self.group(text, (start, end), context) {
                list.span = (start, end);
                out.push(list);
            }
        }
        out
    }

    /// Reads the unit cells of one table row: each cell's text with its
    /// column's role (`牵头单位` lead, `配合单位` support, `责任单位`
    /// responsible, or support beside a lead column). Cells that name no
    /// unit (`——`) are left out. Returns the units, each with the index of
    /// its cell and its byte range there, and whether `等` stood for more;
    /// `None` when the row names no unit.
    pub fn read_cells(
        &mut self,
        cells: &[(&str, LabelRole)],
    ) -> Option<(Vec<(usize, Unit)>, bool)> {
        // One text, the cells separated by `；`, read as one list of fields.
        let mut text = String::new();
        let mut starts = Vec::new();
        for (cell, _) in cells {
            if !text.is_empty() {
                text.push('；');
            }
            starts.push(text.len());
            text.push_str(&words().simplify(cell));
        }
        let mut runs = Vec::new();
        for (k, (cell, role)) in cells.iter().enumerate() {
            if is_none_cell(cell) {
                continue;
            }
            read_runs(
                &text,
                (starts[k], starts[k] + cell.len()),
                Some(*role),
                &[],
                &mut runs,
            );
        }
        let resolved = resolve(&runs)?;
        let (units, etc) = names_to_units(&text, &resolved);
        if units.is_empty() {
            return None;
        }
        let mut list = List {
            span: (0, text.len()),
            units,
            etc: etc || runs.iter().any(|r| r.etc),
            rule: None,
            basis: ListBasis::TableColumn,
            notes: Vec::new(),
        };
        if let Some(rule) = &self.in_force
            && !rule.exempt.iter().any(|p| text.contains(p.as_str()))
        {
            convert_by_rule(&mut list);
        }
        let out = list
            .units
            .into_iter()
            .map(|mut u| {
                let k = starts.partition_point(|&s| s <= u.span.0) - 1;
                u.span = (u.span.0 - starts[k], u.span.1 - starts[k]);
                u.label = cells[k].0[u.span.0..u.span.1].to_owned();
                (k, u)
            })
            .collect();
        Some((out, list.etc))
    }

    /// Parses one annotation (inside its brackets, or from its label to the
    /// end of a line), updating the rule in force.
    fn group(&mut self, text: &str, (start, end): (usize, usize), context: Context) -> Group {
        let mut stated: Option<(Rule, bool)> = None;
        let mut removed: Vec<(usize, usize)> = Vec::new();
        // Brackets inside: a rule stated after the list
        // (`…、市卫生健康委(除标注“分别牵头”外,列第一位为牵头或汇总单位,下同)`), or
        // an explanation (`（以下简称…）`), are not part of any name.
        for (o, c) in bracket_groups(&text[start..end]) {
            let (o, c) = (start + o, start + c);
            let (is, ie) = inner_range(text, o, c);
            let inner = &text[is..ie];
            if states_lead_rule(inner) {
                merge_rule(&mut stated, inner);
                removed.push((o, c));
            } else if is_explanation(inner) {
                removed.push((o, c));
            }
        }
        // Clauses: a rule, a bare 下同, a time limit.
        let clauses = split_top(text, start, end, CLAUSE_SEPS);
        for &(s, e) in &clauses {
            if inside(&removed, s, e) {
                continue;
            }
            let clause = &visible(text, s, e, &removed);
            if states_lead_rule(clause) && !clause.ends_with("牵头") {
                merge_rule(&mut stated, clause);
                removed.push((s, e));
            } else if clause == "下同" {
                // `下同` says a rule stated here holds below too; alone it
                // may be about anything (`不再做分工,下同`), never a rule.
                if let Some((_, from_here)) = &mut stated {
                    *from_here = true;
                }
                removed.push((s, e));
            } else if is_time_limit(clause) {
                removed.push((s, e));
            }
        }
        // The exception to a rule stated here is part of the rule.
        if let Some((rule, _)) = &mut stated {
            for &(s, e) in &clauses {
                let clause = &visible(text, s, e, &removed);
                if !inside(&removed, s, e) && EXEMPTION.is_match(clause) {
                    rule.exempt.extend(exemptions(clause));
                    removed.push((s, e));
                }
            }
        }

        let mut notes = Vec::new();
        // A sentence after the list, inside its bracket (`…园区管委会。以下政策
        // 措施均需…`), is no list unless a label opens it.
        if let Some(stop) = sentence_stop(text, start, end, &removed) {
            let tail = visible(text, stop, end, &removed);
            let tail = tail.trim_matches(|c: char| is_pad(c) || "。；;，,".contains(c));
            if !tail.is_empty() {
                notes.push(Note {
                    at: stop,
                    message: format!(
                        "the sentence after the units in a responsibility list was not read as units (`{}`)",
                        short(tail)
                    ),
                });
            }
            removed.push((stop, end));
        }
        let mut runs: Vec<Run> = Vec::new();
        let mut labelled = false;
        for field in fields(text, start, end, &removed) {
            match field.kind {
                FieldSort::Units(label) => {
                    let before = runs.len();
                    read_runs(text, field.span, label, &removed, &mut runs);
                    labelled |= label.is_some() && runs.len() > before;
                }
                FieldSort::Skipped(FieldKind::Unknown, label_span) => notes.push(Note {
                    at: label_span.0,
                    message: format!(
                        "the field `{}` in a responsibility list is not a label policykg knows; its text was not read as units",
                        &text[label_span.0..label_span.1]
                    ),
                }),
                FieldSort::Skipped(..) => {}
            }
        }
        let phrased = runs.iter().any(|r| r.tier.is_some());
        if !labelled && !phrased {
            // No label, no role word: a bare list of organisation-like names
            // at the very end of the item is taken as responsible units, by
            // guess.
            let bare = runs.iter().all(|r| r.label.is_none() && r.tier.is_none());
            let names: Vec<(usize, usize)> = runs.iter().flat_map(|r| r.names.clone()).collect();
            let unit_like =
                is_bare_list(&names.iter().map(|&(s, e)| &text[s..e]).collect::<Vec<_>>());
            if bare && context.at_end && context.may_guess && unit_like && stated.is_none() {
                let units = names_to_units(
                    text,
                    &names
                        .iter()
                        .map(|&n| (n, Role::Responsible, RoleBasis::Guessed, false))
                        .collect::<Vec<_>>(),
                );
                return Group::List(List {
                    span: (start, end),
                    etc: units.1,
                    units: units.0,
                    rule: None,
                    basis: ListBasis::BareList,
                    notes,
                });
            }
            return match stated {
                Some((rule, from_here)) => Group::Rule(rule, from_here),
                None => Group::Nothing,
            };
        }
        let Some(resolved) = resolve(&runs) else {
            return match stated {
                Some((rule, from_here)) => Group::Rule(rule, from_here),
                None => Group::Nothing,
            };
        };
        let (units, etc) = names_to_units(text, &resolved);
        if units.is_empty() {
            return Group::Nothing;
        }
        let mut list = List {
            span: (start, end),
            etc: etc || runs.iter().any(|r| r.etc),
            units,
            rule: None,
            basis: if labelled {
                ListBasis::Label
            } else {
                ListBasis::RolePhrase
            },
            notes,
        };
        let list_text = &text[start..end];
        match stated {
            Some((rule, from_here)) => {
                let kind = if from_here {
                    LeadRule::FirstListedFromHere
                } else {
                    LeadRule::FirstListedHere
                };
                apply_rule(&mut list, kind);
                list.rule = Some(kind);
                if from_here {
                    self.in_force = Some(rule);
                }
            }
            None => {
                if let Some(rule) = &self.in_force
                    && !rule.exempt.iter().any(|p| list_text.contains(p.as_str()))
                {
                    convert_by_rule(&mut list);
                }
            }
        }
        Group::List(list)
    }
}

/// A rule stated in or right after a list reads that list.
fn apply_rule(list: &mut List, kind: LeadRule) {
    convert_by_rule(list);
    if list.rule.is_none() {
        list.rule = Some(kind);
    }
}

/// A stated rule turns a plain jointly-responsible list into lead + support
/// (a list that names its roles keeps them).
fn convert_by_rule(list: &mut List) {
    let plain = list
        .units
        .iter()
        .all(|u| u.role == Role::Responsible && u.basis != RoleBasis::Guessed);
    if !plain {
        return;
    }
    for (i, u) in list.units.iter_mut().enumerate() {
        u.role = if i == 0 { Role::Lead } else { Role::Support };
        u.basis = RoleBasis::StatedRule;
    }
}

fn merge_rule(stated: &mut Option<(Rule, bool)>, text: &str) {
    let (rule, from_here) = stated.get_or_insert_with(|| (Rule::default(), false));
    *from_here |= text.contains("下同");
    rule.exempt.extend(exemptions(text));
}

/// What one annotation turned out to be.
enum Group {
    List(List),
    /// Only a rule (`（排在第一位的为牵头单位，下同）`), and whether it holds
    /// from here on.
    Rule(Rule, bool),
    Nothing,
}

#[derive(Debug, Clone, Copy)]
struct Context {
    /// The annotation closes the text (only there is a bare list a list).
    at_end: bool,
    /// The text before is a task, not only a name (`六、公安青浦分局（交警支队）`
    /// is a heading, its bracket the unit's other name).
    may_guess: bool,
}

/// A bare bracket after text that is itself only an organisation's name is
/// that organisation's other name, not a list.
fn may_guess(before: &str) -> bool {
    let before = before.trim_matches(|c: char| is_pad(c) || "。；;，,：:".contains(c));
    let name = crate::outline::numbering(before).map_or(before, |n| &before[n.rest..]);
    !name.is_empty() && !looks_like_unit(name)
}

/// Labels that open an unbracketed list (`责任单位：…` at the end of an item
/// or on a line of its own): the label's start and the list's end (the end
/// of the text, or its first `。`).
fn trailing_label(text: &str) -> Option<(usize, usize)> {
    let w = words();
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '（' | '(' | '【' | '[' | '〔' | '［' => depth += 1,
            '）' | ')' | '】' | ']' | '〕' | '］' => depth = depth.saturating_sub(1),
            '：' | ':' if depth == 0 => {
                let Some((label, _)) = w.label_ending(&text[..i]) else {
                    continue;
                };
                let at = i - label.len();
                let before = text[..at].chars().next_back();
                if !(at == 0 || before.is_some_and(|b| is_pad(b) || "。；;".contains(b))) {
                    continue;
                }
                let rest = &text[at..];
                let end = at + sentence_end(rest);
                let end = at + trimmed_end(&text[at..end]);
                return (end > i + c.len_utf8()).then_some((at, end));
            }
            _ => {}
        }
    }
    None
}

/// The first top-level `。` of an annotation after which no label follows:
/// where its units end and a sentence begins.
fn sentence_stop(
    text: &str,
    start: usize,
    end: usize,
    removed: &[(usize, usize)],
) -> Option<usize> {
    let mut depth = 0usize;
    let mut seen_units = false;
    for (i, c) in text[start..end].char_indices() {
        let i = start + i;
        match c {
            '（' | '(' | '【' | '[' | '〔' | '［' | '“' => depth += 1,
            '）' | ')' | '】' | ']' | '〕' | '］' | '”' => depth = depth.saturating_sub(1),
            '。' if depth == 0 && seen_units && !inside(removed, i, i + c.len_utf8()) => {
                let after = &text[i..end];
                let labelled = after.char_indices().any(|(k, c)| {
                    matches!(c, '：' | ':') && words().label_ending(&after[..k]).is_some()
                });
                return (!labelled).then_some(i);
            }
            c if !is_pad(c) && !inside(removed, i, i + c.len_utf8()) => seen_units = true,
            _ => {}
        }
    }
    None
}

/// The byte length of `text` up to its first top-level `。` (or all of it).
fn sentence_end(text: &str) -> usize {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '（' | '(' | '【' | '[' | '〔' | '［' | '“' => depth += 1,
            '）' | ')' | '】' | ']' | '〕' | '］' | '”' => depth = depth.saturating_sub(1),
            '。' if depth == 0 => return i,
            _ => {}
        }
    }
    text.len()
}

fn trimmed_end(text: &str) -> usize {
    text.trim_end_matches(|c: char| is_pad(c) || "。；;.".contains(c))
        .len()
}

/// A name without control characters and invisible formatting ones
/// (zero-width spaces and joiners, direction marks, soft hyphens, the
/// byte-order mark), so that 市工信局 and 市工信局\u{200b} are one unit.
fn without_invisibles(name: &str) -> String {
    name.chars()
        .filter(|&c| {
            !c.is_control()
                && !matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}' | '\u{feff}')
        })
        .collect()
}

/// `——`, `—`, `无`, `/`: a cell that names no unit.
#[must_use]
pub fn is_none_cell(text: &str) -> bool {
    let t = text.trim_matches(is_pad);
    !t.is_empty()
        && (t
            .chars()
            .all(|c| matches!(c, '—' | '-' | '－' | '–' | '/' | '／'))
            || t == "无")
}

/// The first characters of a text, for messages.
#[must_use]
pub fn short(text: &str) -> String {
    let mut out: String = text.chars().take(24).collect();
    if text.chars().count() > 24 {
        out.push('…');
    }
    out
}

fn is_pad(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}' || c == '\u{200b}'
}

/// The inside of a bracket group.
fn inner_range(text: &str, open: usize, close: usize) -> (usize, usize) {
    let s = open + text[open..].chars().next().map_or(1, char::len_utf8);
    let e = close - text[..close].chars().next_back().map_or(1, char::len_utf8);
    (s, e.max(s))
}

/// Top-level bracket groups as (start, end) byte ranges, brackets included.
/// `（` may close with `)` and `(` with `）`: extracted text mixes them.
/// Brackets are matched innermost first, so a stray opening bracket earlier
/// in the text (`推进产业（发展。…（责任单位：…）`) is left unmatched
/// instead of swallowing the list after it (see [`unclosed`]); a doubled
/// bracket (`（（责任单位：…））`) gives the inner group.
fn bracket_groups(text: &str) -> Vec<(usize, usize)> {
    let (pairs, _) = match_brackets(text);
    let mut out: Vec<(usize, usize)> = Vec::new();
    let mut reach = 0;
    for &(start, end) in &pairs {
        if start >= reach {
            out.push((start, end));
            reach = end;
        }
    }
    for group in &mut out {
        // Unwrap `（（…））`: the outer pair holds nothing but the inner.
        while let Some(&inner) = pairs.iter().find(|&&(s, e)| {
            let (open, close) = *group;
            s > open
                && e < close
                && text[open..s].chars().count() == 1
                && text[e..close].chars().count() == 1
        }) {
            *group = inner;
        }
    }
    out
}

/// Matched bracket pairs, sorted by start (outer before inner), and the
/// opening brackets that never close.
fn match_brackets(text: &str) -> (Vec<(usize, usize)>, Vec<usize>) {
    let mut open: Vec<usize> = Vec::new();
    let mut pairs = Vec::new();
    for (i, c) in text.char_indices() {
        match c {
            '（' | '(' | '【' | '[' | '〔' | '［' => open.push(i),
            '）' | ')' | '】' | ']' | '〕' | '］' => {
                if let Some(start) = open.pop() {
                    pairs.push((start, i + c.len_utf8()));
                }
            }
            _ => {}
        }
    }
    pairs.sort_by_key(|&(s, e)| (s, std::cmp::Reverse(e)));
    (pairs, open)
}

/// The byte offsets of opening brackets that never close, when a
/// bracket group follows them: a list that a stray bracket would have hidden,
/// read as if the stray bracket were not there, which a reader should check.
#[must_use]
pub fn unclosed(text: &str) -> Vec<usize> {
    let (pairs, open) = match_brackets(text);
    open.into_iter()
        .filter(|&at| pairs.iter().any(|&(s, _)| s > at))
        .collect()
}

/// Splits `text[start..end]` at top-level separators in `seps`, returning
/// trimmed non-empty (start, end) ranges.
fn split_top(text: &str, start: usize, end: usize, seps: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut piece = start;
    for (i, c) in text[start..end].char_indices() {
        let i = start + i;
        match c {
            '（' | '(' | '《' | '“' | '【' | '[' | '〔' | '［' => depth += 1,
            '）' | ')' | '》' | '”' | '】' | ']' | '〕' | '］' => {
                depth = depth.saturating_sub(1)
            }
            c if depth == 0 && seps.contains(&c) => {
                out.push((piece, i));
                piece = i + c.len_utf8();
            }
            _ => {}
        }
    }
    out.push((piece, end));
    out.into_iter()
        .map(|(s, e)| trim_range(text, s, e))
        .filter(|(s, e)| s < e)
        .collect()
}

fn trim_range(text: &str, start: usize, end: usize) -> (usize, usize) {
    let piece = &text[start..end];
    let lead = piece.len() - piece.trim_start_matches(is_pad).len();
    let trail = piece.len() - piece.trim_end_matches(is_pad).len();
    if lead + trail >= piece.len() {
        (start, start)
    } else {
        (start + lead, end - trail)
    }
}

/// `text[s..e]` without the removed ranges in it.
fn visible(text: &str, s: usize, e: usize, removed: &[(usize, usize)]) -> String {
    let mut out = String::new();
    let mut at = s;
    let mut cuts: Vec<(usize, usize)> = removed
        .iter()
        .filter(|&&(a, b)| a < e && b > s)
        .copied()
        .collect();
    cuts.sort_unstable();
    for (a, b) in cuts {
        if a > at {
            out.push_str(&text[at..a]);
        }
        at = at.max(b);
    }
    if at < e {
        out.push_str(&text[at..e]);
    }
    out
}

/// Whether `[s, e)` lies inside one of the removed ranges.
fn inside(removed: &[(usize, usize)], s: usize, e: usize) -> bool {
    removed.iter().any(|&(a, b)| a <= s && e <= b)
}

/// `[s, e)` without removed ranges at its ends (`市卫生健康委(…下同)` →
/// `市卫生健康委`), trimmed.
fn trim_removed(
    text: &str,
    mut s: usize,
    mut e: usize,
    removed: &[(usize, usize)],
) -> (usize, usize) {
    loop {
        let before = (s, e);
        if let Some(&(_, b)) = removed.iter().find(|&&(a, b)| a <= s && s < b && b <= e) {
            s = b;
        }
        if let Some(&(a, _)) = removed.iter().find(|&&(a, b)| s <= a && a < e && e <= b) {
            e = a;
        }
        (s, e) = trim_range(text, s, e.max(s));
        if (s, e) == before || s >= e {
            return (s, e.max(s));
        }
    }
}

const CLAUSE_SEPS: &[char] = &['，', ',', '；', ';', '。'];
const NAME_SEPS: &[char] = &['、', '，', ',', '；', ';', '。'];

/// What a field of an annotation holds.
#[derive(Debug, Clone, Copy)]
enum FieldSort {
    /// Units, under a label or none.
    Units(Option<LabelRole>),
    /// No units (a person, a scope, a deadline, a note, an unknown label),
    /// with the label's byte range.
    Skipped(FieldKind, (usize, usize)),
}

#[derive(Debug, Clone, Copy)]
struct Field {
    span: (usize, usize),
    kind: FieldSort,
}

/// Splits an annotation at its labels (`牵头单位：`, `责任领导:`, `适用范围：`):
/// the text before the first label, then each label's text up to the next.
fn fields(text: &str, start: usize, end: usize, removed: &[(usize, usize)]) -> Vec<Field> {
    let w = words();
    // (label start, text start, kind)
    let mut labels: Vec<(usize, usize, FieldSort)> = Vec::new();
    let mut depth = 0usize;
    let mut clause_start = start;
    for (i, c) in text[start..end].char_indices() {
        let i = start + i;
        match c {
            '（' | '(' | '《' | '“' | '【' | '[' | '〔' | '［' => depth += 1,
            '）' | ')' | '》' | '”' | '】' | ']' | '〕' | '］' => {
                depth = depth.saturating_sub(1)
            }
            _ if depth > 0 => {}
            c if NAME_SEPS.contains(&c) || is_pad(c) => clause_start = i + c.len_utf8(),
            '：' | ':' => {
                if inside(removed, i, i + c.len_utf8()) {
                    continue;
                }
                let head = &text[clause_start..i];
                let after = i + c.len_utf8();
                let kind = if let Some((l, role)) = w.label_ending(head) {
                    Some((i - l.len(), FieldSort::Units(Some(role))))
                } else if let Some((l, kind)) = w
                    .field_labels
                    .iter()
                    .find(|(l, _)| head.ends_with(l.as_str()))
                {
                    Some((i - l.len(), FieldSort::Skipped(*kind, (i - l.len(), after))))
                } else if (1..=6).contains(&head.chars().count()) && head.chars().all(is_han) {
                    Some((
                        clause_start,
                        FieldSort::Skipped(FieldKind::Unknown, (clause_start, after)),
                    ))
                } else {
                    None
                };
                if let Some((at, kind)) = kind {
                    labels.push((at, after, kind));
                }
                clause_start = after;
            }
            _ => {}
        }
    }
    if labels.is_empty() {
        return vec![Field {
            span: (start, end),
            kind: FieldSort::Units(None),
        }];
    }
    let mut out = Vec::new();
    if labels[0].0 > start {
        out.push(Field {
            span: (start, labels[0].0),
            kind: FieldSort::Units(None),
        });
    }
    for (k, &(_, from, kind)) in labels.iter().enumerate() {
        let to = labels.get(k + 1).map_or(end, |l| l.0);
        out.push(Field {
            span: (from, to.max(from)),
            kind,
        });
    }
    out
}

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}

/// A run of names closed by one role phrase, or left open at the end of a
/// field.
#[derive(Debug, Clone)]
struct Run {
    names: Vec<(usize, usize)>,
    /// The role phrase that closed it.
    tier: Option<Tier>,
    /// The label of its field.
    label: Option<LabelRole>,
    /// Whether it ends with unnamed further units (`会同有关部门`).
    etc: bool,
}

/// Splits a field into names and closes each run of names with the role
/// phrase that ends it (`A、B等部门，C、D配合`: all four support;
/// `X牵头、Y配合`: X leads, Y supports; `X会同A、B负责`: X leads, A and B
/// carry it out).
fn read_runs(
    text: &str,
    (start, end): (usize, usize),
    label: Option<LabelRole>,
    removed: &[(usize, usize)],
    out: &mut Vec<Run>,
) {
    let mut pending: Vec<(usize, usize)> = Vec::new();
    let mut etc = false;
    let close = |pending: &mut Vec<(usize, usize)>, tier, etc: &mut bool, out: &mut Vec<Run>| {
        if pending.is_empty() {
            return;
        }
        out.push(Run {
            names: std::mem::take(pending),
            tier,
            label,
            etc: std::mem::take(etc),
        });
    };
    for (cs, ce) in split_top(text, start, end, CLAUSE_SEPS) {
        if inside(removed, cs, ce) {
            continue;
        }
        let (cs, ce) = trim_removed(text, cs, ce, removed);
        if cs >= ce {
            continue;
        }
        for (s, e) in unit_spans(text, cs, ce) {
            let (s, e) = trim_removed(text, s, e, removed);
            if s >= e {
                continue;
            }
            let (name_end, tier) = match words().role_phrase_ending(&text[s..e]) {
                Some((phrase, tier)) => (strip_adverbs(text, s, e - phrase.len()), Some(tier)),
                None => (e, None),
            };
            if name_end > s {
                // `X会同A`: X leads, A joins the run that follows.
                if let Some(k) = text[s..name_end].find("会同").filter(|&k| k > 0) {
                    pending.extend(split_conjoined(text, s, s + k));
                    close(&mut pending, Some(Tier::Lead), &mut etc, out);
                    let rest = (s + k + "会同".len(), name_end);
                    if is_generic(&text[rest.0..rest.1]) {
                        etc = true;
                    } else if rest.0 < rest.1 {
                        pending.extend(split_conjoined(text, rest.0, rest.1));
                    }
                } else {
                    pending.extend(split_conjoined(text, s, name_end));
                }
            }
            if let Some(tier) = tier {
                close(&mut pending, Some(tier), &mut etc, out);
            }
        }
    }
    if etc
        && pending.is_empty()
        && let Some(last) = out.last_mut()
    {
        last.etc = true;
    }
    close(&mut pending, None, &mut etc, out);
}

/// A word that stands for unnamed units (`有关部门`, `相关单位`).
fn is_generic(name: &str) -> bool {
    words()
        .etc_remainders
        .iter()
        .any(|r| !r.is_empty() && r == name)
}

/// A name with its role: its byte range, the role, how it was decided, and
/// whether it came from a group that repeats the lead.
type Named = ((usize, usize), Role, RoleBasis, bool);

/// The roles of every name, decided over the whole list. `None` when
/// nothing in the list says who is responsible.
fn resolve(runs: &[Run]) -> Option<Vec<Named>> {
    let has_lead = runs.iter().any(|r| {
        r.tier == Some(Tier::Lead) || (r.tier.is_none() && r.label == Some(LabelRole::Lead))
    });
    let tiers = runs.iter().filter(|r| r.tier.is_some()).count();
    let first_duty = runs.iter().position(|r| r.tier == Some(Tier::Duty));
    let anything = runs.iter().any(|r| r.tier.is_some() || r.label.is_some());
    if !anything {
        return None;
    }
    let mut out = Vec::new();
    for (k, run) in runs.iter().enumerate() {
        use RoleBasis::{ExplicitLabel, NoLeadStated};
        let (role, basis, repeats_lead) = match (run.tier, run.label) {
            (Some(Tier::Lead), _) => (Role::Lead, ExplicitLabel, false),
            (Some(Tier::Support), _) => (Role::Support, ExplicitLabel, false),
            (Some(Tier::Duty), _) if has_lead => (Role::Support, ExplicitLabel, true),
            // Two tiers and no lead word: the first carries the task, the
            // later ones help (`A按职责分工负责落实，各区政府组织落实`).
            (Some(Tier::Duty), _) if tiers >= 2 => {
                if Some(k) == first_duty {
                    (Role::Lead, ExplicitLabel, false)
                } else {
                    (Role::Support, ExplicitLabel, true)
                }
            }
            (Some(Tier::Duty), Some(LabelRole::Responsible) | None) => {
                (Role::Responsible, ExplicitLabel, false)
            }
            (Some(Tier::Duty), Some(LabelRole::Lead)) => (Role::Lead, ExplicitLabel, false),
            (Some(Tier::Duty), Some(LabelRole::Support)) => (Role::Support, ExplicitLabel, false),
            (None, Some(LabelRole::Lead)) => (Role::Lead, ExplicitLabel, false),
            (None, Some(LabelRole::Support)) => (Role::Support, ExplicitLabel, false),
            // 责任单位 beside an explicit 牵头单位 is the support group.
            (None, Some(LabelRole::Responsible)) if has_lead => {
                (Role::Support, ExplicitLabel, true)
            }
            (None, Some(LabelRole::Responsible)) => (Role::Responsible, NoLeadStated, false),
            // Names with no role word of their own, after a lead or another
            // tier: they help.
            (None, None) if has_lead || tiers > 0 => (Role::Support, ExplicitLabel, false),
            (None, None) => continue,
        };
        for &name in &run.names {
            out.push((name, role, basis, repeats_lead));
        }
    }
    Some(out)
}

/// Turns names with roles into units: role notes (`市工信局（牵头）`), `等`
/// phrases and repeats removed. A name repeated in a group that repeats the
/// lead (`责任单位` beside `牵头单位`) is not listed again; one named in an
/// explicit 配合 group too is kept, as written. Returns the units and
/// whether `等` stood for more.
fn names_to_units(text: &str, names: &[Named]) -> (Vec<Unit>, bool) {
    let mut cleaned: Vec<(Unit, bool)> = Vec::new();
    let mut etc = false;
    for &((s, e), role, basis, repeats_lead) in names {
        let (e, noted) = role_note(text, s, e);
        let (role, basis) = noted.map_or((role, basis), |r| (r, RoleBasis::ExplicitLabel));
        let (label_end, more) = strip_etc(&text[s..e]);
        etc |= more;
        let e = s + label_end;
        let (s, e) = trim_range(text, s, e);
        let label = without_invisibles(&text[s..e]);
        // One character is no organisation's name (a list cut short: `区`).
        if label.chars().count() < 2 {
            continue;
        }
        cleaned.push((
            Unit {
                label,
                span: (s, e),
                role,
                basis,
            },
            repeats_lead,
        ));
    }
    let leads: std::collections::HashSet<String> = cleaned
        .iter()
        .filter(|(u, _)| u.role == Role::Lead)
        .map(|(u, _)| u.label.clone())
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut units = Vec::new();
    for (unit, repeats_lead) in cleaned {
        if repeats_lead && leads.contains(&unit.label) {
            continue;
        }
        if seen.insert((unit.label.clone(), unit.role)) {
            units.push(unit);
        }
    }
    (units, etc)
}

/// Whether a text reads as a list of organisations and nothing else
/// (`区水务局、区房管局`, `区城管执法局和属地街镇`): a table cell's test.
#[must_use]
pub fn looks_like_unit_list(text: &str) -> bool {
    let simple = words().simplify(text);
    let text = simple.trim_matches(is_pad);
    let names: Vec<(usize, usize)> = split_top(text, 0, text.len(), NAME_SEPS)
        .into_iter()
        .flat_map(|(s, e)| {
            let (e, _) = role_note(text, s, e);
            let (len, _) = strip_etc(&text[s..e]);
            split_conjoined(text, s, s + len)
        })
        .collect();
    !names.is_empty() && names.iter().all(|&(s, e)| looks_like_unit(&text[s..e]))
}

/// Whether bracketed names with no label or role word read as a list of
/// organisations: the first and most of them shaped like one (an unusual
/// name among them, `市科协`, does not drop the list), none a phrase.
fn is_bare_list(names: &[&str]) -> bool {
    let shaped = names.iter().filter(|n| looks_like_unit(n)).count();
    !names.is_empty()
        && looks_like_unit(names[0])
        && shaped * 2 > names.len()
        && names.iter().all(|n| {
            let count = n.chars().count();
            (2..=20).contains(&count)
                && !n
                    .chars()
                    .any(|c| c.is_ascii_digit() || "：:“”《》".contains(c))
        })
}

/// Whether a name looks like an organisation's: a few characters, no
/// digits, an organisation's ending, or a short collective (`各区`,
/// `各县(市、区)`, `相关区`).
#[must_use]
pub fn looks_like_unit(name: &str) -> bool {
    let n = name.chars().count();
    let w = words();
    (2..=30).contains(&n)
        && !name.chars().any(|c| c.is_ascii_digit())
        && (w.has_unit_ending(name)
            || (n <= 8
                && w.collective_markers
                    .iter()
                    .any(|(m, _)| name.starts_with(m.as_str()) && name.len() > m.len())))
}

/// Whether a bracket's inside, or a line, looks like responsibility that a
/// list should have read: a label with its colon, a role phrase after an
/// organisation's name, or nothing but organisations' names.
#[must_use]
pub fn looks_like_responsibility(text: &str) -> bool {
    let w = words();
    let simple = w.simplify(text);
    let text = simple.trim_matches(is_pad);
    if text.is_empty() || is_explanation(text) {
        return false;
    }
    let labelled = text
        .char_indices()
        .any(|(i, c)| matches!(c, '：' | ':') && w.label_ending(&text[..i]).is_some());
    let phrased = split_top(text, 0, text.len(), NAME_SEPS)
        .iter()
        .any(|&(s, e)| {
            w.role_phrase_ending(&text[s..e]).is_some_and(|(p, _)| {
                let name_end = strip_adverbs(text, s, e - p.len());
                name_end > s && looks_like_unit(&text[s..name_end])
            })
        });
    let names: Vec<&str> = split_top(text, 0, text.len(), NAME_SEPS)
        .iter()
        .map(|&(s, e)| &text[s..e])
        .collect();
    labelled || phrased || is_bare_list(&names)
}

/// Whether a bracket holds one name right after a word (`公安青浦分局（交警
/// 支队）`, `高铁站（虹桥站）`) in the middle of a text: that word's other
/// name, not a list.
#[must_use]
pub fn is_qualifier(text: &str, open: usize, close: usize) -> bool {
    let (s, e) = inner_range(text, open, close);
    let single = split_top(text, s, e, NAME_SEPS).len() == 1;
    let after_word = text[..open]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric());
    let at_end = close >= trimmed_end(text);
    single && after_word && !at_end
}

/// The top-level bracket groups of a text: (start, end) byte ranges,
/// brackets included.
#[must_use]
pub fn brackets(text: &str) -> Vec<(usize, usize)> {
    bracket_groups(text)
}

/// A bracketed role word closing a name (`市工信局（牵头）`): the name's end
/// without it, and the role.
fn role_note(text: &str, start: usize, end: usize) -> (usize, Option<Role>) {
    let name = &text[start..end];
    for close in ['）', ')'] {
        let Some(inner) = name.strip_suffix(close) else {
            continue;
        };
        let Some(open) = inner.rfind(['（', '(']) else {
            continue;
        };
        let word_start = open + inner[open..].chars().next().map_or(1, char::len_utf8);
        let word = &inner[word_start..];
        // `（牵头）`, and with an adverb in front, `（按职责分工负责）`.
        let role = words()
            .role_phrase_ending(word)
            .filter(|(phrase, _)| {
                strip_adverbs(inner, word_start, inner.len() - phrase.len()) == word_start
            })
            .map(|(_, t)| match t {
                Tier::Lead => Role::Lead,
                Tier::Support => Role::Support,
                Tier::Duty => Role::Responsible,
            });
        if open > 0
            && let Some(role) = role
        {
            return (start + open, Some(role));
        }
    }
    (end, None)
}

fn strip_adverbs(text: &str, start: usize, mut end: usize) -> usize {
    while let Some(w) = words()
        .role_adverbs
        .iter()
        .find(|w| text[start..end].ends_with(w.as_str()))
    {
        end -= w.len();
    }
    end
}

/// Whether a bracket inside a list explains rather than names:
/// `（以下简称市工信局）`, `（2023年）`.
fn is_explanation(inner: &str) -> bool {
    inner.contains("简称") || inner.contains("下同") || is_time_limit(inner)
}

/// Whether a text says when (`2023年底前`, `长期`, `2019年9月`): a table's
/// deadline cell.
#[must_use]
pub fn is_time(text: &str) -> bool {
    is_time_limit(text) || (text.chars().any(|c| c.is_ascii_digit()) && text.contains(['年', '月']))
}

/// Whether a clause of a list says when rather than who.
fn is_time_limit(clause: &str) -> bool {
    let has_year = clause.char_indices().any(|(i, c)| {
        c == '年'
            && clause[..i]
                .chars()
                .rev()
                .take(4)
                .filter(char::is_ascii_digit)
                .count()
                == 4
    });
    has_year
        || words()
            .time_words
            .iter()
            .any(|w| clause.contains(w.as_str()))
}

/// Splits a run of names at `、` (and clause separators), keeping collectives
/// such as `各区、县级市` together.
fn unit_spans(text: &str, start: usize, end: usize) -> Vec<(usize, usize)> {
    let w = words();
    let raw = split_top(text, start, end, NAME_SEPS);
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (s, e) in raw {
        let s = w
            .leading_words
            .iter()
            .find(|lw| text[s..e].starts_with(lw.as_str()) && text[s..e].len() > lw.len())
            .map_or(s, |lw| s + lw.len());
        let name = &text[s..e];
        if let Some(last) = out.last_mut() {
            let prev = &text[last.0..last.1];
            // `各区、县级市` and `各区、县级市人民政府` (also when a role phrase
            // follows, or the collective ends a longer run: `省直有关部门和各市、
            // 县人民政府按职责分工负责`): one collective.
            let name = w
                .role_phrase_ending(name)
                .map_or(name, |(p, _)| &text[s..strip_adverbs(text, s, e - p.len())]);
            let continues = w.level_words.iter().any(|lw| {
                name.strip_prefix(lw.as_str())
                    .is_some_and(|rest| ["", "人民政府", "政府"].contains(&rest))
            });
            let collective_start = prev.rfind('各').is_some_and(|i| {
                prev[i..].chars().count() <= 4
                    && (i == 0 || prev[..i].ends_with(['和', '及', '与']))
            });
            if collective_start && continues {
                last.1 = e;
                continue;
            }
        }
        out.push((s, e));
    }
    out
}

/// Splits `市工信局和市科技局` (and `A等和B`) at 和/及/与 when both sides
/// are names of organisations; `人力资源和社会保障局`, `文化和旅游部` and the
/// collective `各有关部门和单位` stay whole.
fn split_conjoined(text: &str, start: usize, end: usize) -> Vec<(usize, usize)> {
    let name = &text[start..end];
    let w = words();
    // A whole organisation's name (`市科技局`, not `单位` or `有关部门`), or
    // a collective of named bodies (`相关盟市`).
    let whole = |s: &str| {
        s.chars().count() >= 3
            && ((w.has_unit_ending(s)
                && !w.unit_endings.iter().any(|e| {
                    s.strip_suffix(e.as_str())
                        .is_some_and(|core| core.is_empty() || is_generic_core(core))
                }))
                || (w.is_collective(s) && !is_generic_core(s)))
    };
    for (i, c) in name.char_indices() {
        if matches!(c, '和' | '及' | '与') {
            let left = &name[..i];
            let left_core = left.strip_suffix('等').unwrap_or(left);
            let right = &name[i + c.len_utf8()..];
            if whole(left_core) && whole(right) {
                let mut out = vec![(start, start + i)];
                out.extend(split_conjoined(text, start + i + c.len_utf8(), end));
                return out;
            }
        }
    }
    vec![(start, end)]
}

/// `有关`, `相关部门`: what is left of a generic name without its ending.
fn is_generic_core(core: &str) -> bool {
    let w = words();
    let stripped = core.trim_start_matches('各');
    stripped.is_empty()
        || w.collective_markers.iter().any(|(m, _)| m == stripped)
        || w.etc_remainders
            .iter()
            .any(|r| !r.is_empty() && r == stripped)
}

/// Cuts a list-final `等` phrase from a name: `商务部等有关部门` → `商务部`.
/// Returns the byte length of the name and whether `等` stood for more units.
/// A `等` followed by a specific name (`浦东新区等相关区政府`) is kept.
fn strip_etc(name: &str) -> (usize, bool) {
    let w = words();
    if let Some(i) = name.rfind('等') {
        let rest = &name[i + '等'.len_utf8()..];
        // `等有关部门`, `等市直有关部门`, `等10个部门`: unnamed further units.
        let generic = w.etc_remainders.iter().any(|r| r == rest)
            || w.etc_endings
                .iter()
                .any(|tail| rest.ends_with(tail.as_str()));
        if i > 0 && generic {
            return (i, true);
        }
    }
    (name.len(), false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lists(text: &str, rule: bool) -> Vec<List> {
        let mut reader = Reader::new();
        if rule {
            reader.put_in_force("排在第一位的为牵头单位");
        }
        reader.read(text)
    }

    fn roles(text: &str, rule: bool) -> Vec<(String, Role)> {
        lists(text, rule)
            .into_iter()
            .flat_map(|l| l.units)
            .map(|u| (u.label, u.role))
            .collect()
    }

    fn names(v: &[(&str, Role)]) -> Vec<(String, Role)> {
        v.iter().map(|&(n, r)| (n.to_owned(), r)).collect()
    }

    use Role::{Lead, Responsible as R, Support};

    #[test]
    fn a_stray_bracket_does_not_hide_the_list_after_it() {
        for text in [
            "推进产业（发展。加快建设。（责任单位：市工信局、市发改委）",
            "推进项目[建设。（责任单位：市工信局、市发改委）",
            "推进【平台。（责任单位：市工信局、市发改委）",
            "建设体系。（（责任单位：市工信局、市发改委））",
        ] {
            assert_eq!(
                roles(text, false),
                names(&[("市工信局", R), ("市发改委", R)]),
                "{text}"
            );
        }
        assert_eq!(unclosed("推进产业（发展。（责任单位：市工信局）"), vec![12]);
        assert!(unclosed("（一）推进。（责任单位：市工信局）").is_empty());
    }

    #[test]
    fn invisible_and_control_characters_are_not_part_of_a_name() {
        assert_eq!(
            roles(
                "任务。（责任单位：市科技局\u{200b}、市\u{200d}工信局\u{7}、市发改委）",
                false
            ),
            names(&[("市科技局", R), ("市工信局", R), ("市发改委", R)])
        );
    }

    #[test]
    fn plain_responsibility_list_is_jointly_responsible() {
        assert_eq!(
            roles("任务。（责任单位：市科技局、市工信局、市发改委）", false),
            names(&[("市科技局", R), ("市工信局", R), ("市发改委", R)])
        );
    }

    #[test]
    fn labels_give_lead_and_support_and_keep_collectives_whole() {
        let got = roles(
            "项目。（牵头单位：市发展改革委，配合单位：市委组织部、市人社局，各区、县级市）",
            false,
        );
        assert_eq!(
            got,
            names(&[
                ("市发展改革委", Lead),
                ("市委组织部", Support),
                ("市人社局", Support),
                ("各区、县级市", Support),
            ])
        );
    }

    #[test]
    fn role_words_with_ascii_punctuation_and_etc_mid_list() {
        let l = lists(
            "做好。(区发改局牵头,区财政局、区水务局等部门,区国投公司、各街道办事处配合)",
            false,
        );
        assert_eq!(l.len(), 1);
        assert!(l[0].etc);
        assert_eq!(l[0].basis, ListBasis::RolePhrase);
        let got: Vec<_> = l[0]
            .units
            .iter()
            .map(|u| (u.label.as_str(), u.role))
            .collect();
        assert_eq!(
            got,
            [
                ("区发改局", Lead),
                ("区财政局", Support),
                ("区水务局", Support),
                ("区国投公司", Support),
                ("各街道办事处", Support),
            ]
        );
    }

    #[test]
    fn a_stated_rule_makes_the_first_unit_lead_here_and_below() {
        let mut reader = Reader::new();
        let l = reader
            .read("拓展。（税务总局、财政部、海关总署负责，排在第一位的部门为牵头部门，下同）");
        assert_eq!(l[0].rule, Some(LeadRule::FirstListedFromHere));
        let got: Vec<_> = l[0]
            .units
            .iter()
            .map(|u| (u.label.as_str(), u.role, u.basis))
            .collect();
        assert_eq!(got[0], ("税务总局", Lead, RoleBasis::StatedRule));
        assert_eq!(got[2], ("海关总署", Support, RoleBasis::StatedRule));
        let next = reader.read("促进。（海关总署、商务部等有关部门负责）");
        let got: Vec<_> = next[0]
            .units
            .iter()
            .map(|u| (u.label.as_str(), u.role))
            .collect();
        assert_eq!(got, [("海关总署", Lead), ("商务部", Support)]);
    }

    #[test]
    fn a_rule_after_an_unbracketed_list_and_its_exception() {
        let mut reader = Reader::new();
        let l = reader.read(
            "责任单位:市发改委、市经信局、市卫生健康委(除标注“分别牵头”外,列第一位为牵头或汇总单位,下同)",
        );
        assert_eq!(l[0].basis, ListBasis::Label);
        let got: Vec<_> = l[0]
            .units
            .iter()
            .map(|u| (u.label.as_str(), u.role))
            .collect();
        assert_eq!(
            got,
            [
                ("市发改委", Lead),
                ("市经信局", Support),
                ("市卫生健康委", Support)
            ]
        );
        // The exception: every unit marked 分别牵头 leads.
        assert_eq!(
            reader.read("责任单位:市人力社保局、市农业农村局分别牵头")[0]
                .units
                .iter()
                .map(|u| u.role)
                .collect::<Vec<_>>(),
            [Lead, Lead]
        );
        // Others follow the rule; a collective with inner punctuation stays whole.
        let l = reader.read("责任单位:市双招双引办、市发改委,各县(市、区)政府、丽水开发区管委会");
        let got: Vec<_> = l[0]
            .units
            .iter()
            .map(|u| (u.label.as_str(), u.role))
            .collect();
        assert_eq!(
            got,
            [
                ("市双招双引办", Lead),
                ("市发改委", Support),
                ("各县(市、区)政府", Support),
                ("丽水开发区管委会", Support)
            ]
        );
    }

    #[test]
    fn xia_tong_alone_states_no_rule() {
        let mut reader = Reader::new();
        let l = reader.read(
            "〔责任单位:省发展改革委、省市场监管局按职责分工负责。具体任务均涉及相关市(州)人民政府,不再做分工,下同。〕",
        );
        assert_eq!(l[0].rule, None);
        assert!(l[0].units.iter().all(|u| u.role == R), "{:?}", l[0].units);
        assert!(!reader.rule_in_force());
        let next = reader.read("〔责任单位:省市场监管局、省商务厅〕");
        assert!(next[0].units.iter().all(|u| u.role == R));
    }

    #[test]
    fn an_unusual_name_does_not_drop_a_bare_list() {
        for (text, n) in [
            ("做好。（市委网信办、市科委、市科协、市市场监管局）", 4),
            ("做好。（市经济信息化委、市科委、相关区）", 3),
            ("做好。（各街镇、区属国企）", 2),
            ("做好。（市数据局、同济大学）", 2),
        ] {
            let l = lists(text, false);
            assert_eq!(l.len(), 1, "{text}");
            assert_eq!(l[0].units.len(), n, "{text}");
            assert_eq!(l[0].basis, ListBasis::BareList);
        }
        // Mostly not organisations: no list.
        assert!(lists("做好。（含虚拟现实、增强现实、市工信局）", false).is_empty());
    }

    #[test]
    fn an_exempt_phrase_keeps_a_list_from_the_rule() {
        let mut reader = Reader::new();
        reader.put_in_force("除注明“共同负责”外，排在第一位的为牵头单位");
        let l = reader.read("（市工信局、市科技局共同负责）");
        assert!(l[0].units.iter().all(|u| u.role == R));
    }

    #[test]
    fn role_phrase_tiers_split_on_the_words_not_the_punctuation() {
        assert_eq!(
            roles("（市交通委牵头负责、各区政府组织落实）", false),
            names(&[("市交通委", Lead), ("各区政府", Support)])
        );
        assert_eq!(
            roles(
                "（市消防救援总队牵头负责、市公安局、各区政府组织落实）",
                false
            ),
            names(&[
                ("市消防救援总队", Lead),
                ("市公安局", Support),
                ("各区政府", Support)
            ])
        );
        // Two lead groups, then support.
        assert_eq!(
            roles(
                "（甲局、乙委牵头负责、丙局按职责牵头负责，各区政府组织落实）",
                false
            ),
            names(&[
                ("甲局", Lead),
                ("乙委", Lead),
                ("丙局", Lead),
                ("各区政府", Support)
            ])
        );
        // A plain 负责 after a lead group supports.
        assert_eq!(
            roles("（甲委牵头负责，乙局负责、丙局组织落实）", false),
            names(&[("甲委", Lead), ("乙局", Support), ("丙局", Support)])
        );
        // Only 组织落实: jointly responsible.
        assert_eq!(
            roles("（市应急局、各区政府组织落实）", false),
            names(&[("市应急局", R), ("各区政府", R)])
        );
        // Two tiers, no lead word: the first leads.
        assert_eq!(
            roles(
                "（市市场监管局、市商务委按职责分工负责落实、各区政府组织落实）",
                false
            ),
            names(&[
                ("市市场监管局", Lead),
                ("市商务委", Lead),
                ("各区政府", Support)
            ])
        );
        assert_eq!(
            roles("（各部门按职责分工牵头负责、各区政府组织落实）", false),
            names(&[("各部门", Lead), ("各区政府", Support)])
        );
        assert_eq!(
            roles(
                "（市住建委、市财政局牵头负责，市民政局按职责组织配合）",
                false
            ),
            names(&[
                ("市住建委", Lead),
                ("市财政局", Lead),
                ("市民政局", Support)
            ])
        );
    }

    #[test]
    fn all_lead_by_phrase_overrides_a_stated_rule() {
        assert_eq!(
            roles("（市教委、市民政局、各区政府牵头负责）", true),
            names(&[("市教委", Lead), ("市民政局", Lead), ("各区政府", Lead)])
        );
    }

    #[test]
    fn huitong_makes_the_first_lead_and_the_others_support() {
        assert_eq!(
            roles("（市工信局会同市科技局、市财政局负责）", false),
            names(&[
                ("市工信局", Lead),
                ("市科技局", Support),
                ("市财政局", Support)
            ])
        );
        let l = lists("（市工信局会同有关部门负责）", false);
        assert!(l[0].etc);
        assert_eq!(l[0].units.len(), 1);
        assert_eq!(l[0].units[0].role, Lead);
    }

    #[test]
    fn persons_scopes_and_unknown_fields_are_not_units() {
        assert_eq!(
            roles(
                "(责任领导:杜新国、丁玲;牵头单位:区发改局、区农业农村局)",
                false
            ),
            names(&[("区发改局", Lead), ("区农业农村局", Lead)])
        );
        assert_eq!(
            roles(
                "（负责部门：人力资源社会保障部、商务部；适用范围：所有自贸试验区，以下除标注适用于特定自贸试验区的措施外，适用范围均为所有自贸试验区）",
                false
            ),
            names(&[("人力资源社会保障部", R), ("商务部", R)])
        );
        assert_eq!(
            roles(
                "（负责部门：发展改革委、粮食和储备局，适用范围：浙江自贸试验区）",
                false
            ),
            names(&[("发展改革委", R), ("粮食和储备局", R)])
        );
        let l = lists("（牵头单位：市工信局；工作目标：建成平台）", false);
        assert_eq!(l[0].units.len(), 1);
        assert!(
            l[0].notes[0].message.contains("工作目标"),
            "{:?}",
            l[0].notes
        );
    }

    #[test]
    fn a_responsible_group_beside_an_explicit_lead_supports() {
        assert_eq!(
            roles(
                "(责任领导:洪声耀;牵头单位:区交通运输局;责任单位:区发改局、区林业局,区经发集团,相关乡镇办)",
                false
            ),
            names(&[
                ("区交通运输局", Lead),
                ("区发改局", Support),
                ("区林业局", Support),
                ("区经发集团", Support),
                ("相关乡镇办", Support)
            ])
        );
        // The lead is not repeated in the group that repeats it.
        assert_eq!(
            roles(
                "（责任单位：区农业农村局、区发改局；牵头单位：区发改局）",
                false
            ),
            names(&[("区农业农村局", Support), ("区发改局", Lead)])
        );
        // An explicit 配合 group naming the lead keeps it, as written.
        assert_eq!(
            roles(
                "（牵头单位：区规划资源局；配合单位：区水务局、区规划资源局）",
                false
            ),
            names(&[
                ("区规划资源局", Lead),
                ("区水务局", Support),
                ("区规划资源局", Support)
            ])
        );
    }

    #[test]
    fn he_and_ji_split_two_organisations_but_not_a_name_or_a_collective() {
        assert_eq!(
            roles("（责任单位：区城管执法局和属地街镇）", false),
            names(&[("区城管执法局", R), ("属地街镇", R)])
        );
        assert_eq!(
            roles("（责任单位：市工信局和市科技局）", false),
            names(&[("市工信局", R), ("市科技局", R)])
        );
        for whole in [
            "文化和旅游部",
            "粮食和储备局",
            "中央和国家机关工委",
            "市人力资源和社会保障局",
            "区自然资源和规划局",
            "各有关部门和单位",
        ] {
            assert_eq!(
                roles(&format!("（责任单位：{whole}）"), false),
                names(&[(whole, R)]),
                "{whole}"
            );
        }
        let l = lists("（财政部、税务总局等和各省级人民政府负责）", false);
        assert!(l[0].etc);
        assert_eq!(
            l[0].units
                .iter()
                .map(|u| u.label.as_str())
                .collect::<Vec<_>>(),
            ["财政部", "税务总局", "各省级人民政府"]
        );
    }

    #[test]
    fn an_inner_etc_before_a_specific_name_is_kept() {
        assert_eq!(
            roles("（责任单位：市科委、浦东新区等相关区政府）", false),
            names(&[("市科委", R), ("浦东新区等相关区政府", R)])
        );
    }

    #[test]
    fn a_unit_name_containing_a_role_word_is_not_a_label() {
        assert_eq!(
            roles(
                "（牵头单位：市委组织部，配合单位：各项目牵头单位，各区、县级市）",
                false
            ),
            names(&[
                ("市委组织部", Lead),
                ("各项目牵头单位", Support),
                ("各区、县级市", Support),
            ])
        );
    }

    #[test]
    fn a_role_note_in_brackets_after_a_name_gives_its_role() {
        assert_eq!(
            roles(
                "（责任单位：市工信局（牵头）、市科技局、县（市、区）人民政府）",
                false
            ),
            names(&[
                ("市工信局", Lead),
                ("市科技局", R),
                ("县（市、区）人民政府", R),
            ])
        );
    }

    #[test]
    fn a_role_note_may_carry_an_adverb() {
        assert_eq!(
            roles(
                "（责任单位：市工信局（牵头）、市科技局（按职责分工负责））",
                false
            ),
            names(&[("市工信局", Lead), ("市科技局", R)])
        );
    }

    #[test]
    fn time_limits_in_a_list_are_not_units() {
        assert_eq!(
            roles(
                "（责任单位：市工信局、市科技局；完成时限：2023年底）",
                false
            ),
            names(&[("市工信局", R), ("市科技局", R)])
        );
        assert_eq!(
            roles("（市工信局负责，2023年底前完成）", false),
            names(&[("市工信局", R)])
        );
    }

    #[test]
    fn role_words_attach_to_each_name_and_leading_words_go() {
        assert_eq!(
            roles("（市工信局牵头、市科技局配合）", false),
            names(&[("市工信局", Lead), ("市科技局", Support)])
        );
        assert_eq!(
            roles("（由市工信局牵头，市科技局配合）", false),
            names(&[("市工信局", Lead), ("市科技局", Support)])
        );
        assert_eq!(
            roles("（市发改委、市财政局按职责分别牵头，各区政府配合）", false),
            names(&[
                ("市发改委", Lead),
                ("市财政局", Lead),
                ("各区政府", Support)
            ])
        );
        assert_eq!(
            roles("（市工信局、各区政府，按职责分工负责）", false),
            names(&[("市工信局", R), ("各区政府", R)])
        );
        assert_eq!(
            roles("（牵头单位：市工信局。配合单位：市科技局）", false),
            names(&[("市工信局", Lead), ("市科技局", Support)])
        );
    }

    #[test]
    fn a_collective_with_a_comma_inside_stays_whole_after_he_and_before_a_role() {
        assert_eq!(
            roles(
                "（省发展改革委牵头，省直有关部门和各市、县人民政府按职责分工负责）",
                false
            ),
            names(&[
                ("省发展改革委", Lead),
                ("省直有关部门", Support),
                ("各市、县人民政府", Support)
            ])
        );
    }

    #[test]
    fn more_forms_of_etc_and_conjoined_names() {
        let l = lists("（责任单位：市发改委等各有关部门）", false);
        assert!(l[0].etc);
        assert_eq!(l[0].units[0].label, "市发改委");
        assert_eq!(
            roles("（责任单位：市工信局等10个部门）", false),
            names(&[("市工信局", R)])
        );
        assert_eq!(
            roles("（责任单位：各区、县级市人民政府）", false),
            names(&[("各区、县级市人民政府", R)])
        );
    }

    #[test]
    fn other_brackets_and_an_unbracketed_closing_list() {
        assert_eq!(
            roles("建设平台。【责任单位：市工信局、市科技局】", false),
            names(&[("市工信局", R), ("市科技局", R)])
        );
        assert_eq!(
            roles("建设平台。责任单位：市工信局、市科技局。", false),
            names(&[("市工信局", R), ("市科技局", R)])
        );
        // On a line of its own, with an ASCII colon.
        let l = lists("责任单位:市发改委", false);
        assert_eq!(l[0].span, (0, "责任单位:市发改委".len()));
    }

    #[test]
    fn brackets_that_are_not_lists_are_skipped() {
        assert!(lists("消息（CWW）3月23日，《计划（2022—2024年）》（含）。", false).is_empty());
    }

    #[test]
    fn a_bare_list_of_unit_names_at_the_end_is_a_guess() {
        let l = lists("做好工作。（市工信局、市科技局）", false);
        assert_eq!(l[0].units[0].basis, RoleBasis::Guessed);
        assert_eq!(l[0].basis, ListBasis::BareList);
        assert!(lists("（市工信局、市科技局）做好工作。", false).is_empty());
        // A heading that is a unit's name, with its other name in brackets.
        assert!(lists("六、公安青浦分局（交警支队）", false).is_empty());
    }
}
