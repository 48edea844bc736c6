//! Every compose key that docs/conversion.md lists as **mapped** reaches the
//! template. Each case renders a service with the key and without it: the
//! property it maps to must be there with the key and not without it, so a
//! key that is silently dropped fails here. The documented rows are read
//! from docs/conversion.md, so a row marked mapped without a case fails too.

use std::path::Path;

use serde_json::Value;

use crate::support::{c2cfn, root, stderr, stdout};

/// One mapped key: the service lines with it and without it, top-level
/// lines both need, and what the template must show.
struct Case {
    key: &'static str,
    with: &'static str,
    without: &'static str,
    top: &'static str,
    shows: fn(&Value) -> bool,
}

fn task(t: &Value) -> &Value {
    &t["Resources"]["WebTaskDefinition"]["Properties"]
}

fn main(t: &Value) -> &Value {
    task(t)["ContainerDefinitions"]
        .as_array()
        .and_then(|all| all.iter().find(|c| c["Name"] == "web"))
        .unwrap_or(&Value::Null)
}

fn service(t: &Value) -> &Value {
    &t["Resources"]["WebService"]["Properties"]
}

fn deployment(t: &Value) -> (Value, Value) {
    let d = &service(t)["DeploymentConfiguration"];
    (
        d["MinimumHealthyPercent"].clone(),
        d["MaximumPercent"].clone(),
    )
}

const IMAGE: &str = "image: nginx";

const CASES: &[Case] = &[
    Case {
        key: "name",
        with: IMAGE,
        without: IMAGE,
        top: "name: arena\n",
        shows: |t| {
            task(t)["Family"] == "arena-web"
                && t["Resources"]["CloudMap"]["Properties"]["Name"] == "arena.local"
        },
    },
    Case {
        key: "image",
        with: "image: nginx:1.27",
        without: "image: nginx",
        top: "",
        shows: |t| main(t)["Image"] == "nginx:1.27",
    },
    Case {
        key: "build",
        with: "build: ./app",
        without: IMAGE,
        top: "",
        shows: |t| main(t)["Image"]["Ref"] == "WebImage" && t["Parameters"]["WebImage"].is_object(),
    },
    Case {
        key: "command",
        with: "image: nginx\n    command: [run, --fast]",
        without: IMAGE,
        top: "",
        shows: |t| main(t)["Command"] == serde_json::json!(["run", "--fast"]),
    },
    Case {
        key: "entrypoint",
        with: "image: nginx\n    entrypoint: /entry.sh -v",
        without: IMAGE,
        top: "",
        shows: |t| main(t)["EntryPoint"] == serde_json::json!(["/entry.sh", "-v"]),
    },
    Case {
        key: "environment",
        with: "image: nginx\n    environment: {MODE: prod}",
        without: IMAGE,
        top: "",
        shows: |t| main(t)["Environment"] == serde_json::json!([{"Name": "MODE", "Value": "prod"}]),
    },
    Case {
        key: "expose",
        with: "image: nginx\n    expose: [\"9000\"]",
        without: IMAGE,
        top: "",
        shows: |t| {
            main(t)["PortMappings"]
                .as_array()
                .is_some_and(|p| p.iter().any(|m| m["ContainerPort"] == 9000))
        },
    },
    Case {
        key: "ports",
        with: "image: nginx\n    ports: [\"8080:8080\"]",
        without: IMAGE,
        top: "",
        shows: |t| {
            service(t)["LoadBalancers"][0]["ContainerPort"] == 8080
                && t["Resources"]["WebTCP8080Listener"].is_object()
        },
    },
    Case {
        key: "cap_add",
        with: "image: nginx\n    cap_add: [SYS_PTRACE]",
        without: IMAGE,
        top: "",
        shows: |t| {
            main(t)["LinuxParameters"]["Capabilities"]["Add"] == serde_json::json!(["SYS_PTRACE"])
        },
    },
    Case {
        key: "cap_drop",
        with: "image: nginx\n    cap_drop: [NET_RAW]",
        without: IMAGE,
        top: "",
        shows: |t| {
            main(t)["LinuxParameters"]["Capabilities"]["Drop"] == serde_json::json!(["NET_RAW"])
        },
    },
    Case {
        key: "init",
        with: "image: nginx\n    init: true",
        without: IMAGE,
        top: "",
        shows: |t| main(t)["LinuxParameters"]["InitProcessEnabled"] == true,
    },
    Case {
        key: "read_only",
        with: "image: nginx\n    read_only: true",
        without: IMAGE,
        top: "",
        shows: |t| main(t)["ReadonlyRootFilesystem"] == true,
    },
    Case {
        key: "tty",
        with: "image: nginx\n    tty: true",
        without: IMAGE,
        top: "",
        shows: |t| main(t)["PseudoTerminal"] == true,
    },
    Case {
        key: "stdin_open",
        with: "image: nginx\n    stdin_open: true",
        without: IMAGE,
        top: "",
        shows: |t| main(t)["Interactive"] == true,
    },
    Case {
        key: "user",
        with: "image: nginx\n    user: \"1000\"",
        without: IMAGE,
        top: "",
        shows: |t| main(t)["User"] == "1000",
    },
    Case {
        key: "working_dir",
        with: "image: nginx\n    working_dir: /app",
        without: IMAGE,
        top: "",
        shows: |t| main(t)["WorkingDirectory"] == "/app",
    },
    Case {
        key: "labels",
        with: "image: nginx\n    labels: {team: games}",
        without: IMAGE,
        top: "",
        shows: |t| main(t)["DockerLabels"]["team"] == "games",
    },
    Case {
        key: "sysctls",
        with: "image: nginx\n    sysctls: {net.core.somaxconn: \"1024\"}",
        without: IMAGE,
        top: "",
        shows: |t| {
            main(t)["SystemControls"]
                == serde_json::json!([{"Namespace": "net.core.somaxconn", "Value": "1024"}])
        },
    },
    Case {
        key: "ulimits",
        with: "image: nginx\n    ulimits: {nofile: {soft: 1000, hard: 2000}}",
        without: IMAGE,
        top: "",
        shows: |t| {
            main(t)["Ulimits"]
                == serde_json::json!([{"HardLimit": 2000, "Name": "nofile", "SoftLimit": 1000}])
        },
    },
    Case {
        key: "stop_grace_period",
        with: "image: nginx\n    stop_grace_period: 45s",
        without: IMAGE,
        top: "",
        shows: |t| main(t)["StopTimeout"] == 45,
    },
    Case {
        key: "platform",
        with: "image: nginx\n    platform: linux/arm64",
        without: IMAGE,
        top: "",
        shows: |t| task(t)["RuntimePlatform"]["CpuArchitecture"] == "ARM64",
    },
    Case {
        key: "healthcheck",
        with: "image: nginx\n    healthcheck: {test: [CMD, \"true\"], interval: 11s}",
        without: IMAGE,
        top: "",
        shows: |t| {
            main(t)["HealthCheck"]
                == serde_json::json!({"Command": ["CMD", "true"], "Interval": 11})
        },
    },
    Case {
        key: "healthcheck.disable",
        with: "image: nginx\n    healthcheck: {disable: true}",
        without: "image: nginx\n    healthcheck: {test: [CMD, \"true\"]}",
        top: "",
        shows: |t| main(t)["HealthCheck"].is_null(),
    },
    Case {
        key: "logging",
        with: "image: nginx\n    logging: {options: {awslogs-datetime-format: \"%Y\"}}",
        without: IMAGE,
        top: "",
        shows: |t| main(t)["LogConfiguration"]["Options"]["awslogs-datetime-format"] == "%Y",
    },
    Case {
        key: "mem_limit",
        with: "image: nginx\n    mem_limit: 2g",
        without: IMAGE,
        top: "",
        shows: |t| task(t)["Memory"] == "2048",
    },
    Case {
        key: "mem_reservation",
        with: "image: nginx\n    mem_reservation: 256m",
        without: IMAGE,
        top: "",
        shows: |t| main(t)["MemoryReservation"] == 256,
    },
    Case {
        key: "cpus",
        with: "image: nginx\n    cpus: 1",
        without: IMAGE,
        top: "",
        shows: |t| task(t)["Cpu"] == "1024",
    },
    Case {
        key: "scale",
        with: "image: nginx\n    scale: 3",
        without: IMAGE,
        top: "",
        shows: |t| service(t)["DesiredCount"] == 3,
    },
    Case {
        key: "depends_on",
        with: "image: nginx\n    depends_on: [db]",
        without: IMAGE,
        top: "",
        shows: |t| {
            t["Resources"]["WebService"]["DependsOn"]
                .as_array()
                .is_some_and(|d| d.contains(&Value::from("DbService")))
        },
    },
    Case {
        key: "networks",
        with: "image: nginx\n    networks: [front]",
        without: IMAGE,
        top: "networks:\n  front: {}\n",
        shows: |t| {
            service(t)["NetworkConfiguration"]["AwsvpcConfiguration"]["SecurityGroups"]
                == serde_json::json!([{"Ref": "FrontNetwork"}])
        },
    },
    Case {
        key: "network_mode",
        with: "image: nginx\n    network_mode: awsvpc",
        // Any other mode is an error (tests/invalid/err_network_mode_host.yaml).
        without: "image: nginx\n    network_mode: bridge",
        top: "",
        shows: |t| task(t)["NetworkMode"] == "awsvpc",
    },
    Case {
        key: "volumes",
        with: "image: nginx\n    volumes: [\"data:/var/data\"]",
        without: IMAGE,
        top: "volumes:\n  data: {}\n",
        shows: |t| {
            main(t)["MountPoints"]
                == serde_json::json!([{"ContainerPath": "/var/data", "SourceVolume": "data"}])
                && t["Resources"]["DataFilesystem"].is_object()
        },
    },
    Case {
        key: "secrets",
        with: "image: nginx\n    secrets: [token]",
        without: IMAGE,
        top: "secrets:\n  token:\n    file: ./token.txt\n",
        shows: |t| {
            task(t)["ContainerDefinitions"][0]["Secrets"][0]["Name"] == "token"
                && main(t)["MountPoints"][0]["ContainerPath"] == "/run/secrets/"
                && t["Resources"]["MappedtokenSecret"]["Type"] == "AWS::SecretsManager::Secret"
        },
    },
    Case {
        key: "deploy",
        with: "image: nginx\n    deploy: {replicas: 2}",
        without: IMAGE,
        top: "",
        shows: |t| service(t)["DesiredCount"] == 2,
    },
    Case {
        key: "deploy.replicas",
        with: "image: nginx\n    deploy: {replicas: 4}",
        without: IMAGE,
        top: "",
        shows: |t| service(t)["DesiredCount"] == 4,
    },
    Case {
        key: "deploy.resources.limits",
        with: "image: nginx\n    deploy: {resources: {limits: {cpus: \"2\", memory: 4g}, reservations: {memory: 1g}}}",
        without: IMAGE,
        top: "",
        shows: |t| {
            task(t)["Cpu"] == "2048"
                && task(t)["Memory"] == "4096"
                && main(t)["MemoryReservation"] == 1024
        },
    },
    Case {
        key: "deploy.update_config.parallelism",
        with: "image: nginx\n    deploy: {replicas: 4, update_config: {parallelism: 2}}",
        without: "image: nginx\n    deploy: {replicas: 4}",
        top: "",
        shows: |t| deployment(t) == (Value::from(50), Value::from(150)),
    },
    Case {
        key: "deploy.update_config.failure_action",
        // `rollback` is the default, so the case that proves the key is read is `pause`.
        with: "image: nginx\n    deploy: {update_config: {failure_action: pause}}",
        without: IMAGE,
        top: "",
        shows: |t| {
            service(t)["DeploymentConfiguration"]["DeploymentCircuitBreaker"]
                == serde_json::json!({"Enable": true, "Rollback": false})
        },
    },
    Case {
        key: "deploy.update_config.order",
        with: "image: nginx\n    deploy: {update_config: {order: stop-first}}",
        without: IMAGE,
        top: "",
        shows: |t| deployment(t) == (Value::from(0), Value::from(100)),
    },
];

/// Renders one service `web` (beside `db`) with `lines`; None when refused.
fn render(dir: &Path, name: &str, lines: &str, top: &str) -> Option<Value> {
    let text = format!("services:\n  web:\n    {lines}\n  db:\n    image: postgres\n{top}");
    std::fs::write(dir.join(name), text).unwrap();
    // `-p` only where the file does not name the project itself.
    let mut args = vec!["render", "--format", "json", "-f", name];
    if !top.contains("name:") {
        args.extend(["-p", "mapped"]);
    }
    let out = c2cfn(dir, &args);
    if !out.status.success() {
        return None;
    }
    assert!(stderr(&out).is_empty() || !stderr(&out).contains("panicked"));
    Some(serde_json::from_str(&stdout(&out)).expect("the template is JSON"))
}

#[test]
fn every_mapped_key_reaches_the_template() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("token.txt"), "secret\n").unwrap();
    let mut failures = Vec::new();
    for (i, case) in CASES.iter().enumerate() {
        let with = render(dir.path(), &format!("with{i}.yaml"), case.with, case.top);
        // A top-level `name:` is the key itself: the render without the key drops it.
        let bare = if case.key == "name" { "" } else { case.top };
        let without = render(dir.path(), &format!("without{i}.yaml"), case.without, bare);
        match with {
            None => failures.push(format!("{}: refused with the key", case.key)),
            Some(t) if !(case.shows)(&t) => failures.push(format!(
                "{}: the template does not carry it; main container: {}",
                case.key,
                main(&t)
            )),
            Some(_) => {}
        }
        if without.as_ref().is_some_and(|t| (case.shows)(t)) {
            failures.push(format!(
                "{}: the template shows it even without the key (the case proves nothing)",
                case.key
            ));
        }
    }
    assert!(failures.is_empty(), "mapped keys:\n{}", failures.join("\n"));
}

/// The first backticked word of every table row of docs/conversion.md
/// whose outcome is `mapped`.
fn documented_as_mapped() -> Vec<String> {
    let doc = std::fs::read_to_string(root().join("docs/conversion.md")).unwrap();
    doc.lines()
        .filter(|l| {
            l.starts_with("| `") && l.split('|').nth(2).is_some_and(|o| o.trim() == "mapped")
        })
        .filter_map(|l| {
            l.split('`')
                .nth(1)
                .map(|k| k.split(':').next().unwrap_or(k).trim().to_owned())
        })
        .collect()
}

#[test]
fn every_key_documented_as_mapped_has_a_case() {
    let documented = documented_as_mapped();
    assert!(
        documented.len() > 30,
        "only {} mapped rows found",
        documented.len()
    );
    // `build.*` (dockerfile, args, target) drive the image build of
    // `c2cfn push`/`up`, not the template: tests/push.rs checks them.
    let missing: Vec<&String> = documented
        .iter()
        .filter(|k| k.as_str() != "build.*" && !CASES.iter().any(|c| c.key == k.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "documented as mapped but never checked: {missing:?}"
    );
}

#[test]
fn a_memory_reservation_alone_sizes_the_task() {
    let dir = tempfile::tempdir().unwrap();
    let t = render(
        dir.path(),
        "c.yaml",
        "image: nginx\n    mem_reservation: 3g",
        "",
    )
    .unwrap();
    assert_eq!(main(&t)["MemoryReservation"], 3072);
    assert_eq!(
        task(&t)["Memory"],
        "3072",
        "the smallest Fargate size that fits"
    );
}
