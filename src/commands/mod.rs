//! One module per subcommand; each takes its parsed arguments and does the
//! job through the library.

pub mod build;
pub mod check;
pub mod documents;
pub mod export;
pub mod network;
pub mod push;
pub mod query;
pub mod report;
pub mod serve;

use crate::endpoint::Endpoint;
use crate::sparql::{self, Sparql};
use crate::store::{Access, StoreDir, StoreError};
use std::path::Path;
use std::time::Instant;

static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// With `--quiet`: no warnings, notes or summary line.
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, std::sync::atomic::Ordering::Relaxed);
}

/// Whether `--quiet` was given.
#[must_use]
pub fn quiet() -> bool {
    QUIET.load(std::sync::atomic::Ordering::Relaxed)
}

/// Warnings beyond this many are summed up by kind rather than printed.
const WARNINGS_SHOWN: usize = 30;

/// Prints warnings to standard error (none with `--quiet`): the first
/// `WARNINGS_SHOWN`, then how many more of each kind, so that a corpus
/// of thousands of files does not bury the one that matters.
pub fn print_warnings(warnings: &[crate::error::Diagnostic]) {
    if quiet() {
        return;
    }
    for warning in warnings.iter().take(WARNINGS_SHOWN) {
        eprintln!("warning: {warning}");
    }
    if warnings.len() <= WARNINGS_SHOWN {
        return;
    }
    // A warning's kind: its message with the quoted names left out.
    let mut kinds: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for warning in &warnings[WARNINGS_SHOWN..] {
        let kind = warning
            .message
            .split('`')
            .enumerate()
            .map(|(i, part)| if i % 2 == 1 { "…" } else { part })
            .collect::<Vec<_>>()
            .join("`");
        *kinds.entry(kind).or_default() += 1;
    }
    let mut kinds: Vec<(String, usize)> = kinds.into_iter().collect();
    kinds.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    eprintln!(
        "warning: {} more warnings, not shown; by kind:",
        warnings.len() - WARNINGS_SHOWN
    );
    for (kind, n) in kinds.iter().take(8) {
        eprintln!("  {n} × {kind}");
    }
    if kinds.len() > 8 {
        eprintln!("  … and {} other kinds", kinds.len() - 8);
    }
    eprintln!("  (`policykg check FILE…` shows every one for the files it is given)");
}

/// The store directory used when neither `--store` nor `$POLICYKG_STORE`
/// names one.
pub const DEFAULT_STORE: &str = "policykg-store";

/// Opens the store for reading. Only the default store (`policykg-store`
/// in the current directory, with no `$POLICYKG_STORE`), and only when it
/// does not exist yet, is made by building the bundled plan into it, so
/// that the analysis commands work on a fresh checkout with no arguments. A
/// store the user named, or one that exists, is never written by a read.
///
/// # Errors
///
/// Store errors; a named store that does not exist; a store that holds no
/// document.
pub fn open_or_build_bundled(path: &Path) -> anyhow::Result<StoreDir> {
    let is_default =
        path == Path::new(DEFAULT_STORE) && std::env::var_os("POLICYKG_STORE").is_none();
    match StoreDir::open(path, Access::Read) {
        Ok(store) if sparql::summary(&store)?.documents > 0 => return Ok(store),
        Ok(_) => anyhow::bail!(
            "the store at {} holds no document; build plans into it first: `policykg build FILE… --store {}`",
            path.display(),
            path.display()
        ),
        Err(StoreError::Missing { .. }) if is_default => {}
        Err(e) => return Err(e.into()),
    }
    if !quiet() {
        eprintln!(
            "there is no store at {} yet: building the bundled plan first",
            path.display()
        );
    }
    let mut store = StoreDir::open(path, Access::Write)?;
    let registry = crate::registry::Registry::bundled()?;
    let mut doc = crate::document::parse(crate::build::BUNDLED_NAME, crate::build::BUNDLED)?;
    doc.content_hash = Some(crate::build::bundled_hash());
    print_warnings(&crate::recognize::recognize(&mut doc, &registry));
    crate::build::write(&mut store, &registry, [crate::build::graph(doc)])?;
    Ok(store)
}

/// The endpoint of `--endpoint`, if given (each request limited to
/// `timeout`), checked to hold documents in its
/// default graph.
///
/// # Errors
///
/// A bad URL or credentials, an endpoint that cannot be queried or that
/// shows no documents in its default graph.
pub fn remote(
    args: &crate::cli::Remote,
    timeout: std::time::Duration,
) -> anyhow::Result<Option<Endpoint>> {
    let Some(url) = &args.endpoint else {
        return Ok(None);
    };
    let endpoint = Endpoint::new(url, timeout)?;
    if sparql::summary(&endpoint)?.documents == 0 {
        anyhow::bail!(
            "{url}: the endpoint's default graph holds no policykg documents; push the store there first (`policykg push`), and make the default graph the union of all graphs (Oxigraph: serve --union-default-graph)"
        );
    }
    Ok(Some(endpoint))
}

/// The one-line summary every command prints to standard error: what the
/// store holds and how long the command took.
///
/// # Errors
///
/// The counting query fails.
pub fn print_summary(
    place: &dyn std::fmt::Display,
    source: &dyn Sparql,
    started: Instant,
) -> Result<(), sparql::QueryError> {
    if quiet() {
        return Ok(());
    }
    let summary = sparql::summary(source)?;
    let elapsed = started.elapsed();
    eprintln!(
        "store {place}: {}, {}, {}, {}, {} ({:.2} s)",
        count(summary.documents, "document"),
        count(summary.items, "item"),
        count(summary.assignments, "assignment"),
        count(summary.units, "unit"),
        count(summary.triples, "triple"),
        elapsed.as_secs_f64()
    );
    Ok(())
}

fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
