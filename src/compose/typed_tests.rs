//! The loader types the `x-aws-*` extensions, the legacy service keys and
//! the overlay: good values keep their spans, wrong types are errors at
//! the value (kept in `problems` for `lower` to report), `${var}`
//! interpolations type like the values they stand for.

use indexmap::IndexMap;
use serde_json::json;

use super::project::{Project, Spanned};
use super::{LoadOptions, load};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::source::{SourceMap, Span};

/// A project loaded from one compose file, and its sources.
struct Loaded {
    project: Project,
    sources: SourceMap,
    _dir: tempfile::TempDir,
}

impl Loaded {
    fn new(compose: &str) -> Self {
        Self::with_env(compose, &[])
    }

    fn with_env(compose: &str, vars: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("compose.yaml"), compose).expect("write");
        let options = LoadOptions {
            cwd: dir.path().to_path_buf(),
            environment: vars
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<IndexMap<_, _>>(),
            ..LoadOptions::default()
        };
        let mut sources = SourceMap::new();
        let project = match load(&options, &mut sources) {
            Ok(l) => l.project,
            Err(e) => *e.partial.unwrap_or_else(|| panic!("{:?}", e.diagnostics)),
        };
        Self {
            project,
            sources,
            _dir: dir,
        }
    }

    /// The text a span covers.
    fn text(&self, span: Option<Span>) -> &str {
        let span = span.expect("a span");
        &self.sources.text(span.file)[span.start..span.end]
    }

    fn spanned<T>(&self, s: &Spanned<T>) -> &str {
        self.text(s.span)
    }
}

fn one(problems: &Diagnostics) -> &Diagnostic {
    assert_eq!(problems.items().len(), 1, "{problems:?}");
    &problems.items()[0]
}

#[test]
fn project_extensions_are_typed_with_spans() {
    let l = Loaded::new(
        "services:\n  web: {image: nginx}\n\
         x-aws-vpc: vpc-123\n\
         x-aws-logs_retention: 14\n\
         x-aws-elasticache:\n  redis:\n    nodes: 2\n    services: [web]\n\
         x-aws-route53:\n  zone: example.com\n  records:\n    - {name: api, service: web}\n\
         x-mine: {anything: [1]}\n",
    );
    let ext = &l.project.extensions;
    assert!(ext.problems.is_empty(), "{:?}", ext.problems);
    assert_eq!(ext.vpc.as_deref(), Some("vpc-123"));
    assert_eq!(ext.logs_retention, Some(14));
    assert_eq!(l.text(ext.spans.get("x-aws-logs_retention").copied()), "14");
    assert_eq!(l.text(ext.keys.get("x-aws-vpc").copied()), "x-aws-vpc");
    // The user's own `x-*` keys are recorded, never typed.
    assert!(ext.keys.contains_key("x-mine"));
    let redis = &ext.elasticache.as_ref().unwrap().redis;
    let nodes = redis.nodes.as_ref().unwrap();
    assert_eq!(nodes.value, 2);
    assert_eq!(l.spanned(nodes), "2");
    assert_eq!(l.spanned(&redis.services[0]), "web");
    let dns = ext.route53.as_ref().unwrap();
    assert_eq!(l.spanned(&dns.zone), "example.com");
    assert_eq!(l.spanned(&dns.records[0]), "{name: api, service: web}");
    assert_eq!(l.spanned(&dns.records[0].value.service), "web");
}

#[test]
fn a_wrong_type_is_a_problem_at_the_value_and_the_rest_is_kept() {
    let l = Loaded::new(
        "services:\n  web: {image: nginx}\n\
         x-aws-elasticache:\n  redis:\n    nodes: [2]\n\
         x-aws-vpc: vpc-123\n",
    );
    let ext = &l.project.extensions;
    let d = one(&ext.problems);
    assert_eq!(
        d.message,
        "`x-aws-elasticache.redis.nodes` must be a whole number, not a list"
    );
    assert_eq!(l.text(d.span), "[2]");
    // The extension at fault is left out; the others are typed.
    assert!(ext.elasticache.is_none());
    assert_eq!(ext.vpc.as_deref(), Some("vpc-123"));
}

#[test]
fn a_bad_list_item_is_reported_at_the_item_and_the_others_are_kept() {
    let l = Loaded::new(
        "services:\n  web: {image: nginx}\n\
         x-aws-dynamodb:\n  tables:\n    - cards/id\n    - {name: decks}\n    - players/id\n",
    );
    let ext = &l.project.extensions;
    let d = one(&ext.problems);
    assert_eq!(d.message, "a table needs a hash key");
    // The table's first entry, not the whole block.
    assert_eq!(l.text(d.span), "{name: decks");
    let tables = &ext.dynamodb.as_ref().unwrap().tables;
    assert_eq!(tables.len(), 2);
    assert_eq!(l.spanned(&tables[1]), "players/id");
}

#[test]
fn an_unknown_key_is_reported_at_the_key() {
    let l = Loaded::new(
        "services:\n  web:\n    image: nginx\n    x-aws-autoscale: {max: 3}\n\
         x-aws-logs_retension: 30\n",
    );
    let top = one(&l.project.extensions.problems);
    assert_eq!(top.message, "unknown extension key `x-aws-logs_retension`");
    assert_eq!(l.text(top.span), "x-aws-logs_retension");
    let svc = one(&l.project.services["web"].extensions.problems);
    assert_eq!(svc.message, "unknown extension key `x-aws-autoscale`");
    assert_eq!(l.text(svc.span), "x-aws-autoscale");
}

#[test]
fn interpolated_values_type_like_the_values_they_stand_for() {
    let l = Loaded::with_env(
        "services:\n  web:\n    image: nginx\n    cpus: ${cpus}\n    scale: ${n}\n\
         \x20   deploy:\n      update_config:\n        x-aws-min_percent: ${min}\n\
         \x20   x-aws-exec: ${exec}\n\
         x-aws-elasticache:\n  redis:\n    nodes: ${nodes:-3}\n",
        &[
            ("cpus", "0.5"),
            ("n", "2"),
            ("min", "50"),
            ("exec", "false"),
        ],
    );
    let svc = &l.project.services["web"];
    assert!(svc.extensions.problems.is_empty());
    assert_eq!(svc.extensions.exec, Some(false));
    assert_eq!(svc.cpus.as_ref().unwrap().value, Ok(0.5));
    assert_eq!(svc.scale.as_ref().unwrap().value, Ok(2));
    let update = &svc.deploy.as_ref().unwrap().update_config.as_ref().unwrap();
    let min = update.extensions.min_percent.as_ref().unwrap();
    assert_eq!(min.value, 50);
    assert_eq!(l.spanned(min), "${min}");
    let redis = &l.project.extensions.elasticache.as_ref().unwrap().redis;
    assert_eq!(redis.nodes.as_ref().unwrap().value, 3);
    assert_eq!(l.spanned(redis.nodes.as_ref().unwrap()), "${nodes:-3}");
}

#[test]
fn legacy_keys_keep_the_key_the_value_and_the_error_to_report() {
    let l = Loaded::new(
        "services:\n  web:\n    image: nginx\n    cpus: lots\n    mem_limit: 512m\n\
         \x20   mem_reservation: 1q\n    scale: 2\n    network_mode: host\n",
    );
    let svc = &l.project.services["web"];
    let cpus = svc.cpus.as_ref().unwrap();
    assert_eq!(l.text(Some(cpus.key)), "cpus");
    let e = cpus.value.as_ref().unwrap_err();
    assert_eq!(e.message, "`cpus: lots` is not a number of CPUs");
    assert_eq!(l.text(e.span), "lots");
    let mem = svc.mem_limit.as_ref().unwrap();
    assert_eq!(mem.value, Ok(512 * 1024 * 1024));
    assert_eq!(l.text(Some(mem.span)), "512m");
    let reservation = svc.mem_reservation.as_ref().unwrap();
    assert_eq!(
        reservation.value.as_ref().unwrap_err().message,
        "`mem_reservation`: unknown size unit `q` in `1q`"
    );
    assert_eq!(svc.scale.as_ref().unwrap().value, Ok(2));
    let mode = svc.network_mode.as_ref().unwrap();
    assert_eq!(mode.value.as_deref(), Ok("host"));
    assert_eq!(l.text(Some(mode.span)), "host");
    assert_eq!(l.text(Some(mode.key)), "network_mode");
}

#[test]
fn sub_keys_ecs_ignores_are_recorded_at_their_keys() {
    let l = Loaded::new(
        "services:\n  web:\n    image: nginx\n\
         \x20   healthcheck: {test: [CMD, true], start_interval: 5s}\n\
         \x20   secrets: [{source: s, uid: '1'}]\n\
         \x20   volumes:\n      - {type: volume, source: d, target: /d, volume: {subpath: x}}\n\
         secrets:\n  s: {file: ./s}\n\
         volumes:\n  d: {}\n",
    );
    let paths: Vec<(&str, &str)> = l.project.services["web"]
        .sub_keys
        .iter()
        .map(|(p, s)| (p.as_str(), l.text(Some(*s))))
        .collect();
    assert_eq!(
        paths,
        [
            ("healthcheck.start_interval", "start_interval"),
            ("secrets[].uid", "uid"),
            ("volumes[].volume.subpath", "subpath"),
        ]
    );
}

#[test]
fn deploy_and_port_extensions_are_typed_where_written() {
    let l = Loaded::new(
        "services:\n  web:\n    image: nginx\n\
         \x20   ports: [{target: 8080, x-aws-protocol: http}]\n\
         \x20   deploy:\n      x-aws-autoscaling: {max: 4, cpu: 60}\n\
         \x20     update_config: {x-aws-max_percent: lots}\n",
    );
    let svc = &l.project.services["web"];
    assert_eq!(svc.ports[0].extensions.protocol.as_deref(), Some("http"));
    let deploy = svc.deploy.as_ref().unwrap();
    let scaling = deploy.extensions.autoscaling.as_ref().unwrap();
    assert_eq!(scaling.max.value, 4);
    assert_eq!(l.spanned(&scaling.max), "4");
    let update = deploy.update_config.as_ref().unwrap();
    assert!(update.extensions.max_percent.is_none());
    let d = one(&update.extensions.problems);
    assert_eq!(l.text(d.span), "lots");
    assert!(update.extensions.keys.contains_key("x-aws-max_percent"));
}

#[test]
fn the_overlay_is_json_with_the_span_of_every_key() {
    let l = Loaded::new(
        "services:\n  web: {image: nginx}\n\
         x-aws-cloudformation:\n  Resources:\n    WebService:\n      Properties: {DesiredCount: 2}\n    Gone: null\n",
    );
    let overlay = l.project.overlay.as_ref().unwrap();
    assert_eq!(
        overlay.value,
        json!({"Resources": {"WebService": {"Properties": {"DesiredCount": 2}}, "Gone": null}})
    );
    assert_eq!(
        l.text(overlay.key_span("/Resources/WebService")),
        "WebService"
    );
    assert_eq!(
        l.text(overlay.key_span("/Resources/WebService/Properties/DesiredCount")),
        "DesiredCount"
    );
    assert_eq!(l.text(overlay.key_span("/Resources/Gone")), "Gone");
    // Moved out of the typed extensions: one copy.
    assert!(l.project.extensions.cloudformation.is_none());
    assert!(l.project.extensions.problems.is_empty());
}

#[test]
fn an_overlay_of_the_wrong_shape_is_a_problem_at_the_value() {
    let l = Loaded::new(
        "services:\n  web: {image: nginx}\nx-aws-cloudformation:\n  Resources:\n    Web: [1]\n",
    );
    let d = one(&l.project.extensions.problems);
    assert_eq!(
        d.message,
        "`x-aws-cloudformation.Resources.Web` must be a mapping (or null to delete it), not a list"
    );
    assert_eq!(l.text(d.span), "[1]");
    let null = Loaded::new("services:\n  web: {image: nginx}\nx-aws-cloudformation: null\n");
    assert!(null.project.overlay.is_none());
}

#[test]
fn a_pointer_escapes_slash_and_tilde() {
    assert_eq!(
        super::project::pointer("/Outputs", "a/b~c"),
        "/Outputs/a~1b~0c"
    );
}
