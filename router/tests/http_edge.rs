//! The HTTP edge end to end: the router's routes mounted in `kernel::server::Server` on port 0, driven with
//! real HTTP requests, behind a recording handler or the operation pipeline with a test execution stage.

#![allow(unused_crate_dependencies)]

use std::net::SocketAddr;
use std::sync::Arc;

use hive_router_query_planner::utils::parsing::safe_parse_schema;
use kernel::server::{Server, ServerConfig};
use parking_lot::Mutex;
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, ALLOW, CACHE_CONTROL, CONTENT_TYPE};
use router::http::{
    self, CachedOperation, ExecutionStage, GraphQLHandler, GraphQLRequest, GraphQLResponse, HttpOptions,
    OperationPipeline, RequestContext, RequestMethod, ResponseFormat,
};
use router::operation::{GraphQLError, OperationPolicy, OperationSchema, PreparedOperation};
use serde_json::{Map, Value, json};
use tokio_util::sync::CancellationToken;

#[path = "http_edge/browser.rs"]
mod browser;

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

/// Records what the edge decoded and answers 200 with it.
#[derive(Default)]
struct RecordingHandler {
    seen: Mutex<Vec<(GraphQLRequest, RequestMethod, ResponseFormat)>>,
}

#[async_trait::async_trait]
impl GraphQLHandler for RecordingHandler {
    async fn execute(&self, request: GraphQLRequest, context: RequestContext) -> GraphQLResponse {
        let body = json!({"data": {"query": request.query, "variables": request.variables}});
        self.seen.lock().push((request, context.method, context.format));
        GraphQLResponse::ok(body.to_string())
    }
}

/// Answers every executable operation with `{"data":{"executed":NAME}}`.
struct TestStage;

#[async_trait::async_trait]
impl ExecutionStage for TestStage {
    type Prepared = ();

    async fn prepare(&self, _operation: &PreparedOperation) -> Result<(), GraphQLError> {
        Ok(())
    }

    async fn execute(
        &self,
        operation: &CachedOperation<()>,
        _: Map<String, Value>,
        _: &RequestContext,
    ) -> GraphQLResponse {
        GraphQLResponse::ok(json!({"data": {"executed": operation.operation.name()}}).to_string())
    }
}

const SDL: &str = r#"
type Query { me: User user(id: ID!): User }
type Mutation { rename(name: String!): User }
type Subscription { renamed: User }
"A person."
type User { id: ID! name: String }
"#;

struct TestServer {
    addr: SocketAddr,
    stop: CancellationToken,
    client: reqwest::Client,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

impl TestServer {
    async fn start(handler: Arc<dyn GraphQLHandler>, options: HttpOptions) -> Self {
        let config = ServerConfig {
            http_addr: "127.0.0.1:0".parse().expect("an address"),
            ..ServerConfig::default()
        };
        let server = Server::builder(config)
            .http(http::router(handler, options))
            .bind()
            .await
            .expect("binds port 0");
        let addr = server.http_addr();
        let stop = server.shutdown_token();
        tokio::spawn(server.run_until(std::future::pending()));
        Self {
            addr,
            stop,
            client: reqwest::Client::new(),
        }
    }

    async fn recording(options: HttpOptions) -> (Self, Arc<RecordingHandler>) {
        let handler = Arc::new(RecordingHandler::default());
        (Self::start(handler.clone(), options).await, handler)
    }

    async fn pipeline(introspection_enabled: bool) -> Self {
        let document = safe_parse_schema(SDL).expect("test SDL parses");
        let schema = Arc::new(OperationSchema::new(Arc::new(document)).expect("indexes"));
        let policy = OperationPolicy {
            introspection_enabled,
            ..OperationPolicy::default()
        };
        let pipeline = OperationPipeline::new(schema, policy, 64, TestStage);
        Self::start(Arc::new(pipeline), HttpOptions::default()).await
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    async fn post(&self, body: &str, accept: Option<&str>) -> reqwest::Response {
        let mut request = self
            .client
            .post(self.url("/graphql"))
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_owned());
        if let Some(accept) = accept {
            request = request.header(ACCEPT, accept);
        }
        request.send().await.expect("the server answers")
    }

    /// A GET as a well-behaved client sends it: with a CSRF preflight header.
    async fn get(&self, query_string: &str, accept: &str) -> reqwest::Response {
        self.client
            .get(self.url(&format!("/graphql{query_string}")))
            .header(ACCEPT, accept)
            .header("x-platform-preflight", "1")
            .send()
            .await
            .expect("answers")
    }
}

fn content_type(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

async fn error_code(response: reqwest::Response) -> String {
    let body: Value = response.json().await.expect("a JSON body");
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no code in {body}"))
        .to_owned()
}

#[tokio::test]
async fn post_json_reaches_the_handler_and_answers_in_the_negotiated_type() {
    let (server, handler) = TestServer::recording(HttpOptions::default()).await;
    let body = r#"{"query":"{ me { id } }","operationName":null,"variables":{"a":1},"extensions":{}}"#;
    let legacy = server.post(body, None).await;
    assert_eq!(legacy.status(), StatusCode::OK);
    assert_eq!(content_type(&legacy), "application/json; charset=utf-8");
    let modern = server.post(body, Some(GRAPHQL_RESPONSE_JSON)).await;
    assert_eq!(
        content_type(&modern),
        "application/graphql-response+json; charset=utf-8"
    );
    let data: Value = modern.json().await.expect("JSON");
    assert_eq!(data, json!({"data": {"query": "{ me { id } }", "variables": {"a": 1}}}));
    let seen = handler.seen.lock();
    assert_eq!(seen.len(), 2);
    assert_eq!((seen[0].1, seen[0].2), (RequestMethod::Post, ResponseFormat::Json));
    assert_eq!(seen[1].2, ResponseFormat::GraphQLResponseJson);
}

#[tokio::test]
async fn get_reads_the_parameters_from_the_query_string() {
    let (server, handler) = TestServer::recording(HttpOptions::default()).await;
    let response = server
        .get(
            "?query=query%20Q%20%7B%20me%20%7B%20id%20%7D%20%7D&operationName=Q&variables=%7B%22x%22%3Atrue%7D",
            "*/*",
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let seen = handler.seen.lock();
    let (request, method, _) = &seen[0];
    assert_eq!(*method, RequestMethod::Get);
    assert_eq!(request.query, "query Q { me { id } }");
    assert_eq!(request.operation_name.as_deref(), Some("Q"));
    assert_eq!(request.variables, json!({"x": true}).as_object().cloned());
}

#[tokio::test]
async fn malformed_requests_get_400_with_bad_request() {
    let (server, handler) = TestServer::recording(HttpOptions::default()).await;
    for body in [
        "{\"query\": ",
        "{}",
        "{\"query\": 5}",
        "[{\"query\": \"{ me { id } }\"}]",
        "{\"query\":\"{a}\",\"variables\":\"x\"}",
    ] {
        let response = server.post(body, Some(GRAPHQL_RESPONSE_JSON)).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(
            content_type(&response),
            "application/graphql-response+json; charset=utf-8"
        );
        assert_eq!(error_code(response).await, "BAD_REQUEST", "{body}");
    }
    let legacy = server.post("{", None).await;
    assert_eq!(
        legacy.status(),
        StatusCode::BAD_REQUEST,
        "a malformed request is 400 in every format"
    );
    let missing = server.get("?operationName=Q", "application/json").await;
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
    assert!(handler.seen.lock().is_empty());
}

#[tokio::test]
async fn wrong_content_type_gets_415() {
    let (server, _) = TestServer::recording(HttpOptions::default()).await;
    let response = server
        .client
        .post(server.url("/graphql"))
        .header(CONTENT_TYPE, "text/plain")
        .body(r#"{"query":"{ me { id } }"}"#)
        .send()
        .await
        .expect("answers");
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(error_code(response).await, "BAD_REQUEST");
}

#[tokio::test]
async fn other_methods_get_405_naming_the_allowed_ones() {
    let (server, _) = TestServer::recording(HttpOptions::default()).await;
    let response = server
        .client
        .put(server.url("/graphql"))
        .body("{}")
        .send()
        .await
        .expect("answers");
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        response.headers().get(ALLOW).and_then(|v| v.to_str().ok()),
        Some("GET, POST")
    );
    assert_eq!(error_code(response).await, "METHOD_NOT_ALLOWED");
}

#[tokio::test]
async fn bodies_over_the_limit_get_413_with_or_without_a_length() {
    let options = HttpOptions {
        max_body_bytes: 64,
        ..HttpOptions::default()
    };
    let (server, handler) = TestServer::recording(options).await;
    let large = format!(
        r#"{{"query":"{{ me {{ id }} }}","extensions":{{"pad":"{}"}}}}"#,
        "x".repeat(100)
    );
    let response = server.post(&large, None).await;
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_code(response).await, "OPERATION_LIMIT_EXCEEDED");

    // A chunked body has no Content-Length: the limit applies while it streams in.
    let chunk = format!("{:x}\r\n{large}\r\n0\r\n\r\n", large.len());
    let head = "POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
    let addr = server.addr;
    let reply = tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(addr).expect("connects");
        stream.write_all(format!("{head}{chunk}").as_bytes()).expect("writes");
        let mut reply = String::new();
        stream.read_to_string(&mut reply).expect("reads");
        reply
    })
    .await
    .expect("the raw client finished");
    assert!(reply.starts_with("HTTP/1.1 413"), "{reply}");
    assert!(reply.contains("OPERATION_LIMIT_EXCEEDED"), "{reply}");

    let small = server.post(r#"{"query":"{ me { id } }"}"#, None).await;
    assert_eq!(small.status(), StatusCode::OK);
    assert_eq!(handler.seen.lock().len(), 1);
}

#[tokio::test]
async fn browsers_get_graphiql_with_the_endpoint_and_local_assets() {
    let (server, handler) = TestServer::recording(HttpOptions::default()).await;
    let page = server.get("", "text/html,application/xhtml+xml,*/*;q=0.8").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(content_type(&page).starts_with("text/html"));
    let html = page.text().await.expect("text");
    assert!(html.contains(r#"data-endpoint="/graphql""#), "{html}");
    assert!(
        !html.contains("https://") && !html.contains("http://") && !html.contains("//unpkg"),
        "{html}"
    );

    let assets: Vec<&str> = html
        .split(['"', '\''])
        .filter(|part| part.starts_with("/graphiql/") && (part.ends_with(".js") || part.ends_with(".css")))
        .collect();
    assert_eq!(assets.len(), 5, "{assets:?}");
    for asset in assets {
        let response = server.client.get(server.url(asset)).send().await.expect("answers");
        assert_eq!(response.status(), StatusCode::OK, "{asset}");
        let cache = response
            .headers()
            .get(CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let kind = content_type(&response);
        assert!(
            kind.starts_with(if asset.ends_with(".css") {
                "text/css"
            } else {
                "text/javascript"
            }),
            "{asset}: {kind}"
        );
        if asset.ends_with("init.js") {
            assert_eq!(cache, "no-cache");
        } else {
            assert!(
                cache.contains("immutable") && cache.contains("max-age=31536000"),
                "{asset}: {cache}"
            );
        }
        assert!(response.bytes().await.expect("body").len() > 100, "{asset} has content");
    }
    assert!(handler.seen.lock().is_empty(), "GraphiQL is served by the edge");

    let with_query = server.get("?query=%7Bme%7D", "text/html").await;
    assert!(
        content_type(&with_query).starts_with("application/json"),
        "a query from a browser is executed"
    );
}

#[tokio::test]
async fn graphiql_can_be_turned_off() {
    let (server, _) = TestServer::recording(HttpOptions {
        graphiql: false,
        ..HttpOptions::default()
    })
    .await;
    let page = server.get("", "text/html").await;
    assert_eq!(page.status(), StatusCode::BAD_REQUEST);
    let asset = server
        .client
        .get(server.url("/graphiql/init.js"))
        .send()
        .await
        .expect("answers");
    assert_eq!(asset.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn health_endpoints_come_from_the_kernel_server() {
    let (server, _) = TestServer::recording(HttpOptions::default()).await;
    for path in ["/healthz", "/readyz"] {
        let response = server.client.get(server.url(path)).send().await.expect("answers");
        assert_eq!(response.status(), StatusCode::OK, "{path}");
    }
}

#[tokio::test]
async fn request_errors_are_400_under_graphql_response_json_and_200_under_json() {
    let server = TestServer::pipeline(true).await;
    let cases = [
        (r#"{"query":"{ me { id }"}"#, "GRAPHQL_PARSE_FAILED"),
        (r#"{"query":"{ me { nickname } }"}"#, "GRAPHQL_VALIDATION_FAILED"),
        (
            r#"{"query":"query($id: ID!) { user(id: $id) { id } }","variables":{"id":[true]}}"#,
            "BAD_USER_INPUT",
        ),
        (
            r#"{"query":"query($id: ID!) { user(id: $id) { id } }"}"#,
            "BAD_USER_INPUT",
        ),
        (
            r#"{"query":"subscription { renamed { id } }"}"#,
            "OPERATION_NOT_SUPPORTED",
        ),
        (
            r#"{"query":"query A { me { id } } query B { me { id } }"}"#,
            "GRAPHQL_VALIDATION_FAILED",
        ),
    ];
    for (body, code) in cases {
        let modern = server.post(body, Some(GRAPHQL_RESPONSE_JSON)).await;
        assert_eq!(modern.status(), StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(error_code(modern).await, code, "{body}");
        let legacy = server.post(body, Some("application/json")).await;
        assert_eq!(legacy.status(), StatusCode::OK, "{body}");
        assert_eq!(error_code(legacy).await, code, "{body}");
    }
    let located: Value = server
        .post(r#"{"query":"{\n  me { nickname }\n}"}"#, None)
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(located["errors"][0]["locations"][0]["line"], 2, "{located}");
}

#[tokio::test]
async fn valid_operations_reach_the_execution_stage() {
    let server = TestServer::pipeline(true).await;
    let response = server
        .post(
            r#"{"query":"query Me { me { id } }","operationName":"Me"}"#,
            Some(GRAPHQL_RESPONSE_JSON),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.json::<Value>().await.expect("JSON"),
        json!({"data": {"executed": "Me"}})
    );
    let over_get = server
        .get(
            "?query=query%20Me%20%7B%20me%20%7B%20id%20%7D%20%7D",
            "application/json",
        )
        .await;
    assert_eq!(over_get.status(), StatusCode::OK);
}

#[tokio::test]
async fn mutation_over_get_gets_405_with_method_not_allowed() {
    let server = TestServer::pipeline(true).await;
    let response = server
        .get(
            "?query=mutation%20%7B%20rename(name%3A%20%22x%22)%20%7B%20id%20%7D%20%7D",
            "application/json",
        )
        .await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        response.headers().get(ALLOW).and_then(|v| v.to_str().ok()),
        Some("POST")
    );
    assert_eq!(error_code(response).await, "METHOD_NOT_ALLOWED");
    let post = server
        .post(r#"{"query":"mutation { rename(name: \"x\") { id } }"}"#, None)
        .await;
    assert_eq!(post.status(), StatusCode::OK);
}

#[tokio::test]
async fn graphiql_introspection_request_is_answered_by_the_router() {
    let server = TestServer::pipeline(true).await;
    let query = "query IntrospectionQuery { __schema { queryType { name } types { kind name description fields(includeDeprecated: true) { name } } } }";
    let body = json!({"query": query, "operationName": "IntrospectionQuery"}).to_string();
    let response = server.post(&body, None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let data: Value = response.json().await.expect("JSON");
    assert_eq!(data["data"]["__schema"]["queryType"]["name"], "Query");
    let user = data["data"]["__schema"]["types"]
        .as_array()
        .and_then(|types| types.iter().find(|t| t["name"] == "User"))
        .cloned()
        .expect("User is listed");
    assert_eq!(user["description"], "A person.");
    assert_eq!(user["fields"], json!([{"name": "id"}, {"name": "name"}]));
}

#[tokio::test]
async fn disabled_introspection_is_refused_with_a_code() {
    let server = TestServer::pipeline(false).await;
    let response = server
        .post(
            r#"{"query":"{ __schema { types { name } } }"}"#,
            Some(GRAPHQL_RESPONSE_JSON),
        )
        .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["errors"][0]["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("introspection is disabled")),
        "{body}"
    );
    let typename = server.post(r#"{"query":"{ __typename }"}"#, None).await;
    assert_eq!(
        typename.json::<Value>().await.expect("JSON"),
        json!({"data": {"__typename": "Query"}})
    );
}

#[tokio::test]
async fn operation_limits_are_enforced_at_the_edge() {
    let server = TestServer::pipeline(true).await;
    let aliases: String = (0..200).map(|i| format!("a{i}: me {{ id }} ")).collect();
    let body = json!({"query": format!("{{ {aliases} }}")}).to_string();
    let response = server.post(&body, Some(GRAPHQL_RESPONSE_JSON)).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(error_code(response).await, "OPERATION_LIMIT_EXCEEDED");
}
