//! One query as a worker runs it: the text, its parameters, its dataset and
//! the format asked for, sent whole to a worker thread or a worker process,
//! and run there from parsing to the serialised answer.

use super::Failure;
use super::guard::{NoFederation, prepared_pattern, uses_service};
use super::negotiate::Accept;
use super::results::{Answer, evaluation, serialize};
use oxhttp::model::StatusCode;
use oxigraph::model::{Literal, NamedNode, Variable};
use oxigraph::sparql::{CancellationToken, PreparedSparqlQuery, SparqlEvaluator};
use oxigraph::store::Store;
use serde::{Deserialize, Serialize};

/// A query to evaluate, with all it needs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Job {
    /// Where the query comes from, for messages (`query`, `queries/NAME.rq`).
    pub(super) origin: String,
    pub(super) sparql: String,
    /// Variables bound to plain literals (a named query's parameters).
    pub(super) params: Vec<(String, String)>,
    pub(super) dataset: Dataset,
    pub(super) accept: Accept,
    pub(super) max_rows: usize,
}

impl Job {
    /// Parses, guards, binds and evaluates the query on `store` and
    /// serialises the whole answer. Parsing, the guard's walk and dropping
    /// the parsed query recurse as deep as the query nests: run this on a
    /// thread with a stack of [`crate::sparql::STACK_BYTES`].
    pub(super) fn run(self, store: &Store, token: CancellationToken) -> Result<Answer, Failure> {
        let evaluator = SparqlEvaluator::new()
            .with_default_service_handler(NoFederation)
            .with_cancellation_token(token);
        let origin = self.origin;
        let mut prepared = evaluator.parse_query(&self.sparql).map_err(|e| {
            Failure::bad_request(format!("{origin}: the query is not valid SPARQL: {e}"))
        })?;
        if uses_service(prepared_pattern(&self.sparql).as_ref()) {
            return Err(Failure::new(
                StatusCode::FORBIDDEN,
                "SERVICE (federated query) is disabled: this endpoint makes no outbound requests",
            ));
        }
        self.dataset.apply(&mut prepared);
        for (name, value) in self.params {
            let variable = Variable::new(name.as_str())
                .map_err(|_| Failure::bad_request(format!("`{name}` is not a variable name")))?;
            prepared = prepared.substitute_variable(variable, Literal::new_simple_literal(value));
        }
        let results = prepared
            .on_store(store)
            .execute()
            .map_err(|e| evaluation(&origin, &e))?;
        serialize(results, &self.accept, self.max_rows, &origin)
    }
}

/// IRIs checked when the request was read.
fn iris<T: From<NamedNode>>(iris: &[String]) -> Vec<T> {
    iris.iter()
        .map(|iri| NamedNode::new_unchecked(iri.as_str()).into())
        .collect()
}

/// Which graphs a protocol query reads.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) enum Dataset {
    /// All graphs, merged (the store's default, as in `policykg query`).
    Union,
    /// `default-graph-uri` and `named-graph-uri` from the request, checked
    /// to be IRIs.
    Given {
        default: Vec<String>,
        named: Vec<String>,
    },
}

impl Dataset {
    pub(super) fn from_params(params: &[(String, String)]) -> Result<Self, Failure> {
        let iris = |key: &str| -> Result<Vec<String>, Failure> {
            params
                .iter()
                .filter(|(k, _)| k == key)
                .map(|(_, v)| {
                    NamedNode::new(v.as_str())
                        .map(NamedNode::into_string)
                        .map_err(|e| Failure::bad_request(format!("{key}={v}: not an IRI: {e}")))
                })
                .collect()
        };
        let (default, named) = (iris("default-graph-uri")?, iris("named-graph-uri")?);
        Ok(if default.is_empty() && named.is_empty() {
            Self::Union
        } else {
            Self::Given { default, named }
        })
    }

    fn apply(&self, prepared: &mut PreparedSparqlQuery) {
        match self {
            Self::Union => {
                // A query's own FROM / FROM NAMED is kept.
                if prepared.dataset().is_default_dataset() {
                    prepared.dataset_mut().set_default_graph_as_union();
                }
            }
            Self::Given { default, named } => {
                let dataset = prepared.dataset_mut();
                dataset.set_default_graph(iris(default));
                if !named.is_empty() {
                    dataset.set_available_named_graphs(iris(named));
                }
            }
        }
    }
}
