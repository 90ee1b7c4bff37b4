//! Graphviz DOT of the co-responsibility network, for `neato` or `fdp`.

use super::node_id;
use crate::network::{Network, UnitMeasures};
use petgraph::visit::EdgeRef;
use std::collections::BTreeMap;
use std::fmt::Write as _;

fn quote(text: &str) -> String {
    format!(
        "\"{}\"",
        text.replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('\n', " ")
    )
}

/// The network as an undirected DOT graph: node labels are unit names, node
/// width grows with items, edge pen width with shared items.
#[must_use]
pub fn co_responsibility(network: &Network, units: &[UnitMeasures]) -> String {
    let by_iri: BTreeMap<&str, &UnitMeasures> =
        units.iter().map(|m| (m.unit.as_str(), m)).collect();
    let mut out = String::from(
        "graph co_responsibility {\n  graph [overlap=false, splines=true];\n  node [shape=circle, style=filled, fillcolor=\"#dbe7f3\", fontname=\"Noto Sans CJK SC\"];\n",
    );
    for unit in &network.units {
        let items = by_iri.get(unit.iri.as_str()).map_or(0, |m| m.items);
        let _ = writeln!(
            out,
            "  {} [label={}, width={:.2}];",
            quote(&node_id(&unit.iri)),
            quote(&unit.label),
            0.4 + 0.15 * (items as f64).sqrt()
        );
    }
    for e in network.graph.edge_references() {
        let _ = writeln!(
            out,
            "  {} -- {} [weight={}, penwidth={:.2}];",
            quote(&node_id(&network.units[e.source().index()].iri)),
            quote(&node_id(&network.units[e.target().index()].iri)),
            e.weight(),
            0.5 + e.weight()
        );
    }
    out.push_str("}\n");
    out
}
