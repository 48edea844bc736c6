//! The cluster of an ECS service ARN (the ECS calls are
//! [`crate::aws::ecs::EcsApi`]).

/// The cluster of a service ARN (`arn:…:service/CLUSTER/NAME`); `None` for
/// the old ARN format without it.
#[must_use]
pub fn cluster_of(service_arn: &str) -> Option<&str> {
    let path = service_arn.split_once(":service/")?.1;
    let (cluster, _) = path.split_once('/')?;
    Some(cluster)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::ecs::task_id;

    #[test]
    fn arns() {
        assert_eq!(
            cluster_of("arn:aws:ecs:eu-west-1:1:service/game-Cluster-X/game-Api-Y"),
            Some("game-Cluster-X")
        );
        assert_eq!(cluster_of("arn:aws:ecs:eu-west-1:1:service/old"), None);
        assert_eq!(cluster_of("not an arn"), None);
        assert_eq!(task_id("arn:aws:ecs:r:1:task/c/0123abc"), "0123abc");
    }
}
