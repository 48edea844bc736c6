//! Parser for `.env` files, `--env-file` files and service `env_file:` files.
//!
//! Input is the whole file text; output is the list of `KEY=VALUE` entries in
//! file order, each with its 1-based line and the byte offsets of its key and
//! value so later stages can point diagnostics at them.
//!
//! The format is the one `docker compose` reads:
//!
//! - blank lines and lines starting with `#` are skipped; a UTF-8 BOM at the
//!   start and CRLF line endings are tolerated;
//! - a statement may start with `export `;
//! - `KEY=VALUE`; `KEY` alone (no `=`) has no value, meaning "take it from the
//!   environment"; `KEY: VALUE` is rejected;
//! - keys match `[A-Za-z_][A-Za-z0-9_.-]*`; whitespace around the key and
//!   around an unquoted value is trimmed;
//! - unquoted values end at the end of the line; a `#` preceded by whitespace
//!   starts a comment, any other `#` is part of the value; they are
//!   interpolated;
//! - `'single-quoted'` values are literal and may span lines;
//! - `"double-quoted"` values may span lines, understand the escapes `\n`,
//!   `\t`, `\r`, `\"`, `\\`, `\$` (a literal `$`), `\a`, `\b`, `\f`, `\v` (any
//!   other backslash is kept as is), and are then interpolated;
//! - after a closing quote only whitespace and a `#` comment may follow.
//!
//! Interpolation resolves a variable from the entries defined earlier in the
//! same file first (an earlier `KEY` without value defers to the lookup), then
//! from the caller's lookup. Unset variables become empty strings.
//! Interpolation inside a value never sees a raw CRLF: `\r\n` inside quoted
//! values is normalised to `\n`.
//!
//! Duplicate keys are all returned, in order; the caller takes the last one.

use crate::compose::interpolate::{InterpolationError, InterpolationErrorKind, interpolate};

/// One `KEY=VALUE` (or bare `KEY`) statement of an env file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DotenvEntry {
    /// Variable name.
    pub(crate) key: String,
    /// Parsed (unquoted, unescaped, interpolated) value; `None` for a bare
    /// `KEY`, which means "take the value from the environment".
    pub(crate) value: Option<String>,
    /// 1-based line of the key.
    pub(crate) line: usize,
    /// Byte offset of the key in the file.
    pub(crate) key_offset: usize,
    /// Byte offset where the value text starts: the first byte of an unquoted
    /// value, the first byte after the opening quote of a quoted one, or the
    /// end of the key for a bare `KEY`.
    pub(crate) value_offset: usize,
}

/// Why an env file could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DotenvError {
    /// 1-based line of `offset`.
    pub(crate) line: usize,
    /// Byte offset in the file of the offending text.
    pub(crate) offset: usize,
    /// One sentence, lower case, no trailing period.
    pub(crate) message: String,
}

/// Parse the env file `text`.
///
/// `lookup` resolves `${VAR}` references inside unquoted and double-quoted
/// values (earlier keys in the same file first — pass a lookup that the
/// caller composes; the parser itself consults values defined earlier in the
/// same file before calling `lookup`).
pub(crate) fn parse_dotenv(
    text: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<DotenvEntry>, DotenvError> {
    let mut parser = Parser {
        text,
        pos: if text.starts_with('\u{feff}') {
            '\u{feff}'.len_utf8()
        } else {
            0
        },
        line_starts: line_starts(text),
        entries: Vec::new(),
        lookup,
    };
    while parser.statement()? {}
    Ok(parser.entries)
}

/// Parsing state over the whole file.
struct Parser<'a> {
    text: &'a str,
    /// Current byte offset.
    pos: usize,
    /// Byte offset of the start of every line.
    line_starts: Vec<usize>,
    entries: Vec<DotenvEntry>,
    lookup: &'a dyn Fn(&str) -> Option<String>,
}

impl<'a> Parser<'a> {
    /// Parse one statement; `false` at the end of the file.
    fn statement(&mut self) -> Result<bool, DotenvError> {
        // Blank and comment lines.
        loop {
            let rest = self.rest();
            let trimmed = rest.trim_start();
            self.pos += rest.len() - trimmed.len();
            if trimmed.is_empty() {
                return Ok(false);
            }
            if !trimmed.starts_with('#') {
                break;
            }
            self.pos = self.line_end(self.pos);
        }

        self.skip_export();

        let key_offset = self.pos;
        let key_len = key_len(self.rest());
        if key_len == 0 {
            let found = self.peek().unwrap_or('\u{fffd}');
            let message = if found == '=' {
                "missing variable name before `=`".to_owned()
            } else {
                format!(
                    "invalid variable name: a name starts with a letter or `_`, found `{found}`"
                )
            };
            return Err(self.error(key_offset, message));
        }
        let key_end = key_offset + key_len;
        let key = self.slice(key_offset, key_end).to_owned();
        self.pos = key_end;
        self.skip_inline_space();

        match self.peek() {
            None | Some('\n') => {
                self.push(key, None, key_offset, key_end);
                Ok(true)
            }
            Some('=') => {
                self.pos += 1;
                self.value(key, key_offset)?;
                Ok(true)
            }
            Some(':') => Err(self.error(
                self.pos,
                format!("`{key}: value` is not supported in env files, write `{key}=value`"),
            )),
            Some(c) if self.pos == key_end => Err(self.error(
                self.pos,
                format!(
                    "invalid character `{c}` in variable name `{key}`: names may contain letters, digits, `_`, `.` and `-`"
                ),
            )),
            Some(c) => Err(self.error(
                self.pos,
                format!("unexpected `{c}` after variable name `{key}`, expected `=`"),
            )),
        }
    }

    /// Skip an `export ` prefix when it is followed by a key on the same line
    /// (so `export` alone or `export=1` define a key named `export`).
    fn skip_export(&mut self) {
        let Some(after) = self.rest().strip_prefix("export") else {
            return;
        };
        let trimmed = after.trim_start_matches(is_inline_space);
        if trimmed.len() < after.len() && trimmed.bytes().next().is_some_and(is_key_start) {
            self.pos += self.rest().len() - trimmed.len();
        }
    }

    /// Parse the value after `=` and record the entry.
    fn value(&mut self, key: String, key_offset: usize) -> Result<(), DotenvError> {
        self.skip_inline_space();
        let start = self.pos;
        match self.peek() {
            Some('\'') => {
                let content = start + 1;
                let Some(len) = self.text.get(content..).and_then(|s| s.find('\'')) else {
                    return Err(self.error(start, "unterminated single-quoted value".to_owned()));
                };
                let value = self.slice(content, content + len).replace("\r\n", "\n");
                self.pos = content + len + 1;
                self.after_closing_quote()?;
                self.push(key, Some(value), key_offset, content);
            }
            Some('"') => {
                let content = start + 1;
                let (raw, map, close) = self.double_quoted(content)?;
                let value = self.interpolate(&raw, |at| map.get(at).copied().unwrap_or(close))?;
                self.pos = close + 1;
                self.after_closing_quote()?;
                self.push(key, Some(value), key_offset, content);
            }
            _ => {
                let end = self.line_end(start);
                let line = self.slice(start, end);
                let raw = strip_inline_comment(line).trim_end();
                let value = self.interpolate(raw, |at| start + at)?;
                self.pos = end;
                self.push(key, Some(value), key_offset, start);
            }
        }
        Ok(())
    }

    /// Unescape a double-quoted value whose content starts at `content`.
    ///
    /// Returns the unescaped text, the file offset of each of its bytes, and
    /// the offset of the closing quote. `\$` becomes `$$` so that
    /// interpolation turns it into a literal `$`.
    fn double_quoted(&self, content: usize) -> Result<(String, Vec<usize>, usize), DotenvError> {
        let mut out = String::new();
        let mut map = Vec::new();
        let mut push = |s: &str, at: usize| {
            out.push_str(s);
            map.resize(out.len(), at);
        };
        let mut chars = self
            .text
            .get(content..)
            .unwrap_or_default()
            .char_indices()
            .peekable();
        while let Some((i, c)) = chars.next() {
            let at = content + i;
            match c {
                '"' => return Ok((out, map, at)),
                '\\' => {
                    let escaped = match chars.peek().map(|&(_, e)| e) {
                        Some('n') => "\n",
                        Some('t') => "\t",
                        Some('r') => "\r",
                        Some('"') => "\"",
                        Some('\\') => "\\",
                        Some('$') => "$$",
                        Some('a') => "\u{7}",
                        Some('b') => "\u{8}",
                        Some('f') => "\u{c}",
                        Some('v') => "\u{b}",
                        // Unknown escape: keep the backslash, read the next
                        // character normally.
                        _ => {
                            push("\\", at);
                            continue;
                        }
                    };
                    chars.next();
                    push(escaped, at);
                }
                '\r' if chars.peek().is_some_and(|&(_, n)| n == '\n') => {}
                c => push(c.encode_utf8(&mut [0; 4]), at),
            }
        }
        Err(self.error(content - 1, "unterminated double-quoted value".to_owned()))
    }

    /// After a closing quote, allow only whitespace and a comment up to the
    /// end of the line.
    fn after_closing_quote(&mut self) -> Result<(), DotenvError> {
        self.skip_inline_space();
        match self.peek() {
            None | Some('\n') => Ok(()),
            Some('#') => {
                self.pos = self.line_end(self.pos);
                Ok(())
            }
            Some(c) => Err(self.error(
                self.pos,
                format!("unexpected `{c}` after the closing quote, expected the end of the line"),
            )),
        }
    }

    /// Interpolate `raw`, resolving earlier entries of this file first;
    /// `locate` maps an offset in `raw` to an offset in the file.
    fn interpolate(
        &self,
        raw: &str,
        locate: impl Fn(usize) -> usize,
    ) -> Result<String, DotenvError> {
        let entries = &self.entries;
        let lookup = self.lookup;
        let scoped = |name: &str| match entries.iter().rev().find(|e| e.key == name) {
            Some(DotenvEntry { value: Some(v), .. }) => Some(v.clone()),
            _ => lookup(name),
        };
        let mut missing = Vec::new();
        interpolate(raw, &scoped, &mut missing).map_err(|e| self.interpolation_error(&e, &locate))
    }

    /// Turn an interpolation error into a [`DotenvError`] at its file offset.
    fn interpolation_error(
        &self,
        error: &InterpolationError,
        locate: &impl Fn(usize) -> usize,
    ) -> DotenvError {
        let message = match &error.kind {
            InterpolationErrorKind::Required { variable, message } if message.is_empty() => {
                format!("required variable {variable} is missing a value")
            }
            InterpolationErrorKind::Required { variable, message } => {
                format!("required variable {variable} is missing a value: {message}")
            }
            InterpolationErrorKind::Syntax { message } => {
                format!("invalid interpolation: {message}")
            }
        };
        self.error(locate(error.offset), message)
    }

    /// Record an entry.
    fn push(&mut self, key: String, value: Option<String>, key_offset: usize, value_offset: usize) {
        self.entries.push(DotenvEntry {
            key,
            value,
            line: self.line_of(key_offset),
            key_offset,
            value_offset,
        });
    }

    /// An error at `offset`.
    fn error(&self, offset: usize, message: String) -> DotenvError {
        DotenvError {
            line: self.line_of(offset),
            offset,
            message,
        }
    }

    /// 1-based line containing byte `offset`.
    fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&start| start <= offset)
    }

    /// Offset of the next `\n` at or after `from`, or the end of the text.
    fn line_end(&self, from: usize) -> usize {
        self.text
            .get(from..)
            .and_then(|s| s.find('\n'))
            .map_or(self.text.len(), |i| from + i)
    }

    /// Move past spaces and tabs (and other non-newline whitespace).
    fn skip_inline_space(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start_matches(is_inline_space).len();
    }

    /// The text from the current position.
    fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or_default()
    }

    /// The character at the current position.
    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    /// `text[start..end]`, or `""` for an invalid range.
    fn slice(&self, start: usize, end: usize) -> &'a str {
        self.text.get(start..end).unwrap_or_default()
    }
}

/// Byte offsets at which lines start.
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// Length of the key at the start of `s` (0 if there is none).
fn key_len(s: &str) -> usize {
    let bytes = s.as_bytes();
    if !bytes.first().copied().is_some_and(is_key_start) {
        return 0;
    }
    bytes
        .iter()
        .take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
        .count()
}

/// `[A-Za-z_]`
fn is_key_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

/// Whitespace other than a line feed.
fn is_inline_space(c: char) -> bool {
    c != '\n' && c.is_whitespace()
}

/// Cut an unquoted value at the first `#` preceded by whitespace.
fn strip_inline_comment(value: &str) -> &str {
    let mut prev_space = false;
    for (i, c) in value.char_indices() {
        if c == '#' && prev_space {
            return value.get(..i).unwrap_or(value);
        }
        prev_space = c.is_whitespace();
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "HOME" => Some("/home/me".to_owned()),
            "EMPTY" => Some(String::new()),
            "SHADOW" => Some("from-env".to_owned()),
            _ => None,
        }
    }

    #[track_caller]
    fn parse(text: &str) -> Vec<DotenvEntry> {
        match parse_dotenv(text, &env) {
            Ok(entries) => entries,
            Err(e) => panic!("{text:?}: {e:?}"),
        }
    }

    /// `(key, value)` pairs of `text`.
    #[track_caller]
    fn pairs(text: &str) -> Vec<(String, Option<String>)> {
        parse(text).into_iter().map(|e| (e.key, e.value)).collect()
    }

    /// The single value of a one-entry file.
    #[track_caller]
    fn value(text: &str) -> String {
        match pairs(text).as_slice() {
            [(_, Some(v))] => v.clone(),
            other => panic!("{text:?}: {other:?}"),
        }
    }

    #[track_caller]
    fn error(text: &str, line: usize, offset: usize, needle: &str) {
        let err = parse_dotenv(text, &env).expect_err(text);
        assert_eq!((err.line, err.offset), (line, offset), "{text:?}: {err:?}");
        assert!(err.message.contains(needle), "{text:?}: {}", err.message);
    }

    fn kv(key: &str, value: Option<&str>) -> (String, Option<String>) {
        (key.to_owned(), value.map(str::to_owned))
    }

    #[test]
    fn empty_and_comment_only_files() {
        assert_eq!(pairs(""), []);
        assert_eq!(pairs("\n\n  \n\t\n"), []);
        assert_eq!(pairs("# comment\n  # indented comment\n#"), []);
        assert_eq!(pairs("\u{feff}"), []);
    }

    #[test]
    fn simple_pairs_with_lines_and_offsets() {
        let text = "A=1\n\n# c\nB = two\n  C=3";
        assert_eq!(
            parse(text),
            [
                DotenvEntry {
                    key: "A".into(),
                    value: Some("1".into()),
                    line: 1,
                    key_offset: 0,
                    value_offset: 2,
                },
                DotenvEntry {
                    key: "B".into(),
                    value: Some("two".into()),
                    line: 4,
                    key_offset: 9,
                    value_offset: 13,
                },
                DotenvEntry {
                    key: "C".into(),
                    value: Some("3".into()),
                    line: 5,
                    key_offset: 19,
                    value_offset: 21,
                },
            ]
        );
    }

    #[test]
    fn key_characters() {
        assert_eq!(
            pairs("a.b-c_D9=x\n_X=y\n"),
            [kv("a.b-c_D9", Some("x")), kv("_X", Some("y"))]
        );
    }

    #[test]
    fn export_prefix() {
        let entries = parse("export A=1\nexport\tB=2\nexport   C\n");
        assert_eq!(
            entries
                .iter()
                .map(|e| (e.key.as_str(), e.key_offset))
                .collect::<Vec<_>>(),
            [("A", 7), ("B", 18), ("C", 31)]
        );
        assert_eq!(entries[2].value, None);
        // `export` itself can be a key.
        assert_eq!(
            pairs("export=1\nexport\nexported=2"),
            [
                kv("export", Some("1")),
                kv("export", None),
                kv("exported", Some("2"))
            ]
        );
    }

    #[test]
    fn bare_keys_have_no_value() {
        let entries = parse("A\nB   \nC\r\nD");
        assert_eq!(
            entries
                .iter()
                .map(|e| (e.key.as_str(), e.value.clone(), e.line, e.value_offset))
                .collect::<Vec<_>>(),
            [
                ("A", None, 1, 1),
                ("B", None, 2, 3),
                ("C", None, 3, 8),
                ("D", None, 4, 11)
            ]
        );
    }

    #[test]
    fn empty_values() {
        assert_eq!(
            pairs("A=\nB=   \nC=''\nD=\"\"\nE="),
            [
                kv("A", Some("")),
                kv("B", Some("")),
                kv("C", Some("")),
                kv("D", Some("")),
                kv("E", Some("")),
            ]
        );
    }

    #[test]
    fn unquoted_values_are_trimmed() {
        assert_eq!(value("A=  spaced value  \t"), "spaced value");
        assert_eq!(value("A\t=\tx"), "x");
        assert_eq!(value("A=a  b"), "a  b");
        assert_eq!(value("A=ünïcödé 日本"), "ünïcödé 日本");
        assert_eq!(value("A=it's \"fine\""), "it's \"fine\"");
        assert_eq!(value("A=a=b=c"), "a=b=c");
        assert_eq!(parse("A=  x")[0].value_offset, 4);
    }

    #[test]
    fn inline_comments() {
        assert_eq!(value("A=value # comment"), "value");
        assert_eq!(value("A=value\t# comment"), "value");
        assert_eq!(value("A=value#not-a-comment"), "value#not-a-comment");
        assert_eq!(value("A=a#b #c"), "a#b");
        assert_eq!(value("A=x #"), "x");
        // As in compose, whitespace after `=` is skipped first, so a `#`
        // right at the start of the value is part of it.
        assert_eq!(value("A=#x"), "#x");
        assert_eq!(value("A= #x"), "#x");
    }

    #[test]
    fn single_quoted_values_are_literal() {
        assert_eq!(
            value("A='$HOME ${X:?no} \\n \\ # x'"),
            "$HOME ${X:?no} \\n \\ # x"
        );
        assert_eq!(value("A='a\"b'"), "a\"b");
        assert_eq!(value("A = '  padded  '  # c"), "  padded  ");
        assert_eq!(value("A='x'#c"), "x");
        let entries = parse("A='line1\nline2'\nB=2");
        assert_eq!(entries[0].value.as_deref(), Some("line1\nline2"));
        assert_eq!(entries[0].value_offset, 3);
        assert_eq!((entries[1].key.as_str(), entries[1].line), ("B", 3));
    }

    #[test]
    fn double_quoted_escapes() {
        assert_eq!(value(r#"A="a\nb\tc\"d\\e""#), "a\nb\tc\"d\\e");
        assert_eq!(value(r#"A="\r\a\b\f\v""#), "\r\u{7}\u{8}\u{c}\u{b}");
        assert_eq!(value(r#"A="\$HOME $$HOME""#), "$HOME $HOME");
        assert_eq!(value(r#"A="\x \'""#), "\\x \\'");
        assert_eq!(value(r##"A="# not a comment""##), "# not a comment");
        assert_eq!(value(r#"A="x" # comment"#), "x");
        assert_eq!(value("A=\"日本\\n語\""), "日本\n語");
    }

    #[test]
    fn double_quoted_values_span_lines() {
        let entries = parse("A=\"first\nsecond\n\"\nB=x");
        assert_eq!(entries[0].value.as_deref(), Some("first\nsecond\n"));
        assert_eq!((entries[1].key.as_str(), entries[1].line), ("B", 4));
    }

    #[test]
    fn interpolation_in_unquoted_and_double_quoted_values() {
        assert_eq!(value("A=$HOME/x"), "/home/me/x");
        assert_eq!(value("A=\"${HOME}/x\""), "/home/me/x");
        assert_eq!(value("A=${UNSET}"), "");
        assert_eq!(value("A=${UNSET:-fallback value}"), "fallback value");
        assert_eq!(value("A=${EMPTY:-d} # c"), "d");
        assert_eq!(value("A=\"${UNSET:-\\\"q\\\"}\""), "\"q\"");
        assert_eq!(value("A=$$HOME"), "$HOME");
    }

    #[test]
    fn earlier_keys_are_visible_to_later_values() {
        assert_eq!(
            pairs("A=1\nB=${A}2\nC=\"$B-$A\"\nD='$A'"),
            [
                kv("A", Some("1")),
                kv("B", Some("12")),
                kv("C", Some("12-1")),
                kv("D", Some("$A")),
            ]
        );
        // the file wins over the lookup, the latest definition wins
        assert_eq!(
            pairs("SHADOW=file\nX=$SHADOW\nSHADOW=again\nY=$SHADOW")[3],
            kv("Y", Some("again"))
        );
        // a bare key defers to the lookup
        assert_eq!(
            pairs("SHADOW=file\nSHADOW\nX=$SHADOW")[2],
            kv("X", Some("from-env"))
        );
        // a value cannot see itself or later keys
        assert_eq!(
            pairs("HOME=$HOME/sub\nX=$LATER\nLATER=1")[..2],
            [kv("HOME", Some("/home/me/sub")), kv("X", Some(""))]
        );
    }

    #[test]
    fn duplicates_are_kept_in_order() {
        assert_eq!(pairs("A=1\nA=2"), [kv("A", Some("1")), kv("A", Some("2"))]);
    }

    #[test]
    fn bom_is_skipped_and_counted_in_offsets() {
        let entries = parse("\u{feff}A=1\nB=2");
        assert_eq!(entries[0].key, "A");
        assert_eq!((entries[0].key_offset, entries[0].line), (3, 1));
        assert_eq!(entries[1].key_offset, 7);
        error("\u{feff}1=x", 1, 3, "invalid variable name");
    }

    #[test]
    fn crlf_line_endings() {
        let entries = parse("A=1\r\n# c\r\nB = two # c\r\nC='x\r\ny'\r\nD=\"p\r\nq\"\r\nE\r\n");
        assert_eq!(
            entries
                .iter()
                .map(|e| (e.key.as_str(), e.value.as_deref(), e.line))
                .collect::<Vec<_>>(),
            [
                ("A", Some("1"), 1),
                ("B", Some("two"), 3),
                ("C", Some("x\ny"), 4),
                ("D", Some("p\nq"), 6),
                ("E", None, 8),
            ]
        );
    }

    #[test]
    fn invalid_keys() {
        error("1A=x", 1, 0, "invalid variable name");
        error("A=1\n=x", 2, 4, "missing variable name");
        error("A=1\n  -A=x", 2, 6, "found `-`");
        error("A!=x", 1, 1, "invalid character `!` in variable name `A`");
        error("A=1\nKÉY=x", 2, 5, "invalid character `É`");
        error("A B=1", 1, 2, "unexpected `B` after variable name `A`");
        error("A #c", 1, 2, "unexpected `#`");
        error("\"A\"=1", 1, 0, "invalid variable name");
    }

    #[test]
    fn colon_separator_is_rejected() {
        error("A: 1", 1, 1, "`A: value` is not supported");
        error("X=1\nA :1", 2, 6, "write `A=value`");
    }

    #[test]
    fn unterminated_quotes() {
        error("A='abc", 1, 2, "unterminated single-quoted value");
        error(
            "A=1\nB = \"abc\nmore\n",
            2,
            8,
            "unterminated double-quoted value",
        );
        error("A=\"abc\\\"", 1, 2, "unterminated double-quoted value");
        error("A=\"abc\\", 1, 2, "unterminated double-quoted value");
    }

    #[test]
    fn text_after_closing_quote() {
        error("A='x'y", 1, 5, "unexpected `y` after the closing quote");
        error("A=1\nB=\"x\"  z", 2, 11, "after the closing quote");
        // `\'` is not an escape in single quotes
        error(r"A='a\'b'", 1, 6, "after the closing quote");
    }

    #[test]
    fn interpolation_errors_point_into_the_file() {
        error(
            "A=1\nB=${X:?set X first}",
            2,
            6,
            "required variable X is missing a value: set X first",
        );
        error("B=${X?}", 1, 2, "required variable X is missing a value");
        error("A=1\nB=x ${1}", 2, 8, "invalid interpolation");
        error("B=\"\\t\\t${A!}\"", 1, 7, "invalid interpolation");
        error("B=\"\nl2 ${X:?no}\"", 2, 7, "required variable X");
        error("B=\"é${\"", 1, 5, "unterminated");
    }

    #[test]
    fn required_passes_when_set_in_file() {
        assert_eq!(pairs("X=ok\nY=${X:?no}")[1], kv("Y", Some("ok")));
    }

    /// Deterministic xorshift64 generator.
    struct XorShift(u64);

    impl XorShift {
        fn below(&mut self, n: usize) -> usize {
            let mut x = self.0;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.0 = x;
            usize::try_from(x % (n as u64)).unwrap_or(0)
        }
    }

    #[test]
    fn random_inputs_never_panic() {
        const ALPHABET: [&str; 20] = [
            "A", "b", "=", " ", "\t", "\n", "\r\n", "#", "'", "\"", "\\", "$", "{", "}", ":", "-",
            "export ", "é", "\u{feff}", "1",
        ];
        let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
        for _ in 0..30_000 {
            let len = rng.below(20);
            let text: String = (0..len)
                .map(|_| ALPHABET[rng.below(ALPHABET.len())])
                .collect();
            match parse_dotenv(&text, &env) {
                Ok(entries) => {
                    for e in entries {
                        assert!(
                            text.get(e.key_offset..)
                                .is_some_and(|s| s.starts_with(&e.key))
                        );
                        assert!(e.value_offset <= text.len());
                        assert!(e.line >= 1);
                    }
                }
                Err(e) => {
                    assert!(e.offset <= text.len(), "{text:?}: {e:?}");
                    assert!(text.is_char_boundary(e.offset), "{text:?}: {e:?}");
                    assert_eq!(e.line, text[..e.offset].matches('\n').count() + 1);
                }
            }
        }
    }
}
