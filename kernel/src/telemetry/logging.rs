//! The log side of telemetry: which events are kept and how each is written.

use tracing::Subscriber;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::registry::LookupSpan;

use super::config::LogFormat;
use super::error::TelemetryError;

/// Builds the event filter: `RUST_LOG` when it is set and not blank, otherwise the configured `log_level`.
pub fn env_filter(log_level: &str) -> Result<EnvFilter, TelemetryError> {
    parse_filter(&filter_directives(log_level, std::env::var("RUST_LOG").ok()))
}

/// Picks the directives to use; kept apart from the environment lookup so the precedence can be tested.
fn filter_directives(log_level: &str, rust_log: Option<String>) -> String {
    rust_log
        .filter(|value| !value.trim().is_empty())
        .unwrap_or_else(|| log_level.to_owned())
}

fn parse_filter(directives: &str) -> Result<EnvFilter, TelemetryError> {
    EnvFilter::builder()
        .parse(directives)
        .map_err(|source| TelemetryError::InvalidFilter {
            directives: directives.to_owned(),
            source,
        })
}

/// Builds the layer that writes log lines to `writer` in `format`.
///
/// Text lines use ANSI colours only when `ansi` is true (a terminal); JSON lines never do. JSON lines carry the
/// event's fields at the top level and the current span with its fields under `span`.
pub fn fmt_layer<S, W>(format: LogFormat, ansi: bool, writer: W) -> Box<dyn Layer<S> + Send + Sync>
where
    S: Subscriber + for<'span> LookupSpan<'span>,
    W: for<'writer> MakeWriter<'writer> + Send + Sync + 'static,
{
    match format {
        LogFormat::Text => tracing_subscriber::fmt::layer()
            .with_ansi(ansi)
            .with_writer(writer)
            .boxed(),
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .with_writer(writer)
            .boxed(),
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::Arc;

    use parking_lot::Mutex;
    use tracing_subscriber::layer::SubscriberExt;

    use super::*;

    /// Collects everything written, so a test can read the log lines back.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Captured {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().clone()).unwrap()
        }
    }

    fn log_one_event(format: LogFormat) -> String {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::registry().with(fmt_layer(format, false, move || writer.clone()));
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("checkout", order_id = 42);
            let _entered = span.enter();
            tracing::info!(user = "u1", "order placed");
        });
        captured.text()
    }

    #[test]
    fn json_format_writes_one_json_object_per_event() {
        let output = log_one_event(LogFormat::Json);
        let line = output.lines().next().unwrap();
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(value["level"], "INFO");
        assert_eq!(value["message"], "order placed");
        assert_eq!(value["user"], "u1");
        assert_eq!(value["span"]["name"], "checkout");
        assert_eq!(value["span"]["order_id"], 42);
        assert!(value["timestamp"].is_string(), "{line}");
    }

    #[test]
    fn text_format_writes_a_readable_line() {
        let output = log_one_event(LogFormat::Text);
        assert!(output.contains("INFO"), "{output}");
        assert!(output.contains("checkout{order_id=42}"), "{output}");
        assert!(output.contains("order placed user=\"u1\""), "{output}");
        assert!(serde_json::from_str::<serde_json::Value>(output.trim()).is_err());
    }

    #[test]
    fn rust_log_takes_precedence_over_the_configured_level() {
        assert_eq!(
            filter_directives("info", Some("debug,hyper=warn".into())),
            "debug,hyper=warn"
        );
        assert_eq!(filter_directives("info", Some("  ".into())), "info");
        assert_eq!(filter_directives("warn", None), "warn");
    }

    #[test]
    fn invalid_filter_names_the_setting() {
        let error = parse_filter("info,kernel=loud").unwrap_err();
        assert!(error.to_string().contains("telemetry.log_level"), "{error}");
    }
}
