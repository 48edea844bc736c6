//! The ECR repository of a service (the calls are [`crate::aws::ecr::EcrApi`]).

/// The repository name of a service: `<stack>/<service>`, lower case (ECR
/// names are lower case).
#[must_use]
pub fn repository_name(stack: &str, service: &str) -> String {
    format!("{stack}/{service}").to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::ecr::{Repository, split_token};

    #[test]
    fn names_and_registry() {
        assert_eq!(repository_name("Game-Dev", "api"), "game-dev/api");
        let r = Repository {
            uri: "1.dkr.ecr.eu-west-1.amazonaws.com/game/api".into(),
            created: false,
        };
        assert_eq!(r.registry(), "1.dkr.ecr.eu-west-1.amazonaws.com");
        assert_eq!(
            split_token("AWS:pa:ss"),
            Some(("AWS".into(), "pa:ss".into()))
        );
        assert_eq!(split_token("nocolon"), None);
    }
}
