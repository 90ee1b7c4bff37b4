//! What `policykg push` sends: each named graph of the store as N-Triples,
//! to the SPARQL 1.1 Graph Store HTTP Protocol URL of that graph.

use crate::vocab::ID_BASE;
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{GraphNameRef, NamedOrBlankNode, QuadRef};
use oxigraph::store::{StorageError, Store};

/// The graphs to send: every named graph, or only the given documents'
/// graphs plus the registry and ontology; in IRI order.
///
/// # Errors
///
/// Store reads.
pub fn graphs(store: &Store, documents: &[String]) -> Result<Vec<String>, StorageError> {
    let wanted: Vec<String> = documents
        .iter()
        .map(|d| crate::rdf::graph_iri(d).into_string())
        .collect();
    let mut graphs = Vec::new();
    for graph in store.named_graphs() {
        if let NamedOrBlankNode::NamedNode(graph) = graph? {
            let iri = graph.into_string();
            let shared = !iri.starts_with(&format!("{ID_BASE}graph/"))
                || iri.ends_with("graph/registry")
                || iri.ends_with("graph/ontology");
            if documents.is_empty() || shared || wanted.contains(&iri) {
                graphs.push(iri);
            }
        }
    }
    graphs.sort();
    Ok(graphs)
}

/// One graph's triples as sorted N-Triples, and how many there are.
///
/// # Errors
///
/// Store reads.
pub fn ntriples(store: &Store, graph: &str) -> Result<(Vec<u8>, usize), StorageError> {
    let name = oxigraph::model::NamedNodeRef::new_unchecked(graph);
    let mut lines: Vec<Vec<u8>> = Vec::new();
    for quad in store.quads_for_pattern(None, None, None, Some(GraphNameRef::NamedNode(name))) {
        let quad = quad?;
        let mut line = Vec::new();
        let mut writer = RdfSerializer::from_format(RdfFormat::NTriples).for_writer(&mut line);
        let triple = QuadRef::from(&quad);
        // Writing into memory cannot fail.
        let _ = writer.serialize_triple(oxigraph::model::TripleRef::new(
            triple.subject,
            triple.predicate,
            triple.object,
        ));
        let _ = writer.finish();
        lines.push(line);
    }
    lines.sort();
    let count = lines.len();
    Ok((lines.concat(), count))
}

/// The graph's name on the server: its own IRI, or `prefix` followed by
/// its last path segment (`registry`, `ontology`, a document id).
#[must_use]
pub fn target(graph: &str, prefix: Option<&str>) -> String {
    match prefix {
        Some(prefix) => format!("{prefix}{}", graph.rsplit('/').next().unwrap_or(graph)),
        None => graph.to_owned(),
    }
}

/// The Graph Store URL of `graph` (indirect identification: `?graph=`).
#[must_use]
pub fn graph_url(endpoint: &str, graph: &str) -> String {
    let separator = if endpoint.contains('?') { '&' } else { '?' };
    let encoded: String = form_urlencoded::byte_serialize(graph.as_bytes()).collect();
    format!("{endpoint}{separator}graph={encoded}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_urls_are_encoded_and_prefixed() {
        let graph = format!("{ID_BASE}graph/xiamen-metaverse-2022");
        assert_eq!(
            target(&graph, Some("urn:plans:")),
            "urn:plans:xiamen-metaverse-2022"
        );
        assert_eq!(target(&graph, None), graph);
        assert_eq!(
            graph_url("http://h:1/store", "urn:a b&c"),
            "http://h:1/store?graph=urn%3Aa+b%26c"
        );
        assert_eq!(
            graph_url("http://h:1/crud?x=1", "urn:g"),
            "http://h:1/crud?x=1&graph=urn%3Ag"
        );
    }
}
