//! The deploy and operate traits whose calls span services, implemented on
//! the bundle by delegating to the one implementation of each call in the
//! service files.

use super::{ApiResult, Clients};
use crate::deploy::adopt::{LiveApi, LiveLogGroup, LiveReplicationGroup, LiveTable};
use crate::deploy::api::CloudFormationApi;
use crate::deploy::delete_data::DataApi;
use crate::deploy::failure::TargetGroupHealth;
use crate::deploy::service_report::HealthApi;
use crate::operate::api::{Resource, TaskApi};
use crate::operate::session::Session;
use crate::operate::target::Task;

impl DataApi for Clients {
    async fn delete_table(&self, name: &str) -> ApiResult<()> {
        self.dynamodb.delete_table(name).await
    }

    async fn delete_file_system(&self, id: &str) -> ApiResult<()> {
        self.efs.delete_file_system(id).await
    }

    async fn redis_snapshots(&self, replication_group: &str) -> ApiResult<Vec<String>> {
        self.elasticache.snapshots(replication_group).await
    }

    async fn delete_snapshot(&self, name: &str) -> ApiResult<()> {
        self.elasticache.delete_snapshot(name).await
    }
}

impl LiveApi for Clients {
    async fn table(&self, name: &str) -> ApiResult<Option<LiveTable>> {
        self.dynamodb.table(name).await
    }

    async fn replication_group(&self, id: &str) -> ApiResult<Option<LiveReplicationGroup>> {
        self.elasticache.replication_group(id).await
    }

    async fn log_group(&self, name: &str) -> ApiResult<Option<LiveLogGroup>> {
        self.logs.log_group(name).await
    }
}

impl HealthApi for Clients {
    async fn target_group(&self, arn: &str) -> ApiResult<TargetGroupHealth> {
        self.elb.target_group(arn).await
    }

    async fn last_lines(
        &self,
        group: &str,
        container: &str,
        task: &str,
        n: usize,
    ) -> ApiResult<Vec<String>> {
        self.logs.last_lines(group, container, task, n).await
    }
}

impl TaskApi for Clients {
    async fn stack_resources(&self, stack: &str) -> ApiResult<Option<Vec<Resource>>> {
        match self.cloudformation.list_stack_resources(stack).await {
            Ok(all) => Ok(Some(
                all.into_iter()
                    .map(|r| Resource {
                        logical_id: r.logical_id,
                        physical_id: r.physical_id,
                    })
                    .collect(),
            )),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn tasks(&self, cluster: &str, service: &str) -> ApiResult<Vec<Task>> {
        let mut tasks = Vec::new();
        for t in self.ecs.running_tasks(cluster, service).await? {
            let public_ip = match &t.eni {
                Some(eni) => self.ec2.public_ip(eni).await?,
                None => None,
            };
            tasks.push(Task {
                id: t.id,
                containers: t.containers,
                public_ip,
                private_ip: t.private_ip,
                exec_enabled: t.exec_enabled,
            });
        }
        Ok(tasks)
    }

    async fn execute_command(
        &self,
        cluster: &str,
        task: &str,
        container: &str,
        command: &str,
    ) -> ApiResult<Session> {
        self.ecs
            .execute_command(cluster, task, container, command)
            .await
    }

    async fn start_port_forward(
        &self,
        target: &str,
        remote: u16,
        local: u16,
    ) -> ApiResult<Session> {
        self.ssm.start_port_forward(target, remote, local).await
    }
}
