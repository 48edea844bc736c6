//! Every key gets every wrong type. The cases are generated from the
//! official Compose JSON schema (../shared) and from `c2cfn schema`: for
//! each key, each JSON type the schema does not allow there (string,
//! number, boolean, list, mapping, null) is written as the key's value in a
//! compose file of its own. `render` must exit 1 and name `file:line:col`
//! of that value: not the enclosing block, not the first line of the file.
//! Types the schema allows (numbers as strings, `${VAR}`) are not wrong.
//! Every failing case is listed, so one failure hides no other.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

#[cfg(feature = "external-tools")]
use crate::support::shared;
use crate::support::{c2cfn, root, stderr, stdout};

/// One step of a path into the document.
#[derive(Debug, Clone, PartialEq)]
enum Seg {
    Key(String),
    /// An item of a list.
    Item,
    /// Any key of a mapping (a service, network, … name).
    Name,
}

/// A wrong value of each JSON type, with the JSON type names that allow it.
const SAMPLES: &[(&str, &[&str])] = &[
    ("wrong", &["string"]),
    ("7", &["number", "integer"]),
    ("true", &["boolean"]),
    ("[wrong]", &["array"]),
    ("{wrong: 1}", &["object"]),
    ("null", &["null"]),
];

/// Words of serde's and Rust's vocabulary that a user never wrote.
const RUST_WORDS: &[&str] = &[
    " u8",
    " u16",
    " u32",
    " u64",
    " i32",
    " i64",
    " usize",
    " f64",
    "struct ",
    "enum ",
    "untagged",
    "variant",
    "Option<",
    "Vec<",
    "invalid type:",
    "a sequence",
    "a map,",
];

/// Follows `$ref`s (`#/definitions/x` or `#/$defs/x`).
fn resolve<'a>(schema: &'a Value, mut node: &'a Value) -> &'a Value {
    for _ in 0..20 {
        let Some(r) = node.get("$ref").and_then(Value::as_str) else {
            break;
        };
        match schema.pointer(r.trim_start_matches('#')) {
            Some(target) => node = target,
            None => break,
        }
    }
    node
}

/// The node and its `oneOf`/`anyOf` branches, resolved.
fn branches<'a>(schema: &'a Value, node: &'a Value) -> Vec<&'a Value> {
    let node = resolve(schema, node);
    let mut out = vec![node];
    for key in ["oneOf", "anyOf"] {
        for b in node
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            out.extend(branches(schema, b));
        }
    }
    out
}

/// The JSON types allowed at `node` (empty: anything).
fn types(schema: &Value, node: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for b in branches(schema, node) {
        // c2cfn's `Interpolation` branch admits only `${var}` strings where a
        // number or boolean goes, not strings in general.
        if b.get("pattern")
            .and_then(Value::as_str)
            .is_some_and(|p| p.starts_with("\\$"))
        {
            continue;
        }
        match b.get("type") {
            Some(Value::String(t)) => {
                out.insert(t.clone());
            }
            Some(Value::Array(ts)) => {
                out.extend(ts.iter().filter_map(Value::as_str).map(str::to_owned));
            }
            _ => {}
        }
    }
    out
}

/// Every path of the schema with the types allowed there.
fn walk(
    schema: &Value,
    node: &Value,
    path: &mut Vec<Seg>,
    out: &mut Vec<(Vec<Seg>, BTreeSet<String>)>,
) {
    if path.len() > 9 || out.iter().filter(|(p, _)| p == path).count() > 0 {
        return;
    }
    let allowed = types(schema, node);
    if !path.is_empty() && !allowed.is_empty() {
        out.push((path.clone(), allowed));
    }
    for b in branches(schema, node) {
        if let Some(Value::Object(props)) = b.get("properties") {
            for (key, sub) in props {
                path.push(Seg::Key(key.clone()));
                walk(schema, sub, path, out);
                path.pop();
            }
        }
        let pattern = b
            .get("patternProperties")
            .and_then(Value::as_object)
            .and_then(|p| p.iter().find(|(k, _)| !k.starts_with("^x-")))
            .map(|(_, v)| v);
        let additional = b.get("additionalProperties").filter(|v| v.is_object());
        if let Some(sub) = pattern.or(additional) {
            path.push(Seg::Name);
            walk(schema, sub, path, out);
            path.pop();
        }
        if let Some(items) = b.get("items").filter(|v| v.is_object()) {
            path.push(Seg::Item);
            walk(schema, items, path, out);
            path.pop();
        }
    }
}

/// A compose file with `value` at `path`, and the line and column of the value.
fn document(path: &[Seg], value: &str) -> (String, usize, usize) {
    let mut out = String::new();
    let mut indent = 0;
    let mut pending: Option<String> = None;
    let mut names = 0;
    for (i, seg) in path.iter().enumerate() {
        let last = i + 1 == path.len();
        let head = pending.take().unwrap_or_else(|| " ".repeat(indent));
        let key = match seg {
            Seg::Key(k) => k.clone(),
            Seg::Name => {
                names += 1;
                // The first name under `services` is the service.
                if i == 1 && path[0] == Seg::Key("services".into()) {
                    "web".to_owned()
                } else {
                    format!("n{names}")
                }
            }
            Seg::Item => {
                let dash = format!("{head}- ");
                if last {
                    let line = out.lines().count() + 1;
                    let col = dash.len() + 1;
                    let _ = writeln!(out, "{dash}{value}");
                    return (out, line, col);
                }
                indent = dash.len();
                pending = Some(dash);
                continue;
            }
        };
        if last {
            let prefix = format!("{head}{key}: ");
            let line = out.lines().count() + 1;
            let col = prefix.chars().count() + 1;
            let _ = writeln!(out, "{prefix}{value}");
            return (out, line, col);
        }
        let _ = writeln!(out, "{head}{key}:");
        indent = head.len() + 2;
    }
    (out, 1, 1)
}

/// A generated case: where the wrong value goes, and the value.
type Case = (Vec<Seg>, &'static str);

/// Renders every case; returns the failures. `wrong`: the value must be an
/// error at its place; otherwise it must not be a type error there.
fn run_cases(cases: Vec<Case>, wrong: bool) -> (usize, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let total = cases.len();
    let threads = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    let chunks: Vec<Vec<(usize, Case)>> = {
        let mut c: Vec<Vec<_>> = (0..threads).map(|_| Vec::new()).collect();
        for (i, case) in cases.into_iter().enumerate() {
            c[i % threads].push((i, case));
        }
        c
    };
    let mut failures: Vec<(usize, String)> = std::thread::scope(|scope| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                let dir = dir.path();
                scope.spawn(move || {
                    let mut failed = Vec::new();
                    for (i, (path, value)) in chunk {
                        let failed_case = if wrong {
                            run_case(dir, i, &path, value)
                        } else {
                            run_accepted(dir, i, &path, value)
                        };
                        if let Some(f) = failed_case {
                            failed.push((i, f));
                        }
                    }
                    failed
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    failures.sort();
    (total, failures.into_iter().map(|(_, f)| f).collect())
}

fn run_case(dir: &Path, i: usize, path: &[Seg], value: &str) -> Option<String> {
    let (text, line, col) = document(path, value);
    let name = format!("case{i}.yaml");
    std::fs::write(dir.join(&name), &text).unwrap();
    let out = c2cfn(dir, &["render", "-p", "wrong", "-f", &name]);
    let err = stderr(&out);
    let at = format!("{name}:{line}:{col}");
    let shown = path
        .iter()
        .map(|s| match s {
            Seg::Key(k) => k.clone(),
            Seg::Item => "[]".into(),
            Seg::Name => "*".into(),
        })
        .collect::<Vec<_>>()
        .join(".");
    let problem = if out.status.code() != Some(1) {
        format!("exit {:?} instead of 1", out.status.code())
    } else if !err.contains(&at) {
        format!("no error at {line}:{col}")
    } else if err.contains("panicked") || !stdout(&out).is_empty() {
        "panicked or rendered".to_owned()
    } else if let Some(word) = RUST_WORDS.iter().find(|w| err.contains(*w)) {
        format!("the message speaks Rust (`{word}`)")
    } else {
        return None;
    };
    let first = err.lines().take(2).collect::<Vec<_>>().join(" | ");
    Some(format!("{shown} = {value}: {problem}; got: {first}"))
}

/// A value of a type the schema allows: it may be refused for what it says
/// (`wrong` is no port), but never as a value of the wrong type.
fn run_accepted(dir: &Path, i: usize, path: &[Seg], value: &str) -> Option<String> {
    let (text, line, col) = document(path, value);
    let name = format!("ok{i}.yaml");
    std::fs::write(dir.join(&name), &text).unwrap();
    let out = c2cfn(dir, &["render", "-p", "right", "-f", &name]);
    let err = stderr(&out);
    let at = format!("  --> {name}:{line}:{col}");
    let lines: Vec<&str> = err.lines().collect();
    let type_error = lines.windows(2).find(|w| {
        w[1] == at
            && w[0].starts_with("error: `")
            && w[0].contains(" must be ")
            && w[0].contains(", not ")
    });
    if err.contains("panicked") {
        return Some(format!("{} = {value}: panicked", shown(path)));
    }
    type_error.map(|w| {
        format!(
            "{} = {value}: refused as a wrong type: {}",
            shown(path),
            w[0]
        )
    })
}

fn shown(path: &[Seg]) -> String {
    path.iter()
        .map(|s| match s {
            Seg::Key(k) => k.clone(),
            Seg::Item => "[]".into(),
            Seg::Name => "*".into(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// The values of allowed types at every path of `schema` (an interpolation
/// where strings are allowed), paths passing `keep`.
#[cfg(feature = "external-tools")]
fn accepted(schema: &Value, keep: &dyn Fn(&[Seg]) -> bool) -> Vec<Case> {
    let mut paths = Vec::new();
    walk(schema, schema, &mut Vec::new(), &mut paths);
    let mut out = Vec::new();
    for (path, allowed) in paths {
        if !keep(&path) {
            continue;
        }
        for (sample, types) in SAMPLES {
            if types.iter().any(|t| allowed.contains(*t)) {
                out.push((path.clone(), *sample));
            }
        }
        if allowed.contains("string") {
            out.push((path.clone(), "${WRONG_TYPES_UNSET:-7}"));
        }
    }
    out
}

/// The wrong-type cases of `schema` whose path passes `keep`.
fn cases(schema: &Value, keep: &dyn Fn(&[Seg]) -> bool) -> Vec<Case> {
    let mut paths = Vec::new();
    walk(schema, schema, &mut Vec::new(), &mut paths);
    let mut out = Vec::new();
    for (path, allowed) in paths {
        if !keep(&path) {
            continue;
        }
        for (sample, types) in SAMPLES {
            if !types.iter().any(|t| allowed.contains(*t)) {
                out.push((path.clone(), *sample));
            }
        }
    }
    out
}

fn report(what: &str, total: usize, failures: &[String]) {
    assert!(total > 0, "no {what} case was generated");
    assert!(
        failures.is_empty(),
        "{} of {total} wrong-type cases of {what} are not errors at the value:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[cfg(feature = "external-tools")]
#[test]
fn every_compose_key_rejects_every_wrong_type_at_the_value() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(shared().join("compose-spec/compose-spec.json"))
            .expect("compose schema in ../shared"),
    )
    .unwrap();
    let cases = cases(&schema, &|_| true);
    assert!(
        cases.len() > 1000,
        "the schema gives {} cases: is it the whole Compose schema?",
        cases.len()
    );
    let (total, failures) = run_cases(cases, true);
    report("the Compose schema", total, &failures);
}

#[test]
fn every_extension_key_rejects_every_wrong_type_at_the_value() {
    let out = c2cfn(&root(), &["schema"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let schema: Value = serde_json::from_str(&stdout(&out)).expect("the schema is JSON");
    let cases = cases(&schema, &|path| {
        path.iter()
            .any(|s| matches!(s, Seg::Key(k) if k.starts_with("x-aws-")))
    });
    assert!(cases.len() > 100, "only {} extension cases", cases.len());
    let (total, failures) = run_cases(cases, true);
    report("`c2cfn schema`", total, &failures);
}

#[test]
fn documents_put_the_value_where_they_say() {
    let path = [
        Seg::Key("services".into()),
        Seg::Name,
        Seg::Key("ports".into()),
        Seg::Item,
        Seg::Key("target".into()),
    ];
    let (text, line, col) = document(&path, "[wrong]");
    assert_eq!(
        text,
        "services:\n  web:\n    ports:\n      - target: [wrong]\n"
    );
    assert_eq!((line, col), (4, 17));
    let (text, line, col) = document(&[Seg::Key("volumes".into()), Seg::Name], "7");
    assert_eq!(text, "volumes:\n  n1: 7\n");
    assert_eq!((line, col), (2, 7));
}

#[test]
fn a_wrong_value_is_reported_once_and_nothing_follows_from_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  web:\n    image: 5\n    ports:\n      - target: [1]\n    healthcheck: [x]\n    build: [x]\n",
    )
    .unwrap();
    let out = c2cfn(dir.path(), &["render", "-p", "once", "-f", "compose.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error: `")).collect();
    assert_eq!(
        errors,
        [
            "error: `services.web.image` must be a string, not an integer",
            "error: `services.web.ports[0].target` must be a whole number or a string, not a list",
            "error: `services.web.healthcheck` must be a mapping, not a list",
            "error: `services.web.build` must be a string or a mapping, not a list",
        ],
        "{err}"
    );
    assert!(err.contains("error: 4 errors"), "{err}");
}

#[cfg(feature = "external-tools")]
#[test]
fn every_allowed_type_is_accepted_as_a_type() {
    let compose: Value = serde_json::from_str(
        &std::fs::read_to_string(shared().join("compose-spec/compose-spec.json"))
            .expect("compose schema in ../shared"),
    )
    .unwrap();
    let out = c2cfn(&root(), &["schema"]);
    let ours: Value = serde_json::from_str(&stdout(&out)).expect("the schema is JSON");
    let mut cases = accepted(&compose, &|_| true);
    cases.extend(accepted(&ours, &|path| {
        path.iter()
            .any(|s| matches!(s, Seg::Key(k) if k.starts_with("x-aws-")))
    }));
    let (total, failures) = run_cases(cases, false);
    assert!(total > 1000, "only {total} cases");
    assert!(
        failures.is_empty(),
        "{} of {total} values of allowed types are refused as wrong types:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
