use std::sync::Arc;

use super::{CacheStats, OperationCache, OperationKey};

fn key<'a>(document: &'a str, name: Option<&'a str>) -> OperationKey<'a> {
    OperationKey::new(document, name)
}

#[test]
fn first_lookup_misses_and_later_ones_hit() {
    let cache = OperationCache::with_shards(8, 1);
    let k = key("{ me { id } }", None);
    assert!(cache.get(&k).is_none());
    let stored = cache.insert(&k, Arc::new(1));
    let found = cache.get(&key("{ me { id } }", None)).expect("cached");
    assert!(Arc::ptr_eq(&stored, &found));
    let stats = cache.stats();
    assert_eq!((stats.hits, stats.misses, stats.entries), (1, 1, 1));
}

#[test]
fn operation_name_is_part_of_the_key() {
    let cache = OperationCache::with_shards(8, 1);
    let document = "query A { a } query B { b }";
    cache.insert(&key(document, Some("A")), Arc::new("A"));
    assert!(cache.get(&key(document, Some("B"))).is_none());
    assert!(cache.get(&key(document, None)).is_none());
    assert_eq!(cache.get(&key(document, Some("A"))).as_deref(), Some(&"A"));
    assert_ne!(key("ab", Some("c")).hash(), key("a", Some("bc")).hash());
}

#[test]
fn colliding_hash_with_other_text_is_a_miss() {
    let cache = OperationCache::with_shards(8, 1);
    let first = OperationKey {
        hash: 42,
        document: "{ a }",
        operation_name: None,
    };
    let second = OperationKey {
        hash: 42,
        document: "{ b }",
        operation_name: None,
    };
    cache.insert(&first, Arc::new("a"));
    assert!(
        cache.get(&second).is_none(),
        "same hash, different text must not share an entry"
    );
    cache.insert(&second, Arc::new("b"));
    assert_eq!(cache.get(&second).as_deref(), Some(&"b"));
    assert!(cache.get(&first).is_none());
}

#[test]
fn full_cache_evicts_an_entry_not_used_since_the_last_sweep() {
    let cache = OperationCache::with_shards(3, 1);
    for document in ["{ a }", "{ b }", "{ c }"] {
        cache.insert(&key(document, None), Arc::new(document));
    }
    // `a` and `c` are used again; the hand clears their bits and evicts `b`.
    assert!(cache.get(&key("{ a }", None)).is_some());
    assert!(cache.get(&key("{ c }", None)).is_some());
    cache.insert(&key("{ d }", None), Arc::new("{ d }"));
    assert!(cache.get(&key("{ b }", None)).is_none());
    for kept in ["{ a }", "{ c }", "{ d }"] {
        assert!(cache.get(&key(kept, None)).is_some(), "{kept} should still be cached");
    }
    let stats = cache.stats();
    assert_eq!(stats.evictions, 1);
    assert_eq!(stats.entries, 3);
    assert_eq!(stats.capacity, 3);
}

#[test]
fn size_never_exceeds_the_capacity() {
    let cache = OperationCache::with_shards(16, 4);
    let documents: Vec<String> = (0..200).map(|i| format!("{{ f{i} }}")).collect();
    for document in &documents {
        cache
            .get_or_try_insert_with(&key(document, None), || Ok::<_, ()>(document.len()))
            .expect("builds");
    }
    let stats = cache.stats();
    assert!(stats.entries <= 16, "{stats:?}");
    assert_eq!(stats.misses, 200);
    assert_eq!(stats.evictions as usize, 200 - stats.entries);
}

#[test]
fn build_errors_are_returned_and_not_cached() {
    let cache: OperationCache<u32> = OperationCache::with_shards(4, 1);
    let k = key("{ broken", None);
    let error = cache
        .get_or_try_insert_with(&k, || Err("parse failed"))
        .expect_err("the error comes back");
    assert_eq!(error, "parse failed");
    let value = cache
        .get_or_try_insert_with(&k, || Ok::<_, &str>(7))
        .expect("builds the second time");
    assert_eq!(*value, 7);
    assert_eq!(
        cache.stats(),
        CacheStats {
            hits: 0,
            misses: 2,
            evictions: 0,
            entries: 1,
            capacity: 4
        }
    );
}

#[test]
fn second_insert_of_one_key_returns_the_first_value() {
    let cache = OperationCache::with_shards(4, 1);
    let k = key("{ a }", None);
    let first = cache.insert(&k, Arc::new(1));
    let second = cache.insert(&k, Arc::new(2));
    assert!(Arc::ptr_eq(&first, &second));
}

#[test]
fn clear_empties_the_cache() {
    let cache = OperationCache::new(100);
    cache.insert(&key("{ a }", None), Arc::new(()));
    cache.clear();
    assert!(cache.get(&key("{ a }", None)).is_none());
    assert_eq!(cache.stats().entries, 0);
}

#[test]
fn concurrent_readers_and_writers_agree() {
    let cache = Arc::new(OperationCache::new(64));
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let cache = Arc::clone(&cache);
            std::thread::spawn(move || {
                for i in 0..500 {
                    let document = format!("{{ f{} }}", (i * (t + 1)) % 100);
                    let value = cache
                        .get_or_try_insert_with(&key(&document, None), || Ok::<_, ()>(document.clone()))
                        .expect("builds");
                    assert_eq!(*value, document);
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("no thread panicked");
    }
    let stats = cache.stats();
    assert_eq!(stats.hits + stats.misses, 2000);
    assert!(stats.entries <= stats.capacity);
}
