//! `policykg list` and `policykg remove`: the documents in the store.

use crate::cli::{ListArgs, RemoveArgs};
use crate::query::{self, NamedQuery};
use crate::rdf;
use crate::store::{Access, StoreDir};
use anyhow::{Context, Result, bail};
use std::io::Write;
use std::time::Instant;

/// Runs `list`: the `documents` named query.
///
/// # Errors
///
/// Store or query errors.
pub fn list(args: &ListArgs, out: &mut dyn Write) -> Result<()> {
    let started = Instant::now();
    let store = StoreDir::open(&args.store.store, Access::Read)?;
    let q = NamedQuery::find("documents").context("the documents query is compiled in")?;
    query::run(
        store.store()?,
        "queries/documents.rq",
        q.text,
        &[],
        args.format,
        None,
        out,
    )?;
    out.flush()?;
    super::print_summary(&args.store.store.display(), &store, started)?;
    Ok(())
}

/// Runs `remove`: takes the documents' graphs out, all or nothing.
///
/// # Errors
///
/// An unknown document (nothing is removed then), or a store error.
pub fn remove(args: &RemoveArgs) -> Result<()> {
    let started = Instant::now();
    let mut store = StoreDir::open(&args.store.store, Access::Write)?;
    let mut graphs = Vec::new();
    for id in &args.documents {
        let graph = rdf::graph_iri(id);
        if !store.contains_graph(&graph) {
            bail!("{id}: no such document in the store; `policykg list` shows the ids");
        }
        graphs.push(graph);
    }
    store.remove_graphs(&graphs)?;
    if !super::quiet() {
        eprintln!("removed {}", args.documents.join(", "));
    }
    super::print_summary(&args.store.store.display(), &store, started)?;
    Ok(())
}
