//! Watching the supergraph file: a valid new supergraph is swapped in; an invalid one is logged and ignored.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::{Gateway, PipelineExtras, build_pipeline_with};
use crate::config::RouterConfig;

/// Polls `path` every `supergraph.watch_interval_ms` (0 disables watching) until `stop` fires.
pub(super) fn spawn(
    gateway: Arc<Gateway>,
    config: RouterConfig,
    path: PathBuf,
    extras: PipelineExtras,
    stop: CancellationToken,
) {
    let interval = config.supergraph.watch_interval_ms;
    if interval == 0 {
        return;
    }
    tokio::spawn(async move {
        let mut last = fingerprint(&path).await;
        let mut ticker = tokio::time::interval(Duration::from_millis(interval));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = stop.cancelled() => return,
                _ = ticker.tick() => {}
            }
            let current = fingerprint(&path).await;
            if current == last {
                continue;
            }
            last = current;
            let (config, file) = (config.clone(), path.clone());
            // Building a pipeline parses and indexes the supergraph: CPU work kept off the serving threads.
            let extras = extras.clone();
            let build = move || build_pipeline_with(&config, &file, &extras);
            match tokio::task::spawn_blocking(build).await {
                Ok(Ok(pipeline)) => {
                    gateway.swap(pipeline);
                    tracing::info!(supergraph = %path.display(), "supergraph changed; new schema in service");
                }
                Ok(Err(error)) => {
                    tracing::error!(%error, "supergraph changed but is invalid; the previous schema stays in service");
                }
                Err(error) => {
                    tracing::error!(%error, "building the new supergraph failed; the previous schema stays in service");
                }
            }
        }
    });
}

/// The file's content hash, or `None` while it cannot be read (e.g. mid-replace).
async fn fingerprint(path: &std::path::Path) -> Option<u64> {
    let bytes = tokio::fs::read(path).await.ok()?;
    Some(xxhash_rust::xxh3::xxh3_64(&bytes))
}
