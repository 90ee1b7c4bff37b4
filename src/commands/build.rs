//! `policykg build`: parse plans, map them to RDF, replace their graphs.
//!
//! Files are read and parsed in parallel. A document whose content hash is
//! already in the store is skipped without parsing. A bad document is
//! reported and skipped (exit code 3) unless `--strict`, where it stops the
//! build before anything is written. Whatever is written is written at once:
//! the store ends as it was or with every good document in it.

use crate::cli::BuildArgs;
use crate::document::{self, Document};
use crate::error::ParseError;
use crate::registry::{self, Registry};
use crate::store::{Access, StoreDir};
use crate::{ontology, query, rdf, recognize};
use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use oxigraph::model::Term;
use oxigraph::sparql::QueryResults;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The plan built when no input is given, compiled into the binary.
pub const BUNDLED_NAME: &str = "data/plans/xiamen-metaverse-2022.md";
/// Its bytes.
pub const BUNDLED: &[u8] = include_bytes!("../../data/plans/xiamen-metaverse-2022.md");

/// Exit code when some documents were skipped as bad.
pub const EXIT_SKIPPED: u8 = 3;

/// One input file: its name as given, and whether it was found by walking
/// a directory (a walked file that is not a plan is skipped quietly).
struct Input {
    name: String,
    path: Option<PathBuf>,
    walked: bool,
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

    let progress = progress_bar(inputs.len());
    let outcomes: Vec<Outcome> = inputs
        .par_iter()
        .map(|input| {
            let outcome = read_one(input, &registry, &reader, &known);
            progress.inc(1);
            outcome
        })
        .collect();
    progress.finish_and_clear();

    let mut documents = Vec::new();
    let (mut unchanged, mut skipped, mut warnings) = (0usize, 0usize, Vec::new());
    for (input, outcome) in inputs.iter().zip(outcomes) {
        match outcome {
            Outcome::Parsed(doc, mut notes) => {
                warnings.append(&mut notes);
                documents.push(*doc);
            }
            Outcome::Unchanged => unchanged += 1,
            // A README beside the plans is not a bad plan.
            Outcome::Failed {
                not_a_plan: true, ..
            } if input.walked => {
                eprintln!(
                    "warning: {}: not a plan (no numbered items); skipped",
                    input.name
                );
            }
            Outcome::Failed { error, .. } if args.strict => {
                bail!("{error:#}; with --strict the build stops here and the store is unchanged");
            }
            // A single bad input is the build's error, not a skip.
            Outcome::Failed { error, .. } if inputs.len() == 1 => return Err(error),
            Outcome::Failed { error, .. } => {
                skipped += 1;
                eprintln!("error: {error:#}; skipped");
            }
        }
    }
    if documents.is_empty() && unchanged == 0 {
        if skipped > 0 {
            bail!("none of the {skipped} documents could be built; the store is unchanged");
        }
        bail!("no plans to build");
    }
    check_unique_ids(&documents)?;
    if !documents.is_empty() {
        let store = match &mut store {
            Some(s) => s,
            None => store.insert(StoreDir::open(&args.store.store, Access::Write)?),
        };
        write(store, &registry, &documents)?;
    }
    for warning in &warnings {
        eprintln!("warning: {warning}");
    }
    let store = match store {
        Some(s) => s,
        None => StoreDir::open(&args.store.store, Access::Read)?,
    };
    if unchanged > 0 || skipped > 0 {
        eprintln!(
            "built {}, {unchanged} unchanged (skipped by content hash), {skipped} bad (skipped)",
            documents.len()
        );
    }
    super::print_summary(&args.store.store.display(), &store, started)?;
    Ok(if skipped > 0 { EXIT_SKIPPED } else { 0 })
}

enum Outcome {
    Parsed(Box<Document>, Vec<crate::error::Diagnostic>),
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
    if known.get(&document::document_id(&input.name)) == Some(&hash) {
        return Outcome::Unchanged;
    }
    match document::parse(&input.name, &bytes) {
        Ok(mut doc) => {
            doc.content_hash = Some(hash);
            let mut notes = std::mem::take(&mut doc.warnings);
            notes.extend(recognize::recognize(&mut doc, registry));
            Outcome::Parsed(Box::new(doc), notes)
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

/// Content hashes of the documents in the store, by document id.
fn stored_hashes(store: &StoreDir) -> Result<BTreeMap<String, String>> {
    const HASHES: &str = "PREFIX pkg: <https://w3id.org/policykg/ontology#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?id ?hash WHERE { ?doc dcterms:identifier ?id ; pkg:contentHash ?hash }";
    let mut out = BTreeMap::new();
    if let QueryResults::Solutions(rows) =
        query::execute(store.store(), "content hashes", HASHES, &[])?
    {
        for row in rows {
            let row = row.map_err(|e| anyhow::anyhow!("reading content hashes: {e}"))?;
            if let (Some(Term::Literal(id)), Some(Term::Literal(hash))) =
                (row.get("id"), row.get("hash"))
            {
                out.insert(id.value().to_owned(), hash.value().to_owned());
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

/// Writes documents (recognized with `registry`), the ontology and the
/// registries into the store, replacing their graphs, all or nothing.
///
/// # Errors
///
/// Two inputs with the same document id, or a store error.
pub fn write(store: &mut StoreDir, registry: &Registry, documents: &[Document]) -> Result<()> {
    check_unique_ids(documents)?;
    let fixed = [
        (ontology::graph(), ontology::quads()?),
        (registry::graph(), registry.quads.clone()),
    ];
    // Each document's quads are made when the store takes them, so a large
    // corpus never holds all its quads at once.
    let documents = documents
        .iter()
        .map(|doc| (rdf::graph_iri(&doc.id), rdf::quads(doc)));
    store.replace_graphs(fixed.into_iter().chain(documents))?;
    Ok(())
}

/// Two files with the same name in different directories would be one
/// document: refuse before anything is written.
fn check_unique_ids(documents: &[Document]) -> Result<()> {
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for doc in documents {
        if let Some(other) = seen.insert(doc.id.as_str(), doc.path.as_str()) {
            bail!(
                "{other} and {} would both be document `{}`; rename one of them",
                doc.path,
                doc.id
            );
        }
    }
    Ok(())
}

/// The files to read: named files as they are, directories walked in
/// sorted order for .md and .txt files. A missing path stops the build.
fn collect_inputs(inputs: &[PathBuf]) -> Result<Vec<Input>> {
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
