//! Errors the parser reports about its input.
//!
//! Every error names the file and the line, says what was found and what was
//! expected, so that a user can fix the document without reading our code.

use std::fmt;

/// Where in an input something was found: the file as the user named it and a
/// 1-based line number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The path as given on the command line (or the bundled plan's name).
    pub file: String,
    /// 1-based line number.
    pub line: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// A document that cannot be read as a plan.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// The bytes are not UTF-8.
    #[error("{at}: the file is not valid UTF-8 (invalid byte 0x{byte:02X}){hint}")]
    NotUtf8 {
        /// Where the first invalid byte is.
        at: Location,
        /// The first invalid byte.
        byte: u8,
        /// A guess at what the file is and how to fix it, with a leading
        /// separator.
        hint: String,
    },
    /// The file holds nothing but white space.
    #[error("{at}: the file is empty; expected an action plan in markdown or plain text")]
    Empty {
        /// The file (line 1).
        at: Location,
    },
    /// Front matter opened with `---` never closes.
    #[error("{at}: the front matter opened here never closes; expected a line `---` after it")]
    UnclosedFrontMatter {
        /// The opening `---`.
        at: Location,
    },
    /// Front matter that is not a YAML mapping.
    #[error("{at}: the front matter is not valid YAML: {message}")]
    BadFrontMatter {
        /// Where the YAML parser stopped.
        at: Location,
        /// What the YAML parser said.
        message: String,
    },
    /// A responsibility list that opens and never closes.
    #[error("{at}: a responsibility list opens with {open} but never closes; expected {close}")]
    UnclosedList {
        /// Where the list opens.
        at: Location,
        /// The opening bracket as written.
        open: char,
        /// The bracket that would close it.
        close: char,
    },
    /// Nothing in the file looks like an action item.
    #[error(
        "{at}: no numbered items found; expected paragraphs numbered like `1.`, `（一）` or `一、`, some with a responsibility list such as （责任单位：…）"
    )]
    NoItems {
        /// The file (line 1).
        at: Location,
    },
}

impl ParseError {
    /// Where the error is.
    #[must_use]
    pub fn location(&self) -> &Location {
        match self {
            Self::NotUtf8 { at, .. }
            | Self::Empty { at }
            | Self::UnclosedFrontMatter { at }
            | Self::BadFrontMatter { at, .. }
            | Self::UnclosedList { at, .. }
            | Self::NoItems { at } => at,
        }
    }
}

/// Something odd but readable that the parser decided about; shown as a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Where.
    pub at: Location,
    /// What was decided, as a sentence.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.at, self.message)
    }
}
