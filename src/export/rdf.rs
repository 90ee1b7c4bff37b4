//! RDF dumps of the whole store or one document's graph, in every syntax
//! Oxigraph writes, sorted so that two builds can be diffed: graph by graph
//! in IRI order, each graph's quads in their canonical order. Written as
//! they come: the store is never held twice (on the default backend it is
//! not loaded at all, each graph's file is read in turn).

use crate::store::{StoreDir, StoreError};
use crate::vocab::PREFIXES;
use oxigraph::io::{JsonLdProfileSet, RdfFormat, RdfParser, RdfSerializer};
use oxigraph::model::{NamedNode, Quad};
use std::collections::BTreeMap;
use std::io::{Read, Write};

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

/// Reads a list of lines as one text, for a parser.
struct Lines<'a> {
    lines: std::slice::Iter<'a, String>,
    current: &'a [u8],
}

impl Read for Lines<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.lines.next() {
                Some(line) => self.current = line.as_bytes(),
                None => return Ok(0),
            }
        }
        let n = self.current.len().min(buf.len());
        buf[..n].copy_from_slice(&self.current[..n]);
        self.current = &self.current[n..];
        Ok(n)
    }
}

fn parse(
    lines: &[String],
    format: RdfFormat,
) -> impl Iterator<Item = Result<Quad, StoreError>> + '_ {
    let reader = Lines {
        lines: lines.iter(),
        current: &[],
    };
    // Canonical lines the store wrote: not validated again.
    RdfParser::from_format(format)
        .lenient()
        .for_reader(reader)
        .map(|q| {
            q.map_err(|e| StoreError::Io {
                path: std::path::PathBuf::from("-"),
                cause: std::io::Error::other(e),
            })
        })
}

/// Writes the quads of `graph` (or of the whole store), with `extra` quads
/// added to their graphs, in `syntax` to `out`. Syntaxes without named
/// graphs get the graphs merged (a triple stated in two graphs once).
///
/// # Errors
///
/// Storage or write errors.
pub fn dump(
    store: &StoreDir,
    graph: Option<&NamedNode>,
    syntax: Syntax,
    extra: Vec<Quad>,
    out: &mut dyn Write,
) -> Result<(), StoreError> {
    let io = |e: std::io::Error| StoreError::Io {
        path: std::path::PathBuf::from("-"),
        cause: e,
    };
    let mut extra_by_graph: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for q in extra {
        extra_by_graph
            .entry(q.graph_name.to_string())
            .or_default()
            .push(format!("{q} .\n"));
    }
    // Graphs in the order of their IRIs as written (`<…>`).
    let mut graphs: Vec<NamedNode> = store
        .graphs()
        .keys()
        .map(|g| NamedNode::new_unchecked(g.as_str()))
        .filter(|g| graph.is_none_or(|wanted| wanted == g))
        .collect();
    graphs.sort_by_cached_key(ToString::to_string);
    let lines_of = |g: &NamedNode| -> Result<Vec<String>, StoreError> {
        let mut lines = store.graph_lines(g)?;
        if let Some(more) = extra_by_graph.get(&g.to_string()) {
            lines.extend(more.iter().cloned());
            lines.sort_unstable();
            lines.dedup();
        }
        Ok(lines)
    };
    let format = syntax.format();
    if syntax == Syntax::Nq {
        // The canonical lines are N-Quads already.
        for g in &graphs {
            for line in lines_of(g)? {
                out.write_all(line.as_bytes()).map_err(io)?;
            }
        }
        return Ok(());
    }
    let mut serializer = RdfSerializer::from_format(format);
    for (prefix, iri) in PREFIXES {
        // Our prefixes are valid constants (a unit test parses them).
        if let Ok(with) = serializer.clone().with_prefix(*prefix, *iri) {
            serializer = with;
        }
    }
    if format.supports_datasets() {
        let mut writer = serializer.for_writer(out);
        for g in &graphs {
            let lines = lines_of(g)?;
            for quad in parse(&lines, RdfFormat::NQuads) {
                writer.serialize_quad(&quad?).map_err(io)?;
            }
        }
        writer.finish().map_err(io)?;
        return Ok(());
    }
    // Merged: every triple once, in the order of their N-Triples lines.
    let mut triples: Vec<String> = Vec::new();
    for g in &graphs {
        let lines = lines_of(g)?;
        for quad in parse(&lines, RdfFormat::NQuads) {
            let q = quad?;
            triples.push(format!("{} {} {} .\n", q.subject, q.predicate, q.object));
        }
    }
    {
        use rayon::prelude::*;
        triples.par_sort_unstable();
    }
    triples.dedup();
    if syntax == Syntax::Nt {
        for line in &triples {
            out.write_all(line.as_bytes()).map_err(io)?;
        }
        return Ok(());
    }
    let mut writer = serializer.for_writer(out);
    for quad in parse(&triples, RdfFormat::NTriples) {
        let q = quad?;
        writer.serialize_triple(q.as_ref()).map_err(io)?;
    }
    writer.finish().map_err(io)?;
    Ok(())
}
