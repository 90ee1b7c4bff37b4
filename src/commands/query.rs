//! `policykg query`: SPARQL inline, from a file or by name.

use crate::cli::QueryArgs;
use crate::endpoint::Endpoint;
use crate::query::{self, NAMED, NamedQuery, OutputFormat};
use crate::sparql::{self, Deadline};
use crate::store::{Access, StoreDir};
use crate::table::Table;
use anyhow::{Context, Result, bail};
use oxigraph::model::Variable;
use oxigraph::sparql::results::{
    QueryResultsFormat, QueryResultsParser, ReaderQueryResultsParserOutput,
};
use oxigraph::sparql::{QueryResults, QuerySolutionIter};
use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long past `--timeout` a query that ignores cancellation may run
/// before the process stops it.
const HARD_STOP_GRACE: Duration = Duration::from_secs(2);

/// Runs `query`.
///
/// # Errors
///
/// An unknown name, a missing parameter, an unreadable file, bad SPARQL, or
/// a store error.
pub fn run(args: &QueryArgs, out: &mut dyn Write) -> Result<()> {
    if args.list {
        let mut table = Table::new(vec!["name".into(), "parameters".into(), "question".into()]);
        for q in NAMED {
            let params: Vec<&str> = q.params().map(|(n, _)| n).collect();
            table.push(vec![q.name.into(), params.join(", "), q.question().into()]);
        }
        table.write(out)?;
        return Ok(());
    }
    let started = Instant::now();
    let (origin, text) = if let Some(name) = &args.name {
        let q = NamedQuery::find(name).with_context(|| {
            let names: Vec<&str> = NAMED.iter().map(|q| q.name).collect();
            format!(
                "--name {name}: no such named query; choose one of {}",
                names.join(", ")
            )
        })?;
        let declared: Vec<&str> = q.params().map(|(n, _)| n).collect();
        for (n, doc) in q.params() {
            if !args.param.iter().any(|(p, _)| p == n) {
                bail!("named query {name} needs --param {n}=VALUE ({doc})");
            }
        }
        if let Some((p, _)) = args
            .param
            .iter()
            .find(|(p, _)| !declared.contains(&p.as_str()))
        {
            bail!(
                "named query {name} has no parameter `{p}`; it takes: {}",
                if declared.is_empty() {
                    "none".to_owned()
                } else {
                    declared.join(", ")
                }
            );
        }
        (format!("queries/{name}.rq"), q.text.to_owned())
    } else if let Some(file) = &args.file
        && file.as_os_str() != "-"
    {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("{}: cannot read the query", file.display()))?;
        (file.display().to_string(), text)
    } else if args.file.is_some() || args.sparql.as_deref() == Some("-") {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .context("standard input: cannot read the query (it must be UTF-8)")?;
        ("standard input".to_owned(), text)
    } else {
        ("query".to_owned(), args.sparql.clone().unwrap_or_default())
    };
    // No limit (0) still ends a request that hangs, after an hour.
    let request_limit = Duration::from_secs(if args.timeout == 0 {
        3600
    } else {
        args.timeout
    });
    if let Some(endpoint) = super::remote(&args.remote, request_limit)? {
        return remote(&endpoint, &origin, &text, args, out, started);
    }
    let store = StoreDir::open(&args.store.store, Access::Read)?;
    let deadline = (args.timeout > 0).then(|| Deadline::after(Duration::from_secs(args.timeout)));
    // Oxigraph checks the cancellation token when it reads the store, so a
    // query busy joining in memory may not notice it; a read-only command
    // can end its process once the grace period is over.
    let _last_resort = deadline.map(|deadline| {
        let message = sparql::QueryError::Timeout {
            origin: origin.clone(),
            seconds: deadline.limit().as_secs(),
        }
        .to_string();
        deadline.then(HARD_STOP_GRACE, move || {
            eprintln!("error: {message}");
            std::process::exit(1);
        })
    });
    query::run(
        store.store()?,
        &origin,
        &text,
        &args.param,
        args.format,
        deadline,
        out,
    )?;
    out.flush()?;
    super::print_summary(&args.store.store.display(), &store, started)?;
    Ok(())
}

/// `query --endpoint`: the query goes to the endpoint with its parameters
/// bound; rows come back in the format asked for.
fn remote(
    endpoint: &Endpoint,
    origin: &str,
    text: &str,
    args: &QueryArgs,
    out: &mut dyn Write,
    started: Instant,
) -> Result<()> {
    let sparql = sparql::bind_params(origin, text, &args.param)?;
    let accept = match args.format {
        OutputFormat::Table | OutputFormat::Json => "application/sparql-results+json",
        OutputFormat::Xml => "application/sparql-results+xml",
        OutputFormat::Csv => "text/csv",
        OutputFormat::Tsv => "text/tab-separated-values",
    };
    let (media, bytes) = endpoint
        .query_raw(&sparql, &format!("{accept}, text/turtle;q=0.5"))
        .with_context(|| format!("{origin}: the endpoint could not run the query"))?;
    if args.format == OutputFormat::Table && media.contains("sparql-results+json") {
        let results = match QueryResultsParser::from_format(QueryResultsFormat::Json)
            .for_reader(bytes.as_slice())
            .with_context(|| format!("{}: the answer is not SPARQL JSON results", endpoint.url()))?
        {
            ReaderQueryResultsParserOutput::Solutions(solutions) => {
                let variables: Arc<[Variable]> = solutions.variables().into();
                let rows = solutions.collect::<Result<Vec<_>, _>>()?;
                QueryResults::Solutions(QuerySolutionIter::new(variables, rows.into_iter().map(Ok)))
            }
            ReaderQueryResultsParserOutput::Boolean(value) => QueryResults::Boolean(value),
        };
        query::write_results(results, origin, OutputFormat::Table, out)?;
    } else {
        out.write_all(&bytes)?;
    }
    out.flush()?;
    super::print_summary(&endpoint.url(), endpoint, started)?;
    Ok(())
}
