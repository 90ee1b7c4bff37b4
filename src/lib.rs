//! policykg turns Chinese government action plans into a knowledge graph.
//!
//! The flow runs one way with the store in the middle: [`source`] reads a
//! file, [`task_table`] finds its task-division tables, [`outline`] its
//! sections and items, [`annotate`] reads the responsibility lists (by the
//! word lists of [`words`]), [`document`] puts them together, and the RDF
//! mapper turns a [`document::Document`] into quads for the store.
//!
//! ```
//! let plan = "一、重点任务\n1. 建设平台。推进应用。（责任单位：市工信局、市科技局）\n";
//! let doc = policykg::document::parse("plan.md", plan.as_bytes())?;
//! let list = doc.items[0].list.as_ref().expect("has a list");
//! assert_eq!(list.assignments[1].label, "市科技局");
//! # Ok::<(), policykg::error::ParseError>(())
//! ```

pub mod annotate;
pub mod cached;
pub mod cli;
pub mod commands;
pub mod document;
pub mod endpoint;
pub mod error;
pub mod export;
pub mod fs;
pub mod network;
pub mod ontology;
pub mod outline;
pub mod push;
pub mod query;
pub mod rdf;
pub mod recognize;
pub mod registry;
pub mod report;
pub mod serve;
pub mod source;
pub mod store;
pub mod table;
pub mod task_table;
pub mod vocab;
pub mod words;
