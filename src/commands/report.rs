//! `policykg report`: the most-involved bureaus.

use crate::cli::ReportArgs;
use crate::network::{self, Network};
use crate::report;
use crate::sparql::Sparql;
use anyhow::{Context, Result};
use std::io::Write;
use std::time::Instant;

/// Runs `report`.
///
/// # Errors
///
/// Store or query errors, an unwritable output.
pub fn run(args: &ReportArgs, out: &mut dyn Write) -> Result<()> {
    let started = Instant::now();
    let remote = super::remote(&args.remote, std::time::Duration::from_secs(120))?;
    let local;
    let (source, place): (&dyn Sparql, String) = if let Some(endpoint) = &remote {
        (endpoint, endpoint.url().to_owned())
    } else {
        local = super::open_or_build_bundled(&args.store.store)?;
        (&local, args.store.store.display().to_string())
    };
    let network = Network::from_sparql(source, &args.selection.options())?;
    let (mut units, figures) = network::measure(&network);
    report::rank(&mut units, args.sort);
    if let Some(path) = &args.html {
        let title = match (&args.selection.document, &args.selection.jurisdiction) {
            (Some(d), _) => format!("Co-responsibility: {d}"),
            (None, Some(j)) => format!("Co-responsibility: {j}"),
            (None, None) => "Co-responsibility of units".to_owned(),
        };
        let page = report::html::page(&title, &network, &units, &figures);
        crate::fs::write_atomically(path, page.as_bytes())
            .with_context(|| format!("{}: cannot write the HTML page", path.display()))?;
        if !super::quiet() {
            eprintln!("wrote {}", path.display());
        }
    }
    let shown = args
        .top
        .map_or(units.as_slice(), |n| &units[..n.min(units.len())]);
    report::write(shown, &figures, args.format, out)?;
    out.flush()?;
    super::print_summary(&place, source, started)?;
    Ok(())
}
