//! Local clustering coefficient.

use petgraph::graph::UnGraph;
use std::collections::BTreeSet;

/// The local clustering coefficient of each node: the share of pairs of its
/// neighbours that are themselves linked (edge weights ignored).
///
/// # Arguments
///
/// * `graph`: an undirected simple graph.
///
/// # Returns
///
/// One value per node, by node index; 0 for nodes with fewer than two
/// neighbours.
///
/// # Complexity
///
/// `O(n · d²)` time for maximum degree `d`, `O(n + m)` space.
///
/// # Reference
///
/// Watts, D. J., Strogatz, S. H. (1998). Collective dynamics of small-world
/// networks. Nature 393, 440–442. Matches networkx 3.x `clustering(G)`.
#[must_use]
pub fn clustering<N, E>(graph: &UnGraph<N, E>) -> Vec<f64> {
    let neighbours: Vec<BTreeSet<usize>> = graph
        .node_indices()
        .map(|v| {
            graph
                .neighbors(v)
                .map(|w| w.index())
                .filter(|&w| w != v.index())
                .collect()
        })
        .collect();
    neighbours
        .iter()
        .map(|ns| {
            let d = ns.len();
            if d < 2 {
                return 0.0;
            }
            let links = ns
                .iter()
                .map(|&a| neighbours[a].iter().filter(|b| ns.contains(b)).count())
                .sum::<usize>();
            // Each link between neighbours was counted from both ends.
            links as f64 / (d * (d - 1)) as f64
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_triangle_with_a_tail() {
        let g = UnGraph::<(), ()>::from_edges([(0, 1), (1, 2), (2, 0), (2, 3)]);
        assert_eq!(clustering(&g), [1.0, 1.0, 1.0 / 3.0, 0.0]);
    }
}
