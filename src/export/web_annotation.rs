//! The provenance of every section, item, list, assignment and mention in
//! the W3C Web Annotation form, made on demand.
//!
//! The store keeps only offsets on each thing (`pkg:start`, `pkg:end`,
//! `pkg:line`) and each document's text once (`pkg:sourceText`). The named
//! query `web-annotation` turns these into `oa:SpecificResource` anchors with
//! a selector that is both the quote and its position; mentions (which the
//! store keeps as `pkg:mentions` pairs only) are found again in the stored
//! text by the matcher that found them at build time, with the registry of
//! the document's jurisdiction. Each document's quads go to its own graph.

use crate::query::NamedQuery;
use crate::recognize::{self, Lexicon};
use crate::registry::Registry;
use crate::sparql::{self, QueryError};
use crate::vocab::{oa, pkg, rdf};
use oxigraph::model::{GraphName, Literal, NamedNode, Quad, Term};
use oxigraph::sparql::QueryResults;
use oxigraph::store::Store;
use std::collections::BTreeMap;

/// The documents' graphs and source documents.
const DOCUMENTS: &str = "PREFIX pkg: <https://w3id.org/policykg/ontology#>
SELECT ?graph ?doc ?text WHERE { GRAPH ?graph { ?doc a pkg:SourceDocument ; pkg:sourceText ?text } }";

/// In one document's graph: its jurisdiction.
const JURISDICTION: &str = "PREFIX pkg: <https://w3id.org/policykg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?place WHERE { ?doc pkg:reports ?plan . ?plan pkg:jurisdiction ?j . ?j skos:prefLabel ?place }";

/// In one document's graph: the headings and items whose text may name
/// things, with their spans and their lists' spans.
const NODES: &str = "PREFIX pkg: <https://w3id.org/policykg/ontology#>
SELECT ?node ?start ?end ?line ?list_start ?list_end WHERE {
  { ?node pkg:sectionOf ?plan } UNION { ?node pkg:inPlan ?plan }
  ?node pkg:start ?start ; pkg:end ?end ; pkg:line ?line .
  OPTIONAL { ?node pkg:hasResponsibilityList ?list . ?list pkg:start ?list_start ; pkg:end ?list_end }
}";

fn solutions(
    results: QueryResults<'static>,
    origin: &str,
) -> Result<Vec<oxigraph::sparql::QuerySolution>, QueryError> {
    let QueryResults::Solutions(rows) = results else {
        return Ok(Vec::new());
    };
    rows.collect::<Result<Vec<_>, _>>()
        .map_err(|e| QueryError::Evaluation {
            origin: origin.to_owned(),
            cause: e.into(),
        })
}

fn number(term: Option<&Term>) -> Option<usize> {
    match term {
        Some(Term::Literal(l)) => l.value().parse().ok(),
        _ => None,
    }
}

/// The Web Annotation quads of every document (or of `graph` only).
///
/// # Errors
///
/// Query errors.
pub fn quads(
    store: &Store,
    registry: &Registry,
    graph: Option<&NamedNode>,
) -> Result<Vec<Quad>, QueryError> {
    let anchors = NamedQuery::find("web-annotation")
        .map(|q| q.text)
        .ok_or_else(|| QueryError::Evaluation {
            origin: "queries/web-annotation.rq".to_owned(),
            cause: "the named query is missing".into(),
        })?;
    let mut lexicons: BTreeMap<Option<String>, Lexicon> = BTreeMap::new();
    let mut out = Vec::new();
    let documents = solutions(
        sparql::execute(store, "web-annotation documents", DOCUMENTS, &[])?,
        "web-annotation documents",
    )?;
    for row in documents {
        let (Some(Term::NamedNode(g)), Some(Term::NamedNode(doc)), Some(Term::Literal(text))) =
            (row.get("graph"), row.get("doc"), row.get("text"))
        else {
            continue;
        };
        if graph.is_some_and(|wanted| wanted != g) {
            continue;
        }
        let in_graph = GraphName::NamedNode(g.clone());
        if let QueryResults::Graph(triples) =
            sparql::execute_in_graph(store, "queries/web-annotation.rq", anchors, g)?
        {
            for t in triples {
                let t = t.map_err(|e| QueryError::Evaluation {
                    origin: "queries/web-annotation.rq".to_owned(),
                    cause: e.into(),
                })?;
                out.push(t.in_graph(in_graph.clone()));
            }
        }
        let place = solutions(
            sparql::execute_in_graph(store, "web-annotation jurisdiction", JURISDICTION, g)?,
            "web-annotation jurisdiction",
        )?
        .first()
        .and_then(|r| match r.get("place") {
            Some(Term::Literal(l)) => Some(l.value().to_owned()),
            _ => None,
        });
        let lexicon = lexicons
            .entry(place.clone())
            .or_insert_with(|| Lexicon::new(registry, place.as_deref()));
        let nodes = solutions(
            sparql::execute_in_graph(store, "web-annotation nodes", NODES, g)?,
            "web-annotation nodes",
        )?;
        mentions(lexicon, doc, text.value(), &nodes, &in_graph, &mut out);
    }
    Ok(out)
}

/// The mention nodes of each heading and item, as the build found them.
fn mentions(
    lexicon: &Lexicon,
    doc: &NamedNode,
    text: &str,
    nodes: &[oxigraph::sparql::QuerySolution],
    graph: &GraphName,
    out: &mut Vec<Quad>,
) {
    // Code point → byte offset of the text, once.
    let bytes: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect();
    let byte = |c: usize| bytes.get(c).copied().unwrap_or(text.len());
    for row in nodes {
        let (Some(Term::NamedNode(node)), Some(start), Some(end), Some(line)) = (
            row.get("node"),
            number(row.get("start")),
            number(row.get("end")),
            number(row.get("line")),
        ) else {
            continue;
        };
        if start > end || end >= bytes.len() {
            continue;
        }
        let exact = &text[byte(start)..byte(end)];
        // The item's list is not searched (its units are assignments).
        let skip: Vec<(usize, usize)> =
            match (number(row.get("list_start")), number(row.get("list_end"))) {
                (Some(s), Some(e)) if start <= s && s <= e && e <= end => {
                    vec![(byte(s) - byte(start), byte(e) - byte(start))]
                }
                _ => Vec::new(),
            };
        let add = |out: &mut Vec<Quad>, s: &NamedNode, p, o: Term| {
            out.push(Quad::new(s.clone(), p, o, graph.clone()));
        };
        for (k, m) in recognize::find(lexicon, exact, start, line, &skip)
            .into_iter()
            .enumerate()
        {
            let mention = NamedNode::new_unchecked(format!("{}/mention/{}", node.as_str(), k + 1));
            let selector = NamedNode::new_unchecked(format!("{}/selector", mention.as_str()));
            add(out, node, pkg::HAS_MENTION, mention.clone().into());
            add(out, &mention, rdf::TYPE, pkg::MENTION.into_owned().into());
            add(
                out,
                &mention,
                pkg::MENTION_OF,
                NamedNode::new_unchecked(m.key).into(),
            );
            add(out, &mention, oa::HAS_SOURCE, doc.clone().into());
            add(out, &mention, oa::HAS_SELECTOR, selector.clone().into());
            add(out, &mention, pkg::LINE, integer(m.quote.line));
            add(
                out,
                &selector,
                rdf::TYPE,
                oa::TEXT_QUOTE_SELECTOR.into_owned().into(),
            );
            add(
                out,
                &selector,
                rdf::TYPE,
                oa::TEXT_POSITION_SELECTOR.into_owned().into(),
            );
            add(
                out,
                &selector,
                oa::EXACT,
                Literal::new_simple_literal(m.quote.exact).into(),
            );
            add(out, &selector, oa::START, integer(m.quote.span.start));
            add(out, &selector, oa::END, integer(m.quote.span.end));
        }
    }
}

fn integer(n: usize) -> Term {
    Literal::from(i64::try_from(n).unwrap_or(i64::MAX)).into()
}
