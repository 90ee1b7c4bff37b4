//! `policykg push`: the store's graphs to a triple store server.

use crate::cli::PushArgs;
use crate::endpoint::Endpoint;
use crate::push;
use crate::store::{Access, StoreDir};
use anyhow::{Context, Result};
use oxhttp::model::Method;
use std::time::{Duration, Instant};

/// Runs `push`: one PUT per graph, replacing that graph on the server.
///
/// # Errors
///
/// Store errors, a bad URL, a request that fails after its retries.
pub fn run(args: &PushArgs) -> Result<()> {
    let started = Instant::now();
    let endpoint = Endpoint::new(&args.endpoint, Duration::from_secs(args.timeout.max(1)))?;
    let store = StoreDir::open(&args.store.store, Access::Read)?;
    let graphs = push::graphs(store.store()?, &args.document)?;
    let found = graphs
        .iter()
        .filter(|g| !g.ends_with("/registry") && !g.ends_with("/ontology"))
        .count();
    if !args.document.is_empty() && found < args.document.len() {
        anyhow::bail!(
            "{} of the {} documents asked for are not in the store at {} (see `policykg list`)",
            args.document.len() - found,
            args.document.len(),
            args.store.store.display()
        );
    }
    let (mut triples, mut bytes, mut retries) = (0, 0, 0);
    for graph in &graphs {
        let (body, count) = push::ntriples(store.store()?, graph)?;
        let target = push::target(graph, args.graph_prefix.as_deref());
        let url = push::graph_url(endpoint.url(), &target);
        let (_, attempts) = endpoint
            .send(
                &Method::PUT,
                &url,
                Some("application/n-triples"),
                None,
                &body,
            )
            .with_context(|| format!("cannot replace graph <{target}>"))?;
        triples += count;
        bytes += body.len();
        retries += attempts - 1;
    }
    if !super::quiet() {
        eprintln!(
            "pushed {} graphs ({triples} triples, {:.1} MB) to {} in {:.2} s{}",
            graphs.len(),
            bytes as f64 / 1e6,
            endpoint.url(),
            started.elapsed().as_secs_f64(),
            match retries {
                0 => String::new(),
                1 => ", after 1 retry".to_owned(),
                n => format!(", after {n} retries"),
            }
        );
    }
    Ok(())
}
