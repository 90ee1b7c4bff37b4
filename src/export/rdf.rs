//! RDF dumps of the whole store or one document's graph, in every syntax
//! Oxigraph writes, sorted so that two builds can be diffed.

use crate::store::StoreError;
use crate::vocab::PREFIXES;
use oxigraph::io::{JsonLdProfileSet, RdfFormat, RdfSerializer};
use oxigraph::model::{GraphName, NamedNode, Quad, Triple};
use oxigraph::store::Store;

/// RDF syntaxes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Syntax {
    /// Turtle (graphs merged).
    Ttl,
    /// N-Triples (graphs merged).
    Nt,
    /// N-Quads (named graphs kept).
    Nq,
    /// TriG (named graphs kept).
    Trig,
    /// JSON-LD (named graphs kept).
    Jsonld,
    /// RDF/XML (graphs merged).
    Rdf,
}

impl Syntax {
    /// Oxigraph's format.
    #[must_use]
    pub fn format(self) -> RdfFormat {
        match self {
            Self::Ttl => RdfFormat::Turtle,
            Self::Nt => RdfFormat::NTriples,
            Self::Nq => RdfFormat::NQuads,
            Self::Trig => RdfFormat::TriG,
            Self::Jsonld => RdfFormat::JsonLd {
                profile: JsonLdProfileSet::empty(),
            },
            Self::Rdf => RdfFormat::RdfXml,
        }
    }

    /// The syntax a file extension stands for.
    #[must_use]
    pub fn from_extension(ext: &str) -> Option<Self> {
        Some(match ext {
            "ttl" | "turtle" => Self::Ttl,
            "nt" => Self::Nt,
            "nq" => Self::Nq,
            "trig" => Self::Trig,
            "jsonld" | "json" => Self::Jsonld,
            "rdf" | "xml" | "owl" => Self::Rdf,
            _ => return None,
        })
    }
}

/// Serialises the quads of `graph` (or of the whole store) in `syntax`.
/// Syntaxes without named graphs get the graphs merged (duplicates once).
///
/// # Errors
///
/// Storage errors.
pub fn dump(
    store: &Store,
    graph: Option<&NamedNode>,
    syntax: Syntax,
) -> Result<Vec<u8>, StoreError> {
    let mut quads: Vec<Quad> = store.iter().collect::<Result<_, _>>()?;
    if let Some(g) = graph {
        quads.retain(|q| q.graph_name == GraphName::NamedNode(g.clone()));
    }
    let format = syntax.format();
    let mut serializer = RdfSerializer::from_format(format);
    for (prefix, iri) in PREFIXES {
        // Our prefixes are valid constants (a unit test parses them).
        if let Ok(with) = serializer.clone().with_prefix(*prefix, *iri) {
            serializer = with;
        }
    }
    let mut writer = serializer.for_writer(Vec::new());
    let io = |e: std::io::Error| StoreError::Io {
        path: std::path::PathBuf::from("-"),
        cause: e,
    };
    if format.supports_datasets() {
        quads.sort_by_cached_key(|q| {
            (
                q.graph_name.to_string(),
                q.subject.to_string(),
                q.predicate.to_string(),
                q.object.to_string(),
            )
        });
        for q in &quads {
            writer.serialize_quad(q).map_err(io)?;
        }
    } else {
        let mut triples: Vec<Triple> = quads.into_iter().map(Triple::from).collect();
        triples.sort_by_cached_key(|t| {
            (
                t.subject.to_string(),
                t.predicate.to_string(),
                t.object.to_string(),
            )
        });
        triples.dedup();
        for t in &triples {
            writer.serialize_triple(t).map_err(io)?;
        }
    }
    writer.finish().map_err(io)
}
