//! The word lists the parser reads responsibility by: role phrases, labels,
//! field labels that do not name units, endings of organisation names, table
//! column words and the rest.
//!
//! They are data, not code: one file per list in `data/grammar/`, compiled
//! into the binary, each entry with a comment saying where it was seen. A
//! new style of plan is mostly a new line in one of them.

use std::sync::LazyLock;

/// The files, by name, as compiled in (for `--version`-style fingerprints
/// and the test that checks every entry says where it was seen).
pub const BUNDLED: &[(&str, &str)] = &[
    (
        "role-phrases.tsv",
        include_str!("../data/grammar/role-phrases.tsv"),
    ),
    (
        "role-adverbs.txt",
        include_str!("../data/grammar/role-adverbs.txt"),
    ),
    (
        "label-heads.tsv",
        include_str!("../data/grammar/label-heads.tsv"),
    ),
    (
        "label-tails.txt",
        include_str!("../data/grammar/label-tails.txt"),
    ),
    (
        "field-labels.tsv",
        include_str!("../data/grammar/field-labels.tsv"),
    ),
    (
        "unit-endings.txt",
        include_str!("../data/grammar/unit-endings.txt"),
    ),
    (
        "level-words.txt",
        include_str!("../data/grammar/level-words.txt"),
    ),
    (
        "etc-remainders.txt",
        include_str!("../data/grammar/etc-remainders.txt"),
    ),
    (
        "etc-endings.txt",
        include_str!("../data/grammar/etc-endings.txt"),
    ),
    (
        "table-columns.tsv",
        include_str!("../data/grammar/table-columns.tsv"),
    ),
    (
        "table-column-hints.tsv",
        include_str!("../data/grammar/table-column-hints.tsv"),
    ),
    (
        "table-captions.txt",
        include_str!("../data/grammar/table-captions.txt"),
    ),
    (
        "lead-rule-words.txt",
        include_str!("../data/grammar/lead-rule-words.txt"),
    ),
    (
        "leading-words.txt",
        include_str!("../data/grammar/leading-words.txt"),
    ),
    (
        "time-words.txt",
        include_str!("../data/grammar/time-words.txt"),
    ),
    (
        "collective-markers.txt",
        include_str!("../data/grammar/collective-markers.txt"),
    ),
    (
        "traditional.tsv",
        include_str!("../data/grammar/traditional.tsv"),
    ),
];

/// The one file that is a character table, not a word list: its header says
/// where it comes from, its lines need no comment of their own.
#[cfg(test)]
const CHARACTER_TABLES: &[&str] = &["traditional.tsv"];

/// What a role phrase says about the units before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    /// They lead (牵头).
    Lead,
    /// They support (配合).
    Support,
    /// They carry the task out (负责, 组织落实): jointly responsible when
    /// alone, support after a lead group, lead when a later tier follows.
    Duty,
}

/// What a label or table column says about the units under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelRole {
    /// 牵头单位.
    Lead,
    /// 配合单位.
    Support,
    /// 责任单位: no lead distinction (support beside an explicit lead).
    Responsible,
}

/// A field of an annotation, or a table column, that names no unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// A leader's name (责任领导).
    Person,
    /// Where a measure applies (适用范围).
    Scope,
    /// A deadline (完成时限).
    Time,
    /// A note (备注).
    Note,
    /// A label that no list here knows: skipped, with a warning.
    Unknown,
}

/// A column of a task-division table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// 序号.
    Number,
    /// A group the row belongs to (分类).
    Category,
    /// The task: the item's title (工作任务, 事项).
    Task,
    /// The task's text (主要工作内容).
    Content,
    /// Units.
    Units(LabelRole),
    /// Read, never units.
    Field(FieldKind),
}

/// Where a collective marker stands in a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkerPlace {
    /// At the start (`各区政府`).
    Start,
    /// Anywhere (`相关区政府`).
    Anywhere,
}

/// Every list, parsed.
#[derive(Debug)]
pub struct Words {
    /// Role phrases, longest first.
    pub role_phrases: Vec<(String, Tier)>,
    /// Adverbs between a name and its role phrase.
    pub role_adverbs: Vec<String>,
    /// Responsibility labels (head + tail), longest first, and whether
    /// the tail is empty (`牵头：`): such a label must be the whole word
    /// before its colon, not the end of a longer one (`市工信局负责：`).
    pub labels: Vec<(String, LabelRole, bool)>,
    /// Field labels that name no unit, longest first.
    pub field_labels: Vec<(String, FieldKind)>,
    /// Endings of organisation names, longest first.
    pub unit_endings: Vec<String>,
    /// The endings that also end names of places and things (`站`, `所`).
    pub weak_endings: Vec<String>,
    /// Level words continuing a `各X、` collective.
    pub level_words: Vec<String>,
    /// What may follow 等 for unnamed further units.
    pub etc_remainders: Vec<String>,
    /// Generic endings of what follows 等.
    pub etc_endings: Vec<String>,
    /// Table column words (spaces removed), longest first.
    pub columns: Vec<(String, Column)>,
    /// Words inside an unlisted header cell that make it a task or content
    /// column.
    pub column_hints: Vec<String>,
    /// Words that make a line a table's caption.
    pub table_captions: Vec<String>,
    /// Words stating that the first-listed unit leads (with 牵头).
    pub lead_rule_words: Vec<String>,
    /// Words in front of the first unit of a run.
    pub leading_words: Vec<String>,
    /// Words of a deadline.
    pub time_words: Vec<String>,
    /// Markers of collective names.
    pub collective_markers: Vec<(String, MarkerPlace)>,
    /// Traditional characters of the words above, to their simplified forms.
    pub traditional: std::collections::HashMap<char, char>,
    /// The same characters as a bit set over the CJK block, so that a text
    /// with none of them is passed over at one test per character.
    traditional_bits: Vec<u64>,
}

/// The block of CJK Unified Ideographs the traditional characters are in.
const CJK: std::ops::RangeInclusive<u32> = 0x4E00..=0x9FFF;

/// The bundled lists.
///
/// # Panics
///
/// Never once the test `the_bundled_word_lists_parse` passes: the files are
/// compiled in.
#[must_use]
pub fn words() -> &'static Words {
    static WORDS: LazyLock<Words> =
        LazyLock::new(|| Words::parse(BUNDLED).expect("the bundled word lists parse"));
    &WORDS
}

/// An entry of a list file: its fields and its comment.
struct Entry<'a> {
    fields: Vec<&'a str>,
    /// Where the entry was seen (checked by a test: every entry says).
    #[cfg_attr(not(test), allow(dead_code))]
    comment: &'a str,
}

/// The entries of one file: lines that are not blank or comments; fields
/// are separated by tabs or spaces, the comment starts at `#`; `-` is the
/// empty word.
fn entries(text: &str) -> impl Iterator<Item = Entry<'_>> {
    text.lines().filter_map(|line| {
        let (data, comment) = line.split_once('#').unwrap_or((line, ""));
        let fields: Vec<&str> = data
            .split_whitespace()
            .map(|f| if f == "-" { "" } else { f })
            .collect();
        (!fields.is_empty()).then(|| Entry {
            fields,
            comment: comment.trim(),
        })
    })
}

fn by_length_desc<T>(v: &mut [(String, T)]) {
    v.sort_by_key(|(w, _)| std::cmp::Reverse(w.len()));
}

impl Words {
    /// Parses the lists.
    ///
    /// # Errors
    ///
    /// A missing file, a line with the wrong number of fields or an unknown
    /// kind: the message names the file and the line.
    pub fn parse(files: &[(&str, &str)]) -> Result<Self, String> {
        let file = |name: &str| -> Result<&str, String> {
            files
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, t)| *t)
                .ok_or_else(|| format!("data/grammar/{name} is missing"))
        };
        let words = |name: &str| -> Result<Vec<String>, String> {
            entries(file(name)?)
                .map(|e| match e.fields.as_slice() {
                    [w] => Ok((*w).to_owned()),
                    _ => Err(format!(
                        "data/grammar/{name}: expected one word in {:?}",
                        e.fields
                    )),
                })
                .collect()
        };
        fn pairs<T>(
            name: &str,
            text: &str,
            kind: impl Fn(&str) -> Option<T>,
        ) -> Result<Vec<(String, T)>, String> {
            entries(text)
                .map(|e| match e.fields.as_slice() {
                    [w, k] => kind(k).map(|k| ((*w).to_owned(), k)).ok_or_else(|| {
                        format!("data/grammar/{name}: unknown kind `{k}` for `{w}`")
                    }),
                    _ => Err(format!(
                        "data/grammar/{name}: expected a word and a kind in {:?}",
                        e.fields
                    )),
                })
                .collect()
        }
        let label_role = |k: &str| match k {
            "lead" => Some(LabelRole::Lead),
            "support" => Some(LabelRole::Support),
            "responsible" => Some(LabelRole::Responsible),
            _ => None,
        };
        let field_kind = |k: &str| match k {
            "person" => Some(FieldKind::Person),
            "scope" => Some(FieldKind::Scope),
            "time" => Some(FieldKind::Time),
            "note" | "other" => Some(FieldKind::Note),
            _ => None,
        };

        let mut role_phrases = pairs("role-phrases.tsv", file("role-phrases.tsv")?, |k| match k {
            "lead" => Some(Tier::Lead),
            "support" => Some(Tier::Support),
            "duty" => Some(Tier::Duty),
            _ => None,
        })?;
        by_length_desc(&mut role_phrases);
        let heads = pairs("label-heads.tsv", file("label-heads.tsv")?, label_role)?;
        let tails = words("label-tails.txt")?;
        let mut labels: Vec<(String, LabelRole, bool)> = heads
            .iter()
            .flat_map(|(h, r)| {
                tails
                    .iter()
                    .map(move |t| (format!("{h}{t}"), *r, t.is_empty()))
            })
            .collect();
        labels.sort_by_key(|(w, _, _)| std::cmp::Reverse(w.len()));
        let mut field_labels = pairs("field-labels.tsv", file("field-labels.tsv")?, field_kind)?;
        by_length_desc(&mut field_labels);
        let mut unit_endings = Vec::new();
        let mut weak_endings = Vec::new();
        for e in entries(file("unit-endings.txt")?) {
            match e.fields.as_slice() {
                [w] => unit_endings.push((*w).to_owned()),
                [w, "weak"] => {
                    unit_endings.push((*w).to_owned());
                    weak_endings.push((*w).to_owned());
                }
                _ => {
                    return Err(format!(
                        "data/grammar/unit-endings.txt: expected an ending and perhaps `weak` in {:?}",
                        e.fields
                    ));
                }
            }
        }
        unit_endings.sort_by_key(|w| std::cmp::Reverse(w.len()));
        let mut columns = pairs("table-columns.tsv", file("table-columns.tsv")?, |k| {
            Some(match k {
                "number" => Column::Number,
                "category" => Column::Category,
                "task" => Column::Task,
                "content" => Column::Content,
                other => label_role(other)
                    .map(Column::Units)
                    .or_else(|| field_kind(other).map(Column::Field))?,
            })
        })?;
        by_length_desc(&mut columns);
        let collective_markers = pairs(
            "collective-markers.txt",
            file("collective-markers.txt")?,
            |k| match k {
                "start" => Some(MarkerPlace::Start),
                "any" => Some(MarkerPlace::Anywhere),
                _ => None,
            },
        )?;
        let mut traditional = std::collections::HashMap::new();
        for e in entries(file("traditional.tsv")?) {
            let pair: Vec<char> = e.fields.iter().flat_map(|f| f.chars()).collect();
            match pair.as_slice() {
                [t, s] if t.len_utf8() == s.len_utf8() => {
                    traditional.insert(*t, *s);
                }
                _ => {
                    return Err(format!(
                        "data/grammar/traditional.tsv: expected two characters of the same UTF-8 length in {:?}",
                        e.fields
                    ));
                }
            }
        }
        let mut traditional_bits = vec![0u64; (CJK.end() - CJK.start()) as usize / 64 + 1];
        for &t in traditional.keys() {
            let Some(k) = u32::from(t)
                .checked_sub(*CJK.start())
                .filter(|_| CJK.contains(&u32::from(t)))
            else {
                return Err(format!(
                    "data/grammar/traditional.tsv: `{t}` is not a CJK unified ideograph"
                ));
            };
            traditional_bits[k as usize / 64] |= 1 << (k % 64);
        }
        Ok(Self {
            traditional,
            traditional_bits,
            role_phrases,
            role_adverbs: words("role-adverbs.txt")?,
            labels,
            field_labels,
            unit_endings,
            weak_endings,
            level_words: words("level-words.txt")?,
            etc_remainders: words("etc-remainders.txt")?,
            etc_endings: words("etc-endings.txt")?,
            columns,
            table_captions: words("table-captions.txt")?,
            column_hints: pairs(
                "table-column-hints.tsv",
                file("table-column-hints.tsv")?,
                |k| (k == "task").then_some(()),
            )?
            .into_iter()
            .map(|(w, ())| w)
            .collect(),
            lead_rule_words: words("lead-rule-words.txt")?,
            leading_words: words("leading-words.txt")?,
            time_words: words("time-words.txt")?,
            collective_markers,
        })
    }

    /// The responsibility label `head` (the text before a colon) ends
    /// with, longest first; a label with no tail must be all of `head`
    /// after its last separator.
    #[must_use]
    pub fn label_ending(&self, head: &str) -> Option<(&str, LabelRole)> {
        self.labels
            .iter()
            .find(|(l, _, bare)| {
                head.ends_with(l.as_str())
                    && (!bare || {
                        let before = &head[..head.len() - l.len()];
                        before.is_empty()
                            || before.ends_with(|c: char| {
                                c.is_whitespace() || "（(【[，,；;。、".contains(c)
                            })
                    })
            })
            .map(|(l, r, _)| (l.as_str(), *r))
    }

    /// The text with the traditional characters of the word lists made
    /// simplified, byte for byte the same length (so offsets into it are
    /// offsets into `text`).
    #[must_use]
    pub fn simplify<'t>(&self, text: &'t str) -> std::borrow::Cow<'t, str> {
        let traditional = |c: char| {
            let c = u32::from(c);
            CJK.contains(&c) && {
                let k = (c - CJK.start()) as usize;
                self.traditional_bits[k / 64] & (1 << (k % 64)) != 0
            }
        };
        if !text.chars().any(traditional) {
            return std::borrow::Cow::Borrowed(text);
        }
        std::borrow::Cow::Owned(
            text.chars()
                .map(|c| self.traditional.get(&c).copied().unwrap_or(c))
                .collect(),
        )
    }

    /// The role phrase a name ends with, longest first.
    #[must_use]
    pub fn role_phrase_ending(&self, name: &str) -> Option<(&str, Tier)> {
        self.role_phrases
            .iter()
            .find(|(w, _)| name.ends_with(w.as_str()))
            .map(|(w, t)| (w.as_str(), *t))
    }

    /// Whether a name ends like an organisation's (`局`, `管委会`, `专班` …).
    /// A bracket at the end (`各乡镇(街道)`) is looked through.
    #[must_use]
    pub fn has_unit_ending(&self, name: &str) -> bool {
        let core = strip_trailing_bracket(name);
        self.unit_endings
            .iter()
            .any(|e| core.ends_with(e.as_str()) && core.len() > e.len())
    }

    /// Whether a name's organisation ending is a weak one (`高架车站`): the
    /// longest ending it has is marked `weak`.
    #[must_use]
    pub fn has_weak_ending(&self, name: &str) -> bool {
        let core = strip_trailing_bracket(name);
        self.unit_endings
            .iter()
            .find(|e| core.ends_with(e.as_str()) && core.len() > e.len())
            .is_some_and(|e| self.weak_endings.contains(e))
    }

    /// Whether a name stands for a group of bodies (`各区政府`).
    #[must_use]
    pub fn is_collective(&self, name: &str) -> bool {
        self.collective_markers
            .iter()
            .any(|(m, place)| match place {
                MarkerPlace::Start => name.starts_with(m.as_str()),
                MarkerPlace::Anywhere => name.contains(m.as_str()),
            })
    }

    /// The column a header cell names (spaces inside ignored).
    #[must_use]
    pub fn column(&self, cell: &str) -> Option<Column> {
        let word: String = self
            .simplify(cell)
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '\u{3000}')
            .collect();
        self.columns
            .iter()
            .find(|(w, _)| *w == word)
            .map(|(_, c)| *c)
    }
}

/// `各乡镇(街道)` → `各乡镇`: a bracket closing a name.
fn strip_trailing_bracket(name: &str) -> &str {
    if name.ends_with(['）', ')'])
        && let Some(open) = name.rfind(['（', '('])
        && open > 0
    {
        return &name[..open];
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_word_lists_parse() {
        let w = Words::parse(BUNDLED).expect("parses");
        assert!(w.role_phrases.len() > 10);
        assert_eq!(
            w.label_ending("（牵头单位"),
            Some(("牵头单位", LabelRole::Lead))
        );
        assert_eq!(w.label_ending("牵头"), Some(("牵头", LabelRole::Lead)));
        assert_eq!(w.label_ending("市工信局负责"), None);
    }

    #[test]
    fn every_entry_says_where_it_was_seen() {
        for (name, text) in BUNDLED {
            if CHARACTER_TABLES.contains(name) {
                continue;
            }
            for entry in entries(text) {
                assert!(
                    !entry.comment.is_empty(),
                    "data/grammar/{name}: `{}` has no comment saying where it was seen",
                    entry.fields.join(" ")
                );
            }
        }
    }

    #[test]
    fn a_bad_line_is_named_with_its_file() {
        let mut files: Vec<(&str, &str)> = BUNDLED.to_vec();
        files[0].1 = "牵头 leader # x\n";
        let err = Words::parse(&files).expect_err("unknown tier");
        assert!(
            err.contains("role-phrases.tsv") && err.contains("leader"),
            "{err}"
        );
    }

    #[test]
    fn organisation_endings_look_through_a_closing_bracket() {
        let w = words();
        assert!(w.has_unit_ending("各乡镇(街道)"));
        assert!(w.has_unit_ending("区土方工作专班"));
        assert!(!w.has_unit_ending("推动设施建设"));
        assert!(!w.has_unit_ending("局"));
    }

    #[test]
    fn traditional_characters_become_simplified_in_place() {
        let text = "（A、B牽頭,各縣市區政府按職責分工負責）";
        let simple = words().simplify(text);
        assert_eq!(simple, "（A、B牵头,各县市区政府按职责分工负责）");
        assert_eq!(simple.len(), text.len());
    }

    #[test]
    fn column_words_ignore_spaces_inside() {
        assert_eq!(words().column("主 要 内 容"), Some(Column::Content));
        assert_eq!(
            words().column("牵头单位"),
            Some(Column::Units(LabelRole::Lead))
        );
        assert_eq!(words().column("建设主管部门"), None);
    }
}
