//! Lowering rules, asserted on the typed model: what lowering decides is
//! checked here, where it is decided, not through a rendered template.

use super::{Settings, lower};
use crate::compose::LoadOptions;
use crate::diagnostic::Diagnostics;
use crate::model::{
    EnvValue, Grant, GrantResource, Image, JsonText, LoadBalancerKind, SecretRef, Service, Stack,
};
use crate::source::SourceMap;

/// Loads `yaml` as the project `game` and lowers it.
fn lower_yaml(yaml: &str, settings: &Settings) -> (Stack, Diagnostics) {
    load_and_lower(yaml, settings, false)
}

/// Loads `yaml` and lowers it; with `partial`, what the loader could type
/// despite its errors is lowered too (as `render` does).
fn load_and_lower(yaml: &str, settings: &Settings, partial: bool) -> (Stack, Diagnostics) {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("compose.yaml");
    std::fs::write(&file, yaml).expect("write compose file");
    let options = LoadOptions {
        files: vec![file],
        project_name: Some("game".into()),
        cwd: dir.path().to_path_buf(),
        ..LoadOptions::default()
    };
    let mut sources = SourceMap::new();
    let project = match crate::compose::load(&options, &mut sources) {
        Ok(loaded) => loaded.project,
        Err(e) if partial && e.partial.is_some() => *e.partial.expect("partial project"),
        Err(e) => panic!(
            "the test's compose file does not load:\n{}",
            crate::diagnostic::render(&sources, &e.diagnostics)
        ),
    };
    lower(&project, settings)
}

/// Lowers `yaml`, which must give no error.
fn stack(yaml: &str) -> Stack {
    let (stack, diags) = lower_yaml(yaml, &Settings::default());
    assert!(!diags.has_errors(), "{:?}", messages(&diags));
    stack
}

fn messages(diags: &Diagnostics) -> Vec<String> {
    diags.items().iter().map(|d| d.message.clone()).collect()
}

fn service<'a>(stack: &'a Stack, name: &str) -> &'a Service {
    stack
        .services
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no service {name}"))
}

fn env<'a>(stack: &'a Stack, name: &str, var: &str) -> Option<&'a EnvValue> {
    service(stack, name)
        .containers
        .last()
        .and_then(|c| c.environment.get(var))
}

#[test]
fn an_image_is_given_or_built_by_its_service() {
    let s = stack("services:\n  web:\n    image: nginx:1.27\n  app:\n    build: .\n");
    let web = service(&s, "web");
    assert!(!web.built);
    assert_eq!(
        web.containers.last().map(|c| &c.image),
        Some(&Image::Given("nginx:1.27".into()))
    );
    let app = service(&s, "app");
    assert!(app.built);
    assert_eq!(
        app.containers.last().map(|c| &c.image),
        Some(&Image::Built {
            service: "app".into()
        })
    );
    // Docker's search-domain sidecar runs first, with its own image.
    assert_eq!(
        app.containers.first().map(|c| (c.name.as_str(), &c.image)),
        Some((
            "App_ResolvConf_InitContainer",
            &Image::Given(super::service::SEARCH_DOMAIN_IMAGE.into())
        ))
    );
}

#[test]
fn a_service_without_image_or_build_is_an_error() {
    let (s, diags) = load_and_lower(
        "services:\n  web:\n    command: [run]\n",
        &Settings::default(),
        true,
    );
    assert_eq!(
        messages(&diags),
        ["service `web` has neither `image` nor `build`"]
    );
    assert_eq!(
        service(&s, "web").containers.last().map(|c| &c.image),
        Some(&Image::Missing)
    );
}

#[test]
fn environment_values_are_literals_and_unset_ones_are_left_out() {
    let (s, diags) = lower_yaml(
        "services:\n  web:\n    image: nginx\n    environment:\n      MODE: prod\n      PORT: 8080\n      UNSET:\n",
        &Settings::default(),
    );
    assert_eq!(
        messages(&diags),
        ["environment variable `UNSET` of `web` has no value and is left out"]
    );
    assert_eq!(
        env(&s, "web", "MODE"),
        Some(&EnvValue::Literal("prod".into()))
    );
    assert_eq!(
        env(&s, "web", "PORT"),
        Some(&EnvValue::Literal("8080".into()))
    );
    assert_eq!(env(&s, "web", "UNSET"), None);
}

const GAME: &str = r"services:
  api:
    image: api
  worker:
    image: worker
  web:
    image: nginx
x-aws-dynamodb:
  tables:
    - players/player-id
    - name: matches
      hash: match-id
      table_name: custom-matches
  services: [api, worker]
x-aws-elasticache:
  redis:
    services: [api]
";

#[test]
fn services_listed_for_redis_get_the_endpoint_as_a_reference() {
    let s = stack(GAME);
    assert_eq!(env(&s, "api", "REDIS_HOST"), Some(&EnvValue::RedisHost));
    assert_eq!(env(&s, "api", "REDIS_PORT"), Some(&EnvValue::RedisPort));
    assert_eq!(env(&s, "worker", "REDIS_HOST"), None);
    let cache = s.cache.as_ref().expect("a Redis group");
    // The ID is `cfn`'s to derive: lowering records none was given.
    assert_eq!(cache.given_id, None);
    assert_eq!(cache.services, ["api"]);
}

#[test]
fn services_listed_for_tables_get_their_names_and_the_prefix() {
    let s = stack(GAME);
    for name in ["api", "worker"] {
        assert_eq!(
            env(&s, name, "DYNAMODB_PREFIX"),
            Some(&EnvValue::TablePrefix)
        );
        assert_eq!(
            env(&s, name, "DYNAMODB_TABLE_PLAYERS"),
            Some(&EnvValue::TableName("players".into()))
        );
        assert_eq!(
            env(&s, name, "DYNAMODB_TABLE_MATCHES"),
            Some(&EnvValue::TableName("matches".into()))
        );
    }
    assert_eq!(env(&s, "web", "DYNAMODB_PREFIX"), None);
    // The physical names are `cfn`'s to derive: lowering keeps the exact
    // name written.
    let written: Vec<(&str, Option<&str>)> = s
        .tables
        .iter()
        .map(|t| (t.name.as_str(), t.table_name.as_deref()))
        .collect();
    assert_eq!(
        written,
        [("players", None), ("matches", Some("custom-matches"))]
    );
}

#[test]
fn services_listed_for_tables_are_granted_the_tables_and_their_indexes() {
    let s = stack(GAME);
    let grants: &[Grant] = &service(&s, "api").grants;
    assert_eq!(grants.len(), 1);
    assert_eq!(
        grants[0].resources,
        [
            GrantResource::Table("players".into()),
            GrantResource::TableIndexes("players".into()),
            GrantResource::Table("matches".into()),
            GrantResource::TableIndexes("matches".into()),
        ]
    );
    assert!(grants[0].actions.contains(&"dynamodb:PutItem".to_owned()));
    assert!(grants[0].actions.iter().all(|a| a.starts_with("dynamodb:")));
    assert_eq!(service(&s, "worker").grants, grants);
    assert!(service(&s, "web").grants.is_empty());
}

#[test]
fn secrets_are_read_from_the_stack_or_from_the_existing_secret() {
    let s = stack(
        r"services:
  web:
    image: nginx
    secrets: [db, token]
secrets:
  db:
    environment: HOME
  token:
    external: true
    name: arn:aws:secretsmanager:eu-west-1:1:secret:token
",
    );
    let web = service(&s, "web");
    let expected = [
        SecretRef::Stack("db".into()),
        SecretRef::Existing("arn:aws:secretsmanager:eu-west-1:1:secret:token".into()),
    ];
    assert_eq!(web.secret_arns, expected);
    // The secrets sidecar reads them and runs before the service.
    let sidecar = &web.containers[0];
    assert_eq!(sidecar.name, "Web_Secrets_InitContainer");
    let read: Vec<&SecretRef> = sidecar.secrets.iter().map(|(_, r)| r).collect();
    assert_eq!(read, expected.iter().collect::<Vec<_>>());
    let main = web.containers.last().expect("main container");
    assert!(main.depends_on.contains(&sidecar.name));
    assert!(main.mounts.iter().any(|m| m.path == "/run/secrets/"));
}

#[test]
fn pull_credentials_come_first_and_the_role_is_a_policy_document() {
    let s = stack(
        r#"services:
  web:
    image: private/web
    x-aws-pull_credentials: arn:aws:secretsmanager:eu-west-1:1:secret:pull
    x-aws-role:
      - Effect: Allow
        Action: s3:GetObject
        Resource: "*"
"#,
    );
    let web = service(&s, "web");
    assert_eq!(
        web.secret_arns,
        [SecretRef::Existing(
            "arn:aws:secretsmanager:eu-west-1:1:secret:pull".into()
        )]
    );
    let JsonText(role) = web.role.clone().expect("a role document");
    let role: serde_json::Value = serde_json::from_str(&role).expect("JSON text");
    assert_eq!(
        role,
        serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
    );
}

#[test]
fn http_ports_get_an_application_load_balancer_with_http_listeners() {
    let s = stack("services:\n  web:\n    image: nginx\n    ports: [\"80:80\", \"8443:443\"]\n");
    let lb = s.load_balancer.as_ref().expect("a load balancer");
    assert_eq!(lb.kind, LoadBalancerKind::Application);
    let listeners: Vec<(u16, u16, &str)> = service(&s, "web")
        .listeners
        .iter()
        .map(|l| (l.published, l.target, l.protocol.as_str()))
        .collect();
    assert_eq!(listeners, [(80, 80, "HTTP"), (8443, 443, "HTTP")]);
}

#[test]
fn any_other_port_gets_a_network_load_balancer() {
    let s = stack(
        "services:\n  web:\n    image: nginx\n    ports: [\"80:80\"]\n  game:\n    image: game\n    ports: [\"7777:7777/udp\"]\n",
    );
    let lb = s.load_balancer.as_ref().expect("a load balancer");
    assert_eq!(lb.kind, LoadBalancerKind::Network);
    assert!(!lb.security_group, "no TLS, nothing to bypass");
    let game = &service(&s, "game").listeners[0];
    assert_eq!(
        (game.protocol.as_str(), game.target_protocol.as_str()),
        ("UDP", "UDP")
    );
    assert_eq!(service(&s, "web").listeners[0].protocol, "TCP");
}

#[test]
fn x_aws_tls_terminates_at_the_load_balancer_behind_its_own_security_group() {
    let s = stack(
        r"services:
  game:
    image: game
    ports: ['4000:4000']
    x-aws-tls:
      - port: 4000
        certificate: arn:aws:acm:eu-west-1:1:certificate/abc
",
    );
    let listener = &service(&s, "game").listeners[0];
    assert_eq!(listener.protocol, "TLS");
    assert_eq!(listener.public_port, 443);
    assert_eq!(
        listener.ssl_policy.as_deref(),
        Some(crate::model::DEFAULT_SSL_POLICY)
    );
    let lb = s.load_balancer.as_ref().expect("a load balancer");
    assert_eq!(lb.kind, LoadBalancerKind::Network);
    assert!(lb.security_group);
}

#[test]
fn an_overlay_that_makes_a_listener_tls_is_secured_like_x_aws_tls() {
    let s = stack(
        r"services:
  game:
    image: game
    ports: ['4000:4000']
x-aws-cloudformation:
  Resources:
    GameTCP4000Listener:
      Properties:
        Protocol: TLS
        Port: 443
    LoadBalancer:
      Properties:
        IpAddressType: dualstack
x-aws-route53:
  zone: example.com
  records:
    - name: play
      service: game
",
    );
    let listener = &service(&s, "game").listeners[0];
    assert_eq!(
        (listener.protocol.as_str(), listener.public_port),
        ("TLS", 443)
    );
    assert!(s.load_balancer.as_ref().is_some_and(|lb| lb.security_group));
    // A dual-stack load balancer gets AAAA records too.
    let record = &s.records[0];
    assert_eq!(record.name, "play.example.com.");
    assert!(record.ipv6);
}

#[test]
fn replicas_and_update_config_decide_the_deployment() {
    let s = stack(
        r"services:
  web:
    image: nginx
    deploy:
      replicas: 4
      update_config:
        parallelism: 1
        failure_action: pause
  worker:
    image: worker
    deploy:
      update_config:
        order: stop-first
        failure_action: continue
  api:
    image: api
",
    );
    let web = service(&s, "web");
    assert_eq!(web.desired_count, 4);
    assert_eq!((web.min_percent, web.max_percent), (75, 125));
    assert_eq!((web.circuit_breaker, web.rollback), (true, false));
    let worker = service(&s, "worker");
    assert_eq!((worker.min_percent, worker.max_percent), (0, 100));
    assert_eq!((worker.circuit_breaker, worker.rollback), (false, false));
    let api = service(&s, "api");
    assert_eq!(api.desired_count, 1);
    assert_eq!((api.min_percent, api.max_percent), (100, 200));
    assert_eq!((api.circuit_breaker, api.rollback), (true, true));
}

#[test]
fn declared_things_carry_where_they_were_written() {
    let s = stack(
        "services:\n  web:\n    image: nginx\n    networks: [front]\n    volumes: [data:/data]\nnetworks:\n  front: {}\nvolumes:\n  data: {}\nx-aws-dynamodb:\n  tables: [players/id]\n",
    );
    assert!(s.services[0].span.is_some());
    assert!(s.networks.iter().all(|n| n.span.is_some()));
    assert!(s.file_systems[0].span.is_some());
    assert!(s.tables[0].span.is_some());
}

#[test]
fn a_local_environment_keeps_the_game_layer_and_drops_aws_only_checks() {
    let (s, diags) = lower_yaml(
        "services:\n  api:\n    image: api\n    volumes: [/host:/data]\nx-aws-elasticache:\n  redis:\n    services: [api]\n",
        &Settings {
            local: true,
            ..Settings::default()
        },
    );
    assert!(!diags.has_errors(), "{:?}", messages(&diags));
    assert_eq!(env(&s, "api", "REDIS_HOST"), Some(&EnvValue::RedisHost));
}
