//! Named volumes: EFS file system, a mount target per subnet, an access point.

use serde_json::{Map, Value, json};

use super::{PROJECT_TAG, VOLUME_TAG, subnets};
use crate::cfn::{Resource, Template, intrinsic, logical_id};
use crate::model::{FileSystem, Stack};

/// `<Vol>Filesystem`.
#[must_use]
pub fn file_system_id(volume: &str) -> String {
    format!("{}Filesystem", logical_id::normalize(volume))
}

/// `<Vol>AccessPoint`.
#[must_use]
pub fn access_point_id(volume: &str) -> String {
    format!("{}AccessPoint", logical_id::normalize(volume))
}

/// `<Vol>NFSMountTargetOn<Subnet>` for every subnet.
#[must_use]
pub fn mount_target_ids(stack: &Stack, volume: &str) -> Vec<String> {
    subnets(stack)
        .into_iter()
        .map(|(suffix, _)| format!("{}NFSMountTargetOn{suffix}", logical_id::normalize(volume)))
        .collect()
}

/// The file system ID value (Ref or the external ID).
#[must_use]
pub fn file_system_ref(fs: &FileSystem) -> Value {
    match &fs.existing {
        Some(id) => Value::from(id.clone()),
        None => intrinsic::reference(&file_system_id(&fs.name)),
    }
}

/// The task-role policy that lets a service mount `volume`.
#[must_use]
pub fn mount_policy(stack: &Stack, volume: &str) -> Value {
    let arn = match stack
        .file_systems
        .iter()
        .find(|f| f.name == volume)
        .and_then(|f| f.existing.clone())
    {
        Some(id) => intrinsic::sub(&format!(
            "arn:${{AWS::Partition}}:elasticfilesystem:${{AWS::Region}}:${{AWS::AccountId}}:file-system/{id}"
        )),
        None => intrinsic::get_att(&file_system_id(volume), "Arn"),
    };
    json!({
        "Statement": [{
            "Action": ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite", "elasticfilesystem:ClientRootAccess"],
            "Condition": {"StringEquals": {"elasticfilesystem:AccessPointArn": intrinsic::reference(&access_point_id(volume))}},
            "Effect": "Allow",
            "Resource": [arn]
        }],
        "Version": "2012-10-17"
    })
}

/// Every file system, its mount targets and access point.
pub fn emit(stack: &Stack, template: &mut Template) {
    let groups: Vec<Value> = stack
        .networks
        .iter()
        .map(|n| super::ec2::group(stack, &n.name))
        .collect();
    for fs in &stack.file_systems {
        let full_name = &fs.full_name;
        let tags = |key: &str| {
            json!([
                {key: PROJECT_TAG, "Value": stack.project},
                {key: VOLUME_TAG, "Value": fs.name},
                {key: "Name", "Value": full_name},
            ])
        };
        if fs.existing.is_none() {
            let mut props = Map::new();
            props.insert("Encrypted".into(), Value::Bool(true));
            props.insert(
                "FileSystemTags".into(),
                tags("Key")
                    .as_array()
                    .map(|a| {
                        Value::Array(
                            a.iter()
                                .map(|t| json!({"Key": t["Key"], "Value": t["Value"]}))
                                .collect(),
                        )
                    })
                    .unwrap_or_default(),
            );
            for (key, prop) in [
                ("performance_mode", "PerformanceMode"),
                ("throughput_mode", "ThroughputMode"),
                ("kms_key_id", "KmsKeyId"),
            ] {
                if let Some(v) = fs.options.get(key) {
                    props.insert(prop.into(), Value::from(v.clone()));
                }
            }
            if let Some(v) = fs.options.get("backup_policy") {
                props.insert("BackupPolicy".into(), json!({"Status": v}));
            }
            if let Some(v) = fs.options.get("lifecycle_policy") {
                props.insert(
                    "LifecyclePolicies".into(),
                    json!([{"TransitionToIA": v.trim()}]),
                );
            }
            if let Some(v) = fs
                .options
                .get("provisioned_throughput")
                .and_then(|v| v.parse::<f64>().ok())
            {
                props.insert("ProvisionedThroughputInMibps".into(), json!(v));
            }
            template.add(
                file_system_id(&fs.name),
                Resource::new("AWS::EFS::FileSystem", Value::Object(props)).retain("Retain"),
            );
        }
        for ((_, subnet), id) in subnets(stack)
            .into_iter()
            .zip(mount_target_ids(stack, &fs.name))
        {
            template.add(
                id,
                Resource::new(
                    "AWS::EFS::MountTarget",
                    json!({"FileSystemId": file_system_ref(fs), "SecurityGroups": groups, "SubnetId": subnet}),
                ),
            );
        }
        let mut ap = Map::new();
        ap.insert("AccessPointTags".into(), tags("Key"));
        ap.insert("FileSystemId".into(), file_system_ref(fs));
        if let Some(uid) = &fs.uid {
            ap.insert(
                "PosixUser".into(),
                json!({"Uid": uid, "Gid": fs.gid.clone().unwrap_or_else(|| uid.clone())}),
            );
        }
        if let Some(root) = &fs.root_directory {
            let mut dir = json!({"Path": root});
            if let Some(uid) = &fs.uid {
                dir["CreationInfo"] = json!({
                    "OwnerUid": uid,
                    "OwnerGid": fs.gid.clone().unwrap_or_else(|| uid.clone()),
                    "Permissions": fs.permissions.clone().unwrap_or_else(|| "0755".into()),
                });
            }
            ap.insert("RootDirectory".into(), dir);
        }
        template.add(
            access_point_id(&fs.name),
            Resource::new("AWS::EFS::AccessPoint", Value::Object(ap)),
        );
    }
}
