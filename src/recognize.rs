//! Recognition with the registries: which organisation each unit name is,
//! and which technologies, institutions, places, events, laws and other
//! things each item names.
//!
//! Names come from the registries, found in one pass over the text by a
//! multi-pattern matcher where the longest match wins (`大数据管理局` is an
//! organisation, not the technology 大数据). Patterns find what no registry
//! can list: a title in 《…》 is a law or a policy document, a name ending in
//! 大学/学院/研究院 is an institution; such things are created and flagged
//! as unregistered.

use crate::document::{Document, Mention, Quote, Span};
use crate::error::{Diagnostic, Location};
use crate::registry::Registry;
use aho_corasick::{AhoCorasick, MatchKind};
use regex::Regex;
use std::collections::BTreeSet;
use std::sync::LazyLock;

/// The jurisdiction of national bodies and laws, which apply everywhere.
pub const NATIONAL: &str = "全国";

/// What a registry label points at.
#[derive(Debug, Clone)]
struct Target {
    key: String,
    class: String,
}

/// The registry labels that apply to documents of one jurisdiction.
#[derive(Debug, Clone)]
pub struct Lexicon {
    matcher: Option<AhoCorasick>,
    targets: Vec<Target>,
}

impl Lexicon {
    /// Labels of things that apply everywhere (no jurisdiction, or national),
    /// plus the units and local things of `jurisdiction`; national units
    /// come after local ones, so a local unit wins a shared label.
    #[must_use]
    pub fn new(registry: &Registry, jurisdiction: Option<&str>) -> Self {
        let mut patterns: Vec<&str> = Vec::new();
        let mut targets = Vec::new();
        let mut seen = BTreeSet::new();
        for thing in &registry.things {
            if thing
                .jurisdiction
                .as_deref()
                .is_some_and(|j| j != NATIONAL && Some(j) != jurisdiction)
            {
                continue;
            }
            for label in &thing.labels {
                if seen.insert(label.as_str()) {
                    patterns.push(label);
                    targets.push(Target {
                        key: thing.iri.clone(),
                        class: thing.class.clone(),
                    });
                }
            }
        }
        let local = registry
            .units
            .iter()
            .filter(|u| Some(u.jurisdiction.as_str()) == jurisdiction);
        let national = registry.units.iter().filter(|u| u.jurisdiction == NATIONAL);
        for unit in local.chain(national) {
            for label in &unit.labels {
                if seen.insert(label.as_str()) {
                    patterns.push(label);
                    targets.push(Target {
                        key: unit.iri.clone(),
                        class: "Organization".to_owned(),
                    });
                }
            }
        }
        let matcher = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .ok();
        Self { matcher, targets }
    }
}

static QUOTED_TITLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"《([^《》]{2,80})》").expect("valid regex"));
static INSTITUTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\p{Han}{2,12}?(?:大学|学院|研究院|研究所|科学院)").expect("valid regex")
});

/// Words that end the phrase before an institution's name (`支持厦门大学`).
const LEFT_BOUNDARIES: &[&str] = &[
    "支持", "依托", "鼓励", "推动", "联合", "发挥", "成立", "建设", "设立", "组建", "打造", "引进",
    "围绕", "以", "和", "与", "及", "的", "在", "由", "对", "为", "等", "到", "选拔", "外国",
    "国外", "境外", "各", "有关", "相关", "其他",
];

/// Words that make `…大学` a description rather than a name (一流大学).
const GENERIC_MODIFIERS: &[&str] = &[
    "一流",
    "重点",
    "高水平",
    "知名",
    "著名",
    "国内",
    "国际",
    "世界",
    "海内外",
    "境内外",
    "各类",
    "新型",
    "有关",
    "相关",
];

/// Law-like endings of a title in 《…》; other titles are policy documents.
const LAW_ENDINGS: &[&str] = &["法", "条例", "规定", "规则", "细则", "办法", "决定"];

/// Finds mentions in `text`, which starts at code point `base` of the file
/// on line `line`, outside the byte ranges in `skip` (the responsibility
/// list: units there are assignments, not mentions).
/// The things `text` names (a heading's or an item's text, starting at
/// code point `base` of its file, on `line`), outside the byte ranges
/// `skip` (the item's responsibility list), in text order. The mapper stores
/// only which things an item names; the Web Annotation export calls this
/// again on the stored text to say where.
#[must_use]
pub fn find(
    lexicon: &Lexicon,
    text: &str,
    base: usize,
    line: usize,
    skip: &[(usize, usize)],
) -> Vec<Mention> {
    let mut found: Vec<(usize, usize, Target, bool)> = Vec::new();
    let outside = |s: usize, e: usize| skip.iter().all(|&(a, b)| e <= a || s >= b);
    let ascii_word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    // A title in 《…》 is one thing: names inside it (数字经济 in
    // 《数字经济促进条例》) are not mentions of their own.
    let titles: Vec<(usize, usize)> = QUOTED_TITLE
        .captures_iter(text)
        .filter_map(|c| c.get(1).map(|m| (m.start(), m.end())))
        .collect();
    if let Some(matcher) = &lexicon.matcher {
        for m in matcher.find_iter(text) {
            let (s, e) = (m.start(), m.end());
            let label = &text[s..e];
            // `AR` in `CAR-T` is not augmented reality.
            let before = text[..s].chars().next_back();
            let after = text[e..].chars().next();
            let latin_edge = label.starts_with(|c: char| c.is_ascii_alphanumeric())
                && ascii_word(before)
                || label.ends_with(|c: char| c.is_ascii_alphanumeric()) && ascii_word(after);
            let inside_title = titles
                .iter()
                .any(|&(a, b)| a <= s && e <= b && (a, b) != (s, e));
            if !latin_edge && !inside_title && outside(s, e) {
                found.push((s, e, lexicon.targets[m.pattern().as_usize()].clone(), true));
            }
        }
    }
    let free = |s: usize, e: usize, found: &[(usize, usize, Target, bool)]| {
        outside(s, e) && found.iter().all(|&(a, b, _, _)| e <= a || s >= b)
    };
    for &(start, end) in &titles {
        if !free(start, end, &found) {
            continue;
        }
        let title = &text[start..end];
        let class = if LAW_ENDINGS.iter().any(|w| title.ends_with(w)) {
            "LegalAct"
        } else {
            "PolicyDocument"
        };
        let kind = if class == "LegalAct" {
            "law"
        } else {
            "document"
        };
        let key = format!(
            "{}{kind}/{}",
            crate::vocab::ID_BASE,
            crate::vocab::segment(title)
        );
        found.push((
            start,
            end,
            Target {
                key,
                class: class.to_owned(),
            },
            false,
        ));
    }
    for m in INSTITUTION.find_iter(text) {
        // 大学生 and 研究生 are students, not institutions.
        if text[m.end()..].starts_with('生') {
            continue;
        }
        let mut s = m.start();
        // Cut the phrase after the last boundary word before the suffix.
        let name = m.as_str();
        if let Some((i, w)) = LEFT_BOUNDARIES
            .iter()
            .filter_map(|w| {
                name[..name.len().saturating_sub(6)]
                    .rfind(w)
                    .map(|i| (i, *w))
            })
            .max_by_key(|&(i, _)| i)
        {
            s += i + w.len();
        }
        let name = &text[s..m.end()];
        let generic = GENERIC_MODIFIERS.iter().any(|g| {
            name.strip_prefix(g)
                .is_some_and(|rest| ["大学", "学院", "研究院", "研究所", "科学院"].contains(&rest))
        });
        if name.chars().count() < 4 || generic || !free(s, m.end(), &found) {
            continue;
        }
        let key = format!(
            "{}institution/{}",
            crate::vocab::ID_BASE,
            crate::vocab::segment(&text[s..m.end()])
        );
        found.push((
            s,
            m.end(),
            Target {
                key,
                class: "Institution".to_owned(),
            },
            false,
        ));
    }
    found.sort_by_key(|&(s, e, _, _)| (s, e));
    found
        .into_iter()
        .map(|(s, e, target, registered)| {
            let start = base + text[..s].chars().count();
            let label = text[s..e].to_owned();
            let end = start + label.chars().count();
            Mention {
                key: target.key,
                class: target.class,
                registered,
                quote: Quote {
                    line: line + text[..s].matches('\n').count(),
                    span: Span { start, end },
                    exact: label.clone(),
                },
                label,
            }
        })
        .collect()
}

/// Byte offset in `text` of code point `n`.
fn byte_of(text: &str, n: usize) -> usize {
    text.char_indices().nth(n).map_or(text.len(), |(i, _)| i)
}

/// Resolves units and issuers with the registry, guesses a missing
/// jurisdiction, and finds the mentions of every item and section heading.
/// Returns a warning for each unit the registry does not know (once per
/// name, at its first line).
pub fn recognize(doc: &mut Document, registry: &Registry) -> Vec<Diagnostic> {
    if doc.jurisdiction.is_none() {
        let text: String = doc.items.iter().map(|i| i.text.as_str()).collect();
        doc.jurisdiction = registry.guess_jurisdiction(&format!("{}{text}", doc.plan_title));
    }
    let jurisdiction = doc.jurisdiction.clone();
    let lexicon = registry
        .per_jurisdiction()
        .get(jurisdiction.as_deref(), || {
            Lexicon::new(registry, jurisdiction.as_deref())
        });
    // A national body (海关总署) may sit on a local list too.
    let resolve = |label: &str| {
        jurisdiction
            .as_deref()
            .and_then(|j| registry.unit(j, label))
            .or_else(|| registry.unit(NATIONAL, label))
            .map(|u| u.iri.clone())
    };
    doc.issuer_units = doc.issuers.iter().map(|i| resolve(i)).collect();
    let mut warned = BTreeSet::new();
    let mut warnings = Vec::new();
    for item in &mut doc.items {
        let mut skip = Vec::new();
        if let Some(list) = &mut item.list {
            let from = list.quote.span.start.saturating_sub(item.quote.span.start);
            let to = list.quote.span.end.saturating_sub(item.quote.span.start);
            skip.push((
                byte_of(&item.quote.exact, from),
                byte_of(&item.quote.exact, to),
            ));
            for a in &mut list.assignments {
                a.unit = resolve(&a.label);
                if a.unit.is_none() && warned.insert(a.label.clone()) {
                    warnings.push(Diagnostic {
                        at: Location {
                            file: doc.path.clone(),
                            line: a.quote.line,
                        },
                        message: format!(
                            "unit `{}` is not in the registry{}; it is kept as an unresolved unit",
                            a.label,
                            jurisdiction.as_deref().map_or_else(
                                || " (the document's jurisdiction is unknown)".to_owned(),
                                |j| format!(" of {j}")
                            )
                        ),
                    });
                }
            }
        }
        item.mentions = find(
            &lexicon,
            &item.quote.exact,
            item.quote.span.start,
            item.quote.line,
            &skip,
        );
    }
    for section in &mut doc.sections {
        section.mentions = find(
            &lexicon,
            &section.quote.exact,
            section.quote.span.start,
            section.quote.line,
            &[],
        );
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(text: &str, jurisdiction: Option<&str>) -> Vec<(String, String, bool)> {
        let registry = Registry::bundled().expect("registries parse");
        let lexicon = Lexicon::new(&registry, jurisdiction);
        find(&lexicon, text, 0, 1, &[])
            .into_iter()
            .map(|m| (m.label, m.class, m.registered))
            .collect()
    }

    fn t(label: &str, class: &str, registered: bool) -> (String, String, bool) {
        (label.to_owned(), class.to_owned(), registered)
    }

    #[test]
    fn the_longest_registry_name_wins() {
        // 大数据管理局 is an organisation of Xiamen, not the technology 大数据.
        let found = labels("市大数据管理局推动大数据应用", Some("厦门市"));
        assert_eq!(found[0].1, "Organization");
        assert_eq!(found[1], t("大数据", "Technology", true));
    }

    #[test]
    fn latin_names_need_word_edges() {
        let found = labels("支持VR/AR和CAR-T疗法", None);
        assert_eq!(
            found,
            [t("VR", "Technology", true), t("AR", "Technology", true)]
        );
    }

    #[test]
    fn patterns_find_unregistered_laws_and_institutions() {
        let found = labels(
            "依据《数字经济促进条例》，支持鹭岛理工大学和一流大学，培养大学生",
            None,
        );
        assert_eq!(
            found,
            [
                t("数字经济促进条例", "LegalAct", false),
                t("鹭岛理工大学", "Institution", false)
            ]
        );
    }

    #[test]
    fn local_things_match_only_in_their_jurisdiction() {
        assert_eq!(labels("举办马拉松", Some("厦门市")).len(), 1);
        assert!(labels("举办马拉松", Some("上海市")).is_empty());
    }
}
