//! One contract for every `EventBus`: each behaviour is a function of the bus, run against the embedded bus
//! always and against a real Kafka-compatible broker when `PLATFORM_TEST_KAFKA_BROKERS` is set. A last test
//! starts its own broker (`PLATFORM_TEST_TANSU_BIN`), stops it and starts it again.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use kernel::events::{
    Delivery, EnvelopeError, EventBus, EventEnvelope, EventsBackend, EventsConfig, HEADER_EVENT_TYPE,
    InProcessEventBus, KafkaConfig, OutgoingMessage, Subscription, connect,
};
use platform_tests::unique_name;

/// Long enough for a Kafka consumer to join its group and be assigned its partitions.
const RECEIVE_TIMEOUT: Duration = Duration::from_secs(30);

async fn next(subscription: &mut Box<dyn Subscription>) -> Delivery {
    tokio::time::timeout(RECEIVE_TIMEOUT, subscription.next())
        .await
        .expect("a message within the receive timeout")
        .expect("receiving succeeds")
}

async fn fresh_topic(bus: &Arc<dyn EventBus>, prefix: &str) -> String {
    let topic = unique_name(prefix);
    bus.ensure_topics(&[&topic]).await.expect("create the topic");
    topic
}

async fn publish(bus: &Arc<dyn EventBus>, topic: &str, key: &str, payload: &str) {
    bus.publish(topic, OutgoingMessage::new(key, payload.to_owned()))
        .await
        .expect("publish");
}

fn text(delivery: &Delivery) -> String {
    String::from_utf8(delivery.payload.to_vec()).expect("a text payload")
}

async fn published_message_arrives_with_key_headers_and_payload_intact(bus: Arc<dyn EventBus>) {
    let topic = fresh_topic(&bus, "intact").await;
    let payload = Bytes::from_static(&[0, 159, 146, 150, b'{', 0xff]);
    let message = OutgoingMessage::new("user-42", payload.clone())
        .with_header("content-type", "application/octet-stream")
        .with_header("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    bus.publish(&topic, message.clone()).await.expect("publish");

    let mut subscription = bus
        .subscribe(&unique_name("group"), &[&topic])
        .await
        .expect("subscribe");
    let delivery = next(&mut subscription).await;
    assert_eq!(delivery.topic, topic);
    assert_eq!(delivery.key, "user-42");
    assert_eq!(delivery.headers, message.headers);
    assert_eq!(delivery.payload, payload);
    assert!(delivery.offset >= 0);
}

async fn messages_with_one_key_arrive_in_publishing_order(bus: Arc<dyn EventBus>) {
    let topic = fresh_topic(&bus, "order").await;
    let keys = ["alpha", "beta", "gamma"];
    for n in 0..10 {
        for key in keys {
            publish(&bus, &topic, key, &format!("{key}-{n}")).await;
        }
    }
    let mut subscription = bus
        .subscribe(&unique_name("group"), &[&topic])
        .await
        .expect("subscribe");
    let mut received: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for _ in 0..30 {
        let delivery = next(&mut subscription).await;
        received.entry(delivery.key.clone()).or_default().push(text(&delivery));
    }
    for key in keys {
        let expected: Vec<String> = (0..10).map(|n| format!("{key}-{n}")).collect();
        assert_eq!(received[key], expected, "order of key {key}");
    }
}

async fn uncommitted_message_is_redelivered_to_the_group_on_resubscribe(bus: Arc<dyn EventBus>) {
    let topic = fresh_topic(&bus, "redeliver").await;
    let group = unique_name("group");
    publish(&bus, &topic, "k", "first").await;
    publish(&bus, &topic, "k", "second").await;

    let mut subscription = bus.subscribe(&group, &[&topic]).await.expect("subscribe");
    let first = next(&mut subscription).await;
    assert_eq!(text(&first), "first");
    subscription.commit(&first).await.expect("commit");
    let second = next(&mut subscription).await;
    assert_eq!(text(&second), "second");
    drop(subscription);

    let mut again = bus.subscribe(&group, &[&topic]).await.expect("resubscribe");
    let redelivered = next(&mut again).await;
    assert_eq!(text(&redelivered), "second");
    assert_eq!(
        (redelivered.partition, redelivered.offset),
        (second.partition, second.offset)
    );
}

async fn committed_message_is_not_redelivered(bus: Arc<dyn EventBus>) {
    let topic = fresh_topic(&bus, "committed").await;
    let group = unique_name("group");
    publish(&bus, &topic, "k", "old-1").await;
    publish(&bus, &topic, "k", "old-2").await;

    let mut subscription = bus.subscribe(&group, &[&topic]).await.expect("subscribe");
    for expected in ["old-1", "old-2"] {
        let delivery = next(&mut subscription).await;
        assert_eq!(text(&delivery), expected);
        subscription.commit(&delivery).await.expect("commit");
    }
    drop(subscription);

    let mut again = bus.subscribe(&group, &[&topic]).await.expect("resubscribe");
    publish(&bus, &topic, "k", "new").await;
    assert_eq!(text(&next(&mut again).await), "new");
}

async fn every_group_receives_every_message(bus: Arc<dyn EventBus>) {
    let topic = fresh_topic(&bus, "fanout").await;
    for n in 0..3 {
        publish(&bus, &topic, &format!("key-{n}"), &format!("m{n}")).await;
    }
    for group in [unique_name("audit"), unique_name("authz")] {
        let mut subscription = bus.subscribe(&group, &[&topic]).await.expect("subscribe");
        let mut payloads = Vec::new();
        for _ in 0..3 {
            payloads.push(text(&next(&mut subscription).await));
        }
        payloads.sort();
        assert_eq!(payloads, ["m0", "m1", "m2"], "group {group}");
    }
}

async fn one_subscription_receives_from_all_its_topics(bus: Arc<dyn EventBus>) {
    let users = fresh_topic(&bus, "users").await;
    let posts = fresh_topic(&bus, "posts").await;
    publish(&bus, &users, "u1", "user").await;
    publish(&bus, &posts, "p1", "post").await;
    let mut subscription = bus
        .subscribe(&unique_name("group"), &[&users, &posts])
        .await
        .expect("subscribe");
    let mut seen = [next(&mut subscription).await, next(&mut subscription).await]
        .map(|delivery| (delivery.topic.clone(), text(&delivery)))
        .to_vec();
    seen.sort();
    let mut expected = vec![(users, "user".to_owned()), (posts, "post".to_owned())];
    expected.sort();
    assert_eq!(seen, expected);
}

async fn envelope_round_trips_through_the_bus(bus: Arc<dyn EventBus>) {
    let topic = fresh_topic(&bus, "envelope").await;
    let envelope = EventEnvelope::new(
        "user.created",
        "identity",
        serde_json::json!({"id": "u1", "email": "a@b.c"}),
    )
    .with_actor("admin-7")
    .with_trace_parent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    bus.publish(&topic, envelope.to_message("u1").expect("encode"))
        .await
        .expect("publish");
    bus.publish(&topic, OutgoingMessage::new("u1", "not an envelope"))
        .await
        .expect("publish poison");

    let mut subscription = bus
        .subscribe(&unique_name("group"), &[&topic])
        .await
        .expect("subscribe");
    let delivery = next(&mut subscription).await;
    assert_eq!(delivery.headers[HEADER_EVENT_TYPE], "user.created");
    assert_eq!(EventEnvelope::from_bytes(&delivery.payload).expect("decode"), envelope);
    let poison = next(&mut subscription).await;
    assert!(matches!(
        EventEnvelope::from_bytes(&poison.payload),
        Err(EnvelopeError::Malformed(_))
    ));
}

async fn ensuring_existing_topics_succeeds_and_ping_answers(bus: Arc<dyn EventBus>) {
    let topic = fresh_topic(&bus, "ensure").await;
    bus.ensure_topics(&[&topic])
        .await
        .expect("ensuring an existing topic again");
    bus.ping().await.expect("ping");
    assert!(bus.ensure_topics(&["not a topic"]).await.is_err());
}

/// Instantiates every behaviour above as a test against the bus `$make` builds.
macro_rules! contract {
    ($make:path $(, #[$attr:meta])?) => {
        #[tokio::test]
        $(#[$attr])?
        async fn published_message_arrives_with_key_headers_and_payload_intact() {
            super::published_message_arrives_with_key_headers_and_payload_intact($make().await).await;
        }

        #[tokio::test]
        $(#[$attr])?
        async fn messages_with_one_key_arrive_in_publishing_order() {
            super::messages_with_one_key_arrive_in_publishing_order($make().await).await;
        }

        #[tokio::test]
        $(#[$attr])?
        async fn uncommitted_message_is_redelivered_to_the_group_on_resubscribe() {
            super::uncommitted_message_is_redelivered_to_the_group_on_resubscribe($make().await).await;
        }

        #[tokio::test]
        $(#[$attr])?
        async fn committed_message_is_not_redelivered() {
            super::committed_message_is_not_redelivered($make().await).await;
        }

        #[tokio::test]
        $(#[$attr])?
        async fn every_group_receives_every_message() {
            super::every_group_receives_every_message($make().await).await;
        }

        #[tokio::test]
        $(#[$attr])?
        async fn one_subscription_receives_from_all_its_topics() {
            super::one_subscription_receives_from_all_its_topics($make().await).await;
        }

        #[tokio::test]
        $(#[$attr])?
        async fn envelope_round_trips_through_the_bus() {
            super::envelope_round_trips_through_the_bus($make().await).await;
        }

        #[tokio::test]
        $(#[$attr])?
        async fn ensuring_existing_topics_succeeds_and_ping_answers() {
            super::ensuring_existing_topics_succeeds_and_ping_answers($make().await).await;
        }
    };
}

mod in_process {
    use super::*;

    async fn bus() -> Arc<dyn EventBus> {
        Arc::new(InProcessEventBus::new())
    }

    contract!(bus);
}

mod kafka {
    use super::*;

    async fn bus() -> Arc<dyn EventBus> {
        let config = EventsConfig {
            backend: EventsBackend::Kafka,
            kafka: KafkaConfig {
                brokers: platform_tests::kafka_brokers(),
                client_id: "events-contract".to_owned(),
                message_timeout_ms: 10_000,
                ..KafkaConfig::default()
            },
        };
        connect(&config).await.expect("build the Kafka event bus")
    }

    contract!(bus, #[cfg_attr(not(backend_kafka), ignore = "PLATFORM_TEST_KAFKA_BROKERS is not set")]);
}

mod broker_restart {
    use std::time::Instant;

    use kernel::events::{EventsError, KafkaEventBus};
    use platform_tests::{ChildProcess, free_port, required_env, wait_for_port};

    use super::*;

    const MESSAGE_TIMEOUT_MS: u64 = 3_000;

    fn start_broker(data_dir: &std::path::Path, port: u16) -> ChildProcess {
        let tansu = required_env("PLATFORM_TEST_TANSU_BIN");
        let url = format!("tcp://127.0.0.1:{port}");
        // A relative sqlite path, resolved in the data folder: tansu rejects an absolute one.
        let args = [
            "broker",
            "--listener-url",
            &url,
            "--advertised-listener-url",
            &url,
            "--storage-engine",
            "sqlite://tansu.db",
        ];
        ChildProcess::spawn(&tansu, &args, data_dir)
    }

    #[tokio::test]
    #[cfg_attr(not(backend_tansu_bin), ignore = "PLATFORM_TEST_TANSU_BIN is not set")]
    async fn publishing_fails_within_the_timeout_while_the_broker_is_down_and_recovers_after() {
        let data_dir = tempfile::tempdir().expect("a data folder");
        let port = free_port();
        let mut broker = start_broker(data_dir.path(), port);
        wait_for_port(port, Duration::from_secs(20)).await;

        let config = KafkaConfig {
            brokers: format!("127.0.0.1:{port}"),
            client_id: "events-restart".to_owned(),
            message_timeout_ms: MESSAGE_TIMEOUT_MS,
            request_timeout_ms: 2_000,
            ..KafkaConfig::default()
        };
        let bus: Arc<dyn EventBus> = Arc::new(KafkaEventBus::new(&config).expect("build the bus"));
        let topic = fresh_topic(&bus, "restart").await;
        publish(&bus, &topic, "k", "before").await;
        bus.ping().await.expect("ping while the broker is up");

        broker.kill();
        let started = Instant::now();
        let error = bus
            .publish(&topic, OutgoingMessage::new("k", "during"))
            .await
            .expect_err("publish while down");
        let waited = started.elapsed();
        assert!(
            matches!(&error, EventsError::PublishTimedOut { topic: t, timeout_ms: MESSAGE_TIMEOUT_MS } if *t == topic),
            "unexpected error: {error}"
        );
        assert!(error.to_string().contains("timed out after 3000 ms"), "{error}");
        assert!(
            waited < Duration::from_millis(MESSAGE_TIMEOUT_MS + 3_000),
            "publishing failed only after {waited:?}"
        );
        assert!(bus.ping().await.is_err(), "ping while the broker is down");

        let _broker = start_broker(data_dir.path(), port);
        wait_for_port(port, Duration::from_secs(20)).await;
        // The client reconnects with backoff, so the first attempts after the restart may still time out.
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            match bus.publish(&topic, OutgoingMessage::new("k", "after")).await {
                Ok(()) => break,
                Err(error) if Instant::now() < deadline => eprintln!("not yet recovered: {error}"),
                Err(error) => panic!("publishing did not recover after the broker came back: {error}"),
            }
        }
        bus.ping().await.expect("ping after the restart");

        let mut subscription = bus
            .subscribe(&unique_name("group"), &[&topic])
            .await
            .expect("subscribe");
        assert_eq!(text(&next(&mut subscription).await), "before");
        assert_eq!(text(&next(&mut subscription).await), "after");
    }
}
