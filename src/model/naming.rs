//! The naming contract shared by lowering and the template: how a compose
//! name becomes an identifier.
//!
//! Docker's ECS integration removed every character outside `[A-Za-z0-9]`
//! from a compose name and upper-cased the first letter (`my-web_app` →
//! `Mywebapp`). Its stacks, and the `x-aws-cloudformation` overlays written
//! for them, depend on that rule, so it is part of what a compose file
//! means, not a detail of one writer: `cfn` builds every logical ID from
//! [`normalize`], and lowering uses it where it reads the user's overlay
//! (the listener an overlay turns into TLS) and names Docker's init
//! containers. Which suffix each resource gets, the intrinsics and the
//! physical names stay in `cfn`.

/// Docker's normalisation of a compose name into an identifier prefix.
#[must_use]
pub fn normalize(name: &str) -> String {
    let mut out: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
    if let Some(first) = out.get(..1) {
        let upper = first.to_ascii_uppercase();
        out.replace_range(..1, &upper);
    }
    out
}

/// The identifier an overlay uses for the listener of a published port:
/// `<Service><PROTO><port>Listener`, e.g. `AppTCP80Listener`. Lowering
/// reads a listener's protocol and port from an overlay entry with this
/// ID, and `cfn` names the listener with it.
#[must_use]
pub fn listener(service: &str, protocol: &str, port: u16) -> String {
    format!(
        "{}{}{port}Listener",
        normalize(service),
        protocol.to_ascii_uppercase()
    )
}

/// The identifier an overlay uses for the load balancer c2cfn creates
/// (lowering reads its `IpAddressType` for dual-stack DNS records).
pub const LOAD_BALANCER: &str = "LoadBalancer";

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn case(input: &str, expected: &str) {
        assert_eq!(normalize(input), expected);
    }

    #[test]
    fn normalizes_like_docker() {
        case("simple", "Simple");
        case("my-web_app", "Mywebapp");
        case("API", "API");
        case("web2", "Web2");
        case("9lives", "9lives");
        case("--", "");
        case("café", "Caf");
    }

    #[test]
    fn listeners() {
        assert_eq!(listener("app", "tcp", 80), "AppTCP80Listener");
        assert_eq!(listener("my-app", "", 443), "Myapp443Listener");
    }
}
