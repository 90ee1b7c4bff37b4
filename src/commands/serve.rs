//! `policykg serve`: the store as a read-only SPARQL endpoint.

use crate::cli::ServeArgs;
use crate::serve::{self, Connections, Limits, Service, Watch, WorkerSpec};
use crate::store::{Access, SERVING_FILE, StoreDir};
use anyhow::{Context, Result};
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

/// Runs `serve` until the process is stopped.
///
/// # Errors
///
/// Store errors, an address that cannot be bound.
pub fn run(args: &ServeArgs) -> Result<()> {
    if args.query_worker {
        return worker(args);
    }
    let store = super::open_or_build_bundled(&args.store.store)?;
    let address = free_port(args.bind)?;
    let limits = Limits {
        timeout: Duration::from_secs(args.timeout.max(1)),
        max_rows: args.max_rows,
        max_request_bytes: args.max_request_bytes,
        workers: args
            .workers
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, usize::from))
            .max(1),
        queue_wait: Duration::from_secs(args.queue_wait),
    };
    let timeout = limits.timeout;
    let mut service = Service::new(store.store()?.clone(), limits);
    if !args.in_process {
        if !serve::workers_supported() {
            anyhow::bail!(
                "this system has no /proc/self/status, which holds each query to its memory budget; give --in-process to evaluate queries on the server's threads"
            );
        }
        let spec = WorkerSpec {
            program: std::env::current_exe()
                .context("cannot find this program to start its query workers")?,
            store: args.store.store.clone(),
            timeout,
            memory_budget: args.query_memory << 20,
        };
        service = service
            .with_workers(spec)
            .context("cannot start the query workers")?;
    }
    let service = Arc::new(service);
    let read = Duration::from_secs(args.read_timeout.max(1));
    let connections = Connections {
        max_connections: args.max_connections.max(1),
        per_client: args.max_client_connections.max(1),
        read,
        idle: read,
        // An answer of --max-rows rows is a few MB: a minute is room
        // enough for any client that reads it.
        write: Duration::from_secs(60),
    };
    let server = serve::spawn(service, address, connections)
        .with_context(|| format!("cannot listen on {address}"))?;
    if !address.ip().is_loopback() {
        eprintln!(
            "warning: listening on {address}, beyond this machine: anyone who can reach it can read the whole store (the endpoint has no authentication); bind 127.0.0.1 unless the network is trusted"
        );
    }
    let url = format!("http://{address}/");
    // Advisory: lets a command turned away by our lock say where to read.
    // A read-only store directory simply goes without it.
    let serving = args.store.store.join(SERVING_FILE);
    let _ = std::fs::write(&serving, format!("{url}, pid {}\n", std::process::id()));
    eprintln!(
        "serving {} at {url} (SPARQL endpoint {url}sparql); stop with Ctrl-C",
        args.store.store.display()
    );
    let joined = server();
    let _ = std::fs::remove_file(&serving);
    joined.context("the server stopped")?;
    Ok(())
}

/// One of the server's query workers: the store opened read-only and
/// loaded, then jobs from standard input, on a stack sized for the deepest
/// query the server lets through.
fn worker(args: &ServeArgs) -> Result<()> {
    let store = StoreDir::open(&args.store.store, Access::Read)?;
    let watch = Arc::new(Watch::new(
        Duration::from_secs(args.timeout.max(1)),
        args.query_memory << 20,
    ));
    {
        // A query that joins or sorts in memory stops for nothing: past its
        // limits the process ends, and the server tells the client which.
        let watch = Arc::clone(&watch);
        std::thread::Builder::new()
            .name("policykg watchdog".to_owned())
            .spawn(move || {
                loop {
                    std::thread::sleep(Watch::EVERY);
                    if let Some(verdict) = watch.verdict() {
                        std::process::exit(verdict.exit_code());
                    }
                }
            })?;
    }
    std::thread::scope(|scope| {
        let loaded = store.store()?;
        std::thread::Builder::new()
            .name("policykg worker".to_owned())
            .stack_size(crate::sparql::STACK_BYTES)
            .spawn_scoped(scope, || {
                let (input, out) = (std::io::stdin().lock(), std::io::stdout().lock());
                serve::run_worker(loaded, &watch, input, out)
            })?
            .join()
            .map_err(|_| anyhow::anyhow!("the query worker panicked"))??;
        Ok(())
    })
}

/// The address itself, or with port 0 a free port picked by the system.
fn free_port(address: SocketAddr) -> Result<SocketAddr> {
    if address.port() != 0 {
        return Ok(address);
    }
    let probe =
        TcpListener::bind(address).with_context(|| format!("cannot listen on {address}"))?;
    Ok(probe.local_addr()?)
}
