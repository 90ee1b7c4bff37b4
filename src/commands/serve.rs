//! `policykg serve`: the store as a read-only SPARQL endpoint.

use crate::cli::ServeArgs;
use crate::serve::{self, Connections, Limits, Service, Watch, WorkerSpec};
use crate::store::{Access, SERVING_FILE, StoreDir};
use anyhow::{Context, Result};
use std::net::TcpListener;
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
    // A store built here (the bundled plan into the default store) is
    // written under an exclusive lock: reopened to read, so that the
    // workers can open it beside the server.
    drop(super::open_or_build_bundled(&args.store.store)?);
    let store = StoreDir::open(&args.store.store, Access::Read)?;
    // Bound before the workers start, so that no one takes the port meanwhile.
    let listener =
        TcpListener::bind(args.bind).with_context(|| format!("cannot listen on {}", args.bind))?;
    let address = listener.local_addr()?;
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
    let server = serve::spawn(service, listener, connections)
        .with_context(|| format!("cannot serve on {address}"))?;
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
        std::io::stdout(),
    ));
    {
        // A query that joins or sorts in memory stops for nothing: past its
        // limits the watchdog tells the server, and the process ends.
        let watch = Arc::clone(&watch);
        std::thread::Builder::new()
            .name("policykg watchdog".to_owned())
            .spawn(move || {
                loop {
                    std::thread::sleep(Watch::EVERY);
                    watch.enforce(|verdict| std::process::exit(verdict.exit_code()));
                }
            })?;
    }
    std::thread::scope(|scope| {
        let loaded = store.store()?;
        std::thread::Builder::new()
            .name("policykg worker".to_owned())
            .stack_size(crate::sparql::STACK_BYTES)
            .spawn_scoped(scope, || {
                serve::run_worker(loaded, &watch, std::io::stdin().lock())
            })?
            .join()
            .map_err(|_| anyhow::anyhow!("the query worker panicked"))??;
        Ok(())
    })
}
