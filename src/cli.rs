//! The command line: every subcommand and argument, with its help text.

use crate::query::OutputFormat;
use crate::report::{ReportFormat, SortKey};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Turn Chinese government action plans into a knowledge graph, and query it.
///
/// Data goes to standard output; progress, warnings and the one-line summary
/// go to standard error. Exit codes: 0 success, 1 error, 2 bad usage, 3
/// `build` built the good documents but skipped some bad ones.
#[derive(Debug, Parser)]
#[command(name = "policykg", version, about, long_about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,

    /// Print no warnings, notes or summary line; errors still go to
    /// standard error.
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,

    /// Print table cells whole on a terminal (by default cells wider than
    /// 60 columns are cut with …; into a pipe or a file they are whole).
    #[arg(long, global = true)]
    pub wide: bool,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse plans and write them into the store (one named graph each).
    Build(BuildArgs),
    /// Read plans without a store and show what may have been missed.
    Check(CheckArgs),
    /// Run a SPARQL query: inline, from a file, or a named query.
    Query(QueryArgs),
    /// List the documents in the store.
    List(ListArgs),
    /// Take documents out of the store.
    Remove(RemoveArgs),
    /// Rank the units (bureaus) by involvement, with network measures.
    Report(ReportArgs),
    /// Print whole-network figures and the communities.
    Network(NetworkArgs),
    /// Write files for analysts' tools: CSV, GraphML, DOT, RDF.
    Export(ExportArgs),
    /// Serve the store as a read-only SPARQL 1.1 endpoint on this machine.
    Serve(ServeArgs),
    /// Send every graph of the store to a triple store server (SPARQL 1.1
    /// Graph Store HTTP Protocol), replacing those graphs there.
    Push(PushArgs),
}

/// Arguments of `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on. Loopback by default; give
    /// 0.0.0.0:PORT only on a trusted network. Port 0 picks a free port.
    #[arg(long, value_name = "ADDRESS:PORT", default_value = "127.0.0.1:7878")]
    pub bind: std::net::SocketAddr,

    /// Stop a query (or report) after this many seconds and answer 503.
    #[arg(long, value_name = "SECONDS", default_value_t = 5, value_parser = at_least_one)]
    pub timeout: u64,

    /// Refuse results with more rows (or triples) than this (422).
    #[arg(long, value_name = "N", default_value_t = 100_000, value_parser = at_least_one_usize)]
    pub max_rows: usize,

    /// Refuse request bodies (and query strings) larger than this, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = 1 << 20, value_parser = at_least_one_usize)]
    pub max_request_bytes: usize,

    /// Queries evaluated at once (default: the number of cores); others
    /// wait for a free worker.
    #[arg(long, value_name = "N", value_parser = at_least_one_usize)]
    pub workers: Option<usize>,

    /// How long a request waits for a free worker before a 503.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub queue_wait: u64,

    /// Open connections served at once; more wait to be accepted.
    #[arg(long, value_name = "N", default_value_t = 128, value_parser = at_least_one_usize)]
    pub max_connections: usize,

    /// Open connections served at once for one client address; more get
    /// 503 at once.
    #[arg(long, value_name = "N", default_value_t = 64, value_parser = at_least_one_usize)]
    pub max_client_connections: usize,

    /// Close a connection whose request (head and body) has not arrived
    /// this many seconds after it began (408), or that sends nothing for
    /// this long between requests.
    #[arg(long, value_name = "SECONDS", default_value_t = 10, value_parser = at_least_one)]
    pub read_timeout: u64,

    /// Stop a query that needs more than this much memory, in MB, and
    /// answer 422. Each query runs in a worker process of its own, which is
    /// ended past this budget or its time limit, and replaced.
    #[arg(long, value_name = "MB", default_value_t = 1024, value_parser = at_least_one)]
    pub query_memory: u64,

    /// Evaluate queries on the server's own threads instead of worker
    /// processes: one copy of the store in memory, but no memory budget, and
    /// a query past its time limit that joins or sorts in memory runs on
    /// (holding its worker) until it ends. The only way where the system has
    /// no /proc.
    #[arg(long)]
    pub in_process: bool,

    /// Run as one of a server's query workers (started by `serve` itself).
    #[arg(long, hide = true)]
    pub query_worker: bool,

    #[command(flatten)]
    pub store: StoreArgs,
}

/// Arguments of `push`.
#[derive(Debug, Args)]
pub struct PushArgs {
    /// The server's Graph Store endpoint, e.g. http://127.0.0.1:7878/store
    /// (Oxigraph) or http://127.0.0.1:8890/sparql-graph-crud (Virtuoso).
    ///
    /// Credentials come from the environment, never the command line:
    /// POLICYKG_ENDPOINT_TOKEN (bearer), or POLICYKG_ENDPOINT_USER and
    /// POLICYKG_ENDPOINT_PASSWORD (basic).
    #[arg(long, value_name = "URL")]
    pub endpoint: String,

    /// Name the graphs there with this prefix followed by the graph's own
    /// name (`registry`, `ontology` or the document id), instead of the
    /// store's graph IRIs.
    #[arg(long, value_name = "IRI")]
    pub graph_prefix: Option<String>,

    /// Only these documents' graphs (their ids); the registry and ontology
    /// graphs are always sent.
    #[arg(long, value_name = "ID")]
    pub document: Vec<String>,

    /// Give up on one request after this many seconds (it is retried).
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub timeout: u64,

    #[command(flatten)]
    pub store: StoreArgs,
}

/// Reading a remote store instead of the local one.
#[derive(Debug, Args)]
pub struct Remote {
    /// Run against this SPARQL 1.1 query endpoint instead of the store, e.g.
    /// http://127.0.0.1:7878/query after `policykg push`. The endpoint's
    /// default graph must be the union of its graphs (Oxigraph:
    /// `--union-default-graph`; Virtuoso does so by default). Credentials as
    /// for `push`.
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
}

/// Arguments of `list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,

    #[command(flatten)]
    pub store: StoreArgs,
}

/// Arguments of `remove`.
#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// Document ids (the `document` column of `policykg list`).
    #[arg(required = true)]
    pub documents: Vec<String>,

    #[command(flatten)]
    pub store: StoreArgs,
}

/// Arguments of `export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// What to write.
    #[command(subcommand)]
    pub what: ExportCommand,
}

/// The export formats.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// nodes.csv, edges.csv (Gephi's spreadsheet import), assignments.csv
    /// and items.csv.
    Csv(ExportCsvArgs),
    /// GraphML for Gephi, networkx, igraph, yEd and Cytoscape.
    Graphml(ExportGraphmlArgs),
    /// Graphviz DOT of the co-responsibility network.
    Dot(ExportDotArgs),
    /// The store (or one document's graph) as RDF.
    Rdf(ExportRdfArgs),
}

/// Arguments of `export csv`.
#[derive(Debug, Args)]
pub struct ExportCsvArgs {
    /// Directory to write the four tables into (created if absent), or `-`
    /// for standard output with --table.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// Only this table (required with `--out -`).
    #[arg(long, value_parser = ["nodes", "edges", "assignments", "items"])]
    pub table: Option<String>,

    /// For Excel: start each file with a UTF-8 byte-order mark, so that
    /// Excel on Windows shows Chinese correctly, and put a `'` before any
    /// text cell that Excel would run as a formula (`=`, `+`, `-`, `@`).
    #[arg(long)]
    pub excel: bool,

    #[command(flatten)]
    pub selection: Selection,

    #[command(flatten)]
    pub store: StoreArgs,
}

/// Arguments of `export graphml`.
#[derive(Debug, Args)]
pub struct ExportGraphmlArgs {
    /// File to write (`-` for standard output).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,

    /// Which network.
    #[arg(long, value_enum, default_value_t = crate::export::graphml::Which::CoResponsibility)]
    pub network: crate::export::graphml::Which,

    /// Add yFiles label keys so that yEd shows the names.
    #[arg(long)]
    pub yed: bool,

    #[command(flatten)]
    pub selection: Selection,

    #[command(flatten)]
    pub store: StoreArgs,
}

/// Arguments of `export dot`.
#[derive(Debug, Args)]
pub struct ExportDotArgs {
    /// File to write (`-` for standard output).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,

    #[command(flatten)]
    pub selection: Selection,

    #[command(flatten)]
    pub store: StoreArgs,
}

/// Arguments of `export rdf`.
#[derive(Debug, Args)]
pub struct ExportRdfArgs {
    /// File to write (`-` for standard output).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,

    /// Syntax; by default the file extension decides (.ttl .nt .nq .trig
    /// .jsonld .rdf).
    #[arg(long, value_enum)]
    pub format: Option<crate::export::rdf::Syntax>,

    /// Only this document's graph (its id).
    #[arg(long, value_name = "ID")]
    pub document: Option<String>,

    /// Add the provenance in the W3C Web Annotation form: an
    /// `oa:SpecificResource` anchor with a quote and position selector for
    /// every section, item, list and assignment, and a `pkg:Mention` for
    /// every place a text names a thing (found again in the stored text).
    #[arg(long)]
    pub web_annotation: bool,

    #[command(flatten)]
    pub store: StoreArgs,
}

/// Options every command shares.
#[derive(Debug, Args)]
pub struct StoreArgs {
    /// Store directory.
    ///
    /// Created by `build` if absent. Defaults to `policykg-store` in the
    /// current directory, or $POLICYKG_STORE when set. Read commands never
    /// write a store, except that a missing default store is made with the
    /// bundled plan in it.
    #[arg(long, env = "POLICYKG_STORE", default_value = "policykg-store")]
    pub store: PathBuf,
}

/// Arguments of `build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Plan files (.md, .txt) or directories to read.
    ///
    /// Directories are searched recursively for .md and .txt files. With no
    /// input, the bundled Xiamen metaverse plan (2022–2024) is built. A
    /// document already in the store is replaced; the build is all or
    /// nothing.
    pub inputs: Vec<PathBuf>,

    /// Stop at the first bad document and write nothing.
    ///
    /// By default a bad document is reported (file, line, reason) and
    /// skipped, the others are built, and the exit code is 3.
    #[arg(long)]
    pub strict: bool,

    /// Let a file replace a document of the same id that was built from
    /// another file (by default that is refused, naming both files).
    #[arg(long)]
    pub replace: bool,

    #[command(flatten)]
    pub store: StoreArgs,
}

/// Arguments of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Plan files (.md, .txt) or directories to read.
    ///
    /// With no input, the bundled plan is checked. Prints per document the
    /// items, lists, units, unresolved units and suspects: text that looks
    /// like responsibility that no list read, with file and line. Exit code
    /// 0 when there is no suspect and every file parses, else 1.
    pub inputs: Vec<PathBuf>,

    /// Also list every item's units by role, and how its list was read.
    #[arg(long)]
    pub items: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Table)]
    pub format: CheckFormat,
}

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CheckFormat {
    /// A table, then one line per suspect and unresolved unit.
    Table,
    /// JSON, one object per document.
    Json,
}

/// Arguments of `query`.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("source").args(["sparql", "file", "name", "list"]).required(true))]
pub struct QueryArgs {
    /// SPARQL query text (`-`: read it from standard input).
    ///
    /// The default graph is the union of all documents' graphs.
    pub sparql: Option<String>,

    /// Read the query from a file (`-`: standard input).
    #[arg(long, short = 'f', value_name = "FILE")]
    pub file: Option<PathBuf>,

    /// Run a named query shipped with policykg (see --list).
    #[arg(long, short = 'n', value_name = "NAME")]
    pub name: Option<String>,

    /// List the named queries and the question each answers.
    #[arg(long)]
    pub list: bool,

    /// Bind a query variable to a text value, e.g. --param unit=市工信局.
    ///
    /// Values are bound as literals, never pasted into the query text.
    #[arg(long, short = 'p', value_name = "NAME=VALUE", value_parser = parse_param)]
    pub param: Vec<(String, String)>,

    /// Output format. For CONSTRUCT and DESCRIBE (triples): table gives
    /// Turtle, json JSON-LD, xml RDF/XML.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,

    /// Stop the query after this many seconds (0: no limit).
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub timeout: u64,

    #[command(flatten)]
    pub remote: Remote,

    #[command(flatten)]
    pub store: StoreArgs,
}

/// Which assignments make up the network.
#[derive(Debug, Args)]
pub struct Selection {
    /// Only this document (its id, as in the `document` column of queries).
    #[arg(long, value_name = "ID")]
    pub document: Option<String>,

    /// Only documents of this jurisdiction, e.g. 厦门市.
    #[arg(long, value_name = "PLACE")]
    pub jurisdiction: Option<String>,

    /// Count key tasks only (by default safeguard measures count too).
    #[arg(long)]
    pub key_tasks_only: bool,

    /// Leave out collective actors such as 各区政府 (by default they are kept
    /// and marked by their kind).
    #[arg(long)]
    pub without_collectives: bool,
}

impl Selection {
    /// As network options.
    #[must_use]
    pub fn options(&self) -> crate::network::Options {
        crate::network::Options {
            key_tasks_only: self.key_tasks_only,
            without_collectives: self.without_collectives,
            document: self.document.clone(),
            jurisdiction: self.jurisdiction.clone(),
        }
    }
}

/// Arguments of `report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Show only the first N units (all by default).
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,

    /// Rank by this measure (descending; constraint ascending).
    #[arg(long, value_enum, default_value_t = SortKey::Items)]
    pub sort: SortKey,

    /// Output format; csv and json carry every measure.
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,

    /// Also write a self-contained HTML page (table, bar chart, network
    /// drawing) to FILE.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,

    #[command(flatten)]
    pub selection: Selection,

    #[command(flatten)]
    pub remote: Remote,

    #[command(flatten)]
    pub store: StoreArgs,
}

/// Arguments of `network`.
#[derive(Debug, Args)]
pub struct NetworkArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = FiguresFormat::Table)]
    pub format: FiguresFormat,

    #[command(flatten)]
    pub selection: Selection,

    #[command(flatten)]
    pub store: StoreArgs,
}

/// Output formats of `network`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FiguresFormat {
    /// Aligned tables.
    Table,
    /// JSON.
    Json,
}

fn parse_param(text: &str) -> Result<(String, String), String> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| format!("expected NAME=VALUE, got `{text}`"))?;
    let name = name.trim().trim_start_matches(['?', '$']);
    if name.is_empty() {
        return Err(format!("expected NAME=VALUE, got `{text}`"));
    }
    Ok((name.to_owned(), value.to_owned()))
}

/// A count or a number of seconds where 0 means nothing (a server with no
/// worker, a limit of no seconds): refused at parse time.
fn at_least_one(text: &str) -> Result<u64, String> {
    match text.parse::<u64>() {
        Ok(0) => Err("0 is not allowed here; give 1 or more".to_owned()),
        Ok(n) => Ok(n),
        Err(e) => Err(e.to_string()),
    }
}

fn at_least_one_usize(text: &str) -> Result<usize, String> {
    at_least_one(text).and_then(|n| usize::try_from(n).map_err(|e| e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn params_split_at_the_first_equals_sign() {
        assert_eq!(parse_param("unit=a=b"), Ok(("unit".into(), "a=b".into())));
        assert!(parse_param("unit").is_err());
    }
}
