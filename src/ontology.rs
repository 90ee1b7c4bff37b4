//! The policykg ontology (`ontology/policykg.ttl`), compiled in and loaded
//! into the store in its own graph so that SPARQL sees the labels of our
//! classes, properties and roles.

use crate::vocab::ID_BASE;
use oxigraph::io::{RdfFormat, RdfParser};
use oxigraph::model::{GraphName, NamedNode, Quad};

/// The ontology in Turtle.
pub const TURTLE: &str = include_str!("../ontology/policykg.ttl");

/// The graph the ontology is loaded into.
#[must_use]
pub fn graph() -> NamedNode {
    NamedNode::new_unchecked(format!("{ID_BASE}graph/ontology"))
}

/// The ontology's triples as quads in [`graph`].
///
/// # Errors
///
/// The bundled Turtle does not parse (a test guards against this).
pub fn quads() -> Result<Vec<Quad>, oxigraph::io::RdfSyntaxError> {
    let graph = GraphName::from(graph());
    RdfParser::from_format(RdfFormat::Turtle)
        .for_slice(TURTLE.as_bytes())
        .map(|t| t.map(|t| Quad::new(t.subject, t.predicate, t.object, graph.clone())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::pkg;
    use oxigraph::model::NamedNodeRef;

    #[test]
    fn every_term_we_emit_is_declared_in_the_ontology() {
        let quads = quads().expect("ontology parses");
        let declared = |term: NamedNodeRef<'_>| {
            quads.iter().any(|q| {
                q.subject.to_string() == term.to_string()
                    && q.predicate.as_str() == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
            })
        };
        for term in pkg::ALL {
            assert!(
                declared(*term),
                "{term} is used but not declared in ontology/policykg.ttl"
            );
        }
        // And nothing in our namespace is declared that we never use.
        for q in &quads {
            if let oxigraph::model::NamedOrBlankNode::NamedNode(s) = &q.subject
                && let Some(local) = s.as_str().strip_prefix(pkg::NS)
            {
                assert!(
                    pkg::ALL.iter().any(|t| t.as_str() == s.as_str()),
                    "pkg:{local} is declared but not in vocab::pkg::ALL"
                );
            }
        }
    }
}
