//! Query results serialised in the negotiated format, whole, so that a
//! failure can still change the status.

use super::Failure;
use super::negotiate::{Accept, GraphFormat, SolutionsFormat};
use oxhttp::model::StatusCode;
use oxigraph::io::RdfSerializer;
use oxigraph::sparql::QueryResults;
use oxigraph::sparql::results::QueryResultsSerializer;

pub(super) fn evaluation(origin: &str, e: &oxigraph::sparql::QueryEvaluationError) -> Failure {
    let message = e.to_string();
    if message.contains("federated queries are disabled") {
        Failure::new(
            StatusCode::FORBIDDEN,
            "SERVICE (federated query) is disabled: this endpoint makes no outbound requests",
        )
    } else {
        Failure::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("{origin}: {message}"),
        )
    }
}

/// A serialised result.
pub(super) struct Answer {
    pub(super) media: &'static str,
    pub(super) body: Vec<u8>,
}

/// Serialises the whole result, failing past `max_rows`.
pub(super) fn serialize(
    results: QueryResults<'static>,
    accept: &Accept,
    max_rows: usize,
    origin: &str,
) -> Result<Answer, Failure> {
    let eval = |e: oxigraph::sparql::QueryEvaluationError| evaluation(origin, &e);
    let too_many = || {
        Failure::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            format!(
                "the result has more than {max_rows} rows, the limit of this endpoint; add a LIMIT (and page with OFFSET)"
            ),
        )
    };
    let io = |e: std::io::Error| Failure::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string());
    let mut out = Vec::new();
    let media = match results {
        QueryResults::Solutions(solutions) => {
            let format = accept
                .solutions()
                .ok_or_else(|| not_acceptable(accept, false))?;
            let SolutionsFormat(format) = format;
            let mut writer = QueryResultsSerializer::from_format(format)
                .serialize_solutions_to_writer(&mut out, solutions.variables().to_vec())
                .map_err(io)?;
            for (n, solution) in solutions.enumerate() {
                if n >= max_rows {
                    return Err(too_many());
                }
                writer.serialize(&solution.map_err(eval)?).map_err(io)?;
            }
            writer.finish().map_err(io)?;
            format.media_type()
        }
        QueryResults::Boolean(value) => {
            let SolutionsFormat(format) = accept
                .solutions()
                .ok_or_else(|| not_acceptable(accept, false))?;
            QueryResultsSerializer::from_format(format)
                .serialize_boolean_to_writer(&mut out, value)
                .map_err(io)?;
            format.media_type()
        }
        QueryResults::Graph(triples) => {
            let GraphFormat(format) = accept.graph().ok_or_else(|| not_acceptable(accept, true))?;
            let mut serializer = RdfSerializer::from_format(format);
            for (prefix, iri) in crate::vocab::PREFIXES {
                serializer = serializer
                    .with_prefix(*prefix, *iri)
                    .map_err(|e| Failure::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
            }
            let mut writer = serializer.for_writer(&mut out);
            for (n, triple) in triples.enumerate() {
                if n >= max_rows {
                    return Err(too_many());
                }
                writer
                    .serialize_triple(&triple.map_err(eval)?)
                    .map_err(io)?;
            }
            writer.finish().map_err(io)?;
            format.media_type()
        }
    };
    Ok(Answer { media, body: out })
}

pub(super) fn not_acceptable(accept: &Accept, graph: bool) -> Failure {
    Failure::new(
        StatusCode::NOT_ACCEPTABLE,
        format!(
            "cannot answer as {}; {}",
            accept.asked(),
            if graph {
                "graph results come as text/turtle, application/n-triples, application/n-quads, application/trig, application/ld+json or application/rdf+xml"
            } else {
                "rows come as application/sparql-results+json, application/sparql-results+xml, text/csv or text/tab-separated-values"
            }
        ),
    )
}
