//! The client's protections against real HTTP stand-ins: retries only where safe, the circuit breaker, shared
//! identical fetches and the in-flight bound.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::json;

use super::client::{SubgraphClient, SubgraphEndpoint, TransportFailure};
use super::resilience::ResilienceOptions;
use super::test_server::{Canned, stand_in};

fn client(url: &str, resilience: ResilienceOptions) -> SubgraphClient {
    let endpoint = SubgraphEndpoint {
        resilience,
        ..SubgraphEndpoint::new("products", url, Duration::from_secs(5))
    };
    SubgraphClient::new(&endpoint).expect("a client")
}

fn quick() -> ResilienceOptions {
    ResilienceOptions {
        retry_backoff: Duration::from_millis(5),
        ..ResilienceOptions::default()
    }
}

/// Answers 503 for the first `failures` requests, then data.
async fn flaky(failures: usize) -> super::test_server::StandIn {
    let calls = Arc::new(AtomicUsize::new(0));
    stand_in(move |_| {
        if calls.fetch_add(1, Ordering::SeqCst) < failures {
            Canned::Raw(503, "busy")
        } else {
            Canned::Json(json!({"data": {"ok": true}}))
        }
    })
    .await
}

#[tokio::test]
async fn a_query_is_retried_after_a_transient_status_and_succeeds() {
    let subgraph = flaky(2).await;
    let reply = client(&subgraph.url, quick())
        .send(b"{\"query\":\"{ ok }\"}".to_vec(), None, true)
        .await
        .expect("a reply");
    assert_eq!(reply.status, 200);
    assert_eq!(subgraph.received().len(), 3);
}

#[tokio::test]
async fn a_mutation_is_not_retried_once_it_was_sent() {
    let subgraph = flaky(1).await;
    let reply = client(&subgraph.url, quick())
        .send(b"{\"query\":\"mutation { ok }\"}".to_vec(), None, false)
        .await
        .expect("a reply");
    assert_eq!(
        reply.status, 503,
        "the failure is reported, not hidden by a second write"
    );
    assert_eq!(subgraph.received().len(), 1);
}

#[tokio::test]
async fn a_failing_subgraph_opens_its_circuit_and_is_not_called_while_open() {
    let subgraph = stand_in(|_| Canned::Raw(500, "broken")).await;
    let options = ResilienceOptions {
        retries: 0,
        breaker_failures: 2,
        breaker_open_for: Duration::from_secs(60),
        ..quick()
    };
    let client = client(&subgraph.url, options);
    for _ in 0..2 {
        let reply = client.send(b"{}".to_vec(), None, true).await.expect("a reply");
        assert_eq!(reply.status, 500);
    }
    assert!(client.circuit_open());
    let refused = client.send(b"{}".to_vec(), None, true).await.expect_err("fails fast");
    assert!(matches!(refused, TransportFailure::CircuitOpen), "{refused:?}");
    assert_eq!(subgraph.received().len(), 2, "an open circuit sends nothing");
}

#[tokio::test]
async fn identical_queries_in_flight_share_one_request_and_different_ones_do_not() {
    let subgraph = stand_in(|_| Canned::Slow(Duration::from_millis(150), json!({"data": {"ok": 1}}))).await;
    let client = client(&subgraph.url, quick());
    let body = b"{\"query\":\"{ ok }\"}".to_vec();
    let same = (0..5).map(|_| client.send(body.clone(), None, true));
    let replies = futures::future::join_all(same).await;
    assert!(
        replies
            .iter()
            .all(|reply| reply.as_ref().is_ok_and(|r| r.status == 200))
    );
    assert_eq!(subgraph.received().len(), 1);

    let mut as_bob = http::HeaderMap::new();
    as_bob.insert("authorization", "Bearer bob".parse().unwrap());
    let (alice, bob) = tokio::join!(
        client.send(body.clone(), None, true),
        client.send(body.clone(), Some(&as_bob), true)
    );
    assert!(alice.is_ok() && bob.is_ok());
    assert_eq!(
        subgraph.received().len(),
        3,
        "another caller's headers make another request"
    );

    // Request ids and trace context differ on every request and do not change the answer.
    let traced = |id: &str, trace: &str| {
        let mut headers = http::HeaderMap::new();
        headers.insert("x-request-id", id.parse().unwrap());
        headers.insert("traceparent", trace.parse().unwrap());
        headers
    };
    let first = traced("r-1", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    let second = traced("r-2", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    let (one, two) = tokio::join!(
        client.send(body.clone(), Some(&first), true),
        client.send(body, Some(&second), true)
    );
    assert!(one.is_ok() && two.is_ok());
    assert_eq!(
        subgraph.received().len(),
        4,
        "requests differing only in correlation headers share one fetch"
    );
}

#[tokio::test]
async fn mutations_are_never_shared() {
    let subgraph = stand_in(|_| Canned::Slow(Duration::from_millis(100), json!({"data": {"ok": 1}}))).await;
    let client = client(&subgraph.url, quick());
    let body = b"{\"query\":\"mutation { ok }\"}".to_vec();
    let (a, b) = tokio::join!(client.send(body.clone(), None, false), client.send(body, None, false));
    assert!(a.is_ok() && b.is_ok());
    assert_eq!(subgraph.received().len(), 2);
}

#[tokio::test]
async fn no_more_than_the_bound_is_in_flight_at_once() {
    let now = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let (now_in, most_in) = (Arc::clone(&now), Arc::clone(&most));
    let app = axum::Router::new().route(
        "/graphql",
        axum::routing::post(move || {
            let (now, most) = (Arc::clone(&now_in), Arc::clone(&most_in));
            async move {
                let current = now.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(current, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(30)).await;
                now.fetch_sub(1, Ordering::SeqCst);
                axum::Json(json!({"data": {"ok": 1}}))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let url = format!("http://{}/graphql", listener.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    let options = ResilienceOptions {
        max_in_flight: 2,
        deduplicate: false,
        ..quick()
    };
    let client = client(&url, options);
    let requests = (0..6).map(|n| client.send(format!("{{\"n\":{n}}}").into_bytes(), None, true));
    let replies = futures::future::join_all(requests).await;
    assert!(replies.iter().all(Result::is_ok));
    assert_eq!(most.load(Ordering::SeqCst), 2);
}
