//! Reading a plan file: decoding, optional YAML front matter, and the mapping
//! from byte offsets to lines and Unicode code-point offsets.
//!
//! Provenance in the graph is given in code points of the whole file (as the
//! W3C Web Annotation model and most text tools count), never in UTF-8 bytes,
//! so this module is the one place that converts between the two.

use crate::error::{Location, ParseError};
use yaml_rust2::{Yaml, YamlLoader};

/// A decoded plan file.
#[derive(Debug, Clone)]
pub struct Source {
    /// The file name as the user gave it (used in messages).
    pub name: String,
    /// The whole file as text.
    pub text: String,
    /// Front matter fields in file order (empty when there is none).
    pub front: FrontMatter,
    /// Byte offset where the body (after the front matter) starts.
    pub body_start: usize,
    lines: LineIndex,
}

impl Source {
    /// Decodes `bytes` and splits off the front matter.
    ///
    /// # Errors
    ///
    /// Non-UTF-8 input, an empty file, front matter that never closes or is
    /// not YAML.
    pub fn parse(name: &str, bytes: &[u8]) -> Result<Self, ParseError> {
        let text = decode(name, bytes)?;
        let lines = LineIndex::new(&text);
        let at = |line| Location {
            file: name.to_owned(),
            line,
        };
        if text
            .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
            .is_empty()
        {
            return Err(ParseError::Empty { at: at(1) });
        }
        let (front, body_start) = split_front_matter(&text).map_err(|e| match e {
            FrontError::Unclosed => ParseError::UnclosedFrontMatter { at: at(1) },
            FrontError::Yaml { line, message } => ParseError::BadFrontMatter {
                at: at(line),
                message,
            },
        })?;
        Ok(Self {
            name: name.to_owned(),
            text,
            front,
            body_start,
            lines,
        })
    }

    /// The body: everything after the front matter.
    #[must_use]
    pub fn body(&self) -> &str {
        &self.text[self.body_start..]
    }

    /// The 1-based line of a byte offset.
    #[must_use]
    pub fn line_of(&self, byte: usize) -> usize {
        self.lines.line_of(byte)
    }

    /// The code-point offset of a byte offset (which must be a char boundary).
    #[must_use]
    pub fn char_offset(&self, byte: usize) -> usize {
        let i = self.lines.checkpoints.partition_point(|&(b, _)| b <= byte) - 1;
        let (from_byte, from_char) = self.lines.checkpoints[i];
        from_char + self.text[from_byte..byte].chars().count()
    }

    /// A location for messages.
    #[must_use]
    pub fn location(&self, byte: usize) -> Location {
        Location {
            file: self.name.clone(),
            line: self.line_of(byte),
        }
    }
}

/// Line starts (byte offsets) and checkpoints (byte offset, code-point
/// offset) at every line start and every few kilobytes, so that both lookups
/// are a binary search plus a short scan, even in a 50 MB file or a file
/// that is one enormous line.
#[derive(Debug, Clone)]
struct LineIndex {
    starts: Vec<usize>,
    checkpoints: Vec<(usize, usize)>,
}

/// Bytes between code-point checkpoints.
const CHECKPOINT_SPACING: usize = 4096;

impl LineIndex {
    fn new(text: &str) -> Self {
        let mut starts = vec![0];
        let mut checkpoints = vec![(0, 0)];
        let mut chars = 0;
        for (byte, c) in text.char_indices() {
            if byte >= checkpoints[checkpoints.len() - 1].0 + CHECKPOINT_SPACING {
                checkpoints.push((byte, chars));
            }
            chars += 1;
            if c == '\n' {
                starts.push(byte + 1);
                checkpoints.push((byte + 1, chars));
            }
        }
        Self {
            starts,
            checkpoints,
        }
    }

    fn line_of(&self, byte: usize) -> usize {
        self.starts.partition_point(|&start| start <= byte)
    }
}

/// Decodes UTF-8, and UTF-16 when a byte-order mark says so unambiguously
/// (Windows tools still save text that way). Anything else must be UTF-8.
fn decode(name: &str, bytes: &[u8]) -> Result<String, ParseError> {
    let utf16 = |rest: &[u8], le: bool| {
        let units = rest.chunks(2).map(|c| {
            let pair = [c[0], c.get(1).copied().unwrap_or(0)];
            if le {
                u16::from_le_bytes(pair)
            } else {
                u16::from_be_bytes(pair)
            }
        });
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .ok()
    };
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        if let Some(text) = utf16(rest, true) {
            return Ok(text);
        }
    } else if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF])
        && let Some(text) = utf16(rest, false)
    {
        return Ok(text);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_owned()),
        Err(err) => {
            let valid = err.valid_up_to();
            let line = 1 + bytes[..valid].iter().filter(|&&b| b == b'\n').count();
            Err(ParseError::NotUtf8 {
                at: Location {
                    file: name.to_owned(),
                    line,
                },
                byte: bytes[valid],
                hint: encoding_hint(bytes),
            })
        }
    }
}

/// A guess at what a non-UTF-8 file really is, for the error message.
fn encoding_hint(bytes: &[u8]) -> String {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return "; it starts with a UTF-16 byte-order mark but is not valid UTF-16; save it again as UTF-8".to_owned();
    }
    // Text in any encoding has no NUL bytes (UTF-16 was handled above).
    if bytes.contains(&0) {
        return "; it looks like a binary file, not a text plan".to_owned();
    }
    // GBK/GB18030 encode each Han character as a lead byte 0x81–0xFE and a
    // trail byte 0x40–0xFE; text that is mostly such pairs is very likely GBK.
    let (mut pairs, mut high) = (0usize, 0usize);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b >= 0x80 {
            high += 1;
            if (0x81..=0xFE).contains(&b)
                && bytes
                    .get(i + 1)
                    .is_some_and(|t| (0x40..=0xFE).contains(t) && *t != 0x7F)
            {
                pairs += 1;
                high += 1;
                i += 2;
                continue;
            }
        }
        i += 1;
    }
    if high > 0 && pairs * 2 * 10 >= high * 9 {
        "; it looks like GBK (GB2312/GB18030); convert it first, e.g. `iconv -f GBK -t UTF-8`"
            .to_owned()
    } else {
        "; save it as UTF-8".to_owned()
    }
}

/// YAML front matter reduced to what a plan needs: each key with its values as
/// text (a list gives several values, null gives none).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrontMatter {
    /// (key, values) in file order.
    pub fields: Vec<(String, Vec<String>)>,
}

impl FrontMatter {
    /// The first value of `key`, if it has one that is not blank.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values(key).first().map(String::as_str)
    }

    /// All non-blank values of `key`.
    #[must_use]
    pub fn values(&self, key: &str) -> &[String] {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map_or(&[], |(_, v)| v.as_slice())
    }
}

enum FrontError {
    Unclosed,
    Yaml { line: usize, message: String },
}

/// Splits `---`-delimited front matter from the body. Returns the fields and
/// the byte offset of the body.
fn split_front_matter(text: &str) -> Result<(FrontMatter, usize), FrontError> {
    let start = usize::from(text.starts_with('\u{feff}')) * '\u{feff}'.len_utf8();
    let rest = &text[start..];
    let first_line_end = rest.find('\n').map_or(rest.len(), |i| i + 1);
    if rest[..first_line_end].trim_end() != "---" {
        return Ok((FrontMatter::default(), start));
    }
    let yaml_start = start + first_line_end;
    let mut offset = yaml_start;
    for line in text[yaml_start..].split_inclusive('\n') {
        if line.trim_end() == "---" || line.trim_end() == "..." {
            let yaml = &text[yaml_start..offset];
            let front = parse_yaml(yaml).map_err(|(line, message)| FrontError::Yaml {
                // +1 for the opening `---` line.
                line: line + 1,
                message,
            })?;
            return Ok((front, offset + line.len()));
        }
        offset += line.len();
    }
    Err(FrontError::Unclosed)
}

fn parse_yaml(yaml: &str) -> Result<FrontMatter, (usize, String)> {
    let docs = YamlLoader::load_from_str(yaml)
        .map_err(|e| (e.marker().line().max(1), e.info().to_owned()))?;
    let mut fields = Vec::new();
    match docs.into_iter().next() {
        None | Some(Yaml::Null) => {}
        Some(Yaml::Hash(map)) => {
            for (key, value) in map {
                let Some(key) = scalar(&key) else {
                    return Err((1, "a key is not a plain value".to_owned()));
                };
                let values = match value {
                    Yaml::Array(items) => items.iter().filter_map(scalar).collect(),
                    other => scalar(&other).into_iter().collect(),
                };
                fields.push((key, values));
            }
        }
        Some(_) => {
            return Err((1, "expected `key: value` lines".to_owned()));
        }
    }
    Ok(FrontMatter { fields })
}

fn scalar(value: &Yaml) -> Option<String> {
    let text = match value {
        Yaml::String(s) | Yaml::Real(s) => s.clone(),
        Yaml::Integer(i) => i.to_string(),
        Yaml::Boolean(b) => b.to_string(),
        _ => return None,
    };
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_point_offsets_count_chars_not_bytes() {
        let src = Source::parse("t.md", "一二\n三x".as_bytes()).expect("parses");
        let byte = src.text.find('x').expect("has x");
        assert_eq!(byte, 10);
        assert_eq!(src.char_offset(byte), 4);
        assert_eq!(src.line_of(byte), 2);
    }

    #[test]
    fn front_matter_lists_and_nulls_become_values() {
        let text = "---\ntitle: \"T\"\ntags: [\"a\",\"b\"]\nweight: \n---\nbody\n";
        let src = Source::parse("t.md", text.as_bytes()).expect("parses");
        assert_eq!(src.front.get("title"), Some("T"));
        assert_eq!(src.front.values("tags"), ["a", "b"]);
        assert_eq!(src.front.get("weight"), None);
        assert_eq!(src.body(), "body\n");
    }

    #[test]
    fn unclosed_front_matter_names_line_one() {
        let err = Source::parse("t.md", b"---\ntitle: x\nbody\n").expect_err("fails");
        assert!(matches!(err, ParseError::UnclosedFrontMatter { .. }));
        assert_eq!(
            err.to_string().split(':').take(2).collect::<Vec<_>>(),
            ["t.md", "1"]
        );
    }

    #[test]
    fn broken_yaml_names_its_line() {
        let err =
            Source::parse("t.md", b"---\ntitle: x\ntags: [a, b\n---\nbody\n").expect_err("fails");
        assert!(matches!(err, ParseError::BadFrontMatter { .. }), "{err}");
    }

    #[test]
    fn gbk_bytes_are_named_as_gbk() {
        // "厦门" in GBK.
        let err = Source::parse("t.txt", &[0xCF, 0xC3, 0xC3, 0xC5, b'\n']).expect_err("fails");
        assert!(err.to_string().contains("GBK"), "{err}");
    }

    #[test]
    fn utf16_with_a_byte_order_mark_is_decoded() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "一、任务\n".encode_utf16() {
            bytes.extend(unit.to_le_bytes());
        }
        let src = Source::parse("t.md", &bytes).expect("decodes");
        assert_eq!(src.text, "一、任务\n");
    }

    #[test]
    fn offsets_deep_inside_one_long_line_are_exact() {
        let text = format!("{}x", "字".repeat(10_000));
        let src = Source::parse("t.md", text.as_bytes()).expect("parses");
        assert_eq!(src.char_offset(text.len() - 1), 10_000);
    }

    #[test]
    fn a_file_of_white_space_is_empty() {
        let err = Source::parse("t.md", b" \n\n\t").expect_err("fails");
        assert!(matches!(err, ParseError::Empty { .. }));
    }
}
