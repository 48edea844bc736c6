//! No input makes c2cfn panic: property tests feed arbitrary text and
//! compose-shaped documents through the whole pipeline (load, lower, emit,
//! render). Each case either renders or returns diagnostics.

use std::fmt::Write as _;

use proptest::prelude::*;

/// Runs one document through every stage (the library's `render`: load,
/// lower, emit, overlay, limits, text); panics only if c2cfn does.
fn pipeline(text: &str) {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("compose.yaml");
    std::fs::write(&file, text).expect("write compose file");
    let request = c2cfn::Request {
        files: vec![file],
        project_name: Some("fuzz".into()),
        cwd: dir.path().to_path_buf(),
        ..c2cfn::Request::default()
    };
    match c2cfn::render(&request) {
        Ok(rendered) => {
            assert!(!rendered.text.is_empty());
            let _ = rendered.warnings_text();
        }
        Err(rejected) => {
            assert!(
                rejected.diagnostics.has_errors(),
                "a rejected render reports an error"
            );
            let rendered = rejected.text();
            assert!(rendered.contains("error"), "{rendered}");
        }
    }
}

/// Scalars that reach the interesting parsers (ports, durations, sizes,
/// paths, interpolation, YAML typing).
fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("80".to_owned()),
        Just("\"8080:80\"".to_owned()),
        Just("\"127.0.0.1::80/udp\"".to_owned()),
        Just("\"99999\"".to_owned()),
        Just("1m30s".to_owned()),
        Just("512M".to_owned()),
        Just("\"0.5\"".to_owned()),
        Just("true".to_owned()),
        Just("~".to_owned()),
        Just("\"./x:/y:ro\"".to_owned()),
        Just("data:/data".to_owned()),
        Just("\"${X:-1}\"".to_owned()),
        Just("\"${Y:?need Y}\"".to_owned()),
        Just("-1".to_owned()),
        Just("[a, b]".to_owned()),
        Just("{max: 3, cpu: 50}".to_owned()),
        Just("{}".to_owned()),
        Just("[]".to_owned()),
        "[a-z0-9 :/._-]{0,12}".prop_map(|s| format!("\"{s}\"")),
    ]
}

/// Keys a service may have: compose keys, Docker's and c2cfn's extensions,
/// and a few that are not keys at all.
fn key() -> impl Strategy<Value = String> {
    let mut keys: Vec<String> = c2cfn::lower::keys::SERVICE_KEYS
        .iter()
        .map(|(k, _)| (*k).to_owned())
        .collect();
    keys.extend(
        [
            "x-aws-autoscaling",
            "x-aws-role",
            "x-aws-policies",
            "x-aws-tls",
            "x-aws-exec",
            "x-aws-pull_credentials",
            "x-aws-min_percent",
            "x-other",
            "imag",
            "portz",
        ]
        .map(str::to_owned),
    );
    prop::sample::select(keys)
}

fn service() -> impl Strategy<Value = String> {
    prop::collection::btree_map(key(), scalar(), 0..6).prop_map(|m| {
        let mut s = String::from("    image: nginx\n");
        for (k, v) in m {
            if k != "image" {
                let _ = writeln!(s, "    {k}: {v}");
            }
        }
        s
    })
}

fn document() -> impl Strategy<Value = String> {
    let top = prop_oneof![
        Just(String::new()),
        Just("x-aws-logs_retention: 7\n".to_owned()),
        Just("x-aws-dynamodb: {tables: [a/b, c/d/e], services: [s0]}\n".to_owned()),
        Just("x-aws-elasticache: {redis: {nodes: 2, services: [s0]}}\n".to_owned()),
        Just("x-aws-route53: {zone: example.com, records: [{name: a, service: s0}]}\n".to_owned()),
        Just("x-aws-cloudformation: {Resources: {LogGroup: null}}\n".to_owned()),
        Just("volumes: {data: {}}\nsecrets: {tok: {external: true, name: arn:x}}\n".to_owned()),
        Just("networks: {front: {}}\n".to_owned()),
    ];
    (top, prop::collection::vec(service(), 1..4)).prop_map(|(top, services)| {
        let mut s = top;
        s.push_str("services:\n");
        for (i, body) in services.iter().enumerate() {
            let _ = write!(s, "  s{i}:\n{body}");
        }
        s
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_never_panics(text in "[ -~\n\t\u{e9}\u{65e5}]{0,200}") {
        pipeline(&text);
    }

    #[test]
    fn yaml_punctuation_never_panics(text in r#"([a-z]{1,3}|[:\-&*!|>'"\[\]{},#%@` ]|\n  |\n){0,60}"#) {
        pipeline(&text);
    }

    #[test]
    fn compose_shaped_documents_never_panic(doc in document()) {
        pipeline(&doc);
    }
}
