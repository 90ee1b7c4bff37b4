//! Per-unit and whole-network measures of the co-responsibility network.
//!
//! Definitions follow networkx 3.x so that numbers can be checked against
//! it (`.ci/networkx_check.py` does so on every CI run). Well-kept
//! implementations come from rustworkx-core (betweenness, closeness,
//! eigenvector, k-core); the rest are in [`super::algo`].

use super::Network;
use super::algo::{clustering, louvain, pagerank, structural_holes, weighted_betweenness};
use rustworkx_core::centrality::{
    betweenness_centrality, closeness_centrality, eigenvector_centrality,
};
use rustworkx_core::connectivity::core_number;
use serde::Serialize;
use std::collections::BTreeSet;
use std::convert::Infallible;

/// Everything we measure about one unit. Field names are the stable column
/// names of `policykg report --format csv|json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitMeasures {
    /// Unit IRI.
    pub unit: String,
    /// Name as written in the lists.
    pub label: String,
    /// Full Chinese name, if known.
    pub name_zh: Option<String>,
    /// English name, if known.
    pub name_en: Option<String>,
    /// Kind, if known.
    pub kind: Option<String>,
    /// Items on whose list the unit appears.
    pub items: usize,
    /// Items where it is listed first.
    pub first_listed: usize,
    /// Items it leads (by label or a rule the document states).
    pub led: usize,
    /// Distinct partners (degree in the co-responsibility network).
    pub degree: usize,
    /// Sum of shared items over partners (weighted degree).
    pub strength: f64,
    /// Normalised betweenness, unweighted (every link length 1).
    pub betweenness: f64,
    /// Normalised betweenness with link length 1/weight (strong ties short).
    pub betweenness_weighted: f64,
    /// Closeness (unweighted, Wasserman–Faust for disconnected graphs).
    pub closeness: f64,
    /// Eigenvector centrality (weighted, unit Euclidean norm).
    pub eigenvector: f64,
    /// PageRank (weighted, damping 0.85).
    pub pagerank: f64,
    /// Local clustering coefficient (unweighted).
    pub clustering: f64,
    /// k-core number.
    pub core: usize,
    /// Burt's constraint (weighted); empty for an isolate.
    pub constraint: Option<f64>,
    /// Burt's effective size (weighted); empty for an isolate.
    pub effective_size: Option<f64>,
    /// Community number (Louvain, deterministic; 0 is the largest).
    pub community: usize,
}

impl UnitMeasures {
    /// Names of [`UnitMeasures::fields`], in order: the stable column names
    /// shared by `report --format csv` and `export csv`'s `nodes.csv`.
    pub const FIELDS: &'static [&'static str] = &[
        "name_zh",
        "name_en",
        "kind",
        "items",
        "first_listed",
        "led",
        "degree",
        "strength",
        "betweenness",
        "betweenness_weighted",
        "closeness",
        "eigenvector",
        "pagerank",
        "clustering",
        "core",
        "constraint",
        "effective_size",
        "community",
    ];

    /// The values of [`UnitMeasures::FIELDS`] as text; numbers in their
    /// shortest round-trip form, absent values empty.
    #[must_use]
    pub fn fields(&self) -> Vec<String> {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        vec![
            text(&self.name_zh),
            text(&self.name_en),
            text(&self.kind),
            self.items.to_string(),
            self.first_listed.to_string(),
            self.led.to_string(),
            self.degree.to_string(),
            number(self.strength),
            number(self.betweenness),
            number(self.betweenness_weighted),
            number(self.closeness),
            number(self.eigenvector),
            number(self.pagerank),
            number(self.clustering),
            self.core.to_string(),
            self.constraint.map(number).unwrap_or_default(),
            self.effective_size.map(number).unwrap_or_default(),
            self.community.to_string(),
        ]
    }
}

/// A measure as text: the shortest form that reads back to the same `f64`
/// (deterministic and lossless), `0` for zero.
#[must_use]
pub fn number(v: f64) -> String {
    if v == 0.0 {
        "0".to_owned()
    } else {
        format!("{v}")
    }
}

/// Figures about the whole network.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkFigures {
    /// Units.
    pub nodes: usize,
    /// Links.
    pub edges: usize,
    /// Items the network was built from.
    pub items: usize,
    /// Share of possible links present.
    pub density: f64,
    /// Connected components.
    pub components: usize,
    /// Mean local clustering coefficient over all units.
    pub average_clustering: f64,
    /// Freeman degree centralisation (0 = all equal, 1 = a star).
    pub degree_centralization: f64,
    /// The highest k-core number.
    pub max_core: usize,
    /// Units in the highest k-core (the core; the rest is the periphery).
    pub core: Vec<String>,
    /// Communities, largest first, each a list of unit labels.
    pub communities: Vec<Vec<String>>,
    /// Modularity of that partition (weighted).
    pub modularity: f64,
}

/// Damping factor of PageRank.
pub const PAGERANK_ALPHA: f64 = 0.85;
/// Convergence tolerance of the power iterations (tighter than networkx's
/// default so that values agree to 1e-6 whatever the iteration order).
const TOL: f64 = 1e-12;
const MAX_ITER: usize = 10_000;

/// Computes every measure.
#[must_use]
pub fn measure(network: &Network) -> (Vec<UnitMeasures>, NetworkFigures) {
    let g = &network.graph;
    let n = g.node_count();
    let items = network.items_of();
    let mut first = vec![0; n];
    let mut led = vec![0; n];
    for a in &network.assignments {
        if a.position == 1 {
            first[a.unit] += 1;
        }
        if a.role == crate::vocab::Role::Lead {
            led[a.unit] += 1;
        }
    }
    let degree: Vec<usize> = g.node_indices().map(|v| g.neighbors(v).count()).collect();
    let strength: Vec<f64> = g
        .node_indices()
        .map(|v| g.edges(v).map(|e| *e.weight()).sum())
        .collect();
    let betweenness = betweenness_centrality(g, false, true, usize::MAX);
    let betweenness_w = weighted_betweenness::weighted_betweenness(g);
    let closeness = closeness_centrality(g, true, usize::MAX);
    let eigenvector = eigenvector_centrality(
        g,
        |e| Ok::<f64, Infallible>(*e.weight()),
        Some(MAX_ITER),
        Some(TOL),
    )
    .ok()
    .flatten()
    .unwrap_or_else(|| vec![0.0; n]);
    let pagerank = pagerank::pagerank(g, PAGERANK_ALPHA, TOL, MAX_ITER);
    let clustering = clustering::clustering(g);
    let cores = core_number(g);
    let core_of = |v: usize| {
        cores
            .get(&petgraph::graph::NodeIndex::new(v))
            .copied()
            .unwrap_or(0)
    };
    let (constraint, effective) = structural_holes::structural_holes(g);
    let community = louvain::louvain(g);

    let units: Vec<UnitMeasures> = (0..n)
        .map(|i| {
            let u = &network.units[i];
            UnitMeasures {
                unit: u.iri.clone(),
                label: u.label.clone(),
                name_zh: u.name_zh.clone(),
                name_en: u.name_en.clone(),
                kind: u.kind.clone(),
                items: items[i].len(),
                first_listed: first[i],
                led: led[i],
                degree: degree[i],
                strength: strength[i],
                betweenness: betweenness.get(i).copied().flatten().unwrap_or(0.0),
                betweenness_weighted: betweenness_w[i],
                closeness: closeness.get(i).copied().flatten().unwrap_or(0.0),
                eigenvector: eigenvector.get(i).copied().unwrap_or(0.0),
                pagerank: pagerank[i],
                clustering: clustering[i],
                core: core_of(i),
                constraint: Some(constraint[i]).filter(|c| c.is_finite()),
                effective_size: Some(effective[i]).filter(|c| c.is_finite()),
                community: community[i],
            }
        })
        .collect();

    let edges = g.edge_count();
    let max_degree = degree.iter().copied().max().unwrap_or(0);
    let max_core = (0..n).map(core_of).max().unwrap_or(0);
    let k = community.iter().max().map_or(0, |c| c + 1);
    let mut communities = vec![Vec::new(); k];
    for (i, &c) in community.iter().enumerate() {
        communities[c].push(network.units[i].label.clone());
    }
    let distinct_items: BTreeSet<&str> = network
        .assignments
        .iter()
        .map(|a| a.item.as_str())
        .collect();
    let figures = NetworkFigures {
        nodes: n,
        edges,
        items: distinct_items.len(),
        density: if n > 1 {
            2.0 * edges as f64 / (n * (n - 1)) as f64
        } else {
            0.0
        },
        components: petgraph::algo::connected_components(g),
        average_clustering: if n > 0 {
            clustering.iter().sum::<f64>() / n as f64
        } else {
            0.0
        },
        degree_centralization: if n > 2 {
            degree.iter().map(|&d| (max_degree - d) as f64).sum::<f64>()
                / ((n - 1) * (n - 2)) as f64
        } else {
            0.0
        },
        max_core,
        core: (0..n)
            .filter(|&i| core_of(i) == max_core && n > 0)
            .map(|i| network.units[i].label.clone())
            .collect(),
        communities,
        modularity: louvain::modularity(g, &community),
    };
    (units, figures)
}
