//! Network measures that no well-kept crate provides in the form networkx
//! defines them, one algorithm per file. The others come from rustworkx-core.

pub mod clustering;
pub mod louvain;
pub mod pagerank;
pub mod structural_holes;
pub mod weighted_betweenness;
