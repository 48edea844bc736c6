//! Waits until local dependencies accept connections.

use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// Waits until every port on 127.0.0.1 accepts a TCP connection, or
/// `timeout` passes; returns the ports that never answered.
#[must_use]
pub fn ports(ports: &[u16], timeout: Duration) -> Vec<u16> {
    let deadline = Instant::now() + timeout;
    let mut pending: Vec<u16> = ports.to_vec();
    while !pending.is_empty() && Instant::now() < deadline {
        pending.retain(|p| {
            let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, *p));
            TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err()
        });
        if !pending.is_empty() {
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    pending
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_ports_answer_and_closed_ones_are_reported() {
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let open = listener.local_addr().unwrap().port();
        // A port that was free a moment ago is very likely still closed.
        let closed = {
            let l = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
            l.local_addr().unwrap().port()
        };
        assert!(ports(&[open], Duration::from_secs(2)).is_empty());
        assert_eq!(
            ports(&[open, closed], Duration::from_millis(500)),
            vec![closed]
        );
    }
}
