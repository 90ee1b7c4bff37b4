//! policykg turns Chinese government action plans into a knowledge graph.
//!
//! The flow runs one way, with the store in the middle; each module imports
//! only those above it (the helpers [`error`], [`fs`], [`table`] and
//! [`vocab`] stand first):
//!
//! - [`source`]: a file decoded, its front matter, code-point offsets.
//! - [`outline`]: numbering, sections and items.
//! - [`words`]: the word lists of `data/grammar/` the parser reads by.
//! - [`annotate`]: responsibility lists in an item's text.
//! - [`task_table`]: task-division tables and their cells.
//! - [`document`]: a plan put together, with what may have been missed.
//! - [`registry`]: the units, technologies and places the plans name.
//! - [`recognize`]: units resolved and mentions found by the registries.
//! - [`rdf`]: a document mapped to quads; [`ontology`] the vocabulary's own.
//! - [`store`]: the store directory, by backend, with its kept answers.
//! - [`sparql`]: where queries run, how they are checked and prepared.
//! - [`cached`]: the kept queries, their answers, and reads answered by them.
//! - [`build`]: plans read, mapped and written into the store, all or nothing.
//! - [`query`]: named queries and results printed.
//! - [`network`]: the co-responsibility network and its measures.
//! - [`report`]: the report of the most-involved units (table, HTML).
//! - [`export`]: CSV, GraphML, DOT and RDF files.
//! - [`serve`]: the read-only SPARQL endpoint (routing in `mod.rs`; the
//!   connection loop, the federation guard, the job a worker runs, the
//!   worker processes, the thread pool and result serialisation apart).
//! - [`endpoint`] and [`push`]: a remote triple store, read and filled.
//! - [`cli`] and [`commands`]: the command line, one module per subcommand.
//!
//! ```
//! let plan = "一、重点任务\n1. 建设平台。推进应用。（责任单位：市工信局、市科技局）\n";
//! let doc = policykg::document::parse("plan.md", plan.as_bytes())?;
//! let list = doc.items[0].list.as_ref().expect("has a list");
//! assert_eq!(list.assignments[1].label, "市科技局");
//! # Ok::<(), policykg::error::ParseError>(())
//! ```

pub mod annotate;
pub mod build;
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
pub mod sparql;
pub mod store;
pub mod table;
pub mod task_table;
pub mod vocab;
pub mod words;
