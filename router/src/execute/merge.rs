//! Merging fetched data into the response data: a deep merge of objects (lists element by element), and
//! navigation to a concrete location found when the representations were collected.

use crate::response::value::{Map, Value};

use crate::response::{PathElement, SchemaIndex};

/// The value at `path` under `root`, if it still exists.
pub(crate) fn value_at_mut<'v>(root: &'v mut Value, path: &[PathElement]) -> Option<&'v mut Value> {
    let mut current = root;
    for element in path {
        current = match (current, element) {
            (Value::Object(object), PathElement::Key(key)) => object.get_mut(key)?,
            (Value::Array(items), PathElement::Index(index)) => items.get_mut(*index)?,
            _ => return None,
        };
    }
    Some(current)
}

/// Merges `source` into `target`: objects member by member, lists item by item, anything else replaces the
/// target, except that a null never erases data already fetched.
pub(crate) fn merge_value(target: &mut Value, source: Value, schema: &SchemaIndex) {
    match (target, source) {
        (Value::Object(target), Value::Object(source)) => merge_object(target, source, schema),
        (Value::Array(target), Value::Array(source)) => {
            let mut source = source.into_iter();
            for (into, from) in target.iter_mut().zip(source.by_ref()) {
                merge_value(into, from, schema);
            }
            target.extend(source);
        }
        (target, Value::Null) if !target.is_null() => {}
        (target, source) => *target = source,
    }
}

/// Merges the members of `source` into `target`.
pub(crate) fn merge_object(target: &mut Map, source: Map, schema: &SchemaIndex) {
    for (key, value) in source {
        match target.get_mut(&key) {
            None => {
                target.insert(key, value);
            }
            Some(existing) => {
                // An `@interfaceObject` subgraph answers with the interface's name; the concrete type already
                // known must survive that.
                let keeps_concrete_type = key == "__typename"
                    && existing.is_string()
                    && value.as_str().is_some_and(|name| schema.is_abstract(name));
                if !keeps_concrete_type {
                    merge_value(existing, value, schema);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::response::test_schema::schema_index;
    use crate::response::value::data;

    #[test]
    fn objects_merge_deeply_and_lists_item_by_item() {
        let schema = schema_index();
        let mut target = data!({"a": {"x": 1}, "list": [{"id": 1}, {"id": 2}], "keep": "k"});
        let source = data!({"a": {"y": 2}, "list": [{"n": "one"}, {"n": "two"}], "new": true});
        merge_value(&mut target, source, &schema);
        assert_eq!(
            target,
            data!({"a": {"x": 1, "y": 2}, "list": [{"id": 1, "n": "one"}, {"id": 2, "n": "two"}], "keep": "k", "new": true})
        );
    }

    #[test]
    fn null_does_not_erase_and_an_interface_name_does_not_replace_a_concrete_typename() {
        let schema = schema_index();
        let mut target = data!({"__typename": "Book", "a": {"x": 1}});
        merge_value(
            &mut target,
            data!({"__typename": "Product", "a": null, "b": null}),
            &schema,
        );
        assert_eq!(target, data!({"__typename": "Book", "a": {"x": 1}, "b": null}));
        merge_value(&mut target, data!({"__typename": "Movie"}), &schema);
        assert_eq!(target["__typename"], "Movie");
    }

    #[test]
    fn locations_are_followed_through_keys_and_indexes() {
        let mut data = data!({"a": [{"b": 1}, {"b": 2}]});
        let path = [
            PathElement::Key("a".into()),
            PathElement::Index(1),
            PathElement::Key("b".into()),
        ];
        assert_eq!(value_at_mut(&mut data, &path), Some(&mut data!(2)));
        let missing = [PathElement::Key("a".into()), PathElement::Index(5)];
        assert_eq!(value_at_mut(&mut data, &missing), None);
    }
}
