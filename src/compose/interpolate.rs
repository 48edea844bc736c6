//! Compose-spec variable interpolation of a single scalar string.
//!
//! Input is one string taken from a compose file (or an env file value) and a
//! lookup function resolving variable names; output is the string with every
//! `$VAR` / `${VAR...}` expression replaced, plus the list of variables that
//! were referenced without a fallback but are unset (compose warns about
//! those and substitutes an empty string).
//!
//! Supported syntax, following the compose specification:
//!
//! | expression          | result                                                  |
//! |---------------------|---------------------------------------------------------|
//! | `$$`                | a literal `$`                                           |
//! | `$VAR`, `${VAR}`    | value of `VAR`, empty (and recorded as missing) if unset|
//! | `${VAR:-default}`   | `default` if `VAR` is unset or empty                    |
//! | `${VAR-default}`    | `default` if `VAR` is unset                             |
//! | `${VAR:?message}`   | error if `VAR` is unset or empty                        |
//! | `${VAR?message}`    | error if `VAR` is unset                                 |
//! | `${VAR:+replace}`   | `replace` if `VAR` is set and non-empty, else empty     |
//! | `${VAR+replace}`    | `replace` if `VAR` is set, else empty                   |
//!
//! Variable names match `[A-Za-z_][A-Za-z0-9_]*`. Defaults, replacements and
//! messages are themselves interpolated, to any nesting depth, but only when
//! they are actually used. The closing `}` of a braced expression is found by
//! balancing every `{` / `}` inside it, so `${X:-{"a":1}}` has the default
//! `{"a":1}`. A `$` that is not followed by `$`, `{` or a name start is kept
//! literally.
//!
//! Evaluation is iterative (an explicit stack of pending segments), so deeply
//! nested input cannot overflow the call stack.

use std::collections::HashMap;

/// Error from interpolating one scalar; `offset`/`len` are BYTE offsets into
/// the input string locating the faulty `${...}` / `$` expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InterpolationError {
    /// Byte offset of the `$` that starts the faulty expression.
    pub(crate) offset: usize,
    /// Byte length of the faulty expression (up to and including its `}`,
    /// or up to the end of the enclosing text when it is unterminated).
    pub(crate) len: usize,
    /// What went wrong.
    pub(crate) kind: InterpolationErrorKind,
}

/// The kind of an [`InterpolationError`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum InterpolationErrorKind {
    /// `${VAR:?msg}` / `${VAR?msg}` with VAR unset (or empty for `:?`);
    /// carries the variable and the (interpolated) user message, which may be
    /// empty — the caller then words the diagnostic itself, e.g.
    /// "required variable VAR is missing a value".
    Required {
        /// Name of the required variable.
        variable: String,
        /// User-supplied message after `?` / `:?`, already interpolated.
        message: String,
    },
    /// Malformed expression: unterminated `${`, empty name `${}`, invalid
    /// name like `${1A}`, bad modifier `${A:x}`.
    Syntax {
        /// Human-readable description of the problem.
        message: String,
    },
}

/// Interpolate `input`. `lookup` returns the value of a variable (None = unset).
///
/// Returns the new string; also records the names of variables referenced but
/// unset (no default), in order, deduplicated, via `missing`. Names already
/// present in `missing` are not pushed again.
pub(crate) fn interpolate(
    input: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    missing: &mut Vec<String>,
) -> Result<String, InterpolationError> {
    if !input.contains('$') {
        return Ok(input.to_owned());
    }
    let closers = match_braces(input.as_bytes());
    let mut out = String::with_capacity(input.len());
    let mut stack = vec![Frame {
        pos: 0,
        end: input.len(),
        on_done: OnDone::Continue,
    }];

    while let Some(frame) = stack.last_mut() {
        let (pos, end) = (frame.pos, frame.end);
        if pos >= end {
            if let Some(Frame {
                on_done: OnDone::Fail(fail),
                ..
            }) = stack.pop()
            {
                let message = out.get(fail.mark..).unwrap_or_default().to_owned();
                return Err(InterpolationError {
                    offset: fail.offset,
                    len: fail.len,
                    kind: InterpolationErrorKind::Required {
                        variable: fail.variable,
                        message,
                    },
                });
            }
            continue;
        }

        let rest = slice(input, pos, end);
        let Some(rel) = rest.find('$') else {
            out.push_str(rest);
            frame.pos = end;
            continue;
        };
        out.push_str(slice(input, pos, pos + rel));
        let dollar = pos + rel;
        let next = if dollar + 1 < end {
            input.as_bytes().get(dollar + 1).copied()
        } else {
            None
        };

        match next {
            Some(b'$') => {
                out.push('$');
                frame.pos = dollar + 2;
            }
            Some(b'{') => {
                let expr = parse_braced(input, &closers, dollar, end)?;
                frame.pos = expr.close + 1;
                let value = lookup(expr.name);
                let Some((op, colon)) = expr.op else {
                    match value {
                        Some(v) => out.push_str(&v),
                        None => note_missing(missing, expr.name),
                    }
                    continue;
                };
                // "Present" in the sense of the modifier: set, and also
                // non-empty when the modifier carries a colon.
                let present = value.as_deref().is_some_and(|v| !colon || !v.is_empty());
                let arg = Frame {
                    pos: expr.arg_start,
                    end: expr.close,
                    on_done: OnDone::Continue,
                };
                match (op, present) {
                    (Op::Default | Op::Required, true) => {
                        out.push_str(value.as_deref().unwrap_or_default());
                    }
                    (Op::Default, false) | (Op::Alternative, true) => stack.push(arg),
                    (Op::Alternative, false) => {}
                    (Op::Required, false) => stack.push(Frame {
                        on_done: OnDone::Fail(Failure {
                            variable: expr.name.to_owned(),
                            mark: out.len(),
                            offset: dollar,
                            len: expr.close + 1 - dollar,
                        }),
                        ..arg
                    }),
                }
            }
            Some(c) if is_name_start(c) => {
                let name_end = scan_name(input.as_bytes(), dollar + 1, end);
                let name = slice(input, dollar + 1, name_end);
                frame.pos = name_end;
                match lookup(name) {
                    Some(v) => out.push_str(&v),
                    None => note_missing(missing, name),
                }
            }
            _ => {
                out.push('$');
                frame.pos = dollar + 1;
            }
        }
    }
    Ok(out)
}

/// A segment of the input still to be evaluated, `[pos, end)`.
struct Frame {
    pos: usize,
    end: usize,
    on_done: OnDone,
}

/// What to do once a [`Frame`] has been fully evaluated.
enum OnDone {
    /// Nothing: its output is already in place.
    Continue,
    /// It was the message of a failed `?` / `:?`: turn it into an error.
    Fail(Failure),
}

/// Pending `Required` error whose message is being evaluated.
struct Failure {
    variable: String,
    /// Output length before the message started.
    mark: usize,
    offset: usize,
    len: usize,
}

/// Modifier of a braced expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    /// `-` / `:-`
    Default,
    /// `?` / `:?`
    Required,
    /// `+` / `:+`
    Alternative,
}

/// A parsed `${...}` expression.
struct Braced<'a> {
    name: &'a str,
    /// Modifier and whether it carried a `:`.
    op: Option<(Op, bool)>,
    /// Start of the default / message / replacement text.
    arg_start: usize,
    /// Position of the closing `}`.
    close: usize,
}

/// Parse the `${...}` expression whose `$` is at `dollar`, within a segment
/// ending at `end`.
fn parse_braced<'a>(
    input: &'a str,
    closers: &HashMap<usize, usize>,
    dollar: usize,
    end: usize,
) -> Result<Braced<'a>, InterpolationError> {
    let bytes = input.as_bytes();
    let Some(close) = closers.get(&(dollar + 1)).copied().filter(|&c| c < end) else {
        return Err(syntax(
            dollar,
            end.saturating_sub(dollar),
            "unterminated `${`: missing closing `}`".to_owned(),
        ));
    };
    let len = close + 1 - dollar;
    let name_start = dollar + 2;
    let first = bytes
        .get(name_start)
        .copied()
        .filter(|_| name_start < close);
    match first {
        None => {
            return Err(syntax(
                dollar,
                len,
                "empty variable name in `${}`".to_owned(),
            ));
        }
        Some(c) if !is_name_start(c) => {
            return Err(syntax(
                dollar,
                len,
                format!(
                    "invalid variable name: `{}` cannot start a name (expected a letter or `_`)",
                    char_at(input, name_start)
                ),
            ));
        }
        Some(_) => {}
    }
    let name_end = scan_name(bytes, name_start, close);
    let name = slice(input, name_start, name_end);
    if name_end == close {
        return Ok(Braced {
            name,
            op: None,
            arg_start: close,
            close,
        });
    }
    let colon = bytes.get(name_end) == Some(&b':');
    let op_pos = if colon { name_end + 1 } else { name_end };
    let op = match bytes.get(op_pos).filter(|_| op_pos < close) {
        Some(b'-') => Op::Default,
        Some(b'?') => Op::Required,
        Some(b'+') => Op::Alternative,
        _ if colon => {
            return Err(syntax(
                dollar,
                len,
                format!("unsupported modifier after `${{{name}:`: expected `:-`, `:?` or `:+`"),
            ));
        }
        _ => {
            return Err(syntax(
                dollar,
                len,
                format!(
                    "unexpected `{}` after variable name `{name}`: expected `}}`, `-`, `?`, `+`, `:-`, `:?` or `:+`",
                    char_at(input, name_end)
                ),
            ));
        }
    };
    Ok(Braced {
        name,
        op: Some((op, colon)),
        arg_start: op_pos + 1,
        close,
    })
}

/// Map every `{` to its balancing `}` (innermost pairs first); unbalanced
/// braces are left out.
fn match_braces(bytes: &[u8]) -> HashMap<usize, usize> {
    let mut open = Vec::new();
    let mut pairs = HashMap::new();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'{' => open.push(i),
            b'}' => {
                if let Some(o) = open.pop() {
                    pairs.insert(o, i);
                }
            }
            _ => {}
        }
    }
    pairs
}

/// Build a [`InterpolationErrorKind::Syntax`] error.
fn syntax(offset: usize, len: usize, message: String) -> InterpolationError {
    InterpolationError {
        offset,
        len,
        kind: InterpolationErrorKind::Syntax { message },
    }
}

/// Record `name` as referenced-but-unset, once.
fn note_missing(missing: &mut Vec<String>, name: &str) {
    if !missing.iter().any(|m| m == name) {
        missing.push(name.to_owned());
    }
}

/// `[A-Za-z_]`
fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

/// `[A-Za-z0-9_]`
fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// End of the run of name characters starting at `start`, not past `end`.
fn scan_name(bytes: &[u8], start: usize, end: usize) -> usize {
    let run = bytes
        .get(start..end)
        .unwrap_or_default()
        .iter()
        .take_while(|&&b| is_name_char(b))
        .count();
    start + run
}

/// `input[start..end]`, or `""` if that is not a valid range (never the case
/// for the ASCII-delimited ranges used here).
fn slice(input: &str, start: usize, end: usize) -> &str {
    input.get(start..end).unwrap_or_default()
}

/// The character starting at byte `at`, for messages.
fn char_at(input: &str, at: usize) -> char {
    input
        .get(at..)
        .and_then(|s| s.chars().next())
        .unwrap_or('\u{fffd}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "A" => Some("alpha".to_owned()),
            "B" => Some("beta".to_owned()),
            "EMPTY" => Some(String::new()),
            "_u1" => Some("under".to_owned()),
            "DOLLAR" => Some("$B".to_owned()),
            "UNI" => Some("ünï".to_owned()),
            _ => None,
        }
    }

    fn run(input: &str) -> (Result<String, InterpolationError>, Vec<String>) {
        let mut missing = Vec::new();
        let result = interpolate(input, &env, &mut missing);
        (result, missing)
    }

    #[track_caller]
    fn case(input: &str, expected: &str) {
        let (result, _) = run(input);
        assert_eq!(result, Ok(expected.to_owned()), "input: {input:?}");
    }

    #[track_caller]
    fn missing(input: &str, expected: &str, names: &[&str]) {
        let (result, missing) = run(input);
        assert_eq!(result, Ok(expected.to_owned()), "input: {input:?}");
        assert_eq!(missing, names, "input: {input:?}");
    }

    #[track_caller]
    fn syntax_err(input: &str, offset: usize, len: usize, needle: &str) {
        let (result, _) = run(input);
        let err = result.expect_err(input);
        assert_eq!(
            (err.offset, err.len),
            (offset, len),
            "input: {input:?}: {err:?}"
        );
        match err.kind {
            InterpolationErrorKind::Syntax { message } => {
                assert!(message.contains(needle), "{input:?}: {message}");
            }
            InterpolationErrorKind::Required { .. } => panic!("{input:?}: {err:?}"),
        }
    }

    #[track_caller]
    fn required_err(input: &str, offset: usize, len: usize, variable: &str, message: &str) {
        let (result, _) = run(input);
        let err = result.expect_err(input);
        assert_eq!(
            err,
            InterpolationError {
                offset,
                len,
                kind: InterpolationErrorKind::Required {
                    variable: variable.to_owned(),
                    message: message.to_owned(),
                },
            },
            "input: {input:?}"
        );
    }

    #[test]
    fn plain_text_and_escapes() {
        case("", "");
        case("no variables here", "no variables here");
        case("$$", "$");
        case("$$$$", "$$");
        case("$$A", "$A");
        case("$${A}", "${A}");
        case("$$$A", "$alpha");
        case("cost: $$5", "cost: $5");
        case("{}}{", "{}}{");
    }

    #[test]
    fn literal_dollar() {
        case("$", "$");
        case("a $ b", "a $ b");
        case("trailing $", "trailing $");
        case("$1", "$1");
        case("$-x", "$-x");
        case("$.", "$.");
        case("$é", "$é");
        case("$}", "$}");
        case("$ $A", "$ alpha");
    }

    #[test]
    fn simple_variables() {
        case("$A", "alpha");
        case("${A}", "alpha");
        case("$A$B", "alphabeta");
        case("${A}${B}", "alphabeta");
        case("$A-$B", "alpha-beta");
        case("$A.txt", "alpha.txt");
        case("${A}B", "alphaB");
        case("$AB", "");
        case("$_u1", "under");
        case("${_u1}", "under");
        case("$EMPTY|", "|");
        case("$DOLLAR", "$B"); // values are not re-interpolated
        case("${UNI}", "ünï");
    }

    #[test]
    fn unicode_around_variables() {
        case("héllo $A wörld", "héllo alpha wörld");
        case("日本${B}語", "日本beta語");
        case("🦀$A🦀", "🦀alpha🦀");
        case("${X:-ünï}", "ünï");
        case("$Aé", "alphaé");
    }

    #[test]
    fn missing_variables() {
        missing("$X", "", &["X"]);
        missing("${X}", "", &["X"]);
        missing("a${X}b$Y c$X", "ab c", &["X", "Y"]);
        missing("$A$EMPTY", "alpha", &[]);
        missing("${X:-d}${X-d}${X:+r}${X+r}", "dd", &[]);
        missing("${X:-$Y}", "", &["Y"]);
        missing("${A:-$Y}", "alpha", &[]); // unused default is not evaluated
        missing("${A:+$Y}", "", &["Y"]);
        missing("${X:+$Y}", "", &[]);
    }

    #[test]
    fn missing_is_deduplicated_against_existing_entries() {
        let mut seen = vec!["X".to_owned()];
        let out = interpolate("$Y $X $Y", &env, &mut seen);
        assert_eq!(out, Ok("  ".to_owned()));
        assert_eq!(seen, ["X", "Y"]);
    }

    #[test]
    fn defaults() {
        case("${X:-def}", "def");
        case("${X-def}", "def");
        case("${EMPTY:-def}", "def");
        case("${EMPTY-def}", "");
        case("${A:-def}", "alpha");
        case("${A-def}", "alpha");
        case("${X:-}", "");
        case("${X-}", "");
        case("${X:-a b  c}", "a b  c");
        case("${X:-a:-b}", "a:-b");
        case("${X-?+:}", "?+:");
        case("${X:-$$}", "$");
        case("${X:-$}", "$");
        case("[${X:-1}|${Y-2}]", "[1|2]");
    }

    #[test]
    fn alternatives() {
        case("${A:+rep}", "rep");
        case("${A+rep}", "rep");
        case("${EMPTY:+rep}", "");
        case("${EMPTY+rep}", "rep");
        case("${X:+rep}", "");
        case("${X+rep}", "");
        case("${A:+}", "");
        case("${A:+$B}", "beta");
    }

    #[test]
    fn required_when_present() {
        case("${A:?boom}", "alpha");
        case("${A?boom}", "alpha");
        case("${EMPTY?boom}", "");
        case("${A:?$X}", "alpha"); // message not evaluated
    }

    #[test]
    fn nesting() {
        case("${X:-${B}}", "beta");
        case("${X:-${Y:-x}}", "x");
        case("${X:-${Y:-${Z:-deep}}}", "deep");
        case("${X:-foo $B bar}", "foo beta bar");
        case("${X:-foo ${B} bar}", "foo beta bar");
        case("${A:+<${B:+${A}}>}", "<alpha>");
        case("${X-${EMPTY:-e}}", "e");
        case("${X:-${Y:-a}-${Z:-b}}tail", "a-btail");
        case("${X:-$${B}}", "${B}");
        case("pre ${X:-${A}} post", "pre alpha post");
    }

    #[test]
    fn braces_balance_inside_defaults() {
        case(r#"${X:-{"json":1}}"#, r#"{"json":1}"#);
        case(r#"${A:-{"json":1}}"#, "alpha");
        case("${X:-{a}{b}}", "{a}{b}");
        case("${X:-x}}", "x}");
        case("{${A}}", "{alpha}");
        case("${X:-{}}", "{}");
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let depth = 20_000;
        let mut input = String::new();
        for _ in 0..depth {
            input.push_str("${X:-");
        }
        input.push_str("bottom");
        input.push_str(&"}".repeat(depth));
        case(&input, "bottom");
    }

    #[test]
    fn required_errors() {
        required_err("${X:?must be set}", 0, 17, "X", "must be set");
        required_err("${X?must be set}", 0, 16, "X", "must be set");
        required_err("${EMPTY:?nope}", 0, 14, "EMPTY", "nope");
        required_err("${X:?}", 0, 6, "X", "");
        required_err("${X?}", 0, 5, "X", "");
        required_err("ab ${X:?set $A}", 3, 12, "X", "set alpha");
        required_err("é ${X?${Y:-m}}", 3, 12, "X", "m");
        // nested: offset points at the inner expression
        required_err("${X:-${Y:?inner}}", 5, 11, "Y", "inner");
        required_err("ok $A ${A:+${X?x}}", 11, 6, "X", "x");
    }

    #[test]
    fn required_message_can_itself_fail() {
        required_err("${X?${Y?inner}}", 4, 10, "Y", "inner");
    }

    #[test]
    fn syntax_errors() {
        syntax_err("${", 0, 2, "unterminated");
        syntax_err("${A", 0, 3, "unterminated");
        syntax_err("ab ${A:-x", 3, 6, "unterminated");
        syntax_err("${X:-${Y}", 0, 9, "unterminated");
        syntax_err("${}", 0, 3, "empty variable name");
        syntax_err("x${}y", 1, 3, "empty variable name");
        syntax_err("${1A}", 0, 5, "invalid variable name");
        syntax_err("${-A}", 0, 5, "invalid variable name");
        syntax_err("${é}", 0, 5, "`é`");
        syntax_err("${ A}", 0, 5, "invalid variable name");
        syntax_err("${A:x}", 0, 6, "unsupported modifier");
        syntax_err("${A:}", 0, 5, "unsupported modifier");
        syntax_err("${A!}", 0, 5, "unexpected `!`");
        syntax_err("${A.B}", 0, 6, "unexpected `.`");
        syntax_err("${A B}", 0, 6, "unexpected ` `");
        syntax_err("日${A=x}", 3, 6, "unexpected `=`");
        // errors inside a used default are reported where they are
        syntax_err("${X:-${1}}", 5, 4, "invalid variable name");
        syntax_err("$A ${X:-${Y!}} ", 8, 5, "unexpected `!`");
    }

    #[test]
    fn unused_defaults_are_not_checked() {
        case("${A:-${1}}", "alpha");
        case("${X:+${}}", "");
        case("${A:?${Y!}}", "alpha");
    }

    #[test]
    fn first_error_wins_and_stops() {
        let mut seen = Vec::new();
        let err = interpolate("$X ${Y:?no} $Z", &env, &mut seen).expect_err("must fail");
        assert_eq!(err.offset, 3);
        assert_eq!(seen, ["X"]);
    }

    /// Deterministic xorshift64 generator.
    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.0 = x;
            x
        }

        fn below(&mut self, n: usize) -> usize {
            usize::try_from(self.next() % (n as u64)).unwrap_or(0)
        }
    }

    #[test]
    fn random_inputs_never_panic() {
        const ALPHABET: [&str; 16] = [
            "$", "{", "}", ":", "-", "?", "+", "A", "B", "_", "1", "x", "é", "日", "🦀", " ",
        ];
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        for _ in 0..50_000 {
            let len = rng.below(24);
            let input: String = (0..len)
                .map(|_| ALPHABET[rng.below(ALPHABET.len())])
                .collect();
            let mut seen = Vec::new();
            match interpolate(&input, &env, &mut seen) {
                Ok(out) => {
                    if !input.contains('$') {
                        assert_eq!(out, input);
                    }
                }
                Err(err) => {
                    let end = err.offset + err.len;
                    assert!(end <= input.len(), "{input:?}: {err:?}");
                    assert!(input.is_char_boundary(err.offset), "{input:?}: {err:?}");
                    assert!(input.is_char_boundary(end), "{input:?}: {err:?}");
                    assert_eq!(input.get(err.offset..=err.offset), Some("$"), "{input:?}");
                }
            }
            for name in &seen {
                assert!(env(name).is_none(), "{input:?}: {name}");
            }
        }
    }
}
