//! Answers kept beside the store: the rows that some fixed SPARQL queries
//! give on each graph, written by the build in the same step as the graph,
//! so that the reads that only need them (the report, the network, the CSV
//! and GraphML exports, the one-line summary) need not load the store.
//!
//! The store does not know the queries: the caller hands it, per graph, a
//! table of rows for each query text (see [`crate::cached`]); a reader asks
//! by the same text. Terms are written compactly and read back without
//! being validated again (they came from the store).

use oxigraph::model::{BlankNode, Literal, NamedNode, Term};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;
use std::collections::BTreeMap;

/// The rows one query gives on one graph (or on the registry graphs alone).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Table {
    /// The query's variables, in its SELECT order.
    pub variables: Vec<String>,
    /// One row per solution; `None` where a variable is unbound.
    pub rows: Vec<Vec<Option<Cell>>>,
}

/// The answers of one graph: a table per query text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answers {
    /// By query text.
    pub tables: std::collections::BTreeMap<String, Table>,
}

/// The rows of one query as read back: terms, each made once from the
/// file's text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rows {
    /// The query's variables, in its SELECT order.
    pub variables: Vec<String>,
    /// One row per solution; `None` where a variable is unbound.
    pub rows: Vec<Vec<Option<Term>>>,
}

/// One graph's answers file, split by query but not parsed further: a
/// reader parses only the tables it asks for.
#[derive(Debug)]
pub(super) struct Split {
    text: String,
    tables: BTreeMap<String, std::ops::Range<usize>>,
}

#[derive(Deserialize)]
struct Raw<'a> {
    #[serde(borrow)]
    tables: BTreeMap<String, &'a RawValue>,
}

impl Split {
    /// Splits a file's text.
    pub(super) fn of(text: String) -> serde_json::Result<Self> {
        let raw: Raw<'_> = serde_json::from_str(&text)?;
        let start = text.as_ptr() as usize;
        let tables = raw
            .tables
            .into_iter()
            .map(|(query, table)| {
                let at = table.get().as_ptr() as usize - start;
                (query, at..at + table.get().len())
            })
            .collect();
        Ok(Self { text, tables })
    }

    /// The rows of `query` in this file, if it has them.
    pub(super) fn rows(&self, query: &str) -> serde_json::Result<Option<Rows>> {
        let Some(range) = self.tables.get(query) else {
            return Ok(None);
        };
        let table: TermTable = serde_json::from_str(&self.text[range.clone()])?;
        Ok(Some(Rows {
            variables: table.variables,
            rows: table
                .rows
                .into_iter()
                .map(|row| row.into_iter().map(|c| c.map(|c| c.0)).collect())
                .collect(),
        }))
    }
}

#[derive(Deserialize)]
struct TermTable {
    variables: Vec<String>,
    rows: Vec<Vec<Option<TermCell>>>,
}

/// A cell read straight into its term, without an owned copy of its text
/// first.
struct TermCell(Term);

impl<'de> Deserialize<'de> for TermCell {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = TermCell;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a term as a string")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<TermCell, E> {
                Ok(TermCell(term_of(s)))
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

/// A term as written in an answers file: a prefix saying what it is, then
/// its text (`<https://…` an IRI, `"text` a plain literal, `@zh"text` a
/// language-tagged one, `^IRI"text` a typed one, `_id` a blank node).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Cell(String);

impl Cell {
    /// The cell of a term.
    #[must_use]
    pub fn of(term: &Term) -> Self {
        Self(match term {
            Term::NamedNode(n) => format!("<{}", n.as_str()),
            Term::BlankNode(b) => format!("_{}", b.as_str()),
            Term::Literal(l) => match (l.language(), l.datatype().as_str()) {
                (Some(lang), _) => format!("@{lang}\"{}", l.value()),
                (None, "http://www.w3.org/2001/XMLSchema#string") => format!("\"{}", l.value()),
                (None, datatype) => format!("^{datatype}\"{}", l.value()),
            },
            #[allow(unreachable_patterns)]
            other => format!("\"{other}"),
        })
    }

    /// The term back.
    #[must_use]
    pub fn term(&self) -> Term {
        term_of(&self.0)
    }
}

/// The term of a cell's text (see [`Cell`]).
fn term_of(s: &str) -> Term {
    let Some(kind) = s.chars().next() else {
        return Literal::new_simple_literal("").into();
    };
    let rest = &s[kind.len_utf8()..];
    let split = |rest: &str| -> (String, String) {
        rest.split_once('"').map_or_else(
            || (String::new(), rest.to_owned()),
            |(a, b)| (a.to_owned(), b.to_owned()),
        )
    };
    match kind {
        '<' => NamedNode::new_unchecked(rest).into(),
        '_' => BlankNode::new_unchecked(rest).into(),
        '@' => {
            let (lang, value) = split(rest);
            Literal::new_language_tagged_literal_unchecked(value, lang).into()
        }
        '^' => {
            let (datatype, value) = split(rest);
            Literal::new_typed_literal(value, NamedNode::new_unchecked(datatype)).into()
        }
        _ => Literal::new_simple_literal(rest).into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_come_back_as_they_went() {
        let terms: Vec<Term> = vec![
            NamedNode::new_unchecked("https://w3id.org/policykg/id/unit/厦门市/市工信局").into(),
            Literal::new_simple_literal("含\"引号\"\n与换行").into(),
            Literal::new_language_tagged_literal_unchecked("市工信局", "zh").into(),
            Literal::from(42).into(),
            Literal::new_typed_literal(
                "2022",
                NamedNode::new_unchecked("http://www.w3.org/2001/XMLSchema#gYear"),
            )
            .into(),
            BlankNode::new_unchecked("b0").into(),
        ];
        for term in terms {
            let cell = Cell::of(&term);
            let json = serde_json::to_string(&cell).expect("json");
            let back: Cell = serde_json::from_str(&json).expect("parses");
            assert_eq!(back.term(), term, "{json}");
            let read: TermCell = serde_json::from_str(&json).expect("parses");
            assert_eq!(read.0, term, "{json}");
        }
    }
}
