//! Responsibility lists: who is responsible for an item, in which order and
//! in which role.
//!
//! Plans write this in many ways: labelled (`（牵头单位：X，配合单位：A、B）`,
//! `（责任单位：A、B）`), with role words after the names (`（X牵头，A、B配合）`,
//! `（A、B负责）`), with ASCII brackets and commas, with `等` standing for
//! unnamed units. Some state once that the first-listed unit leads
//! (`排在第一位的部门为牵头部门，下同`). The rules here are about those
//! words and separators, never about one document.

/// The role a unit plays for an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Leads (牵头).
    Lead,
    /// Supports (配合).
    Support,
    /// Responsible, jointly with the others listed, no lead stated (责任单位).
    Responsible,
}

impl Role {
    /// The name used in IRIs and tables.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Lead => "lead",
            Self::Support => "support",
            Self::Responsible => "responsible",
        }
    }
}

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

/// A parsed responsibility list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct List {
    /// Byte range of the whole bracket group, brackets included.
    pub span: (usize, usize),
    /// The units in order.
    pub units: Vec<Unit>,
    /// Whether `等` stands for further unnamed units.
    pub etc: bool,
    /// A lead rule stated inside this list, if any.
    pub rule: Option<LeadRule>,
}

/// A rule a document states about who leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeadRule {
    /// The first-listed unit leads, for this list only.
    FirstListedHere,
    /// The first-listed unit leads, for this list and every later one (下同).
    FirstListedFromHere,
}

/// Whether `text` states the rule that the first-listed unit leads
/// (`排在第一位的部门为牵头部门`, `列第一位者为牵头单位`, `排名首位的为牵头单位`).
#[must_use]
pub fn states_lead_rule(text: &str) -> bool {
    text.contains("牵头")
        && [
            "第一位",
            "首位",
            "排名第一",
            "第一个",
            "列第一",
            "排第一",
            "居首",
        ]
        .iter()
        .any(|w| text.contains(w))
}

/// Role words that end a clause (`X牵头`, `A、B配合`), longest first.
const ROLE_SUFFIXES: &[(&str, Role)] = &[
    ("按职责分工负责", Role::Responsible),
    ("按职责负责", Role::Responsible),
    ("分工负责", Role::Responsible),
    ("共同负责", Role::Responsible),
    ("负责落实", Role::Responsible),
    ("具体负责", Role::Responsible),
    ("共同牵头", Role::Lead),
    ("牵头负责", Role::Lead),
    ("负责牵头", Role::Lead),
    ("协同配合", Role::Support),
    ("参与配合", Role::Support),
    ("配合落实", Role::Support),
    ("负责", Role::Responsible),
    ("牵头", Role::Lead),
    ("主责", Role::Lead),
    ("配合", Role::Support),
    ("参与", Role::Support),
    ("协助", Role::Support),
    ("协同", Role::Support),
    ("协办", Role::Support),
];

/// Label words before `：` (`牵头单位：`), and the role each gives.
const LABEL_HEADS: &[(&str, Role)] = &[
    ("主要责任", Role::Responsible),
    ("责任", Role::Responsible),
    ("负责", Role::Responsible),
    ("承办", Role::Responsible),
    ("实施", Role::Responsible),
    ("牵头", Role::Lead),
    ("主办", Role::Lead),
    ("主责", Role::Lead),
    ("配合", Role::Support),
    ("协办", Role::Support),
    ("协同", Role::Support),
    ("协作", Role::Support),
    ("参与", Role::Support),
];
const LABEL_TAILS: &[&str] = &["单位", "部门", "处室", "机构", "主体", ""];

/// Level words that, after `各X、`, continue one collective rather than start
/// a new unit: `各区、县级市` is "every district and county-level city".
const LEVEL_WORDS: &[&str] = &[
    "县级市",
    "县（市、区）",
    "县(市、区)",
    "市",
    "县",
    "区",
    "乡",
    "镇",
    "乡镇",
    "街道",
    "县区",
    "市区",
    "旗",
    "开发区",
];

/// Remainders after `等` that stand for unnamed further units.
const GENERIC_REMAINDERS: &[&str] = &[
    "",
    "部门",
    "单位",
    "机构",
    "有关部门",
    "相关部门",
    "其他部门",
    "有关单位",
    "相关单位",
    "其他单位",
    "有关机构",
    "相关机构",
    "有关部门和单位",
    "相关部门和单位",
    "部门和单位",
    "有关部门单位",
    "相关部门单位",
    "有关部门（单位）",
    "相关部门（单位）",
    "有关部门(单位)",
    "单位和部门",
];

/// Endings that make a name look like an organisation, for lists that carry
/// no label and no role word at all.
const UNIT_ENDINGS: &[&str] = &[
    "局",
    "委",
    "办",
    "厅",
    "部",
    "府",
    "署",
    "会",
    "院",
    "中心",
    "公司",
    "室",
    "处",
    "所",
    "队",
    "行",
    "站",
    "团",
    "联",
    "社",
    "司",
    "总局",
    "管委会",
    "政府",
    "单位",
    "部门",
];

/// Finds and parses the responsibility lists in `text` (an item's text).
///
/// Returns the lists in text order; a bracket group that is not a
/// responsibility list (`（2022—2024年）`, `（CWW）`) is skipped.
/// `rule_in_force` says whether a stated lead rule applies from earlier in
/// the document.
#[must_use]
pub fn lists(text: &str, rule_in_force: bool) -> Vec<List> {
    let groups = bracket_groups(text);
    let mut out = Vec::new();
    let mut rule = rule_in_force;
    let trailing = text
        .trim_end_matches(['。', '；', ';', '.', ' ', '　'])
        .len();
    for (open, close_end) in groups {
        let inner_start = open + text[open..].chars().next().map_or(1, char::len_utf8);
        let inner_end = close_end
            - text[..close_end]
                .chars()
                .next_back()
                .map_or(1, char::len_utf8);
        let at_end = close_end >= trailing;
        if let Some(mut list) = parse_group(text, inner_start, inner_end, rule, at_end) {
            list.span = (open, close_end);
            if list.rule == Some(LeadRule::FirstListedFromHere) {
                rule = true;
            }
            out.push(list);
        }
    }
    if out.is_empty()
        && let Some(list) = trailing_labelled(text, rule)
    {
        out.push(list);
    }
    out
}

/// Labels that may open an unbracketed list at the end of an item.
const TRAILING_LABELS: &[&str] = &[
    "责任单位：",
    "牵头单位：",
    "责任部门：",
    "牵头部门：",
    "责任主体：",
    "责任单位:",
    "牵头单位:",
];

/// An unbracketed list closing an item: `…。责任单位：市工信局、市科技局。`
fn trailing_labelled(text: &str, rule: bool) -> Option<List> {
    let at = TRAILING_LABELS.iter().filter_map(|l| text.rfind(l)).min()?;
    let before = text[..at].chars().next_back();
    if !(at == 0 || matches!(before, Some('。' | '；' | ';' | ' ' | '　'))) {
        return None;
    }
    let end = text
        .trim_end_matches(['。', '；', ';', '.', ' ', '　'])
        .len();
    if end <= at {
        return None;
    }
    let mut list = parse_group(text, at, end, rule, true)?;
    list.span = (at, end);
    Some(list)
}

/// Top-level bracket groups as (start, end) byte ranges, brackets included.
/// `（` may close with `)` and `(` with `）`: extracted text mixes them.
fn bracket_groups(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '（' | '(' | '【' | '[' => {
                if depth == 0 {
                    start = i;
                }
                depth += 1;
            }
            '）' | ')' | '】' | ']' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    out.push((start, i + c.len_utf8()));
                }
            }
            _ => {}
        }
    }
    out
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
            '（' | '(' | '《' | '“' | '【' | '[' => depth += 1,
            '）' | ')' | '》' | '”' | '】' | ']' => depth = depth.saturating_sub(1),
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
    let is_pad = |c: char| c.is_whitespace() || c == '\u{feff}';
    let lead = piece.len() - piece.trim_start_matches(is_pad).len();
    let trail = piece.len() - piece.trim_end_matches(is_pad).len();
    if lead + trail >= piece.len() {
        (start, start)
    } else {
        (start + lead, end - trail)
    }
}

const CLAUSE_SEPS: &[char] = &['，', ',', '；', ';', '。'];

/// A label (`牵头单位：`) found in a group: its byte range and role.
fn labels(text: &str, start: usize, end: usize) -> Vec<(usize, usize, Role)> {
    let mut out = Vec::new();
    let inner = &text[start..end];
    for (i, c) in inner.char_indices() {
        if c != '：' && c != ':' {
            continue;
        }
        let before = &inner[..i];
        let found = LABEL_HEADS.iter().find_map(|&(head, role)| {
            LABEL_TAILS.iter().find_map(|tail| {
                let word = format!("{head}{tail}");
                before.ends_with(&word).then_some((word.len(), role))
            })
        });
        if let Some((len, role)) = found {
            out.push((start + i - len, start + i + c.len_utf8(), role));
        }
    }
    out
}

struct Piece {
    span: (usize, usize),
    role: Role,
    basis: RoleBasis,
}

/// Parses the inside of one bracket group, or `None` when it is not a
/// responsibility list.
fn parse_group(text: &str, start: usize, end: usize, rule: bool, at_end: bool) -> Option<List> {
    let mut rule_here = None;
    // Clauses that state the lead rule, and a bare `下同`, are not units.
    let mut kept = Vec::new();
    let mut same_below = false;
    let mut removed = Vec::new();
    for (s, e) in split_top(text, start, end, CLAUSE_SEPS) {
        let clause = &text[s..e];
        if states_lead_rule(clause) && !clause.ends_with("牵头") {
            same_below |= clause.contains("下同");
            rule_here = Some(());
            removed.push((s, e));
        } else if clause == "下同" {
            same_below = true;
            removed.push((s, e));
        } else if is_time_limit(clause) {
            // `完成时限：2023年底`, `2023年底前完成`: when, not who.
            removed.push((s, e));
        } else {
            kept.push((s, e));
        }
    }
    let rule_kind = rule_here.map(|()| {
        if same_below {
            LeadRule::FirstListedFromHere
        } else {
            LeadRule::FirstListedHere
        }
    });
    let rule_applies = rule || rule_kind.is_some();
    let list_end = end;

    let labels = labels(text, start, list_end);
    let mut pieces: Vec<Piece> = Vec::new();
    if labels.is_empty() {
        // `None` leaves `pieces` empty: a bare list is tried below.
        let _ = role_clauses(text, start, list_end, None, &removed, &mut pieces);
    } else {
        // Text before the first label may carry units with role words.
        if labels[0].0 > start {
            let _ = role_clauses(text, start, labels[0].0, None, &removed, &mut pieces);
        }
        for (k, &(_, label_end, role)) in labels.iter().enumerate() {
            let seg_end = labels.get(k + 1).map_or(list_end, |l| l.0);
            role_clauses(text, label_end, seg_end, Some(role), &removed, &mut pieces)?;
        }
    }
    let mut guessed = false;
    if pieces.is_empty() {
        // No label, no role word: a bare list of organisation-like names at
        // the very end of the item is taken as responsible units, by guess.
        if !at_end || !labels.is_empty() {
            return None;
        }
        let spans: Vec<(usize, usize)> =
            split_top(text, start, list_end, &['、', '，', ',', '；', ';', '。'])
                .into_iter()
                .filter(|&(s, e)| removed.iter().all(|&(a, b)| e <= a || s >= b))
                .collect();
        let unit_like = !spans.is_empty()
            && spans.iter().all(|&(s, e)| {
                let name = &text[s..e];
                let n = name.chars().count();
                (2..=30).contains(&n)
                    && !name.chars().any(|c| c.is_ascii_digit())
                    && UNIT_ENDINGS.iter().any(|end| name.ends_with(end))
            });
        if !unit_like {
            return None;
        }
        guessed = true;
        pieces.push(Piece {
            span: (start, list_end),
            role: Role::Responsible,
            basis: RoleBasis::Guessed,
        });
    }

    let mut units: Vec<Unit> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut etc = false;
    for piece in &pieces {
        for (s, e) in unit_spans(text, piece.span.0, piece.span.1) {
            // `市工信局（牵头）`: a role note in brackets after the name.
            let (e, noted) = role_note(text, s, e);
            let (role, basis) =
                noted.map_or((piece.role, piece.basis), |r| (r, RoleBasis::ExplicitLabel));
            let (label_end, more) = strip_etc(&text[s..e]);
            etc |= more;
            let e = s + label_end;
            let label = text[s..e].trim().to_owned();
            if label.is_empty() || !seen.insert(label.clone()) {
                continue;
            }
            units.push(Unit {
                label,
                span: (s, e),
                role,
                basis,
            });
        }
    }
    if units.is_empty() {
        return None;
    }
    // A stated rule turns a plain jointly-responsible list into lead + support.
    if rule_applies && !guessed && units.iter().all(|u| u.role == Role::Responsible) {
        for (i, u) in units.iter_mut().enumerate() {
            u.role = if i == 0 { Role::Lead } else { Role::Support };
            u.basis = RoleBasis::StatedRule;
        }
    }
    Some(List {
        span: (start, end),
        units,
        etc,
        rule: rule_kind,
    })
}

/// Splits a segment into names and gives each run of names the role of the
/// role word that ends it (`A、B等部门，C、D配合`: all four support;
/// `X牵头、Y配合`: X leads, Y supports). Names left without a role word get
/// `default` (the label's role), or support when a lead was named; with
/// neither the segment is not a list. Clauses in `skip` (a lead rule, a
/// time limit) are left out.
fn role_clauses(
    text: &str,
    start: usize,
    end: usize,
    default: Option<Role>,
    skip: &[(usize, usize)],
    out: &mut Vec<Piece>,
) -> Option<()> {
    let before = out.len();
    let mut pending: Vec<(usize, usize)> = Vec::new();
    for (cs, ce) in split_top(text, start, end, CLAUSE_SEPS) {
        if skip.iter().any(|&(a, b)| cs < b && ce > a) {
            continue;
        }
        for (s, e) in unit_spans(text, cs, ce) {
            let name = &text[s..e];
            // A clause that is only a role phrase (`按职责分工负责`).
            if let Some(&(_, role)) = ROLE_SUFFIXES.iter().find(|(w, _)| name == *w) {
                close_run(&mut pending, None, role, out);
                continue;
            }
            match ROLE_SUFFIXES.iter().find(|(w, _)| name.ends_with(w)) {
                Some(&(word, role)) => {
                    let e = strip_adverbs(text, s, e - word.len());
                    close_run(&mut pending, Some((s, e)), role, out);
                }
                None => pending.push((s, e)),
            }
        }
    }
    if pending.is_empty() {
        return (out.len() > before).then_some(());
    }
    let named_lead = out[before..].iter().any(|p| p.role == Role::Lead);
    let role = match default {
        Some(role) => role,
        None if named_lead => Role::Support,
        None => {
            out.truncate(before);
            return None;
        }
    };
    let basis = if default == Some(Role::Responsible) {
        RoleBasis::NoLeadStated
    } else {
        RoleBasis::ExplicitLabel
    };
    for span in pending {
        out.push(Piece { span, role, basis });
    }
    Some(())
}

/// Ends a run of names with the role of the word that closed it.
fn close_run(
    pending: &mut Vec<(usize, usize)>,
    last: Option<(usize, usize)>,
    role: Role,
    out: &mut Vec<Piece>,
) {
    for span in pending.drain(..).chain(last) {
        out.push(Piece {
            span,
            role,
            basis: RoleBasis::ExplicitLabel,
        });
    }
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
        let word = &inner[open + inner[open..].chars().next().map_or(1, char::len_utf8)..];
        if open > 0
            && let Some(&(_, role)) = ROLE_SUFFIXES.iter().find(|(w, _)| *w == word)
        {
            return (start + open, Some(role));
        }
    }
    (end, None)
}

/// Words between a name and its role word (`B按职责分别牵头`).
const ROLE_ADVERBS: &[&str] = &[
    "按职责分工",
    "按职能分工",
    "按职责",
    "按职能",
    "依职责",
    "分别",
    "共同",
    "各自",
    "具体",
];

fn strip_adverbs(text: &str, start: usize, mut end: usize) -> usize {
    while let Some(w) = ROLE_ADVERBS
        .iter()
        .find(|w| text[start..end].ends_with(*w) && text[start..end].len() > w.len())
    {
        end -= w.len();
    }
    end
}

/// Words that introduce the units (`由市工信局牵头`, `以上均由…负责`).
const LEADING_WORDS: &[&str] = &["以上均由", "以上由", "均由", "分别由", "统一由", "由"];

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
        || [
            "时限",
            "完成时间",
            "年底",
            "年前",
            "月底",
            "前完成",
            "长期",
            "持续推进",
            "按年度",
        ]
        .iter()
        .any(|w| clause.contains(w))
}

/// Splits a run of names at `、` (and clause separators), keeping collectives
/// such as `各区、县级市` together.
fn unit_spans(text: &str, start: usize, end: usize) -> Vec<(usize, usize)> {
    let raw = split_top(text, start, end, &['、', '，', ',', '；', ';', '。']);
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (s, e) in raw {
        let s = LEADING_WORDS
            .iter()
            .find(|w| text[s..e].starts_with(*w) && text[s..e].len() > w.len())
            .map_or(s, |w| s + w.len());
        let name = &text[s..e];
        if let Some(last) = out.last_mut() {
            let prev = &text[last.0..last.1];
            // `各区、县级市` and `各区、县级市人民政府`: one collective.
            let continues = LEVEL_WORDS.iter().any(|w| {
                name.strip_prefix(w)
                    .is_some_and(|rest| ["", "人民政府", "政府"].contains(&rest))
            });
            if prev.starts_with('各') && prev.chars().count() <= 4 && continues {
                last.1 = e;
                continue;
            }
        }
        out.extend(split_conjoined(text, s, e));
    }
    out
}

/// Splits `市工信局和市科技局` at 和/及/与 when both sides are names of
/// organisations; `人力资源和社会保障局` stays whole.
fn split_conjoined(text: &str, start: usize, end: usize) -> Vec<(usize, usize)> {
    let name = &text[start..end];
    let is_unit = |s: &str| s.chars().count() >= 2 && UNIT_ENDINGS.iter().any(|e| s.ends_with(e));
    for (i, c) in name.char_indices() {
        if matches!(c, '和' | '及' | '与') {
            let (left, right) = (&name[..i], &name[i + c.len_utf8()..]);
            if is_unit(left) && is_unit(right) {
                let mut out = vec![(start, start + i)];
                out.extend(split_conjoined(text, start + i + c.len_utf8(), end));
                return out;
            }
        }
    }
    vec![(start, end)]
}

/// Cuts a list-final `等` phrase from a name: `商务部等有关部门` → `商务部`.
/// Returns the byte length of the name and whether `等` stood for more units.
/// A `等` followed by a specific name (`浦东新区等相关区政府`) is kept.
fn strip_etc(name: &str) -> (usize, bool) {
    if let Some(i) = name.rfind('等') {
        let rest = &name[i + '等'.len_utf8()..];
        // `等有关部门`, `等市直有关部门`, `等10个部门`: unnamed further units.
        let generic = GENERIC_REMAINDERS.contains(&rest)
            || [
                "部门",
                "单位",
                "机构",
                "部门和单位",
                "单位和部门",
                "部门（单位）",
                "部门(单位)",
            ]
            .iter()
            .any(|tail| rest.ends_with(tail));
        if i > 0 && generic {
            return (i, true);
        }
    }
    (name.len(), false)
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn plain_responsibility_list_is_jointly_responsible() {
        use Role::Responsible as R;
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
                ("市发展改革委", Role::Lead),
                ("市委组织部", Role::Support),
                ("市人社局", Role::Support),
                ("各区、县级市", Role::Support),
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
        let got: Vec<_> = l[0]
            .units
            .iter()
            .map(|u| (u.label.as_str(), u.role))
            .collect();
        assert_eq!(
            got,
            [
                ("区发改局", Role::Lead),
                ("区财政局", Role::Support),
                ("区水务局", Role::Support),
                ("区国投公司", Role::Support),
                ("各街道办事处", Role::Support),
            ]
        );
    }

    #[test]
    fn a_stated_rule_makes_the_first_unit_lead_here_and_below() {
        let l = lists(
            "拓展。（税务总局、财政部、海关总署负责，排在第一位的部门为牵头部门，下同）",
            false,
        );
        assert_eq!(l[0].rule, Some(LeadRule::FirstListedFromHere));
        let got: Vec<_> = l[0]
            .units
            .iter()
            .map(|u| (u.label.as_str(), u.role, u.basis))
            .collect();
        assert_eq!(got[0], ("税务总局", Role::Lead, RoleBasis::StatedRule));
        assert_eq!(got[2], ("海关总署", Role::Support, RoleBasis::StatedRule));
        assert_eq!(
            roles("促进。（海关总署、商务部等有关部门负责）", true),
            names(&[("海关总署", Role::Lead), ("商务部", Role::Support)])
        );
    }

    #[test]
    fn an_inner_etc_before_a_specific_name_is_kept() {
        assert_eq!(
            roles("（责任单位：市科委、浦东新区等相关区政府）", false),
            names(&[
                ("市科委", Role::Responsible),
                ("浦东新区等相关区政府", Role::Responsible)
            ])
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
                ("市委组织部", Role::Lead),
                ("各项目牵头单位", Role::Support),
                ("各区、县级市", Role::Support),
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
                ("市工信局", Role::Lead),
                ("市科技局", Role::Responsible),
                ("县（市、区）人民政府", Role::Responsible),
            ])
        );
    }

    #[test]
    fn time_limits_in_a_list_are_not_units() {
        use Role::Responsible as R;
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
        use Role::{Lead, Support};
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
            names(&[
                ("市工信局", Role::Responsible),
                ("各区政府", Role::Responsible)
            ])
        );
        assert_eq!(
            roles("（牵头单位：市工信局。配合单位：市科技局）", false),
            names(&[("市工信局", Lead), ("市科技局", Support)])
        );
    }

    #[test]
    fn more_forms_of_etc_and_conjoined_names() {
        use Role::Responsible as R;
        let l = lists("（责任单位：市发改委等各有关部门）", false);
        assert!(l[0].etc);
        assert_eq!(l[0].units[0].label, "市发改委");
        assert_eq!(
            roles("（责任单位：市工信局等10个部门）", false),
            names(&[("市工信局", R)])
        );
        assert_eq!(
            roles("（责任单位：市工信局和市科技局）", false),
            names(&[("市工信局", R), ("市科技局", R)])
        );
        assert_eq!(
            roles("（责任单位：市人力资源和社会保障局）", false),
            names(&[("市人力资源和社会保障局", R)])
        );
        assert_eq!(
            roles("（责任单位：各区、县级市人民政府）", false),
            names(&[("各区、县级市人民政府", R)])
        );
    }

    #[test]
    fn other_brackets_and_an_unbracketed_closing_list() {
        use Role::Responsible as R;
        assert_eq!(
            roles("建设平台。【责任单位：市工信局、市科技局】", false),
            names(&[("市工信局", R), ("市科技局", R)])
        );
        assert_eq!(
            roles("建设平台。责任单位：市工信局、市科技局。", false),
            names(&[("市工信局", R), ("市科技局", R)])
        );
    }

    #[test]
    fn brackets_that_are_not_lists_are_skipped() {
        assert!(lists("消息（CWW）3月23日，《计划（2022—2024年）》（含）。", false).is_empty());
    }

    #[test]
    fn a_bare_list_of_unit_names_at_the_end_is_a_guess() {
        let l = lists("做好工作。（市工信局、市科技局）", false);
        assert_eq!(l[0].units[0].basis, RoleBasis::Guessed);
        assert!(lists("（市工信局、市科技局）做好工作。", false).is_empty());
    }
}
