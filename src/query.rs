//! Named queries from `queries/` with their parameters, a query run under a
//! time limit, and results as an aligned table or a W3C results format.
//! Checking, parsing and evaluating are [`crate::sparql`]'s.

use crate::sparql::{Deadline, QueryError, prepare};
use crate::table::Table;
use crate::vocab::PREFIXES;
use oxigraph::io::{RdfFormat, RdfSerializer};
use oxigraph::model::{Term, Variable};
use oxigraph::sparql::results::{QueryResultsFormat, QueryResultsSerializer};
use oxigraph::sparql::{CancellationToken, QueryResults};
use oxigraph::store::Store;
use std::io::Write;

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

/// Runs `sparql` on `store` with `params` bound as plain literals (never
/// pasted into the text) over the union of all graphs, and writes the
/// results to `out`, stopping the query at `deadline` (if any).
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
    deadline: Option<Deadline>,
    out: &mut dyn Write,
) -> Result<(), QueryError> {
    let token = CancellationToken::new();
    let _cancel = deadline.map(|deadline| deadline.cancel_at(token.clone()));
    let result = prepare(store, origin, sparql, params, Some(token.clone()))
        .and_then(|results| write_results(results, origin, format, out));
    match (result, deadline) {
        (Err(QueryError::Evaluation { .. } | QueryError::Io(_)), Some(deadline))
            if token.is_cancelled() =>
        {
            Err(QueryError::Timeout {
                origin: origin.to_owned(),
                seconds: deadline.limit().as_secs(),
            })
        }
        (result, _) => result,
    }
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
        cause: e.into(),
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
            // Triples, not rows: the --format that names a family of
            // syntaxes picks its RDF one.
            let syntax = match format {
                OutputFormat::Table => RdfFormat::Turtle,
                OutputFormat::Json => RdfFormat::JsonLd {
                    profile: oxigraph::io::JsonLdProfileSet::empty(),
                },
                OutputFormat::Xml => RdfFormat::RdfXml,
                OutputFormat::Csv | OutputFormat::Tsv => {
                    return Err(QueryError::Params(format!(
                        "{origin}: a CONSTRUCT or DESCRIBE query gives triples, not rows: use --format table (Turtle), json (JSON-LD) or xml (RDF/XML)"
                    )));
                }
            };
            let mut serializer = RdfSerializer::from_format(syntax);
            for (prefix, iri) in PREFIXES {
                serializer =
                    serializer
                        .with_prefix(*prefix, *iri)
                        .map_err(|e| QueryError::Evaluation {
                            origin: origin.to_owned(),
                            cause: e.into(),
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
