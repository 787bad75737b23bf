//! Each service's config for the local stack: its documented loopback ports (or port 0), its backends, and the
//! addresses of the services it calls (identity's JWKS, authz's and audit's gRPC), known once those are up.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;

use audit::AuditConfig;
use authz::AuthzConfig;
use billing::BillingConfig;
use blog::BlogConfig;
use identity::config::{IdentityConfig, SigningKeyConfig};
use kernel::auth::VerifierConfig;
use kernel::server::ServerConfig;

use crate::backends::{ServiceBackends, for_service};
use crate::options::{DevConfig, Ports};

/// How long a stopping service lets requests in flight finish; short, since nobody else is waiting on it.
const SHUTDOWN_GRACE_MS: u64 = 2_000;

/// The services of the stack, in the order they start.
pub const SERVICES: [&str; 5] = ["identity", "authz", "audit", "blog", "billing"];

/// Where the services the others depend on can be reached, filled in as they come up.
#[derive(Debug, Clone)]
pub struct Wiring {
    /// authz's gRPC address, chosen before authz starts since identity (which starts first) needs it.
    pub authz_grpc: SocketAddr,
    /// How services verify tokens: identity's JWKS, once identity is up.
    pub verifier: VerifierConfig,
    /// audit's gRPC URL, once audit is up.
    pub audit_grpc: String,
}

impl Wiring {
    /// authz's gRPC URL.
    pub fn authz_url(&self) -> String {
        format!("http://{}", self.authz_grpc)
    }
}

/// The listeners of `service` (one of [`SERVICES`]): its documented ports, or port 0 with ephemeral ports.
pub fn server(config: &DevConfig, service: &str) -> ServerConfig {
    let (http, grpc) = match config.ports {
        Ports::Ephemeral => (0, 0),
        Ports::Fixed => fixed_ports(service),
    };
    ServerConfig {
        shutdown_grace_ms: SHUTDOWN_GRACE_MS,
        ..ServerConfig::on_loopback(http, grpc)
    }
}

/// authz's gRPC address: its documented port, or a port that was free a moment ago with ephemeral ports.
pub fn authz_grpc_addr(config: &DevConfig) -> std::io::Result<SocketAddr> {
    let port = match config.ports {
        Ports::Fixed => fixed_ports("authz").1,
        // identity needs the address before authz can bind it; the gap between probing and binding is
        // milliseconds, and the only way to avoid it would be for one of them to accept a bound listener.
        Ports::Ephemeral => std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?
            .local_addr()?
            .port(),
    };
    Ok(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
}

fn fixed_ports(service: &str) -> (u16, u16) {
    match service {
        "identity" => (4001, 5001),
        "authz" => (4002, 5002),
        "audit" => (4003, 5003),
        "blog" => (4004, 5004),
        "billing" => (4005, 5005),
        // Not one of SERVICES: a free port rather than one of theirs.
        _ => (0, 0),
    }
}

/// identity: a signing key kept in the data folder, roles from authz.
pub fn identity(config: &DevConfig, data_dir: &Path, key: SigningKeyConfig, wiring: &Wiring) -> IdentityConfig {
    let ServiceBackends {
        database,
        cache,
        events,
    } = for_service(config, data_dir, "identity");
    let mut identity = IdentityConfig {
        server: server(config, "identity"),
        database,
        cache,
        events,
        ..IdentityConfig::default()
    };
    identity.tokens.signing_keys = vec![key];
    identity.authz.address = Some(wiring.authz_url());
    identity
}

/// authz on its pre-chosen gRPC address, onboarding new users as `member`.
pub fn authz(config: &DevConfig, data_dir: &Path, wiring: &Wiring) -> AuthzConfig {
    let ServiceBackends {
        database,
        cache,
        events,
    } = for_service(config, data_dir, "authz");
    let mut authz = AuthzConfig {
        server: ServerConfig {
            grpc_addr: Some(wiring.authz_grpc),
            ..server(config, "authz")
        },
        database,
        cache,
        events,
        verifier: wiring.verifier.clone(),
        ..AuthzConfig::default()
    };
    authz.onboarding.group = config.namespaced(&authz.onboarding.group);
    authz
}

/// audit, consuming every service's events.
pub fn audit(config: &DevConfig, data_dir: &Path, wiring: &Wiring) -> AuditConfig {
    let backends = for_service(config, data_dir, "audit");
    let mut audit = AuditConfig {
        server: server(config, "audit"),
        database: backends.database,
        events: backends.events,
        verifier: wiring.verifier.clone(),
        ..AuditConfig::default()
    };
    audit.consumer.group = config.namespaced(&audit.consumer.group);
    audit.authz.address = wiring.authz_url();
    audit
}

/// blog, checking writes with authz and recording denials with audit.
pub fn blog(config: &DevConfig, data_dir: &Path, wiring: &Wiring) -> BlogConfig {
    let backends = for_service(config, data_dir, "blog");
    let mut blog = BlogConfig {
        server: server(config, "blog"),
        database: backends.database,
        events: backends.events,
        verifier: wiring.verifier.clone(),
        ..BlogConfig::default()
    };
    blog.authz.address = wiring.authz_url();
    blog.audit.address = wiring.audit_grpc.clone();
    blog
}

/// billing, checking writes with authz and recording denials with audit.
pub fn billing(config: &DevConfig, data_dir: &Path, wiring: &Wiring) -> BillingConfig {
    let backends = for_service(config, data_dir, "billing");
    let mut billing = BillingConfig {
        server: server(config, "billing"),
        database: backends.database,
        events: backends.events,
        verifier: wiring.verifier.clone(),
        ..BillingConfig::default()
    };
    billing.authz.address = wiring.authz_url();
    billing.audit.address = wiring.audit_grpc.clone();
    billing
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_ports_are_each_services_documented_ones() {
        let config = DevConfig::default();
        for (service, http, grpc) in [
            ("identity", 4001, 5001),
            ("authz", 4002, 5002),
            ("audit", 4003, 5003),
            ("blog", 4004, 5004),
            ("billing", 4005, 5005),
        ] {
            let server = server(&config, service);
            assert_eq!(server.http_addr, SocketAddr::from((Ipv4Addr::LOCALHOST, http)));
            assert_eq!(server.grpc_addr, Some(SocketAddr::from((Ipv4Addr::LOCALHOST, grpc))));
        }
        assert_eq!(authz_grpc_addr(&config).unwrap().port(), 5002);
    }

    #[test]
    fn ephemeral_ports_are_zero_and_consumer_groups_carry_the_namespace() {
        let config = DevConfig {
            ports: Ports::Ephemeral,
            namespace: "ns".to_owned(),
            ..DevConfig::default()
        };
        assert_eq!(server(&config, "blog").http_addr.port(), 0);
        assert_ne!(authz_grpc_addr(&config).unwrap().port(), 0);
        let wiring = Wiring {
            authz_grpc: SocketAddr::from((Ipv4Addr::LOCALHOST, 7002)),
            verifier: VerifierConfig::default(),
            audit_grpc: "http://127.0.0.1:7003".to_owned(),
        };
        let dir = Path::new("/tmp/unused");
        assert_eq!(audit(&config, dir, &wiring).consumer.group, "ns_audit");
        let authz = authz(&config, dir, &wiring);
        assert_eq!(authz.onboarding.group, "ns_authz-onboarding");
        assert_eq!(authz.server.grpc_addr, Some(wiring.authz_grpc));
        assert_eq!(blog(&config, dir, &wiring).authz.address, "http://127.0.0.1:7002");
        assert_eq!(billing(&config, dir, &wiring).audit.address, "http://127.0.0.1:7003");
    }
}
