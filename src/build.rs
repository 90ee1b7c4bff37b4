//! The build: plans read, parsed, recognised and mapped to their graphs
//! with the answers kept beside them, and written into the store all or
//! nothing. `policykg build` (in [`crate::commands`]) adds the arguments,
//! progress, messages and exit codes.
//!
//! Files are read, parsed and mapped in parallel, a chunk at a time, while
//! the chunk before is written. A document whose content hash is already in
//! the store is skipped without parsing.

use crate::document::{self, Document};
use crate::error::ParseError;
use crate::registry::{self, Registry};
use crate::store::{GraphWrite, StoreDir};
use crate::{cached, ontology, rdf, recognize};
use anyhow::{Context, Result, bail};
use oxigraph::model::{NamedNode, Quad, Term};
use oxigraph::sparql::QueryResults;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

/// The plan built when no input is given, compiled into the binary.
pub const BUNDLED_NAME: &str = "data/plans/xiamen-metaverse-2022.md";
/// Its bytes.
pub const BUNDLED: &[u8] = include_bytes!("../data/plans/xiamen-metaverse-2022.md");

/// One input file: its name as given, and whether it was found by walking
/// a directory (a walked file that is not a plan is skipped quietly).
pub(crate) struct Input {
    pub(crate) name: String,
    pub(crate) path: Option<PathBuf>,
    pub(crate) walked: bool,
}

/// Documents parsed and mapped in one go: enough to keep every core busy,
/// few enough that the chunks in flight stay small beside the store.
pub(crate) const CHUNK: usize = 16;

/// A named graph, its quads (each once, made as the store takes them), and
/// the answers kept beside it.
pub type Graph = GraphWrite<Quads>;

/// The quads of a graph, each once.
pub type Quads = Box<dyn Iterator<Item = Quad> + Send>;

/// Documents with up to this many spans of text in the graph (sections,
/// items, lists, assignments, mentions: each brings some 10–15 quads) are
/// mapped to quads at once, on the parsing threads; larger ones part by
/// part as the store takes them, so that a huge plan never holds all its
/// quads (see `rdf::parts`). A plan has a few hundred.
const MAP_AT_ONCE: usize = 4096;

/// The spans of text a document's graph points at: what its number of
/// quads grows with (its length does not tell: one line can name 100,000
/// units).
fn spans(doc: &Document) -> usize {
    let sections: usize = doc.sections.iter().map(|s| 1 + s.mentions.len()).sum();
    let items: usize = doc
        .items
        .iter()
        .map(|i| 1 + i.mentions.len() + i.list.as_ref().map_or(0, |l| 1 + l.assignments.len()))
        .sum();
    sections + items
}

pub(crate) enum Outcome {
    Parsed(Box<Graph>, Vec<crate::error::Diagnostic>),
    Unchanged,
    Failed {
        error: anyhow::Error,
        not_a_plan: bool,
    },
}

pub(crate) fn read_one(
    input: &Input,
    registry: &Registry,
    reader: &[u8],
    known: &BTreeMap<String, String>,
) -> Outcome {
    let bytes = match &input.path {
        None => BUNDLED.to_vec(),
        Some(path) => {
            match std::fs::read(path).with_context(|| format!("{}: cannot read", input.name)) {
                Ok(b) => b,
                Err(error) => {
                    return Outcome::Failed {
                        error,
                        not_a_plan: false,
                    };
                }
            }
        }
    };
    let hash = content_hash(&bytes, reader);
    let name = rdf::graph_iri(&document::document_id(&input.name));
    if known.get(name.as_str()) == Some(&hash) {
        return Outcome::Unchanged;
    }
    match document::parse(&input.name, &bytes) {
        Ok(mut doc) => {
            doc.content_hash = Some(hash);
            let mut notes = std::mem::take(&mut doc.warnings);
            if let Some(first) = doc.suspects.first() {
                notes.push(crate::error::Diagnostic {
                    at: first.at.clone(),
                    message: format!(
                        "{} that look like responsibility but that no list read; `policykg check {}` shows them",
                        match doc.suspects.len() {
                            1 => "1 place".to_owned(),
                            n => format!("{n} places"),
                        },
                        input.name
                    ),
                });
            }
            notes.extend(recognize::recognize(&mut doc, registry));
            match graph(doc) {
                Ok(mut graph) => {
                    graph.source = input.path.as_deref().and_then(source_of);
                    Outcome::Parsed(Box::new(graph), notes)
                }
                Err(error) => Outcome::Failed {
                    error,
                    not_a_plan: false,
                },
            }
        }
        Err(e) => Outcome::Failed {
            not_a_plan: matches!(e, ParseError::NoItems { .. }),
            error: e.into(),
        },
    }
}

/// What reads a file besides its bytes: this version of policykg and its
/// registries. A change to either rebuilds every document.
pub(crate) fn reader_fingerprint() -> Vec<u8> {
    let mut f = env!("CARGO_PKG_VERSION").as_bytes().to_vec();
    for (name, text) in registry::BUNDLED {
        f.extend(name.as_bytes());
        f.extend(text.as_bytes());
    }
    f
}

/// The content hash a build records for the bundled plan, so that a later
/// `build` of it finds it unchanged.
pub fn bundled_hash() -> String {
    content_hash(BUNDLED, &reader_fingerprint())
}

fn content_hash(bytes: &[u8], reader: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(Sha256::digest(reader));
    hasher.update(bytes);
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Content hashes of the documents in the store, by graph IRI: as the
/// store records them, or, after a write that was cut off, from its graphs.
pub(crate) fn stored_hashes(store: &StoreDir) -> Result<BTreeMap<String, String>> {
    if store.hashes_current() {
        return Ok(store
            .graphs()
            .iter()
            .filter_map(|(iri, entry)| Some((iri.clone(), entry.hash.clone()?)))
            .collect());
    }
    const HASHES: &str = "PREFIX pkg: <https://w3id.org/policykg/ontology#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?id ?hash WHERE { ?doc dcterms:identifier ?id ; pkg:contentHash ?hash }";
    let mut out = BTreeMap::new();
    if let QueryResults::Solutions(rows) =
        crate::sparql::execute(store.store()?, "content hashes", HASHES, &[])?
    {
        for row in rows {
            let row = row.map_err(|e| anyhow::anyhow!("reading content hashes: {e}"))?;
            if let (Some(Term::Literal(id)), Some(Term::Literal(hash))) =
                (row.get("id"), row.get("hash"))
            {
                out.insert(
                    rdf::graph_iri(id.value()).as_str().to_owned(),
                    hash.value().to_owned(),
                );
            }
        }
    }
    Ok(out)
}

/// A document's named graph, its quads and its kept answers.
///
/// # Errors
///
/// The kept queries fail on the document's quads.
pub fn graph(doc: Document) -> Result<Graph> {
    let name = rdf::graph_iri(&doc.id);
    let hash = doc.content_hash.clone();
    let (quads, answers): (Quads, _) = if spans(&doc) <= MAP_AT_ONCE {
        let quads = rdf::quads(&doc);
        let answers = cached::answers(quads.iter().cloned());
        (Box::new(quads.into_iter()), answers)
    } else {
        // Mapped twice, part by part, so that a huge document never holds
        // all its quads in one vector: once for its answers, once as the
        // store takes them.
        let answers = cached::answers(rdf::parts(&doc).flatten());
        (Box::new(rdf::into_parts(doc).flatten()), answers)
    };
    Ok(GraphWrite {
        name,
        quads: Some(quads),
        answers: Some(answers),
        hash,
        source: None,
    })
}

/// Writes documents' graphs (see [`graph`]; recognized with `registry`),
/// the ontology and the registries into the store, replacing their graphs,
/// all or nothing: an `Err` among `documents` stops the write and is
/// returned, and the store is unchanged.
///
/// # Errors
///
/// The first error of `documents`, or a store error.
pub fn write(
    store: &mut StoreDir,
    registry: &Registry,
    documents: impl IntoIterator<Item = Result<Graph>>,
) -> Result<()> {
    let ontology = ontology::quads()?;
    let base = cached::answers(ontology.iter().chain(&registry.quads).cloned());
    // Their rows are the base's: none of their own.
    let fixed = |name: NamedNode, quads: Vec<Quad>| -> Result<Graph> {
        Ok(GraphWrite {
            name,
            quads: Some(each_once(quads)),
            answers: Some(crate::store::answers::Answers::default()),
            hash: None,
            source: None,
        })
    };
    let fixed: [Result<Graph>; 2] = [
        fixed(ontology::graph(), ontology),
        fixed(registry::graph(), registry.quads.clone()),
    ];
    store.replace_graphs(Some(base), fixed.into_iter().chain(documents))
}

/// Quads read from a file or built by hand may repeat one; a store's
/// graph holds each once.
fn each_once(quads: Vec<Quad>) -> Quads {
    let mut seen = HashSet::with_capacity(quads.len());
    Box::new(quads.into_iter().filter(move |q| seen.insert(q.clone())))
}

/// The file a document is built from, as the store records it: its
/// canonical path, so that `plans/a.md` and `./plans/a.md` are one file.
fn source_of(path: &Path) -> Option<String> {
    std::fs::canonicalize(path)
        .ok()
        .map(|p| p.display().to_string())
}

/// A file whose document id is already in the store, built from another
/// file (`corp/2023/plan.md` after `corp/2022/plan.md`, both `plan`),
/// would silently replace that document: refuse, naming both, unless
/// `--replace` says so.
pub(crate) fn check_same_sources(store: &StoreDir, inputs: &[Input]) -> Result<()> {
    let clashes: Vec<String> = inputs
        .iter()
        .filter_map(|input| {
            let path = input.path.as_deref()?;
            let id = document::document_id(&input.name);
            let entry = store.graphs().get(rdf::graph_iri(&id).as_str())?;
            let before = entry.source.as_deref()?;
            let now = source_of(path)?;
            (before != now).then(|| {
                format!(
                    "{} would replace document `{id}`, built from {before}",
                    input.name
                )
            })
        })
        .collect();
    if let Some(first) = clashes.first() {
        let more = match clashes.len() {
            1 => String::new(),
            n => format!(" (and {} more like it)", n - 1),
        };
        bail!(
            "{first}{more}; rename the file, build it into another --store, or give --replace to replace the document"
        );
    }
    Ok(())
}

/// Two files with the same name in different directories would be one
/// document: refuse before anything is read.
pub(crate) fn check_unique_ids(inputs: &[Input]) -> Result<()> {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for input in inputs {
        if let Some(other) = seen.insert(document::document_id(&input.name), &input.name) {
            bail!(
                "{other} and {} would both be document `{}`; rename one of them",
                input.name,
                document::document_id(&input.name)
            );
        }
    }
    Ok(())
}

/// The files to read: named files as they are, directories walked in
/// sorted order for .md and .txt files. A missing path stops the build.
pub(crate) fn collect_inputs(inputs: &[PathBuf]) -> Result<Vec<Input>> {
    let mut out = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input)
            .with_context(|| format!("{}: cannot read this input", input.display()))?;
        if !meta.is_dir() {
            out.push(Input {
                name: input.display().to_string(),
                path: Some(input.clone()),
                walked: false,
            });
            continue;
        }
        let mut files = Vec::new();
        walk(input, &mut files)?;
        if files.is_empty() {
            bail!(
                "{}: no plans in this directory (looked for .md and .txt files with numbered items)",
                input.display()
            );
        }
        out.extend(files.into_iter().map(|path| Input {
            name: path.display().to_string(),
            path: Some(path),
            walked: true,
        }));
    }
    Ok(out)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    let mut entries = std::fs::read_dir(dir)
        .with_context(|| format!("{}: cannot list", dir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("{}: cannot list", dir.display()))?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, files)?;
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("txt"))
        {
            files.push(path);
        }
    }
    Ok(())
}
