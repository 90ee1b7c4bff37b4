//! SPARQL over the store: named queries from `queries/`, safe parameter
//! binding, and results as an aligned table or a W3C results format.

use crate::table::Table;
use crate::vocab::PREFIXES;
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{Literal, Term, Variable};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{CancellationToken, QueryResults, SparqlEvaluator};
use oxigraph::store::Store;
use std::io::Write;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// A query shipped in `queries/`, compiled into the binary.
#[derive(Debug, Clone, Copy)]
pub struct NamedQuery {
    /// Name (file stem).
    pub name: &'static str,
    /// SPARQL text.
    pub text: &'static str,
}

macro_rules! named {
    ($($name:literal),* $(,)?) => {
        &[$(NamedQuery { name: $name, text: include_str!(concat!("../queries/", $name, ".rq")) }),*]
    };
}

/// Every named query (a test checks this matches the files in `queries/`).
pub const NAMED: &[NamedQuery] = named![
    "assignments",
    "bureaus-by-involvement",
    "co-responsible-pairs",
    "documents",
    "institutions",
    "lists",
    "outline",
    "tasks-by-technology",
    "tasks-of-unit",
    "technologies-by-task",
    "units",
    "units-by-technology",
    "unresolved",
    "web-annotation",
];

impl NamedQuery {
    /// Looks a query up by name.
    #[must_use]
    pub fn find(name: &str) -> Option<Self> {
        NAMED.iter().find(|q| q.name == name).copied()
    }

    /// The one-line question from the `# Question:` header.
    #[must_use]
    pub fn question(&self) -> &'static str {
        header(self.text, "Question:").next().unwrap_or("")
    }

    /// Parameter names from `# Param: NAME = description` headers.
    pub fn params(&self) -> impl Iterator<Item = (&'static str, &'static str)> {
        header(self.text, "Param:").map(|p| {
            let (name, doc) = p.split_once('=').unwrap_or((p, ""));
            (name.trim(), doc.trim())
        })
    }
}

fn header<'a>(text: &'a str, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    text.lines()
        .take_while(|l| l.starts_with('#'))
        .filter_map(move |l| l.trim_start_matches('#').trim().strip_prefix(key))
        .map(str::trim)
}

/// How to print results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// An aligned table for the terminal.
    Table,
    /// SPARQL 1.1 CSV results.
    Csv,
    /// SPARQL 1.1 TSV results.
    Tsv,
    /// SPARQL 1.1 JSON results.
    Json,
    /// SPARQL XML results.
    Xml,
}

/// Errors from running a query.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// The SPARQL does not parse.
    #[error(
        "{origin}: the query is not valid SPARQL: {message}{}",
        caret(query, message)
    )]
    Syntax {
        /// The query text.
        query: String,
        /// Where the query came from.
        origin: String,
        /// The parser's message, with its position.
        message: String,
    },
    /// A parameter is missing or unknown.
    #[error("{0}")]
    Params(String),
    /// The query nests deeper, or chains more operators, than evaluation
    /// can take without exhausting a thread's stack.
    #[error(
        "{origin}: the query {what}; this tool takes at most {limit}: flatten it or split it into several queries"
    )]
    TooComplex {
        /// Where the query came from.
        origin: String,
        /// What is too much, as a phrase.
        what: String,
        /// The bound.
        limit: usize,
    },
    /// The query ran past its time limit and was stopped.
    #[error(
        "{origin}: the query ran longer than --timeout {seconds} s and was stopped; narrow it (a LIMIT, a more specific pattern) or raise --timeout (0 for no limit)"
    )]
    Timeout {
        /// Where the query came from.
        origin: String,
        /// The limit.
        seconds: u64,
    },
    /// Evaluation failed.
    #[error("{origin}: {message}")]
    Evaluation {
        /// Where the query came from.
        origin: String,
        /// What went wrong.
        message: String,
    },
    /// Writing the output failed.
    #[error("cannot write the results")]
    Io(#[from] std::io::Error),
}

impl QueryError {
    /// A syntax error in `query`, from `origin`.
    pub(crate) fn syntax(origin: &str, query: &str, error: &dyn std::fmt::Display) -> Self {
        Self::Syntax {
            query: query.to_owned(),
            origin: origin.to_owned(),
            message: error.to_string(),
        }
    }
}

/// The stack of a thread that evaluates queries (the command line's and
/// each server worker's): enough for a query at the bounds below, with
/// room to spare. Only the pages touched are used.
pub const STACK_BYTES: usize = 256 << 20;

/// The deepest nesting of brackets (`{`, `(`, `[`) a query may have.
pub const MAX_NESTING: usize = 256;

/// The most operators (`UNION`, path steps `/` `|` `^`, `&&`, `||`,
/// arithmetic) a query may chain: each is a level of the parsed query.
pub const MAX_OPERATORS: usize = 4096;

/// Refuses, before it is parsed, a query that nests brackets deeper than
/// [`MAX_NESTING`] or holds more than [`MAX_OPERATORS`] operators: parsing
/// and evaluating such a query recurse once per level and would overflow
/// the stack (1,000 nested groups, a 5,000-branch UNION or a 10,000-step
/// path did). The scan is lexical: strings, IRIs and comments are skipped.
///
/// # Errors
///
/// [`QueryError::TooComplex`].
pub fn check_size(origin: &str, sparql: &str) -> Result<(), QueryError> {
    let (depth, operators) = measure(sparql);
    let too = |what: String, limit: usize| QueryError::TooComplex {
        origin: origin.to_owned(),
        what,
        limit,
    };
    if depth > MAX_NESTING {
        return Err(too(
            format!("nests brackets {depth} levels deep"),
            MAX_NESTING,
        ));
    }
    if operators > MAX_OPERATORS {
        return Err(too(
            format!("chains {operators} operators (UNION, path steps, && || + - * /)"),
            MAX_OPERATORS,
        ));
    }
    Ok(())
}

/// The deepest bracket nesting and the number of operators of a query
/// text, outside strings, IRIs and comments.
fn measure(sparql: &str) -> (usize, usize) {
    let chars: Vec<char> = sparql.chars().collect();
    let (mut depth, mut deepest, mut operators) = (0usize, 0usize, 0usize);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '#' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '"' | '\'' => {
                let long = chars.get(i + 1) == Some(&c) && chars.get(i + 2) == Some(&c);
                i += if long { 3 } else { 1 };
                while i < chars.len() {
                    if chars[i] == '\\' {
                        i += 2;
                        continue;
                    }
                    if chars[i] == c
                        && (!long || (chars.get(i + 1) == Some(&c) && chars.get(i + 2) == Some(&c)))
                    {
                        i += if long { 2 } else { 0 };
                        break;
                    }
                    if !long && chars[i] == '\n' {
                        break;
                    }
                    i += 1;
                }
            }
            '<' => {
                // An IRI runs to `>` with none of these inside; else `<` is
                // the comparison.
                let end = chars[i + 1..]
                    .iter()
                    .position(|&d| d == '>' || d.is_whitespace() || "<\"{}|^`".contains(d));
                if let Some(n) = end
                    && chars[i + 1 + n] == '>'
                {
                    i += n + 1;
                }
            }
            '{' | '(' | '[' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            '}' | ')' | ']' => depth = depth.saturating_sub(1),
            '/' | '|' | '^' | '&' | '+' | '-' | '*' => operators += 1,
            'u' | 'U' => {
                let word: String = chars[i..chars.len().min(i + 5)].iter().collect();
                let before = i.checked_sub(1).map(|j| chars[j]);
                let after = chars.get(i + 5);
                if word.eq_ignore_ascii_case("union")
                    && !before.is_some_and(|b| b.is_alphanumeric() || "_?$:".contains(b))
                    && !after.is_some_and(|a| a.is_alphanumeric() || *a == '_' || *a == ':')
                {
                    operators += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    (deepest, operators)
}

/// The variable a `--param NAME=…` binds.
///
/// # Errors
///
/// A name that is not a SPARQL variable name.
pub(crate) fn parameter(name: &str) -> Result<Variable, QueryError> {
    Variable::new(name).map_err(|_| {
        QueryError::Params(format!(
            "--param {name}=…: `{name}` is not a valid SPARQL variable name"
        ))
    })
}

/// Runs `sparql` on `store` with `params` bound as plain literals (never
/// pasted into the text) over the union of all graphs, and writes the
/// results to `out`, stopping the query after `timeout` (if any).
///
/// # Errors
///
/// Syntax, evaluation and write errors, and [`QueryError::Timeout`].
pub fn run(
    store: &Store,
    origin: &str,
    sparql: &str,
    params: &[(String, String)],
    format: OutputFormat,
    timeout: Option<Duration>,
    out: &mut dyn Write,
) -> Result<(), QueryError> {
    let token = CancellationToken::new();
    let _watchdog = timeout.map(|limit| Watchdog::start(limit, token.clone()));
    let result = prepare(store, origin, sparql, params, Some(token.clone()))
        .and_then(|results| write_results(results, origin, format, out));
    match (result, timeout) {
        (Err(QueryError::Evaluation { .. } | QueryError::Io(_)), Some(limit))
            if token.is_cancelled() =>
        {
            Err(QueryError::Timeout {
                origin: origin.to_owned(),
                seconds: limit.as_secs(),
            })
        }
        (result, _) => result,
    }
}

/// Cancels a query when its time is up; dropping it (the query finished)
/// wakes and ends its thread at once.
struct Watchdog {
    done: Option<mpsc::Sender<()>>,
    thread: Option<thread::JoinHandle<()>>,
}

impl Watchdog {
    fn start(limit: Duration, token: CancellationToken) -> Self {
        let (done, finished) = mpsc::channel::<()>();
        let thread = thread::spawn(move || {
            if finished.recv_timeout(limit) == Err(mpsc::RecvTimeoutError::Timeout) {
                token.cancel();
            }
        });
        Self {
            done: Some(done),
            thread: Some(thread),
        }
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        drop(self.done.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A line under the query pointing at the column a syntax error names
/// (`error at 2:7`).
fn caret(query: &str, message: &str) -> String {
    let Some((line, column)) = message.split("at ").nth(1).and_then(|rest| {
        let position = rest.split(':').take(2).collect::<Vec<_>>();
        Some((
            position.first()?.trim().parse::<usize>().ok()?,
            position.get(1)?.trim().parse::<usize>().ok()?,
        ))
    }) else {
        return String::new();
    };
    let Some(text) = query.lines().nth(line.saturating_sub(1)) else {
        return String::new();
    };
    let pad: usize = text
        .chars()
        .take(column.saturating_sub(1))
        .map(|c| unicode_width::UnicodeWidthChar::width(c).unwrap_or(1))
        .sum();
    format!("\n  {text}\n  {}^", " ".repeat(pad))
}

/// Parses and evaluates; see [`run`].
///
/// # Errors
///
/// Syntax and evaluation errors.
pub fn execute(
    store: &Store,
    origin: &str,
    sparql: &str,
    params: &[(String, String)],
) -> Result<QueryResults<'static>, QueryError> {
    prepare(store, origin, sparql, params, None)
}

/// Runs `sparql` with one named graph of `store` as its default graph.
///
/// # Errors
///
/// Syntax or evaluation errors.
pub fn execute_in_graph(
    store: &Store,
    origin: &str,
    sparql: &str,
    graph: &oxigraph::model::NamedNode,
) -> Result<QueryResults<'static>, QueryError> {
    check_size(origin, sparql)?;
    let mut prepared = SparqlEvaluator::new()
        .parse_query(sparql)
        .map_err(|e| QueryError::syntax(origin, sparql, &e))?;
    prepared
        .dataset_mut()
        .set_default_graph(vec![graph.clone().into()]);
    prepared
        .on_store(store)
        .execute()
        .map_err(|e| QueryError::Evaluation {
            origin: origin.to_owned(),
            message: e.to_string(),
        })
}

fn prepare(
    store: &Store,
    origin: &str,
    sparql: &str,
    params: &[(String, String)],
    token: Option<CancellationToken>,
) -> Result<QueryResults<'static>, QueryError> {
    // Oxigraph's HTTP client is not compiled in, so a SERVICE clause cannot
    // make this process call out.
    check_size(origin, sparql)?;
    let mut evaluator = SparqlEvaluator::new();
    if let Some(token) = token {
        evaluator = evaluator.with_cancellation_token(token);
    }
    let mut prepared = evaluator
        .parse_query(sparql)
        .map_err(|e| QueryError::syntax(origin, sparql, &e))?;
    prepared.dataset_mut().set_default_graph_as_union();
    for (name, value) in params {
        let variable = parameter(name)?;
        prepared = prepared.substitute_variable(variable, Literal::new_simple_literal(value));
    }
    prepared
        .on_store(store)
        .execute()
        .map_err(|e| QueryError::Evaluation {
            origin: origin.to_owned(),
            message: e.to_string(),
        })
}

/// Writes `results` in `format` (the table by display width).
///
/// # Errors
///
/// Evaluation and write errors.
pub fn write_results(
    results: QueryResults<'static>,
    origin: &str,
    format: OutputFormat,
    out: &mut dyn Write,
) -> Result<(), QueryError> {
    let eval = |e: oxigraph::sparql::QueryEvaluationError| QueryError::Evaluation {
        origin: origin.to_owned(),
        message: e.to_string(),
    };
    match results {
        QueryResults::Solutions(solutions) => {
            let variables: Vec<Variable> = solutions.variables().to_vec();
            if format == OutputFormat::Table {
                let mut table =
                    Table::new(variables.iter().map(|v| v.as_str().to_owned()).collect());
                for solution in solutions {
                    let solution = solution.map_err(eval)?;
                    table.push(
                        variables
                            .iter()
                            .map(|v| solution.get(v).map(display_term).unwrap_or_default())
                            .collect(),
                    );
                }
                table.write(out)?;
                return Ok(());
            }
            let mut writer = QueryResultsSerializer::from_format(results_format(format))
                .serialize_solutions_to_writer(out, variables)?;
            for solution in solutions {
                writer.serialize(&solution.map_err(eval)?)?;
            }
            writer.finish()?;
        }
        QueryResults::Boolean(value) => {
            if format == OutputFormat::Table {
                writeln!(out, "{value}")?;
            } else {
                QueryResultsSerializer::from_format(results_format(format))
                    .serialize_boolean_to_writer(out, value)?;
            }
        }
        QueryResults::Graph(triples) => {
            let mut serializer = RdfSerializer::from_format(RdfFormat::Turtle);
            for (prefix, iri) in PREFIXES {
                serializer =
                    serializer
                        .with_prefix(*prefix, *iri)
                        .map_err(|e| QueryError::Evaluation {
                            origin: origin.to_owned(),
                            message: e.to_string(),
                        })?;
            }
            let mut writer = serializer.for_writer(out);
            for triple in triples {
                writer.serialize_triple(&triple.map_err(eval)?)?;
            }
            writer.finish()?;
        }
    }
    Ok(())
}

fn results_format(format: OutputFormat) -> QueryResultsFormat {
    match format {
        OutputFormat::Csv => QueryResultsFormat::Csv,
        OutputFormat::Tsv => QueryResultsFormat::Tsv,
        OutputFormat::Xml => QueryResultsFormat::Xml,
        OutputFormat::Json | OutputFormat::Table => QueryResultsFormat::Json,
    }
}

/// A term as a person reads it: literals by value, IRIs with our prefixes.
#[must_use]
pub fn display_term(term: &Term) -> String {
    match term {
        Term::Literal(l) => l.value().to_owned(),
        Term::NamedNode(n) => PREFIXES
            .iter()
            .find_map(|(p, ns)| {
                n.as_str()
                    .strip_prefix(ns)
                    .map(|local| format!("{p}:{local}"))
            })
            .unwrap_or_else(|| n.as_str().to_owned()),
        other => other.to_string(),
    }
}

/// Counts for the one-line summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Source documents.
    pub documents: u64,
    /// Action items.
    pub items: u64,
    /// Assignments.
    pub assignments: u64,
    /// Distinct units in assignments.
    pub units: u64,
    /// All quads.
    pub triples: u64,
}

/// Whether the store holds at least one source document. Cheaper than
/// [`summary`], which counts every quad (a walk over the whole store for
/// the in-memory backend).
///
/// # Errors
///
/// Evaluation errors.
pub fn has_documents(store: &Store) -> Result<bool, QueryError> {
    const ANY: &str = "PREFIX pkg: <https://w3id.org/policykg/ontology#>
        ASK { ?doc a pkg:SourceDocument }";
    Ok(matches!(
        execute(store, "has documents", ANY, &[])?,
        QueryResults::Boolean(true)
    ))
}

/// Counts documents, items, assignments, units and quads.
///
/// # Errors
///
/// Evaluation errors.
pub fn summary(source: &dyn crate::endpoint::Sparql) -> Result<Summary, QueryError> {
    if let Some(kept) = source.kept_summary()? {
        return Ok(kept);
    }
    const COUNTS: &str = "PREFIX pkg: <https://w3id.org/policykg/ontology#>
        SELECT
          (COUNT(DISTINCT ?doc) AS ?documents) (COUNT(DISTINCT ?item) AS ?items)
          (COUNT(DISTINCT ?assignment) AS ?assignments) (COUNT(DISTINCT ?unit) AS ?units)
        WHERE {
          { ?doc a pkg:SourceDocument }
          UNION { ?item pkg:inPlan ?plan }
          UNION { ?assignment pkg:unit ?unit }
        }";
    let count = |solution: &oxigraph::sparql::QuerySolution, name: &str| {
        solution
            .get(name)
            .and_then(|t| match t {
                Term::Literal(l) => l.value().parse().ok(),
                _ => None,
            })
            .unwrap_or(0)
    };
    let mut s = Summary::default();
    if let Some(row) = source.select("summary", COUNTS)?.first() {
        s.documents = count(row, "documents");
        s.items = count(row, "items");
        s.assignments = count(row, "assignments");
        s.units = count(row, "units");
    }
    s.triples = source.triples()?;
    Ok(s)
}
