//! Communities by modularity optimisation (Louvain), made deterministic.

use petgraph::graph::UnGraph;
use petgraph::visit::EdgeRef;
use std::collections::BTreeMap;

/// Communities of a weighted undirected graph found by the Louvain method,
/// visiting nodes in index order so that the same graph always gives the
/// same partition.
///
/// # Arguments
///
/// * `graph`: undirected graph with non-negative weights.
///
/// # Returns
///
/// A community number per node (by node index), numbered from 0 by
/// decreasing size, ties broken by the smallest node index in the community.
///
/// # Complexity
///
/// Near-linear in the number of edges per pass in practice; each pass
/// strictly increases modularity, so it terminates.
///
/// # Reference
///
/// Blondel, V. D., Guillaume, J.-L., Lambiotte, R., Lefebvre, E. (2008).
/// Fast unfolding of communities in large networks. J. Stat. Mech. P10008.
/// Modularity as in networkx 3.x `community.modularity(G, c, weight="weight")`.
#[must_use]
pub fn louvain<N>(graph: &UnGraph<N, f64>) -> Vec<usize> {
    let n = graph.node_count();
    // Level graph as adjacency maps (self loops allowed after aggregation).
    let mut adj: Vec<BTreeMap<usize, f64>> = vec![BTreeMap::new(); n];
    for e in graph.edge_references() {
        let (a, b, w) = (e.source().index(), e.target().index(), *e.weight());
        *adj[a].entry(b).or_insert(0.0) += w;
        if a != b {
            *adj[b].entry(a).or_insert(0.0) += w;
        }
    }
    // membership[v] = community of original node v.
    let mut membership: Vec<usize> = (0..n).collect();
    loop {
        let level = one_level(&adj);
        let moved = level.iter().enumerate().any(|(i, &c)| i != c);
        // Relabel level communities 0..k.
        let mut relabel = BTreeMap::new();
        for &c in &level {
            let next = relabel.len();
            relabel.entry(c).or_insert(next);
        }
        let level: Vec<usize> = level.iter().map(|c| relabel[c]).collect();
        for m in &mut membership {
            *m = level[*m];
        }
        if !moved {
            break;
        }
        let k = relabel.len();
        let mut next: Vec<BTreeMap<usize, f64>> = vec![BTreeMap::new(); k];
        for (v, neighbours) in adj.iter().enumerate() {
            for (&w, &weight) in neighbours {
                *next[level[v]].entry(level[w]).or_insert(0.0) += weight;
            }
        }
        // An edge inside a community was listed from both ends, so its
        // self loop carries twice its weight: row sums stay node degrees.
        adj = next;
    }
    number_by_size(&membership)
}

/// One Louvain pass: local moves until no node improves modularity.
fn one_level(adj: &[BTreeMap<usize, f64>]) -> Vec<usize> {
    let n = adj.len();
    let degree: Vec<f64> = adj.iter().map(|m| m.values().sum()).collect();
    let two_m: f64 = degree.iter().sum();
    let mut community: Vec<usize> = (0..n).collect();
    let mut total: Vec<f64> = degree.clone();
    if two_m == 0.0 {
        return community;
    }
    loop {
        let mut improved = false;
        for v in 0..n {
            let current = community[v];
            let mut links: BTreeMap<usize, f64> = BTreeMap::new();
            for (&w, &weight) in &adj[v] {
                if w != v {
                    *links.entry(community[w]).or_insert(0.0) += weight;
                }
            }
            total[current] -= degree[v];
            let gain = |c: usize, k_in: f64| k_in - total[c] * degree[v] / two_m;
            let mut best = current;
            let mut best_gain = gain(current, links.get(&current).copied().unwrap_or(0.0));
            for (&c, &k_in) in &links {
                let g = gain(c, k_in);
                if g > best_gain + 1e-12 {
                    best = c;
                    best_gain = g;
                }
            }
            total[best] += degree[v];
            if best != current {
                community[v] = best;
                improved = true;
            }
        }
        if !improved {
            return community;
        }
    }
}

fn number_by_size(membership: &[usize]) -> Vec<usize> {
    let mut groups: BTreeMap<usize, (usize, usize)> = BTreeMap::new();
    for (v, &c) in membership.iter().enumerate() {
        let entry = groups.entry(c).or_insert((0, v));
        entry.0 += 1;
    }
    let mut order: Vec<(usize, usize, usize)> = groups
        .into_iter()
        .map(|(c, (size, first))| (c, size, first))
        .collect();
    order.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
    let number: BTreeMap<usize, usize> = order
        .iter()
        .enumerate()
        .map(|(i, &(c, _, _))| (c, i))
        .collect();
    membership.iter().map(|c| number[c]).collect()
}

/// Modularity of a partition of a weighted undirected graph (resolution 1).
///
/// # Reference
///
/// Newman, M. E. J. (2006). Modularity and community structure in networks.
/// PNAS 103(23). Matches networkx 3.x `community.modularity(G, c, weight="weight")`.
#[must_use]
pub fn modularity<N>(graph: &UnGraph<N, f64>, membership: &[usize]) -> f64 {
    let strength: Vec<f64> = graph
        .node_indices()
        .map(|v| graph.edges(v).map(|e| *e.weight()).sum())
        .collect();
    let m: f64 = graph.edge_references().map(|e| *e.weight()).sum();
    if m == 0.0 {
        return 0.0;
    }
    let k = membership.iter().max().map_or(0, |c| c + 1);
    let mut inside = vec![0.0; k];
    let mut degree = vec![0.0; k];
    for e in graph.edge_references() {
        let (a, b) = (e.source().index(), e.target().index());
        if membership[a] == membership[b] {
            inside[membership[a]] += *e.weight();
        }
    }
    for (v, s) in strength.iter().enumerate() {
        degree[membership[v]] += s;
    }
    (0..k)
        .map(|c| inside[c] / m - (degree[c] / (2.0 * m)).powi(2))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_triangles_joined_by_one_edge_are_two_communities() {
        let g = UnGraph::<(), f64>::from_edges([
            (0, 1, 1.0),
            (1, 2, 1.0),
            (2, 0, 1.0),
            (3, 4, 1.0),
            (4, 5, 1.0),
            (5, 3, 1.0),
            (2, 3, 1.0),
        ]);
        let c = louvain(&g);
        assert_eq!(c, [0, 0, 0, 1, 1, 1]);
        // networkx 3.6.1: modularity(G, [{0,1,2},{3,4,5}]) = 0.35714285714285715.
        assert!((modularity(&g, &c) - 0.357_142_857_142_857_15).abs() < 1e-12);
    }
}
