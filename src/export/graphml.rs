//! GraphML as the readers actually accept it: keys declared per domain
//! (never `for="all"`), only standard `attr.type`s, `label` and `weight` as
//! Gephi expects, no attribute named `id`, readable node ids; optionally
//! yFiles label keys so that yEd shows the names.

use super::{node_id, xml_escape};
use crate::network::{Network, UnitMeasures, number};
use petgraph::visit::EdgeRef;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Which network to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Which {
    /// Units linked by shared items (weight = shared items).
    CoResponsibility,
    /// Items and units, an edge per assignment (role, position).
    TwoMode,
}

#[derive(Clone, Copy)]
enum Type {
    Str,
    Int,
    Double,
    Bool,
}

impl Type {
    fn name(self) -> &'static str {
        match self {
            Self::Str => "string",
            Self::Int => "int",
            Self::Double => "double",
            Self::Bool => "boolean",
        }
    }
}

struct Doc {
    out: String,
    yed: bool,
}

impl Doc {
    fn new(yed: bool) -> Self {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        out.push_str("<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"");
        if yed {
            out.push_str(" xmlns:y=\"http://www.yworks.com/xml/graphml\"");
        }
        out.push_str(" xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n");
        Self { out, yed }
    }

    fn key(&mut self, domain: &str, name: &str, ty: Type) {
        let _ = writeln!(
            self.out,
            "  <key id=\"{domain}_{name}\" for=\"{domain}\" attr.name=\"{name}\" attr.type=\"{}\"/>",
            ty.name()
        );
    }

    /// Ends the key declarations (with yEd's label key when asked for) and
    /// opens the graph.
    fn open_graph(&mut self, id: &str) {
        if self.yed {
            self.out
                .push_str("  <key id=\"yed_node\" for=\"node\" yfiles.type=\"nodegraphics\"/>\n");
        }
        let _ = writeln!(self.out, "  <graph id=\"{id}\" edgedefault=\"undirected\">");
    }

    fn data(&mut self, domain: &str, name: &str, value: &str) {
        let _ = writeln!(
            self.out,
            "      <data key=\"{domain}_{name}\">{}</data>",
            xml_escape(value)
        );
    }

    fn yed_label(&mut self, label: &str) {
        if self.yed {
            let width = 20 + 14 * label.chars().count();
            let _ = writeln!(
                self.out,
                "      <data key=\"yed_node\"><y:ShapeNode><y:Geometry height=\"30.0\" width=\"{width}.0\"/><y:NodeLabel>{}</y:NodeLabel></y:ShapeNode></data>",
                xml_escape(label)
            );
        }
    }
}

/// The one-mode co-responsibility network with every unit attribute.
#[must_use]
pub fn co_responsibility(network: &Network, units: &[UnitMeasures], yed: bool) -> String {
    let mut d = Doc::new(yed);
    let node_keys: &[(&str, Type)] = &[
        ("label", Type::Str),
        ("name_zh", Type::Str),
        ("name_en", Type::Str),
        ("kind", Type::Str),
        ("collective", Type::Bool),
        ("items", Type::Int),
        ("first_listed", Type::Int),
        ("led", Type::Int),
        ("degree", Type::Int),
        ("strength", Type::Double),
        ("betweenness", Type::Double),
        ("betweenness_weighted", Type::Double),
        ("closeness", Type::Double),
        ("eigenvector", Type::Double),
        ("pagerank", Type::Double),
        ("clustering", Type::Double),
        ("core", Type::Int),
        ("constraint", Type::Double),
        ("effective_size", Type::Double),
        ("community", Type::Int),
    ];
    for &(name, ty) in node_keys {
        d.key("node", name, ty);
    }
    d.key("edge", "weight", Type::Double);
    d.key("edge", "label", Type::Str);
    d.key("edge", "items", Type::Str);
    d.open_graph("co-responsibility");
    let by_iri: BTreeMap<&str, &UnitMeasures> =
        units.iter().map(|m| (m.unit.as_str(), m)).collect();
    for unit in &network.units {
        let Some(m) = by_iri.get(unit.iri.as_str()) else {
            continue;
        };
        let _ = writeln!(d.out, "    <node id=\"{}\">", xml_escape(&node_id(&m.unit)));
        d.data("node", "label", &m.label);
        for (name, value) in [
            ("name_zh", &m.name_zh),
            ("name_en", &m.name_en),
            ("kind", &m.kind),
        ] {
            if let Some(v) = value {
                d.data("node", name, v);
            }
        }
        d.data(
            "node",
            "collective",
            if unit.is_collective() {
                "true"
            } else {
                "false"
            },
        );
        for (name, value) in [
            ("items", m.items),
            ("first_listed", m.first_listed),
            ("led", m.led),
            ("degree", m.degree),
        ] {
            d.data("node", name, &value.to_string());
        }
        for (name, value) in [
            ("strength", m.strength),
            ("betweenness", m.betweenness),
            ("betweenness_weighted", m.betweenness_weighted),
            ("closeness", m.closeness),
            ("eigenvector", m.eigenvector),
            ("pagerank", m.pagerank),
            ("clustering", m.clustering),
        ] {
            d.data("node", name, &number(value));
        }
        d.data("node", "core", &m.core.to_string());
        if let Some(c) = m.constraint {
            d.data("node", "constraint", &number(c));
        }
        if let Some(e) = m.effective_size {
            d.data("node", "effective_size", &number(e));
        }
        d.data("node", "community", &m.community.to_string());
        d.yed_label(&m.label);
        d.out.push_str("    </node>\n");
    }
    let shared = super::csv::shared_items(network);
    for (k, e) in network.graph.edge_references().enumerate() {
        let (a, b) = (e.source().index(), e.target().index());
        let _ = writeln!(
            d.out,
            "    <edge id=\"e{k}\" source=\"{}\" target=\"{}\">",
            xml_escape(&node_id(&network.units[a].iri)),
            xml_escape(&node_id(&network.units[b].iri))
        );
        d.data("edge", "weight", &number(*e.weight()));
        d.data("edge", "label", &number(*e.weight()));
        if let Some(items) = shared.get(&(a.min(b), a.max(b))) {
            d.data("edge", "items", &items.join(" "));
        }
        d.out.push_str("    </edge>\n");
    }
    d.out.push_str("  </graph>\n</graphml>\n");
    d.out
}

/// The two-mode network: items and units, an edge per assignment.
#[must_use]
pub fn two_mode(network: &Network, units: &[UnitMeasures], yed: bool) -> String {
    let mut d = Doc::new(yed);
    for (name, ty) in [
        ("label", Type::Str),
        ("type", Type::Str),
        ("bipartite", Type::Int),
        ("name_zh", Type::Str),
        ("name_en", Type::Str),
        ("kind", Type::Str),
        ("items", Type::Int),
        ("document", Type::Str),
        ("number", Type::Str),
        ("title", Type::Str),
        ("item_kind", Type::Str),
    ] {
        d.key("node", name, ty);
    }
    d.key("edge", "role", Type::Str);
    d.key("edge", "position", Type::Int);
    d.key("edge", "weight", Type::Double);
    d.open_graph("two-mode");
    let by_iri: BTreeMap<&str, &UnitMeasures> =
        units.iter().map(|m| (m.unit.as_str(), m)).collect();
    for unit in &network.units {
        let _ = writeln!(
            d.out,
            "    <node id=\"{}\">",
            xml_escape(&node_id(&unit.iri))
        );
        d.data("node", "label", &unit.label);
        d.data("node", "type", "unit");
        d.data("node", "bipartite", "0");
        for (name, value) in [
            ("name_zh", &unit.name_zh),
            ("name_en", &unit.name_en),
            ("kind", &unit.kind),
        ] {
            if let Some(v) = value {
                d.data("node", name, v);
            }
        }
        if let Some(m) = by_iri.get(unit.iri.as_str()) {
            d.data("node", "items", &m.items.to_string());
        }
        d.yed_label(&unit.label);
        d.out.push_str("    </node>\n");
    }
    let mut seen = std::collections::BTreeSet::new();
    for a in &network.assignments {
        if !seen.insert(a.item.as_str()) {
            continue;
        }
        let label = format!("{} {}", a.item_number, a.item_title);
        let _ = writeln!(d.out, "    <node id=\"{}\">", xml_escape(&node_id(&a.item)));
        d.data("node", "label", &label);
        d.data("node", "type", "item");
        d.data("node", "bipartite", "1");
        d.data("node", "document", &a.document);
        d.data("node", "number", &a.item_number);
        d.data("node", "title", &a.item_title);
        d.data("node", "item_kind", super::kind_of(a).as_str());
        d.yed_label(&label);
        d.out.push_str("    </node>\n");
    }
    for (k, a) in network.assignments.iter().enumerate() {
        let _ = writeln!(
            d.out,
            "    <edge id=\"a{k}\" source=\"{}\" target=\"{}\">",
            xml_escape(&node_id(&a.item)),
            xml_escape(&node_id(&network.units[a.unit].iri))
        );
        d.data("edge", "role", a.role.as_str());
        d.data("edge", "position", &a.position.to_string());
        d.data("edge", "weight", "1");
        d.out.push_str("    </edge>\n");
    }
    d.out.push_str("  </graph>\n</graphml>\n");
    d.out
}
