//! Roles come from authz's `ListPermissions`, called with identity's own service token; without authz,
//! sign-in fails rather than issue a token with missing roles.

use std::net::SocketAddr;
use std::sync::Arc;

use identity::keys::SigningKeys;
use identity::roles::AuthzRoleSource;
use kernel::auth::{IssuerConfig, JwksSource, JwtVerifier, SigningKey, TokenIssuer, VerifierConfig};
use kernel::grpc::GrpcClientConfig;
use kernel::server::{Server, ServerConfig};
use parking_lot::Mutex;
use proto::authz::v1::authz_service_server::{AuthzService, AuthzServiceServer};
use proto::authz::v1::{
    BatchCheckRequest, BatchCheckResponse, CheckRequest, CheckResponse, ListPermissionsRequest, ListPermissionsResponse,
};
use tonic::service::Routes;
use tonic::{Request, Response, Status};

use crate::harness::{self, code, email};

/// Who called `ListPermissions`: the token's subject and roles, and the subject asked about.
type Callers = Arc<Mutex<Vec<(String, Vec<String>, String)>>>;

/// An authz stand-in: grants `admin` to everyone, after checking the caller's token; records who called.
struct FakeAuthz {
    verifier: JwtVerifier,
    callers: Callers,
}

#[tonic::async_trait]
impl AuthzService for FakeAuthz {
    async fn check(&self, _: Request<CheckRequest>) -> Result<Response<CheckResponse>, Status> {
        Err(Status::unimplemented("not used"))
    }

    async fn batch_check(&self, _: Request<BatchCheckRequest>) -> Result<Response<BatchCheckResponse>, Status> {
        Err(Status::unimplemented("not used"))
    }

    async fn list_permissions(
        &self,
        request: Request<ListPermissionsRequest>,
    ) -> Result<Response<ListPermissionsResponse>, Status> {
        let claims = kernel::grpc::authenticate(&self.verifier, &request).await?;
        let subject = request.into_inner().subject.unwrap_or_default();
        self.callers.lock().push((claims.sub, claims.roles, subject.id));
        Ok(Response::new(ListPermissionsResponse {
            roles: vec!["admin".into(), "member".into()],
            grants: Vec::new(),
        }))
    }
}

async fn start_fake_authz(key: &SigningKey) -> (SocketAddr, Callers) {
    let jwks = TokenIssuer::new(IssuerConfig::default(), key.clone()).jwks();
    let callers = Arc::new(Mutex::new(Vec::new()));
    let fake = FakeAuthz {
        verifier: JwtVerifier::new(VerifierConfig::default(), JwksSource::from_jwks(&jwks)),
        callers: callers.clone(),
    };
    let config = ServerConfig {
        http_addr: "127.0.0.1:0".parse().unwrap(),
        grpc_addr: Some("127.0.0.1:0".parse().unwrap()),
        ..ServerConfig::default()
    };
    let server = Server::builder(config)
        .grpc(Routes::new(AuthzServiceServer::new(fake)))
        .bind()
        .await
        .unwrap();
    let addr = server.grpc_addr().unwrap();
    tokio::spawn(server.run_until(std::future::pending()));
    (addr, callers)
}

#[tokio::test]
async fn sign_in_puts_the_roles_authz_lists_into_the_token() {
    let key = SigningKey::generate_ed25519("roles-key").unwrap();
    let (authz_addr, callers) = start_fake_authz(&key).await;
    let issuer = Arc::new(TokenIssuer::new(IssuerConfig::default(), key.clone()));
    let roles = AuthzRoleSource::new(&authz_addr.to_string(), &GrpcClientConfig::default(), issuer).unwrap();
    let identity = harness::builder()
        .keys(SigningKeys::single(key))
        .roles(Arc::new(roles))
        .start()
        .await;
    let address = email("roles");
    let user = identity.sign_up(&address, "Roles").await;
    let session = identity.sign_in(&address).await;
    let verifier = JwtVerifier::new(
        VerifierConfig::default(),
        JwksSource::from_jwks(&identity.issuer.jwks()),
    );
    let claims = verifier.verify(session["accessToken"].as_str().unwrap()).await.unwrap();
    assert_eq!(claims.roles, ["admin", "member"]);
    let refreshed = identity.refresh(session["refreshToken"].as_str().unwrap()).await;
    let claims = verifier
        .verify(refreshed["data"]["refresh"]["accessToken"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(claims.roles, ["admin", "member"], "refresh asks again");

    let callers = callers.lock().clone();
    assert_eq!(callers.len(), 2);
    let (sub, roles, subject) = &callers[0];
    assert_eq!(sub, "service:identity");
    assert_eq!(roles, &["service"]);
    assert_eq!(subject, user["id"].as_str().unwrap());
    identity.stop().await;
}

#[tokio::test]
async fn sign_in_fails_with_service_unavailable_when_authz_is_unreachable() {
    let key = SigningKey::generate_ed25519("roles-key").unwrap();
    let issuer = Arc::new(TokenIssuer::new(IssuerConfig::default(), key.clone()));
    let config = GrpcClientConfig {
        connect_timeout_ms: 300,
        request_timeout_ms: 1_000,
    };
    // Nothing listens on port 1.
    let roles = AuthzRoleSource::new("127.0.0.1:1", &config, issuer).unwrap();
    let identity = harness::builder()
        .keys(SigningKeys::single(key))
        .roles(Arc::new(roles))
        .start()
        .await;
    let address = email("down");
    identity.sign_up(&address, "Down").await;
    let body = identity.sign_in_from("198.51.100.9", &address, harness::PASSWORD).await;
    assert_eq!(code(&body), "SERVICE_UNAVAILABLE", "{body}");
    assert_eq!(
        identity.count("SELECT COUNT(*) FROM refresh_tokens").await,
        0,
        "no session was opened"
    );
    identity.stop().await;
}
