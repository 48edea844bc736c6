//! `c2cfn tunnel` in a local environment: no tunnel, the containers
//! publish their ports on the host; which host port serves each forward.

use crate::compose::Project;
use crate::deploy::Failure;
use crate::operate::ssh::Forward;
use crate::operate::target;

/// A container port and the host port that publishes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Published {
    /// The port in the container (the forward's remote port).
    pub container: u16,
    /// The port on the host.
    pub host: u16,
}

/// The service (`named`, or the only one) and, for each forward, the host
/// port its container port is published on.
///
/// # Errors
/// No such service (or several and none named), or a container port the
/// service does not publish.
pub fn published(
    project: &Project,
    named: Option<&str>,
    forwards: &[Forward],
) -> Result<(String, Vec<Published>), Failure> {
    let services: Vec<String> = project.services.keys().cloned().collect();
    let service = target::service(&services, named)
        .map_err(|e| Failure::refused(e.to_string(), "name the service as the first argument"))?
        .to_owned();
    let ports = &project.services[&service].ports;
    let mut out = Vec::new();
    for f in forwards {
        let Some(host) = ports
            .iter()
            .find(|p| p.target == f.remote)
            .and_then(|p| p.published)
        else {
            return Err(Failure::refused(
                format!(
                    "local environment: service `{service}` publishes no host port for container port {}",
                    f.remote
                ),
                format!(
                    "add `ports: [\"127.0.0.1:{}:{}\"]` to `{service}` (a local override file is enough) and run `c2cfn up` again",
                    f.local, f.remote
                ),
            ));
        };
        out.push(Published {
            container: f.remote,
            host,
        });
    }
    Ok((service, out))
}
