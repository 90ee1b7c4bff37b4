//! One module per subcommand; each takes its parsed arguments and does the
//! job through the library.

pub mod build;
pub mod query;

use crate::query::Summary;
use std::path::Path;
use std::time::Duration;

/// The one-line summary every command prints to standard error.
pub fn print_summary(store: &Path, summary: &Summary, elapsed: Duration) {
    eprintln!(
        "store {}: {}, {}, {}, {}, {} ({:.2} s)",
        store.display(),
        count(summary.documents, "document"),
        count(summary.items, "item"),
        count(summary.assignments, "assignment"),
        count(summary.units, "unit"),
        count(summary.triples, "triple"),
        elapsed.as_secs_f64()
    );
}

fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
