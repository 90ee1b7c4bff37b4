//! `policykg build`: parse plans, map them to RDF, replace their graphs.
//!
//! Files are read, parsed and mapped in parallel, a chunk at a time, while
//! the chunk before is written. A document whose content hash is already in
//! the store is skipped without parsing. A bad document is reported and
//! skipped (exit code 3) unless `--strict`, where it stops the build before
//! anything is committed. Whatever is written is committed at once: the
//! store ends as it was or with every good document in it.

use crate::cli::BuildArgs;
use crate::document::{self, Document};
use crate::error::ParseError;
use crate::registry::{self, Registry};
use crate::store::{Access, GraphWrite, StoreDir};
use crate::{cached, ontology, rdf, recognize};
use anyhow::{Context, Result, anyhow, bail};
use indicatif::{ProgressBar, ProgressStyle};
use oxigraph::model::{NamedNode, Quad, Term};
use oxigraph::sparql::QueryResults;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Instant;

/// The plan built when no input is given, compiled into the binary.
pub const BUNDLED_NAME: &str = "data/plans/xiamen-metaverse-2022.md";
/// Its bytes.
pub const BUNDLED: &[u8] = include_bytes!("../../data/plans/xiamen-metaverse-2022.md");

/// Exit code when some documents were skipped as bad.
pub const EXIT_SKIPPED: u8 = 3;

/// One input file: its name as given, and whether it was found by walking
/// a directory (a walked file that is not a plan is skipped quietly).
pub(crate) struct Input {
    pub(crate) name: String,
    pub(crate) path: Option<PathBuf>,
    pub(crate) walked: bool,
}

/// Runs `build`; returns the exit code (0, or [`EXIT_SKIPPED`]).
///
/// # Errors
///
/// A missing input, a bad document with `--strict` or when no document is
/// good, or a store error; the store is then unchanged.
pub fn run(args: &BuildArgs) -> Result<u8> {
    let started = Instant::now();
    let inputs = if args.inputs.is_empty() {
        vec![Input {
            name: BUNDLED_NAME.to_owned(),
            path: None,
            walked: false,
        }]
    } else {
        collect_inputs(&args.inputs)?
    };
    check_unique_ids(&inputs)?;
    let registry = Registry::bundled()?;
    let reader = reader_fingerprint();
    // An existing store tells which documents are unchanged; a new one is
    // only created once there is something to write.
    let existing = args.store.store.join("policykg-store.json").exists();
    let mut store = if existing {
        Some(StoreDir::open(&args.store.store, Access::Write)?)
    } else {
        None
    };
    let known = match &store {
        Some(s) => stored_hashes(s)?,
        None => BTreeMap::new(),
    };
    if let Some(store) = &store
        && !args.replace
    {
        check_same_sources(store, &inputs)?;
    }

    let progress = progress_bar(inputs.len());
    let mut intake = Intake {
        strict: args.strict,
        single: inputs.len() == 1,
        built: 0,
        unchanged: 0,
        skipped: 0,
        warnings: Vec::new(),
    };
    // Files are read, parsed and mapped to quads in parallel, a chunk at a
    // time, while this thread writes the chunk before: memory holds a few
    // chunks, not the corpus.
    let written = std::thread::scope(|scope| -> Result<()> {
        let (sender, receiver) = mpsc::sync_channel::<Vec<Outcome>>(1);
        let (registry, reader, known, progress) = (&registry, &reader, &known, &progress);
        let inputs = &inputs;
        scope.spawn(move || {
            for chunk in inputs.chunks(CHUNK) {
                let outcomes = chunk
                    .par_iter()
                    .map(|input| {
                        let outcome = read_one(input, registry, reader, known);
                        progress.inc(1);
                        outcome
                    })
                    .collect();
                // A closed channel means the writer stopped on an error.
                if sender.send(outcomes).is_err() {
                    break;
                }
            }
        });
        let mut outcomes = inputs.iter().zip(receiver.into_iter().flatten());
        let mut graphs = std::iter::from_fn(|| intake.next(&mut outcomes));
        // Nothing good to write (all unchanged or bad): the store is not
        // opened for writing, or created.
        let first = match graphs.next() {
            None => return Ok(()),
            Some(first) => first?,
        };
        let store = match &mut store {
            Some(s) => s,
            None => store.insert(StoreDir::open(&args.store.store, Access::Write)?),
        };
        write(store, registry, std::iter::once(Ok(first)).chain(graphs))
    });
    progress.finish_and_clear();
    if let Err(error) = written {
        // A store this build created and never committed to goes again.
        if let Some(store) = store {
            store.discard_if_new()?;
        }
        return Err(error);
    }
    let Intake {
        built,
        unchanged,
        skipped,
        warnings,
        ..
    } = intake;
    if built == 0 && unchanged == 0 {
        if skipped > 0 {
            bail!("none of the {skipped} documents could be built; the store is unchanged");
        }
        bail!("no plans to build");
    }
    super::print_warnings(&warnings);
    let store = match store {
        Some(s) => s,
        None => StoreDir::open(&args.store.store, Access::Read)?,
    };
    if (unchanged > 0 || skipped > 0) && !super::quiet() {
        eprintln!(
            "built {built}, {unchanged} unchanged (skipped by content hash), {skipped} bad (skipped)"
        );
    }
    super::print_summary(&args.store.store.display(), &store, started)?;
    Ok(if skipped > 0 { EXIT_SKIPPED } else { 0 })
}

/// Documents parsed and mapped in one go: enough to keep every core busy,
/// few enough that the chunks in flight stay small beside the store.
const CHUNK: usize = 16;

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

/// Turns outcomes, in input order, into the graphs to write, counting and
/// reporting the rest: unchanged documents, bad ones (skipped, or the
/// build's error with `--strict` or a single input), warnings.
struct Intake {
    strict: bool,
    single: bool,
    built: usize,
    unchanged: usize,
    skipped: usize,
    warnings: Vec<crate::error::Diagnostic>,
}

impl Intake {
    fn next<'a>(
        &mut self,
        outcomes: &mut impl Iterator<Item = (&'a Input, Outcome)>,
    ) -> Option<Result<Graph>> {
        for (input, outcome) in outcomes {
            match outcome {
                Outcome::Parsed(graph, mut notes) => {
                    self.warnings.append(&mut notes);
                    self.built += 1;
                    return Some(Ok(*graph));
                }
                Outcome::Unchanged => self.unchanged += 1,
                // A README beside the plans is not a bad plan.
                Outcome::Failed {
                    not_a_plan: true, ..
                } if input.walked => {
                    if !super::quiet() {
                        eprintln!(
                            "warning: {}: not a plan (no numbered items); skipped",
                            input.name
                        );
                    }
                }
                Outcome::Failed { error, .. } if self.strict => {
                    return Some(Err(anyhow!(
                        "{error:#}; with --strict the build stops here and the store is unchanged"
                    )));
                }
                // A single bad input is the build's error, not a skip.
                Outcome::Failed { error, .. } if self.single => return Some(Err(error)),
                Outcome::Failed { error, .. } => {
                    self.skipped += 1;
                    eprintln!("error: {error:#}; skipped");
                }
            }
        }
        None
    }
}

enum Outcome {
    Parsed(Box<Graph>, Vec<crate::error::Diagnostic>),
    Unchanged,
    Failed {
        error: anyhow::Error,
        not_a_plan: bool,
    },
}

fn read_one(
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
fn reader_fingerprint() -> Vec<u8> {
    let mut f = env!("CARGO_PKG_VERSION").as_bytes().to_vec();
    for (name, text) in registry::BUNDLED {
        f.extend(name.as_bytes());
        f.extend(text.as_bytes());
    }
    f
}

/// The content hash a build records for the bundled plan, so that a later
/// `build` of it finds it unchanged.
pub(crate) fn bundled_hash() -> String {
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
fn stored_hashes(store: &StoreDir) -> Result<BTreeMap<String, String>> {
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

/// A bar on a terminal for more than a handful of files; hidden otherwise
/// (and so never in redirected output).
fn progress_bar(n: usize) -> ProgressBar {
    if n < 8 || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(n as u64);
    if let Ok(style) =
        ProgressStyle::with_template("{bar:40} {pos}/{len} documents, {per_sec}, {eta} left")
    {
        bar.set_style(style);
    }
    bar
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
fn check_same_sources(store: &StoreDir, inputs: &[Input]) -> Result<()> {
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
fn check_unique_ids(inputs: &[Input]) -> Result<()> {
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
