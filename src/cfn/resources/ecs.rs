//! The cluster, task definitions and services.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::{project_tags, service_tags, subnet_values};
use crate::cfn::names::{
    CLUSTER_ID, LOG_GROUP_ID, REDIS_ID, cluster_metadata, cluster_name as physical_cluster_name,
};
use crate::cfn::{Resource, Template, intrinsic, logical_id, names};
use crate::model::{Cluster, Container, EnvValue, Image, SecretRef, Service, Stack, TaskVolume};

/// Condition: the region is us-east-1, whose internal DNS domain is
/// `ec2.internal` rather than `<region>.compute.internal`.
pub const US_EAST_1: &str = "IsUsEast1";

/// `Cluster` unless `x-aws-cluster` names one.
pub fn emit_cluster(stack: &Stack, template: &mut Template) {
    match &stack.cluster {
        Cluster::Create => template.add(
            CLUSTER_ID,
            Resource::new(
                "AWS::ECS::Cluster",
                json!({"ClusterName": physical_cluster_name(&stack.project), "Tags": project_tags(stack)}),
            ),
        ),
        Cluster::Existing(arn) => {
            let (key, value) = cluster_metadata(arn);
            template.metadata.insert(key, value);
        }
    }
}

/// The cluster as a template value (ARN).
#[must_use]
pub fn cluster_arn(stack: &Stack) -> Value {
    match &stack.cluster {
        Cluster::Create => intrinsic::get_att(CLUSTER_ID, "Arn"),
        Cluster::Existing(name) => Value::from(name.clone()),
    }
}

/// The cluster's name (for scaling resource IDs).
#[must_use]
pub fn cluster_name(stack: &Stack) -> Value {
    match &stack.cluster {
        Cluster::Create => intrinsic::reference(CLUSTER_ID),
        Cluster::Existing(name) => Value::from(name.rsplit('/').next().unwrap_or(name).to_owned()),
    }
}

/// `<Svc>TaskDefinition` and `<Svc>Service`.
pub fn emit_service(
    stack: &Stack,
    service: &Service,
    extra_groups: &[Value],
    template: &mut Template,
) {
    template.add(
        logical_id::task_definition(&service.name),
        task_definition(stack, service),
    );
    let mut depends: Vec<String> = Vec::new();
    let mut balancers = Vec::new();
    for l in &service.listeners {
        depends.push(logical_id::listener(
            &service.name,
            &l.id_protocol,
            l.target,
        ));
        balancers.push(json!({
            "ContainerName": service.name,
            "ContainerPort": l.target,
            "TargetGroupArn": intrinsic::reference(&logical_id::target_group(&service.name, &l.id_protocol, l.published)),
        }));
    }
    depends.extend(service.depends_on.iter().map(|d| logical_id::service(d)));
    for v in &service.volume_names {
        depends.extend(super::efs::mount_target_ids(stack, v));
    }
    let mut groups: Vec<Value> = service
        .networks
        .iter()
        .map(|n| super::ec2::group(stack, n))
        .collect();
    groups.extend(extra_groups.iter().cloned());
    let mut deployment = json!({
        "MaximumPercent": service.max_percent,
        "MinimumHealthyPercent": service.min_percent,
    });
    if service.circuit_breaker {
        deployment["DeploymentCircuitBreaker"] =
            json!({"Enable": true, "Rollback": service.rollback});
    }
    let mut props = json!({
        "Cluster": cluster_arn(stack),
        "DeploymentConfiguration": deployment,
        "DeploymentController": {"Type": "ECS"},
        "DesiredCount": service.desired_count,
        "LaunchType": "FARGATE",
        "NetworkConfiguration": {
            "AwsvpcConfiguration": {
                "AssignPublicIp": if service.public_ip { "ENABLED" } else { "DISABLED" },
                "SecurityGroups": groups,
                "Subnets": subnet_values(stack),
            }
        },
        "PlatformVersion": "1.4.0",
        "PropagateTags": "SERVICE",
        "SchedulingStrategy": "REPLICA",
        "ServiceRegistries": [{"RegistryArn": intrinsic::get_att(&logical_id::discovery_entry(&service.name), "Arn")}],
        "Tags": service_tags(stack, &service.name),
        "TaskDefinition": intrinsic::reference(&logical_id::task_definition(&service.name)),
    });
    if service.exec {
        props["EnableExecuteCommand"] = Value::Bool(true);
    }
    if !balancers.is_empty() {
        props["LoadBalancers"] = Value::Array(balancers);
    }
    let unique: BTreeSet<String> = depends.into_iter().collect();
    template.add(
        logical_id::service(&service.name),
        Resource::new("AWS::ECS::Service", props).depends_on(unique),
    );
}

fn task_definition(stack: &Stack, service: &Service) -> Resource {
    let containers: Vec<Value> = service
        .containers
        .iter()
        .map(|c| container(stack, c))
        .collect();
    let mut props = json!({
        "ContainerDefinitions": containers,
        "Cpu": service.cpu.to_string(),
        "ExecutionRoleArn": intrinsic::get_att(&logical_id::execution_role(&service.name), "Arn"),
        "Family": format!("{}-{}", stack.project, service.name),
        "Memory": service.memory.to_string(),
        "NetworkMode": "awsvpc",
        "RequiresCompatibilities": ["FARGATE"],
    });
    if service.arm64 {
        props["RuntimePlatform"] =
            json!({"CpuArchitecture": "ARM64", "OperatingSystemFamily": "LINUX"});
    }
    if super::iam::has_task_role(service) {
        props["TaskRoleArn"] = intrinsic::get_att(&logical_id::task_role(&service.name), "Arn");
    }
    let volumes: Vec<Value> = service
        .volumes
        .iter()
        .map(|v| match v {
            TaskVolume::Scratch { name } => json!({"Name": name}),
            TaskVolume::Efs { name } => {
                let fs = stack.file_systems.iter().find(|f| &f.name == name);
                json!({
                    "EFSVolumeConfiguration": {
                        "AuthorizationConfig": {
                            "AccessPointId": intrinsic::reference(&super::efs::access_point_id(name)),
                            "IAM": "ENABLED"
                        },
                        "FilesystemId": fs.map_or(Value::Null, super::efs::file_system_ref),
                        "TransitEncryption": "ENABLED"
                    },
                    "Name": name
                })
            }
        })
        .collect();
    if !volumes.is_empty() {
        props["Volumes"] = Value::Array(volumes);
    }
    Resource::new("AWS::ECS::TaskDefinition", props)
}

fn container(stack: &Stack, c: &Container) -> Value {
    let mut m = Map::new();
    let put = |m: &mut Map<String, Value>, k: &str, v: Value| {
        m.insert(k.to_owned(), v);
    };
    if c.name.ends_with("_ResolvConf_InitContainer") {
        put(
            &mut m,
            "Command",
            json!([
                intrinsic::if_(
                    US_EAST_1,
                    Value::from("ec2.internal"),
                    intrinsic::sub("${AWS::Region}.compute.internal")
                ),
                format!("{}.local", stack.project)
            ]),
        );
    } else if let Some(cmd) = &c.command {
        put(&mut m, "Command", json!(cmd));
    }
    if !c.depends_on.is_empty() {
        put(
            &mut m,
            "DependsOn",
            Value::Array(
                c.depends_on
                    .iter()
                    .map(|d| json!({"Condition": "SUCCESS", "ContainerName": d}))
                    .collect(),
            ),
        );
    }
    if !c.labels.is_empty() {
        put(&mut m, "DockerLabels", json!(c.labels));
    }
    if let Some(e) = &c.entrypoint {
        put(&mut m, "EntryPoint", json!(e));
    }
    if !c.environment.is_empty() {
        put(
            &mut m,
            "Environment",
            Value::Array(
                c.environment
                    .iter()
                    .map(|(k, v)| json!({"Name": k, "Value": env_value(stack, v)}))
                    .collect(),
            ),
        );
    }
    put(&mut m, "Essential", Value::Bool(c.essential));
    if let Some(h) = &c.healthcheck {
        let mut hc = json!({"Command": h.command});
        for (key, value) in [
            ("Interval", h.interval),
            ("Retries", h.retries),
            ("StartPeriod", h.start_period),
            ("Timeout", h.timeout),
        ] {
            if let Some(v) = value.filter(|v| *v > 0) {
                hc[key] = json!(v);
            }
        }
        put(&mut m, "HealthCheck", hc);
    }
    put(&mut m, "Image", image(&c.image));
    if c.interactive {
        put(&mut m, "Interactive", Value::Bool(true));
    }
    if c.essential {
        let mut linux = Map::new();
        if !c.capabilities.0.is_empty() || !c.capabilities.1.is_empty() {
            let mut caps = Map::new();
            if !c.capabilities.0.is_empty() {
                caps.insert("Add".into(), json!(c.capabilities.0));
            }
            if !c.capabilities.1.is_empty() {
                caps.insert("Drop".into(), json!(c.capabilities.1));
            }
            linux.insert("Capabilities".into(), Value::Object(caps));
        }
        if c.init {
            linux.insert("InitProcessEnabled".into(), Value::Bool(true));
        }
        if !linux.is_empty() {
            put(&mut m, "LinuxParameters", Value::Object(linux));
        }
    }
    let mut options = json!({
        "awslogs-group": intrinsic::reference(LOG_GROUP_ID),
        "awslogs-region": intrinsic::reference("AWS::Region"),
        "awslogs-stream-prefix": crate::cfn::names::awslogs_stream_prefix(&stack.project),
    });
    for (k, v) in &c.log.extra {
        options[k] = Value::from(v.clone());
    }
    put(
        &mut m,
        "LogConfiguration",
        json!({"LogDriver": "awslogs", "Options": options}),
    );
    if let Some(r) = c.memory_reservation {
        put(&mut m, "MemoryReservation", json!(r));
    }
    if !c.mounts.is_empty() {
        put(
            &mut m,
            "MountPoints",
            Value::Array(
                c.mounts
                    .iter()
                    .map(|mp| {
                        let mut v = json!({"ContainerPath": mp.path, "SourceVolume": mp.volume});
                        if mp.read_only {
                            v["ReadOnly"] = Value::Bool(true);
                        }
                        v
                    })
                    .collect(),
            ),
        );
    }
    put(&mut m, "Name", Value::from(c.name.clone()));
    if !c.ports.is_empty() {
        put(
            &mut m,
            "PortMappings",
            Value::Array(c.ports.iter().map(|p| json!({"ContainerPort": p.port, "HostPort": p.port, "Protocol": p.protocol})).collect()),
        );
    }
    if c.tty {
        put(&mut m, "PseudoTerminal", Value::Bool(true));
    }
    if c.read_only {
        put(&mut m, "ReadonlyRootFilesystem", Value::Bool(true));
    }
    if let Some(creds) = &c.pull_credentials {
        put(
            &mut m,
            "RepositoryCredentials",
            json!({"CredentialsParameter": creds}),
        );
    }
    if !c.secrets.is_empty() {
        put(
            &mut m,
            "Secrets",
            Value::Array(
                c.secrets
                    .iter()
                    .map(|(n, v)| json!({"Name": n, "ValueFrom": secret_ref(stack, v)}))
                    .collect(),
            ),
        );
    }
    if let Some(t) = c.stop_timeout {
        put(&mut m, "StopTimeout", json!(t));
    }
    if !c.sysctls.is_empty() {
        put(
            &mut m,
            "SystemControls",
            Value::Array(
                c.sysctls
                    .iter()
                    .map(|(k, v)| json!({"Namespace": k, "Value": v}))
                    .collect(),
            ),
        );
    }
    if !c.ulimits.is_empty() {
        put(
            &mut m,
            "Ulimits",
            Value::Array(
                c.ulimits
                    .iter()
                    .map(|(n, s, h)| json!({"HardLimit": h, "Name": n, "SoftLimit": s}))
                    .collect(),
            ),
        );
    }
    if let Some(u) = &c.user {
        put(&mut m, "User", Value::from(u.clone()));
    }
    if let Some(w) = &c.working_dir {
        put(&mut m, "WorkingDirectory", Value::from(w.clone()));
    }
    Value::Object(m)
}

/// A container's image: the reference written, or the template parameter
/// `c2cfn up` fills with the built image pinned to its digest.
#[must_use]
pub fn image(image: &Image) -> Value {
    match image {
        Image::Given(reference) => Value::from(reference.clone()),
        Image::Built { service } => intrinsic::reference(&logical_id::image_parameter(service)),
        Image::Missing => Value::from(""),
    }
}

/// An environment variable's value: a literal, or a reference to what the
/// stack creates.
#[must_use]
pub fn env_value(stack: &Stack, value: &EnvValue) -> Value {
    match value {
        EnvValue::Literal(text) => Value::from(text.clone()),
        EnvValue::RedisHost => intrinsic::get_att(REDIS_ID, "PrimaryEndPoint.Address"),
        EnvValue::RedisPort => intrinsic::get_att(REDIS_ID, "PrimaryEndPoint.Port"),
        EnvValue::TableName(name) => {
            Value::from(names::table_name_of(stack, name).unwrap_or_else(|| name.clone()))
        }
        EnvValue::TablePrefix => Value::from(names::table_prefix(&stack.project)),
    }
}

/// What a task reads for a secret (`ValueFrom`, and the execution role's
/// resource): the name or ARN written, or the stack's secret.
#[must_use]
pub fn secret_ref(stack: &Stack, secret: &SecretRef) -> Value {
    match secret {
        SecretRef::Existing(name) => Value::from(name.clone()),
        SecretRef::Stack(name) => {
            let full_name = stack
                .secrets
                .iter()
                .find(|s| &s.name == name)
                .map_or(name.as_str(), |s| s.full_name.as_str());
            intrinsic::reference(&logical_id::secret(full_name))
        }
    }
}
