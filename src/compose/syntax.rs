//! Short compose syntaxes: durations, byte sizes, ports, volumes and
//! shell-style command strings. Pure functions returning a message on error.

/// A compose duration (`1m30s`, `10s`, `1h`, `500ms`, `1.5s`) in whole
/// seconds, rounded up (so `500ms` is 1 s, never 0).
pub fn duration(text: &str) -> Result<u64, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("empty duration".into());
    }
    let mut total = 0f64;
    let mut rest = t;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return Err(format!("`{t}` is not a duration"));
        }
        let n: f64 = rest[..num_len]
            .parse()
            .map_err(|_| format!("`{t}` is not a duration"))?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let factor = match unit {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 0.001,
            "us" | "µs" => 0.000_001,
            "ns" => 0.000_000_001,
            "" => return Err(format!("`{t}` has no unit")),
            other => return Err(format!("unknown duration unit `{other}` in `{t}`")),
        };
        total += n * factor;
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(total.ceil() as u64)
}

/// The hint for a value that is not a size; one wording wherever sizes are
/// checked, so a problem found twice is reported once.
pub const SIZE_HELP: &str =
    "a size is a number of bytes or a number with a unit: b, k, m, g (`512m`, `1g`)";

/// A compose byte size (`512M`, `1g`, `1.5GB`, `100b`, `1024k`, or bytes).
pub fn bytes(text: &str) -> Result<u64, String> {
    let t = text.trim().to_ascii_lowercase();
    let digits = t.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let unit = &t[digits.len()..];
    let n: f64 = digits
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a size"))?;
    let mult: f64 = match unit {
        "" | "b" => 1.0,
        "k" | "kb" | "kib" => 1024.0,
        "m" | "mb" | "mib" => 1024.0 * 1024.0,
        "g" | "gb" | "gib" => 1024.0 * 1024.0 * 1024.0,
        "t" | "tb" | "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        other => return Err(format!("unknown size unit `{other}` in `{text}`")),
    };
    if n < 0.0 {
        return Err(format!("`{text}` is negative"));
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok((n * mult) as u64)
}

/// One short-syntax port entry, expanded (ranges give several).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortPort {
    /// Host IP, if given.
    pub host_ip: Option<String>,
    /// Published port.
    pub published: Option<u16>,
    /// Container port.
    pub target: u16,
    /// `tcp` or `udp`.
    pub protocol: String,
}

fn port_range(text: &str) -> Result<(u16, u16), String> {
    let parse = |s: &str| -> Result<u16, String> {
        match s.parse::<u32>() {
            Ok(n) if (1..=65535).contains(&n) => Ok(u16::try_from(n).unwrap_or(1)),
            _ => Err(format!("`{s}` is not a port number (1-65535)")),
        }
    };
    match text.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (parse(a)?, parse(b)?);
            if b < a {
                return Err(format!("port range `{text}` is reversed"));
            }
            Ok((a, b))
        }
        None => parse(text).map(|p| (p, p)),
    }
}

/// `"80"`, `"8080:80"`, `"127.0.0.1:8080:80"`, `"[::1]:80:80"`, `"8000-8002:8000-8002"`, `"80/udp"`.
pub fn ports(text: &str) -> Result<Vec<ShortPort>, String> {
    let (body, protocol) = match text.rsplit_once('/') {
        Some((b, p)) => (b, p.to_ascii_lowercase()),
        None => (text, "tcp".to_owned()),
    };
    if !matches!(protocol.as_str(), "tcp" | "udp" | "sctp") {
        return Err(format!("unknown protocol `{protocol}`"));
    }
    let (host_ip, rest) = if let Some(stripped) = body.strip_prefix('[') {
        let (ip, after) = stripped
            .split_once(']')
            .ok_or_else(|| format!("unclosed `[` in `{text}`"))?;
        (Some(ip.to_owned()), after.trim_start_matches(':'))
    } else {
        let parts: Vec<&str> = body.split(':').collect();
        if parts.len() == 3 {
            (Some(parts[0].to_owned()), &body[parts[0].len() + 1..])
        } else {
            (None, body)
        }
    };
    let (published, target) = match rest.split_once(':') {
        Some((p, t)) => (
            if p.is_empty() {
                None
            } else {
                Some(port_range(p)?)
            },
            port_range(t)?,
        ),
        None => (None, port_range(rest)?),
    };
    let count = target.1 - target.0;
    if let Some(p) = published
        && p.1 - p.0 != count
        && p.0 != p.1
    {
        return Err(format!(
            "published and container ranges of `{text}` differ in length"
        ));
    }
    Ok((0..=count)
        .map(|i| ShortPort {
            host_ip: host_ip.clone().filter(|ip| !ip.is_empty()),
            published: published.map(|p| if p.0 == p.1 { p.0 } else { p.0 + i }),
            target: target.0 + i,
            protocol: protocol.clone(),
        })
        .collect())
}

/// `(type, source, target, read_only)` of a short-syntax volume.
pub fn volume(text: &str) -> Result<(String, Option<String>, String, bool), String> {
    let parts: Vec<&str> = text.split(':').collect();
    let (source, target, mode) = match parts.as_slice() {
        [t] => (None, (*t).to_owned(), ""),
        [s, t] => (Some((*s).to_owned()), (*t).to_owned(), ""),
        [s, t, m] => (Some((*s).to_owned()), (*t).to_owned(), *m),
        _ => return Err(format!("`{text}` is not `source:target[:mode]`")),
    };
    if target.is_empty() || !target.starts_with('/') {
        return Err(format!("the container path `{target}` must be absolute"));
    }
    let mut read_only = false;
    for opt in mode.split(',').filter(|o| !o.is_empty()) {
        match opt {
            "ro" => read_only = true,
            "rw" | "z" | "Z" | "nocopy" | "cached" | "delegated" | "consistent" | "shared"
            | "rshared" | "slave" | "rslave" | "private" | "rprivate" => {}
            other => return Err(format!("unknown volume option `{other}`")),
        }
    }
    let kind = match &source {
        None => "volume",
        Some(s) if s.starts_with(['/', '.', '~']) => "bind",
        Some(_) => "volume",
    };
    Ok((kind.to_owned(), source, target, read_only))
}

/// Splits a command string like a POSIX shell does (quotes, backslashes).
pub fn shell_words(text: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(x) => cur.push(x),
                        None => return Err("unterminated single quote".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(x @ ('"' | '\\' | '$' | '`')) => cur.push(x),
                            Some('\n') => {}
                            Some(x) => {
                                cur.push('\\');
                                cur.push(x);
                            }
                            None => return Err("unterminated double quote".into()),
                        },
                        Some(x) => cur.push(x),
                        None => return Err("unterminated double quote".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some('\n') | None => {}
                    Some(x) => cur.push(x),
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration("1m30s"), Ok(90));
        assert_eq!(duration("10s"), Ok(10));
        assert_eq!(duration("1h"), Ok(3600));
        assert_eq!(duration("500ms"), Ok(1));
        assert_eq!(duration("1.5s"), Ok(2));
        assert_eq!(duration("2h45m"), Ok(9900));
        assert!(duration("10").is_err());
        assert!(duration("5x").is_err());
        assert!(duration("").is_err());
    }

    #[test]
    fn sizes() {
        assert_eq!(bytes("512M"), Ok(512 * 1024 * 1024));
        assert_eq!(bytes("1g"), Ok(1024 * 1024 * 1024));
        assert_eq!(bytes("1.5GB"), Ok(1_610_612_736));
        assert_eq!(bytes("100b"), Ok(100));
        assert_eq!(bytes("1024k"), Ok(1024 * 1024));
        assert_eq!(bytes("2048"), Ok(2048));
        assert!(bytes("12q").is_err());
    }

    #[track_caller]
    fn port(text: &str, expected: &[(Option<&str>, Option<u16>, u16, &str)]) {
        let got = ports(text).unwrap();
        let got: Vec<_> = got
            .iter()
            .map(|p| {
                (
                    p.host_ip.as_deref(),
                    p.published,
                    p.target,
                    p.protocol.as_str(),
                )
            })
            .collect();
        assert_eq!(got, expected, "{text}");
    }

    #[test]
    fn port_syntaxes() {
        port("80", &[(None, None, 80, "tcp")]);
        port("8080:80", &[(None, Some(8080), 80, "tcp")]);
        port(
            "127.0.0.1:8080:80",
            &[(Some("127.0.0.1"), Some(8080), 80, "tcp")],
        );
        port("127.0.0.1::80", &[(Some("127.0.0.1"), None, 80, "tcp")]);
        port("[::1]:80:80", &[(Some("::1"), Some(80), 80, "tcp")]);
        port("53/udp", &[(None, None, 53, "udp")]);
        port(
            "8000-8001:9000-9001",
            &[
                (None, Some(8000), 9000, "tcp"),
                (None, Some(8001), 9001, "tcp"),
            ],
        );
        assert!(ports("70000").is_err());
        assert!(ports("0").is_err());
        assert!(ports("80/icmp").is_err());
        assert!(ports("a:b").is_err());
    }

    #[test]
    fn volume_syntaxes() {
        assert_eq!(
            volume("data:/var/lib"),
            Ok((
                "volume".into(),
                Some("data".into()),
                "/var/lib".into(),
                false
            ))
        );
        assert_eq!(
            volume("./src:/app:ro"),
            Ok(("bind".into(), Some("./src".into()), "/app".into(), true))
        );
        assert_eq!(
            volume("/cache"),
            Ok(("volume".into(), None, "/cache".into(), false))
        );
        assert!(volume("data:relative").is_err());
        assert!(volume("a:/b:bogus").is_err());
    }

    #[test]
    fn shell_splitting() {
        assert_eq!(
            shell_words("npm run start").unwrap(),
            ["npm", "run", "start"]
        );
        assert_eq!(
            shell_words(r#"sh -c "echo 'hi there'""#).unwrap(),
            ["sh", "-c", "echo 'hi there'"]
        );
        assert_eq!(shell_words(r#"a\ b 'c d' """#).unwrap(), ["a b", "c d", ""]);
        assert!(shell_words("'open").is_err());
    }
}
