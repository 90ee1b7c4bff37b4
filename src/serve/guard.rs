//! The federation guard: `SERVICE` refused before evaluation, wherever it
//! stands in the query, and a service handler that refuses behind it.

use oxigraph::model::NamedNode;
use oxigraph::sparql::{DefaultServiceHandler, QuerySolutionIter};
use spargebra::algebra::GraphPattern;

/// Refuses every `SERVICE` call (a second guard behind the check of the
/// parsed query, for patterns the check cannot see).
pub(super) struct NoFederation;

impl DefaultServiceHandler for NoFederation {
    type Error = std::io::Error;

    fn handle(
        &self,
        service_name: &NamedNode,
        _pattern: &GraphPattern,
        _base_iri: Option<&oxiri::Iri<String>>,
    ) -> Result<QuerySolutionIter<'static>, Self::Error> {
        Err(std::io::Error::other(format!(
            "SERVICE <{}> refused: federated queries are disabled",
            service_name.as_str()
        )))
    }
}

/// The parsed query's WHERE pattern, for checks before evaluation.
pub(super) fn prepared_pattern(sparql: &str) -> Option<GraphPattern> {
    match spargebra::SparqlParser::new().parse_query(sparql).ok()? {
        spargebra::Query::Select { pattern, .. }
        | spargebra::Query::Ask { pattern, .. }
        | spargebra::Query::Construct { pattern, .. }
        | spargebra::Query::Describe { pattern, .. } => Some(pattern),
    }
}

/// Whether a pattern calls a `SERVICE` anywhere: sub-queries included, and
/// the patterns of `EXISTS` / `NOT EXISTS` in any expression (a FILTER, a
/// BIND, an OPTIONAL's condition, ORDER BY, an aggregate), where a refused
/// call would otherwise quietly read as "does not exist".
pub(super) fn uses_service(pattern: Option<&GraphPattern>) -> bool {
    let Some(pattern) = pattern else {
        return false;
    };
    let any = |patterns: &[&GraphPattern]| patterns.iter().any(|p| uses_service(Some(p)));
    match pattern {
        GraphPattern::Service { .. } => true,
        GraphPattern::Bgp { .. } | GraphPattern::Path { .. } | GraphPattern::Values { .. } => false,
        GraphPattern::LeftJoin {
            left,
            right,
            expression,
        } => any(&[left, right]) || expression.as_ref().is_some_and(expression_uses_service),
        GraphPattern::Join { left, right }
        | GraphPattern::Lateral { left, right }
        | GraphPattern::Union { left, right }
        | GraphPattern::Minus { left, right } => any(&[left, right]),
        GraphPattern::Filter { expr, inner } => {
            expression_uses_service(expr) || uses_service(Some(inner))
        }
        GraphPattern::Extend {
            inner, expression, ..
        } => expression_uses_service(expression) || uses_service(Some(inner)),
        GraphPattern::OrderBy { inner, expression } => {
            expression.iter().any(|e| match e {
                spargebra::algebra::OrderExpression::Asc(e)
                | spargebra::algebra::OrderExpression::Desc(e) => expression_uses_service(e),
            }) || uses_service(Some(inner))
        }
        GraphPattern::Group {
            inner, aggregates, ..
        } => {
            aggregates.iter().any(|(_, a)| match a {
                spargebra::algebra::AggregateExpression::FunctionCall { expr, .. } => {
                    expression_uses_service(expr)
                }
                spargebra::algebra::AggregateExpression::CountSolutions { .. } => false,
            }) || uses_service(Some(inner))
        }
        GraphPattern::Graph { inner, .. }
        | GraphPattern::Project { inner, .. }
        | GraphPattern::Distinct { inner }
        | GraphPattern::Reduced { inner }
        | GraphPattern::Slice { inner, .. } => uses_service(Some(inner)),
    }
}

/// Whether an expression holds an `EXISTS` whose pattern calls a `SERVICE`.
fn expression_uses_service(expression: &spargebra::algebra::Expression) -> bool {
    use spargebra::algebra::Expression as E;
    match expression {
        E::Exists(pattern) => uses_service(Some(pattern)),
        E::NamedNode(_) | E::Literal(_) | E::Variable(_) | E::Bound(_) => false,
        E::Or(a, b)
        | E::And(a, b)
        | E::Equal(a, b)
        | E::SameTerm(a, b)
        | E::Greater(a, b)
        | E::GreaterOrEqual(a, b)
        | E::Less(a, b)
        | E::LessOrEqual(a, b)
        | E::Add(a, b)
        | E::Subtract(a, b)
        | E::Multiply(a, b)
        | E::Divide(a, b) => expression_uses_service(a) || expression_uses_service(b),
        E::UnaryPlus(a) | E::UnaryMinus(a) | E::Not(a) => expression_uses_service(a),
        E::If(a, b, c) => [a, b, c].iter().any(|e| expression_uses_service(e)),
        E::In(a, list) => expression_uses_service(a) || list.iter().any(expression_uses_service),
        E::Coalesce(list) | E::FunctionCall(_, list) => list.iter().any(expression_uses_service),
    }
}
