//! Table-driven tests of the merge rules: base YAML + override YAML → JSON.

use serde_json::json;

use super::*;
use crate::compose::yaml::parse;

fn merged(base: &str, over: &str) -> serde_json::Value {
    let base = strip_tags(parse(base, 0).expect("base")).expect("base kept");
    let over = parse(over, 1).expect("override");
    merge_documents(base, over).to_json()
}

fn web(value: &serde_json::Value) -> serde_json::Value {
    value["services"]["web"].clone()
}

#[test]
fn merge_rules_table() {
    let cases: &[(&str, &str, &str, serde_json::Value)] = &[
        (
            "scalars: later wins, mappings merge",
            "services: {web: {image: a, restart: always}}",
            "services: {web: {image: b, user: x}}",
            json!({"image": "b", "restart": "always", "user": "x"}),
        ),
        (
            "ports appended, exact duplicates dropped",
            "services: {web: {ports: ['80:80', '443:443']}}",
            "services: {web: {ports: ['80:80', '8080:80']}}",
            json!({"ports": ["80:80", "443:443", "8080:80"]}),
        ),
        (
            "unique lists",
            "services: {web: {dns: [1.1.1.1], cap_add: [NET_ADMIN], expose: ['80']}}",
            "services: {web: {dns: [1.1.1.1, 8.8.8.8], cap_add: [SYS_TIME], expose: ['80', '81']}}",
            json!({"dns": ["1.1.1.1", "8.8.8.8"], "cap_add": ["NET_ADMIN", "SYS_TIME"], "expose": ["80", "81"]}),
        ),
        (
            "volumes merged by target, replaced in place",
            "services: {web: {volumes: ['./a:/data', 'logs:/logs']}}",
            "services: {web: {volumes: [{type: bind, source: ./b, target: /data}, /tmp]}}",
            json!({"volumes": [{"type": "bind", "source": "./b", "target": "/data"}, "logs:/logs", "/tmp"]}),
        ),
        (
            "secrets merged by target",
            "services: {web: {secrets: [a, {source: b, target: t}]}}",
            "services: {web: {secrets: [{source: c, target: t}, a]}}",
            json!({"secrets": ["a", {"source": "c", "target": "t"}]}),
        ),
        (
            "environment list and map merged by key",
            "services: {web: {environment: [A=1, B=2, C]}}",
            "services: {web: {environment: {B: 3, D: 4}}}",
            json!({"environment": {"A": "1", "B": 3, "C": null, "D": 4}}),
        ),
        (
            "labels map then list",
            "services: {web: {labels: {a: '1'}}}",
            "services: {web: {labels: [a=2, b=3]}}",
            json!({"labels": {"a": "2", "b": "3"}}),
        ),
        (
            "extra_hosts with colon",
            "services: {web: {extra_hosts: ['db:10.0.0.1']}}",
            "services: {web: {extra_hosts: ['db=10.0.0.2', 'cache:10.0.0.3']}}",
            json!({"extra_hosts": {"db": "10.0.0.2", "cache": "10.0.0.3"}}),
        ),
        (
            "build string and args",
            "services: {web: {build: ./app}}",
            "services: {web: {build: {args: [X=1]}}}",
            json!({"build": {"context": "./app", "args": ["X=1"]}}),
        ),
        (
            "build args merged by key",
            "services: {web: {build: {context: ., args: {X: '1', Y: '2'}}}}",
            "services: {web: {build: {args: [Y=3]}}}",
            json!({"build": {"context": ".", "args": {"X": "1", "Y": "3"}}}),
        ),
        (
            "command, entrypoint, healthcheck.test replaced",
            "services: {web: {command: [a, b], entrypoint: [x], healthcheck: {test: [CMD, a], interval: 5s}}}",
            "services: {web: {command: [c], entrypoint: y, healthcheck: {test: [CMD, b]}}}",
            json!({"command": ["c"], "entrypoint": "y", "healthcheck": {"test": ["CMD", "b"], "interval": "5s"}}),
        ),
        (
            "depends_on list and map",
            "services: {web: {depends_on: [db]}}",
            "services: {web: {depends_on: {cache: {condition: service_healthy}}}}",
            json!({"depends_on": {"db": {"condition": "service_started"}, "cache": {"condition": "service_healthy"}}}),
        ),
        (
            "networks list and map",
            "services: {web: {networks: [front, back]}}",
            "services: {web: {networks: {back: {aliases: [b]}}}}",
            json!({"networks": {"front": null, "back": {"aliases": ["b"]}}}),
        ),
        (
            "ulimits merged by key",
            "services: {web: {ulimits: {nproc: 10, nofile: {soft: 1, hard: 2}}}}",
            "services: {web: {ulimits: {nofile: {hard: 3}}}}",
            json!({"ulimits": {"nproc": 10, "nofile": {"soft": 1, "hard": 3}}}),
        ),
        (
            "logging: other driver replaces",
            "services: {web: {logging: {driver: json-file, options: {a: '1'}}}}",
            "services: {web: {logging: {driver: syslog, options: {b: '2'}}}}",
            json!({"logging": {"driver": "syslog", "options": {"b": "2"}}}),
        ),
        (
            "logging: same driver merges options",
            "services: {web: {logging: {driver: awslogs, options: {a: '1'}}}}",
            "services: {web: {logging: {options: {b: '2'}}}}",
            json!({"logging": {"driver": "awslogs", "options": {"a": "1", "b": "2"}}}),
        ),
        (
            "!reset removes the key",
            "services: {web: {image: a, ports: ['80:80'], environment: {A: '1'}}}",
            "services: {web: {ports: !reset [], environment: {A: !reset null}}}",
            json!({"image": "a", "environment": {}}),
        ),
        (
            "!override replaces",
            "services: {web: {ports: ['80:80'], environment: {A: '1'}}}",
            "services: {web: {ports: !override ['81:81'], environment: !override {B: '2'}}}",
            json!({"ports": ["81:81"], "environment": {"B": "2"}}),
        ),
        (
            "null keeps the base",
            "services: {web: {image: a, environment: {A: '1'}}}",
            "services: {web: {environment:}}",
            json!({"image": "a", "environment": {"A": "1"}}),
        ),
        (
            "other lists appended",
            "services: {web: {security_opt: [a]}}",
            "services: {web: {security_opt: [a, b]}}",
            json!({"security_opt": ["a", "a", "b"]}),
        ),
    ];
    for (name, base, over, expected) in cases {
        assert_eq!(&web(&merged(base, over)), expected, "{name}");
    }
}

#[test]
fn top_level_resources_merge_recursively() {
    let out = merged(
        "networks: {front: {driver: bridge}}\nx-aws-vpc: vpc-1\nvolumes: {data: {}}",
        "networks: {front: {labels: [a=1]}, back: {}}\nx-aws-vpc: vpc-2",
    );
    assert_eq!(
        out,
        json!({"networks": {"front": {"driver": "bridge", "labels": ["a=1"]}, "back": {}}, "x-aws-vpc": "vpc-2", "volumes": {"data": {}}})
    );
}

#[test]
fn reset_in_first_file_is_dropped() {
    let node = strip_tags(parse("services: {web: {image: a, ports: !reset ['1:1']}}", 0).unwrap())
        .unwrap();
    assert_eq!(web(&node.to_json()), json!({"image": "a"}));
}

#[test]
fn spans_follow_the_writer() {
    let base = strip_tags(parse("services:\n  web:\n    image: a\n", 0).unwrap()).unwrap();
    let over = parse("services:\n  web:\n    image: b\n", 1).unwrap();
    let out = merge_documents(base, over);
    let web = out.as_map().unwrap()["services"].value.as_map().unwrap()["web"]
        .value
        .as_map()
        .unwrap();
    assert_eq!(web["image"].value.span.file, 1);
    assert_eq!(web["image"].key_span.file, 1);
}

#[test]
fn list_form_values_point_into_the_item() {
    let base = strip_tags(parse("services: {web: {environment: ['A=1']}}", 0).unwrap()).unwrap();
    let over = parse("services: {web: {environment: {B: '2'}}}", 1).unwrap();
    let out = merge_documents(base, over);
    let env = out.as_map().unwrap()["services"].value.as_map().unwrap()["web"]
        .value
        .as_map()
        .unwrap()["environment"]
        .value
        .as_map()
        .unwrap()
        .clone();
    let text = "services: {web: {environment: ['A=1']}}";
    let a = &env["A"];
    assert_eq!(&text[a.key_span.start..a.key_span.end], "A");
    assert_eq!(&text[a.value.span.start..a.value.span.end], "1");
}

#[test]
fn extends_merge_uses_service_rules() {
    let base = parse("{image: a, ports: ['80:80'], command: [x]}", 0).unwrap();
    let over = parse("{ports: ['81:81'], command: [y]}", 1).unwrap();
    assert_eq!(
        merge_services(base, over).to_json(),
        json!({"image": "a", "ports": ["80:80", "81:81"], "command": ["y"]})
    );
}
