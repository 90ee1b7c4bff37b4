//! `policykg network`: whole-network figures and communities.

use crate::cli::{FiguresFormat, NetworkArgs};
use crate::network::{self, Network};
use crate::report;
use anyhow::Result;
use std::io::Write;
use std::time::Instant;

/// Runs `network`.
///
/// # Errors
///
/// Store or query errors.
pub fn run(args: &NetworkArgs, out: &mut dyn Write) -> Result<()> {
    let started = Instant::now();
    let store = super::open_or_build_bundled(&args.store.store)?;
    let network = Network::from_sparql(&store, &args.selection.options())?;
    let (_, figures) = network::measure(&network);
    match args.format {
        FiguresFormat::Table => report::write_figures(&figures, out)?,
        FiguresFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &figures)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    super::print_summary(&args.store.store.display(), &store, started)?;
    Ok(())
}
