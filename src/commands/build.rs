//! `policykg build`: the arguments, progress, messages and exit code around
//! [`crate::build`]. A bad document is reported and skipped (exit code 3)
//! unless `--strict`, where it stops the build before anything is
//! committed. Whatever is written is committed at once: the store ends as it
//! was or with every good document in it.

use crate::build::{
    BUNDLED_NAME, CHUNK, Graph, Input, Outcome, check_same_sources, check_unique_ids,
    collect_inputs, read_one, reader_fingerprint, stored_hashes, write,
};
use crate::cli::BuildArgs;
use crate::registry::Registry;
use crate::store::{Access, StoreDir};
use anyhow::{Result, anyhow, bail};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::sync::mpsc;
use std::time::Instant;

/// Exit code when some documents were skipped as bad.
pub const EXIT_SKIPPED: u8 = 3;

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
    let existing = StoreDir::exists(&args.store.store);
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
