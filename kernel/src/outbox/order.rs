//! Which rows of a batch may go out now without overtaking an earlier event of the same key.

use std::collections::HashSet;

use super::entity::Model;

/// The rows of `batch` that can be published now, oldest first.
///
/// `pending` lists every unpublished row, as `(key, sequence)` ordered by sequence, of the keys in `batch` up to
/// its last sequence. A row whose key has an earlier pending row outside this batch (another relay holds it, or
/// it was skipped) is held back, with every later row of its key, until that earlier row has gone out.
pub(super) fn publishable<'a>(batch: &'a [Model], pending: &[(String, i64)]) -> Vec<&'a Model> {
    let in_batch: HashSet<i64> = batch.iter().map(|row| row.sequence).collect();
    let mut blocked: HashSet<&str> = HashSet::new();
    let mut allowed: HashSet<i64> = HashSet::new();
    for (key, sequence) in pending {
        if blocked.contains(key.as_str()) {
            continue;
        }
        if in_batch.contains(sequence) {
            allowed.insert(*sequence);
        } else {
            blocked.insert(key);
        }
    }
    batch.iter().filter(|row| allowed.contains(&row.sequence)).collect()
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use uuid::Uuid;

    use super::*;

    fn row(sequence: i64, key: &str) -> Model {
        Model {
            sequence,
            event_id: Uuid::now_v7(),
            topic: "t".into(),
            event_key: key.into(),
            envelope: "{}".into(),
            created_at: Utc::now(),
            sent_at: None,
            attempts: 0,
            last_error: None,
            last_attempt_at: None,
        }
    }

    fn sequences(rows: &[&Model]) -> Vec<i64> {
        rows.iter().map(|row| row.sequence).collect()
    }

    fn pending(rows: &[(&str, i64)]) -> Vec<(String, i64)> {
        rows.iter()
            .map(|(key, sequence)| ((*key).to_owned(), *sequence))
            .collect()
    }

    #[test]
    fn a_batch_holding_every_earlier_row_goes_out_whole() {
        let batch = [row(1, "a"), row(2, "b"), row(3, "a")];
        let pending = pending(&[("a", 1), ("b", 2), ("a", 3)]);
        assert_eq!(sequences(&publishable(&batch, &pending)), [1, 2, 3]);
    }

    #[test]
    fn a_key_with_an_earlier_row_held_elsewhere_waits_while_other_keys_go() {
        // Row 4 of key `a` is locked by another relay, so 5 and 7 must wait for it; `b` is unaffected.
        let batch = [row(5, "a"), row(6, "b"), row(7, "a")];
        let pending = pending(&[("a", 4), ("a", 5), ("b", 6), ("a", 7)]);
        assert_eq!(sequences(&publishable(&batch, &pending)), [6]);
    }

    #[test]
    fn a_gap_inside_a_key_stops_that_key_at_the_gap() {
        let batch = [row(1, "a"), row(3, "a")];
        let pending = pending(&[("a", 1), ("a", 2), ("a", 3)]);
        assert_eq!(sequences(&publishable(&batch, &pending)), [1]);
    }
}
