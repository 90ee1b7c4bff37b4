//! SPARQL in one place: where queries run (the [`Sparql`] trait, for the
//! local store; the remote endpoint is in [`crate::endpoint`]), how a query
//! is checked and prepared (size bounds, parsing, parameters bound as
//! literals), its errors, and the summary counts every command prints.

mod deadline;

pub use deadline::{Deadline, Guard};
use oxigraph::model::{Literal, Term, Variable};
use oxigraph::sparql::{CancellationToken, QueryResults, QuerySolution, SparqlEvaluator};
use oxigraph::store::Store;
use spargebra::algebra::GraphPattern;
use spargebra::term::GroundTerm;
use spargebra::{Query, SparqlParser};

/// The rows of a SELECT answer, pulled one at a time, so that a large
/// answer is never held whole. A row that cannot be read is an error in
/// its place; the rows after it are not to be trusted.
pub type Rows<'a> = Box<dyn Iterator<Item = Result<QuerySolution, QueryError>> + 'a>;

/// A place SELECT queries run.
pub trait Sparql {
    /// Runs a SELECT query over the union of all graphs and returns its
    /// rows as they come.
    ///
    /// # Errors
    ///
    /// Syntax, evaluation or transport errors, here or in the rows.
    fn rows(&self, origin: &str, sparql: &str) -> Result<Rows<'_>, QueryError>;

    /// Runs a SELECT query over the union of all graphs and returns its rows.
    ///
    /// # Errors
    ///
    /// As for [`Sparql::rows`].
    fn select(&self, origin: &str, sparql: &str) -> Result<Vec<QuerySolution>, QueryError> {
        self.rows(origin, sparql)?.collect()
    }

    /// How many triples (quads) the dataset holds (remotely: in named
    /// graphs, where `push` puts them).
    ///
    /// # Errors
    ///
    /// As for [`Sparql::select`].
    fn triples(&self) -> Result<u64, QueryError>;

    /// The summary's counts when they are known without a query (kept
    /// beside a local store).
    ///
    /// # Errors
    ///
    /// A damaged store.
    fn kept_summary(&self) -> Result<Option<Summary>, QueryError> {
        Ok(None)
    }
}

impl Sparql for Store {
    fn rows(&self, origin: &str, sparql: &str) -> Result<Rows<'_>, QueryError> {
        let oxigraph::sparql::QueryResults::Solutions(solutions) =
            execute(self, origin, sparql, &[])?
        else {
            return Err(QueryError::Evaluation {
                origin: origin.to_owned(),
                cause: "expected a SELECT query".into(),
            });
        };
        let origin = origin.to_owned();
        Ok(Box::new(solutions.map(move |solution| {
            solution.map_err(|e| QueryError::Evaluation {
                origin: origin.clone(),
                cause: e.into(),
            })
        })))
    }

    fn triples(&self) -> Result<u64, QueryError> {
        self.len()
            .map(|n| n as u64)
            .map_err(|e| QueryError::Evaluation {
                origin: "counting triples".to_owned(),
                cause: e.into(),
            })
    }
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
    #[error("{origin}: {cause}")]
    Evaluation {
        /// Where the query came from.
        origin: String,
        /// What went wrong: the engine's, the store's or the remote
        /// server's error, kept whole (downcast it to tell them apart).
        /// Its text is already in this error's message, so it is not also
        /// given as the `source()`, which would print it twice in a chain.
        cause: Box<dyn std::error::Error + Send + Sync>,
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

/// Parses and evaluates `sparql` over the union of all graphs, with
/// `params` bound as plain literals (never pasted into the text).
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
    evaluate(store, origin, sparql, Some(graph), &[], None)
}

/// Checks, parses and evaluates a query: the one path every local query
/// takes (size bounds, the union of all graphs as default graph, each
/// parameter bound as a plain literal, an optional cancellation token).
///
/// # Errors
///
/// Syntax and evaluation errors, and [`QueryError::TooComplex`].
pub fn prepare(
    store: &Store,
    origin: &str,
    sparql: &str,
    params: &[(String, String)],
    token: Option<CancellationToken>,
) -> Result<QueryResults<'static>, QueryError> {
    evaluate(store, origin, sparql, None, params, token)
}

/// [`prepare`] and [`execute_in_graph`]: the default graph is `graph`, or
/// the union of all graphs.
fn evaluate(
    store: &Store,
    origin: &str,
    sparql: &str,
    graph: Option<&oxigraph::model::NamedNode>,
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
    match graph {
        Some(graph) => prepared
            .dataset_mut()
            .set_default_graph(vec![graph.clone().into()]),
        None => prepared.dataset_mut().set_default_graph_as_union(),
    }
    for (name, value) in params {
        let variable = parameter(name)?;
        prepared = prepared.substitute_variable(variable, Literal::new_simple_literal(value));
    }
    prepared
        .on_store(store)
        .execute()
        .map_err(|e| QueryError::Evaluation {
            origin: origin.to_owned(),
            cause: e.into(),
        })
}

/// Binds `params` in `sparql` for an endpoint that knows nothing of our
/// parameters: the query is parsed, each value joined in as a one-row
/// `VALUES` at the heart of its WHERE clause (inside its filters, so they
/// see the value), and written back as SPARQL. The values stay literals;
/// they are never pasted into the text as SPARQL.
///
/// # Errors
///
/// Syntax errors, and invalid parameter names.
pub fn bind_params(
    origin: &str,
    sparql: &str,
    params: &[(String, String)],
) -> Result<String, QueryError> {
    let query = SparqlParser::new()
        .parse_query(sparql)
        .map_err(|e| QueryError::syntax(origin, sparql, &e))?;
    if params.is_empty() {
        return Ok(sparql.to_owned());
    }
    let mut variables = Vec::new();
    let mut row = Vec::new();
    for (name, value) in params {
        variables.push(parameter(name)?);
        row.push(Some(GroundTerm::Literal(Literal::new_simple_literal(
            value,
        ))));
    }
    let values = GraphPattern::Values {
        variables,
        bindings: vec![row],
    };
    let query = match query {
        Query::Select {
            dataset,
            pattern,
            base_iri,
        } => Query::Select {
            dataset,
            pattern: join_values(pattern, values),
            base_iri,
        },
        Query::Ask {
            dataset,
            pattern,
            base_iri,
        } => Query::Ask {
            dataset,
            pattern: join_values(pattern, values),
            base_iri,
        },
        Query::Construct {
            template,
            dataset,
            pattern,
            base_iri,
        } => Query::Construct {
            template,
            dataset,
            pattern: join_values(pattern, values),
            base_iri,
        },
        Query::Describe {
            dataset,
            pattern,
            base_iri,
        } => Query::Describe {
            dataset,
            pattern: join_values(pattern, values),
            base_iri,
        },
    };
    Ok(query.to_string())
}

/// Joins `values` under the solution modifiers, aggregates, filters and
/// binds of the top level, so that everything above sees the bound value.
fn join_values(pattern: GraphPattern, values: GraphPattern) -> GraphPattern {
    let inner = |p: Box<GraphPattern>| Box::new(join_values(*p, values.clone()));
    match pattern {
        GraphPattern::Slice {
            inner: i,
            start,
            length,
        } => GraphPattern::Slice {
            inner: inner(i),
            start,
            length,
        },
        GraphPattern::Distinct { inner: i } => GraphPattern::Distinct { inner: inner(i) },
        GraphPattern::Reduced { inner: i } => GraphPattern::Reduced { inner: inner(i) },
        GraphPattern::Project {
            inner: i,
            variables,
        } => GraphPattern::Project {
            inner: inner(i),
            variables,
        },
        GraphPattern::OrderBy {
            inner: i,
            expression,
        } => GraphPattern::OrderBy {
            inner: inner(i),
            expression,
        },
        GraphPattern::Group {
            inner: i,
            variables,
            aggregates,
        } => GraphPattern::Group {
            inner: inner(i),
            variables,
            aggregates,
        },
        GraphPattern::Extend {
            inner: i,
            variable,
            expression,
        } => GraphPattern::Extend {
            inner: inner(i),
            variable,
            expression,
        },
        GraphPattern::Filter { expr, inner: i } => GraphPattern::Filter {
            expr,
            inner: inner(i),
        },
        other => GraphPattern::Join {
            left: Box::new(values),
            right: Box::new(other),
        },
    }
}

/// The counts of the one-line summary: documents, items, assignments and
/// units. Each document, item and assignment belongs to one graph, so the
/// counts on each graph add up (the kept answers rely on it).
pub const SUMMARY_COUNTS: &str = "PREFIX pkg: <https://w3id.org/policykg/ontology#>
SELECT
  (COUNT(DISTINCT ?doc) AS ?documents) (COUNT(DISTINCT ?item) AS ?items)
  (COUNT(DISTINCT ?assignment) AS ?assignments) (COUNT(DISTINCT ?unit) AS ?units)
WHERE {
  { ?doc a pkg:SourceDocument }
  UNION { ?item pkg:inPlan ?plan }
  UNION { ?assignment pkg:unit ?unit }
}";

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
pub fn summary(source: &dyn Sparql) -> Result<Summary, QueryError> {
    if let Some(kept) = source.kept_summary()? {
        return Ok(kept);
    }
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
    if let Some(row) = source.select("summary", SUMMARY_COUNTS)?.first() {
        s.documents = count(row, "documents");
        s.items = count(row, "items");
        s.assignments = count(row, "assignments");
        s.units = count(row, "units");
    }
    s.triples = source.triples()?;
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bound_parameters_are_seen_by_filters_and_stay_literals() {
        let store = Store::new().expect("store");
        let text = r#"SELECT ?unit ?n WHERE { VALUES ?n { 1 } FILTER(STR(?unit) = "x\" } <a") }"#;
        let bound = bind_params("test", text, &[("unit".to_owned(), "x\" } <a".to_owned())])
            .expect("binds");
        let rows = store.select("test", &bound).expect("runs");
        assert_eq!(rows.len(), 1, "{bound}");
        assert_eq!(
            rows[0].get("unit"),
            Some(&Term::Literal(Literal::new_simple_literal("x\" } <a")))
        );
    }
}
