//! Betweenness centrality with edge lengths, as networkx computes it.

use petgraph::graph::{NodeIndex, UnGraph};
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Normalised betweenness centrality where an edge of weight `w` has length
/// `1 / w` (a strong tie is a short path), on an undirected graph.
///
/// # Arguments
///
/// * `graph`: an undirected graph whose edge weights are positive.
///
/// # Returns
///
/// One value per node, by node index: the share of shortest paths between
/// other pairs that pass through the node, normalised by
/// `(n − 1)(n − 2) / 2` (zeros when `n ≤ 2`).
///
/// # Complexity
///
/// `O(n·m + n²·log n)` time (Brandes with Dijkstra), `O(n + m)` space.
///
/// # Reference
///
/// Brandes, U. (2001). A faster algorithm for betweenness centrality.
/// Journal of Mathematical Sociology 25(2), 163–177. Matches networkx 3.x
/// `betweenness_centrality(G, weight="distance", normalized=True)` with
/// `distance = 1 / weight`.
#[must_use]
pub fn weighted_betweenness<N>(graph: &UnGraph<N, f64>) -> Vec<f64> {
    let n = graph.node_count();
    let mut betweenness = vec![0.0; n];
    for s in graph.node_indices() {
        let (order, preds, sigma) = dijkstra_paths(graph, s);
        let mut delta = vec![0.0; n];
        for &w in order.iter().rev() {
            let coefficient = (1.0 + delta[w]) / sigma[w];
            for &v in &preds[w] {
                delta[v] += sigma[v] * coefficient;
            }
            if w != s.index() {
                betweenness[w] += delta[w];
            }
        }
    }
    if n > 2 {
        let scale = 1.0 / ((n - 1) as f64 * (n - 2) as f64);
        for b in &mut betweenness {
            *b *= scale;
        }
    }
    betweenness
}

#[derive(PartialEq)]
struct Entry {
    dist: f64,
    seq: usize,
    pred: usize,
    node: usize,
}

impl Eq for Entry {}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        // A min-heap on (distance, insertion order), as Python's heapq.
        other
            .dist
            .total_cmp(&self.dist)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Nodes in order of distance, their shortest-path predecessors, and the
/// number of shortest paths to each, from `source`.
fn dijkstra_paths<N>(
    graph: &UnGraph<N, f64>,
    source: NodeIndex,
) -> (Vec<usize>, Vec<Vec<usize>>, Vec<f64>) {
    let n = graph.node_count();
    let mut order = Vec::with_capacity(n);
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut sigma = vec![0.0; n];
    let mut done: Vec<Option<f64>> = vec![None; n];
    let mut seen: Vec<Option<f64>> = vec![None; n];
    let s = source.index();
    sigma[s] = 1.0;
    seen[s] = Some(0.0);
    let mut seq = 0;
    let mut heap = BinaryHeap::new();
    heap.push(Entry {
        dist: 0.0,
        seq,
        pred: s,
        node: s,
    });
    while let Some(Entry {
        dist,
        pred,
        node: v,
        ..
    }) = heap.pop()
    {
        if done[v].is_some() {
            continue;
        }
        sigma[v] += sigma[pred];
        order.push(v);
        done[v] = Some(dist);
        for edge in graph.edges(NodeIndex::new(v)) {
            let w = if edge.source().index() == v {
                edge.target().index()
            } else {
                edge.source().index()
            };
            let vw = dist + 1.0 / *edge.weight();
            if done[w].is_none() && seen[w].is_none_or(|d| vw < d) {
                seen[w] = Some(vw);
                seq += 1;
                heap.push(Entry {
                    dist: vw,
                    seq,
                    pred: v,
                    node: w,
                });
                sigma[w] = 0.0;
                preds[w] = vec![v];
            } else if seen[w] == Some(vw) {
                sigma[w] += sigma[v];
                preds[w].push(v);
            }
        }
    }
    (order, preds, sigma)
}

use petgraph::visit::EdgeRef;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_with_a_weak_middle_tie_still_routes_through_the_middle() {
        // 0 -1- 1 -1- 2: node 1 is on the only path between 0 and 2.
        let g = UnGraph::<(), f64>::from_edges([(0, 1, 1.0), (1, 2, 1.0)]);
        assert_eq!(weighted_betweenness(&g), [0.0, 1.0, 0.0]);
    }

    #[test]
    fn strong_ties_make_a_detour_shorter() {
        // Square 0-1-2-3-0 plus the weak chord 0-2 (weight 0.25, length 4):
        // 0→2 goes through 1 and 3 (length 2 each way), not the chord.
        let g = UnGraph::<(), f64>::from_edges([
            (0, 1, 1.0),
            (1, 2, 1.0),
            (2, 3, 1.0),
            (3, 0, 1.0),
            (0, 2, 0.25),
        ]);
        let b = weighted_betweenness(&g);
        // networkx 3.6: betweenness_centrality(G, weight="d", d=1/w) gives
        // {0: 1/6, 1: 1/6, 2: 1/6, 3: 1/6}.
        for v in b {
            assert!((v - 1.0 / 6.0).abs() < 1e-12, "{v}");
        }
    }
}
