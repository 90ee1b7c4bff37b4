//! `policykg build`: parse plans, map them to RDF, replace their graphs.

use crate::cli::BuildArgs;
use crate::document::{self, Document};
use crate::error::ParseError;
use crate::registry::{self, Registry};
use crate::store::{Access, StoreDir};
use crate::{ontology, query, rdf, recognize};
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The plan built when no input is given, compiled into the binary.
pub const BUNDLED_NAME: &str = "data/plans/xiamen-metaverse-2022.md";
/// Its bytes.
pub const BUNDLED: &[u8] = include_bytes!("../../data/plans/xiamen-metaverse-2022.md");

/// Runs `build`.
///
/// # Errors
///
/// A missing input, a bad document (nothing is written then), or a store
/// error.
pub fn run(args: &BuildArgs) -> Result<()> {
    let started = Instant::now();
    let mut documents = if args.inputs.is_empty() {
        vec![document::parse(BUNDLED_NAME, BUNDLED)?]
    } else {
        read_inputs(&args.inputs)?
    };
    check_unique_ids(&documents)?;
    let registry = Registry::bundled()?;
    let mut warnings = Vec::new();
    for doc in &mut documents {
        warnings.append(&mut doc.warnings.clone());
        warnings.extend(recognize::recognize(doc, &registry));
    }
    let mut store = StoreDir::open(&args.store.store, Access::Write)?;
    write(&mut store, &registry, &documents)?;
    for warning in &warnings {
        eprintln!("warning: {warning}");
    }
    let summary = query::summary(store.store())?;
    super::print_summary(&args.store.store, &summary, started.elapsed());
    Ok(())
}

/// Writes documents (recognized with `registry`), the ontology and the
/// registries into the store, replacing their graphs, all or nothing.
///
/// # Errors
///
/// Two inputs with the same document id, or a store error.
pub fn write(store: &mut StoreDir, registry: &Registry, documents: &[Document]) -> Result<()> {
    let mut graphs = vec![
        (ontology::graph(), ontology::quads()?),
        (registry::graph(), registry.quads.clone()),
    ];
    check_unique_ids(documents)?;
    for doc in documents {
        graphs.push((rdf::graph_iri(&doc.id), rdf::quads(doc)));
    }
    store.replace_graphs(&graphs)?;
    Ok(())
}

/// Two files with the same name in different directories would be one
/// document: refuse before anything is written.
fn check_unique_ids(documents: &[Document]) -> Result<()> {
    let mut seen: std::collections::BTreeMap<&str, &str> = std::collections::BTreeMap::new();
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

/// Reads and parses every input; the first bad one stops the build before
/// the store is touched. A file found by walking a directory that has no
/// numbered items at all (a README beside the plans) is skipped with a
/// warning; a file named on the command line must be a plan.
fn read_inputs(inputs: &[PathBuf]) -> Result<Vec<Document>> {
    let mut documents = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input)
            .with_context(|| format!("{}: cannot read this input", input.display()))?;
        if !meta.is_dir() {
            documents.push(read(input)?);
            continue;
        }
        let mut files = Vec::new();
        collect(input, &mut files)?;
        let before = documents.len();
        for file in &files {
            match read(file) {
                Ok(doc) => documents.push(doc),
                Err(e) if matches!(e.downcast_ref(), Some(ParseError::NoItems { .. })) => {
                    eprintln!(
                        "warning: {}: not a plan (no numbered items); skipped",
                        file.display()
                    );
                }
                Err(e) => return Err(e),
            }
        }
        if documents.len() == before {
            bail!(
                "{}: no plans in this directory (looked for .md and .txt files with numbered items)",
                input.display()
            );
        }
    }
    Ok(documents)
}

fn read(path: &Path) -> Result<Document> {
    let bytes = std::fs::read(path).with_context(|| format!("{}: cannot read", path.display()))?;
    Ok(document::parse(&path.display().to_string(), &bytes)?)
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> Result<()> {
    let mut entries = std::fs::read_dir(dir)
        .with_context(|| format!("{}: cannot list", dir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("{}: cannot list", dir.display()))?;
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, files)?;
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("txt"))
        {
            files.push(path);
        }
    }
    Ok(())
}
