//! The cached decision service: every Check ends here.
//!
//! Decisions are cached in the kernel [`Cache`] (Redis when configured, so replicas share them) for
//! `decision_ttl`. A cached decision must never outlive the change that made it wrong, so decision keys carry two
//! *generations*: a global one, replaced when any role's permissions change, and one per subject, replaced when
//! that subject's bindings change or it is disabled. Replacing a generation makes every decision cached under the
//! old one unreachable at once; no key has to be found and deleted. A generation is a fresh UUID, never a counter,
//! so an evicted or expired generation that is recreated can never match decisions cached before.
//!
//! Ordering keeps it correct under races: a check reads (or creates) the generations *before* it reads the store,
//! and writers replace generations *after* their transaction commits. A check that read the store before a commit
//! therefore cached its decision under a generation that the commit's replacement has already retired.
//!
//! A cache that fails is treated as a miss: decisions are then made from the store every time.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use kernel::cache::{Cache, CacheJsonExt};
use sea_orm::DbErr;
use uuid::Uuid;

use crate::domain::{Decision, EffectiveBinding, Request, SubjectId, decide, decide_disabled};
use crate::store::AuthzStore;

const GLOBAL_GENERATION: &str = "authz:gen:global";
/// How long a generation lives untouched; recreating one only costs cache misses.
const GENERATION_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// Decides checks from the store, through the cache.
#[derive(Clone)]
pub struct DecisionService {
    store: AuthzStore,
    cache: Arc<dyn Cache>,
    ttl: Duration,
}

impl DecisionService {
    /// A service reading `store`, caching decisions in `cache` for `ttl`.
    pub fn new(store: AuthzStore, cache: Arc<dyn Cache>, ttl: Duration) -> Self {
        Self { store, cache, ttl }
    }

    /// Decides one request.
    pub async fn check(&self, request: &Request) -> Result<Decision, DbErr> {
        let mut decisions = self.check_many(std::slice::from_ref(request)).await?;
        // `check_many` answers every request, in order; one request gives one decision.
        decisions
            .pop()
            .ok_or_else(|| DbErr::Custom("no decision was made".to_owned()))
    }

    /// Decides `requests`, answering in the same order: one cache round trip for the generations, one for the
    /// decisions, and one store read per distinct subject whose decisions were not cached.
    pub async fn check_many(&self, requests: &[Request]) -> Result<Vec<Decision>, DbErr> {
        let generations = self.generations(requests).await;
        // Indexing the maps below cannot fail: they were built from these very requests.
        let keys: Option<Vec<String>> = generations.as_ref().map(|generations| {
            requests
                .iter()
                .map(|request| decision_key(&generations.global, &generations.subjects[&request.subject], request))
                .collect()
        });
        let mut answers: Vec<Option<Decision>> = match &keys {
            Some(keys) => self.cached(keys).await,
            None => vec![None; requests.len()],
        };
        // `None` for a disabled subject: nothing it holds is read, since nothing it holds counts.
        let mut grants: HashMap<&SubjectId, Option<Vec<EffectiveBinding>>> = HashMap::new();
        for (index, request) in requests.iter().enumerate() {
            if answers[index].is_some() {
                continue;
            }
            if !grants.contains_key(&request.subject) {
                let held = match self.store.disabled(request.subject.as_str()).await? {
                    Some(_) => None,
                    None => Some(self.store.grants(request.subject.as_str()).await?),
                };
                grants.insert(&request.subject, held);
            }
            let decision = match &grants[&request.subject] {
                Some(held) => decide(held, request),
                None => decide_disabled(request),
            };
            if let Some(keys) = &keys
                && let Err(error) = self.cache.set_json(&keys[index], &decision, Some(self.ttl)).await
            {
                tracing::warn!(%error, "could not cache an authz decision");
            }
            answers[index] = Some(decision);
        }
        Ok(answers.into_iter().flatten().collect())
    }

    /// Retires every cached decision about `subject`; called after its bindings change or it is disabled.
    pub async fn invalidate_subject(&self, subject: &str) {
        self.replace_generation(&subject_generation_key(subject)).await;
    }

    /// Retires every cached decision; called after a role's permissions change.
    pub async fn invalidate_all(&self) {
        self.replace_generation(GLOBAL_GENERATION).await;
    }

    async fn replace_generation(&self, key: &str) {
        if let Err(error) = self.cache.set(key, fresh_generation(), Some(GENERATION_TTL)).await {
            // The cache is unusable; checks then miss it too, and the decision TTL bounds what it still holds.
            tracing::error!(%error, key, "could not retire cached authz decisions");
        }
    }

    /// The current generations for the requests' subjects, creating missing ones; `None` when the cache fails.
    async fn generations(&self, requests: &[Request]) -> Option<Generations> {
        let mut subjects: Vec<&SubjectId> = requests.iter().map(|r| &r.subject).collect();
        subjects.sort();
        subjects.dedup();
        let mut keys = vec![GLOBAL_GENERATION.to_owned()];
        keys.extend(subjects.iter().map(|s| subject_generation_key(s.as_str())));
        let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        let values = match self.cache.get_many(&key_refs).await {
            Ok(values) => values,
            Err(error) => {
                tracing::warn!(%error, "authz cache unavailable; deciding from the store");
                return None;
            }
        };
        let mut current = Vec::with_capacity(values.len());
        for (key, value) in keys.iter().zip(values) {
            let generation = match value {
                Some(value) => String::from_utf8_lossy(&value).into_owned(),
                None => {
                    // Created before the store is read, so a concurrent writer's replacement still retires it.
                    let fresh = fresh_generation();
                    if let Err(error) = self.cache.set(key, fresh.clone(), Some(GENERATION_TTL)).await {
                        tracing::warn!(%error, "authz cache unavailable; deciding from the store");
                        return None;
                    }
                    String::from_utf8_lossy(&fresh).into_owned()
                }
            };
            current.push(generation);
        }
        let mut current = current.into_iter();
        let global = current.next()?;
        let subjects = subjects.into_iter().cloned().zip(current).collect();
        Some(Generations { global, subjects })
    }

    async fn cached(&self, keys: &[String]) -> Vec<Option<Decision>> {
        let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        match self.cache.get_many(&key_refs).await {
            Ok(values) => values
                .into_iter()
                .map(|value| value.and_then(|bytes| serde_json::from_slice(&bytes).ok()))
                .collect(),
            Err(error) => {
                tracing::warn!(%error, "authz cache unavailable; deciding from the store");
                vec![None; keys.len()]
            }
        }
    }
}

impl std::fmt::Debug for DecisionService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecisionService")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

struct Generations {
    global: String,
    subjects: BTreeMap<SubjectId, String>,
}

fn fresh_generation() -> Bytes {
    Bytes::from(Uuid::now_v7().simple().to_string())
}

fn subject_generation_key(subject: &str) -> String {
    format!("authz:gen:subject:{subject}")
}

/// The cache key of one decision. Every part is free of whitespace (the domain types refuse it), so joining them
/// with spaces is unambiguous; an absent id or owner is an empty part.
fn decision_key(global: &str, subject_generation: &str, request: &Request) -> String {
    format!(
        "authz:decision:{global}:{subject_generation} {} {} {} {} {}",
        request.subject,
        request.kind,
        request.action,
        request.resource_id.as_deref().unwrap_or_default(),
        request.owner_id.as_deref().unwrap_or_default()
    )
}
