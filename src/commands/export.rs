//! `policykg export`: CSV, GraphML, DOT and RDF files.

use crate::cli::{ExportArgs, ExportCommand, ExportCsvArgs, ExportRdfArgs, Selection};
use crate::export::{self, Output, graphml, rdf::Syntax};
use crate::network::{self, Network, UnitMeasures};
use crate::rdf;
use crate::store::StoreDir;
use anyhow::{Context, Result, bail};
use std::io::Write;
use std::path::Path;
use std::time::Instant;

/// Runs `export`. The output is checked before the store is opened or any
/// work is done.
///
/// # Errors
///
/// A bad output path, store or query errors.
pub fn run(args: &ExportArgs, out: &mut dyn Write) -> Result<()> {
    let started = Instant::now();
    let store_path = match &args.what {
        ExportCommand::Csv(a) => {
            check_csv_target(a)?;
            &a.store.store
        }
        ExportCommand::Graphml(a) => {
            Output::parse(&a.out).check()?;
            &a.store.store
        }
        ExportCommand::Dot(a) => {
            Output::parse(&a.out).check()?;
            &a.store.store
        }
        ExportCommand::Rdf(a) => {
            rdf_syntax(a)?;
            Output::parse(&a.out).check()?;
            &a.store.store
        }
    };
    let store = super::open_or_build_bundled(store_path)?;
    match &args.what {
        ExportCommand::Csv(a) => csv(a, &store, out)?,
        ExportCommand::Graphml(a) => {
            let (network, units) = measured(&store, &a.selection)?;
            let text = match a.network {
                graphml::Which::CoResponsibility => {
                    graphml::co_responsibility(&network, &units, a.yed)
                }
                graphml::Which::TwoMode => graphml::two_mode(&network, &units, a.yed),
            };
            write(&Output::parse(&a.out), text.as_bytes(), out)?;
        }
        ExportCommand::Dot(a) => {
            let (network, units) = measured(&store, &a.selection)?;
            write(
                &Output::parse(&a.out),
                export::dot::co_responsibility(&network, &units).as_bytes(),
                out,
            )?;
        }
        ExportCommand::Rdf(a) => {
            let graph = a.document.as_deref().map(rdf::graph_iri);
            if let Some(g) = &graph
                && !store.contains_graph(g)
            {
                bail!(
                    "--document {}: no such document in the store (see the `document` column of `policykg query --name outline`)",
                    a.document.as_deref().unwrap_or_default()
                );
            }
            let extra = if a.web_annotation {
                let registry = crate::registry::Registry::bundled()?;
                export::web_annotation::quads(store.store()?, &registry, graph.as_ref())?
            } else {
                Vec::new()
            };
            let syntax = rdf_syntax(a)?;
            let target = Output::parse(&a.out);
            let mut failed = None;
            target
                .write_with(out, |w| {
                    export::rdf::dump(&store, graph.as_ref(), syntax, extra, w).map_err(|e| {
                        let message = e.to_string();
                        failed = Some(e);
                        std::io::Error::other(message)
                    })
                })
                .map_err(|e| match failed.take() {
                    Some(store_error) => anyhow::Error::from(store_error),
                    None => e.into(),
                })?;
            if let Output::File(path) = &target
                && !super::quiet()
            {
                eprintln!("wrote {}", path.display());
            }
        }
    }
    out.flush()?;
    super::print_summary(&store_path.display(), &store, started)?;
    Ok(())
}

/// An explicit `--format` wins, else the file extension decides, else a
/// clear error.
fn rdf_syntax(a: &ExportRdfArgs) -> Result<Syntax> {
    if let Some(s) = a.format {
        return Ok(s);
    }
    match Output::parse(&a.out).extension() {
        Some(ext) => Syntax::from_extension(&ext).with_context(|| {
            format!(
                "--out {}: cannot tell the RDF syntax from `.{ext}`; give --format ttl|nt|nq|trig|jsonld|rdf",
                a.out.display()
            )
        }),
        None => bail!("--out {}: give --format ttl|nt|nq|trig|jsonld|rdf", a.out.display()),
    }
}

fn measured(store: &StoreDir, selection: &Selection) -> Result<(Network, Vec<UnitMeasures>)> {
    let network = Network::from_sparql(store, &selection.options())?;
    let (units, _) = network::measure(&network);
    Ok((network, units))
}

fn write(target: &Output, bytes: &[u8], out: &mut dyn Write) -> Result<()> {
    target.write(bytes, out)?;
    if let Output::File(path) = target
        && !super::quiet()
    {
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

fn check_csv_target(a: &ExportCsvArgs) -> Result<()> {
    if a.out.as_os_str() == "-" {
        if a.table.is_none() {
            bail!(
                "--out -: give --table nodes|edges|assignments|items to choose the table for standard output"
            );
        }
        return Ok(());
    }
    let dir = Path::new(&a.out);
    if dir.exists() && !dir.is_dir() {
        bail!(
            "--out {}: this is a file; give a directory for the CSV tables",
            dir.display()
        );
    }
    std::fs::create_dir_all(dir)
        .with_context(|| format!("--out {}: cannot create the directory", dir.display()))
}

fn csv(a: &ExportCsvArgs, store: &StoreDir, out: &mut dyn Write) -> Result<()> {
    let (network, units) = measured(store, &a.selection)?;
    let tables: Vec<&str> = a
        .table
        .as_deref()
        .map_or_else(|| export::csv::TABLES.to_vec(), |t| vec![t]);
    for table in tables {
        let bytes = match table {
            "nodes" => export::csv::nodes(&units, a.excel),
            "edges" => export::csv::edges(&network, a.excel),
            "assignments" => export::csv::assignments(&network, a.excel),
            _ => export::csv::items(store, a.selection.document.as_deref(), a.excel)?,
        };
        let target = if a.out.as_os_str() == "-" {
            Output::Stdout
        } else {
            Output::File(a.out.join(format!("{table}.csv")))
        };
        write(&target, &bytes, out)?;
    }
    Ok(())
}
