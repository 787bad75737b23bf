//! Applies the planner's rewrites to representations before they are sent (e.g. `__typename` set to an
//! `@interfaceObject`'s interface) and to returned data before it is merged (internal aliases renamed back).

use crate::response::value::{Map, Value};

use crate::plan::model::{FetchRewrite, RewriteSegment};
use crate::response::SchemaIndex;

/// Applies every rewrite to `value`, in order.
pub(crate) fn apply_rewrites(rewrites: &[FetchRewrite], value: &mut Value, schema: &SchemaIndex) {
    for rewrite in rewrites {
        match rewrite {
            FetchRewrite::ValueSetter { path, value: new_value } => {
                walk(value, path, schema, &mut |object, key| {
                    object.insert(key, Value::String(new_value.as_ref().into()));
                });
            }
            FetchRewrite::KeyRenamer { path, rename_to } => {
                walk(value, path, schema, &mut |object, key| {
                    if let Some(moved) = object.remove(key) {
                        object.insert(rename_to.to_string(), moved);
                    }
                });
            }
        }
    }
}

/// Follows `path` (lists are crossed transparently) and calls `act` with the object holding the last key.
fn walk(value: &mut Value, path: &[RewriteSegment], schema: &SchemaIndex, act: &mut dyn FnMut(&mut Map, &str)) {
    if let Value::Array(items) = value {
        for item in items {
            walk(item, path, schema, act);
        }
        return;
    }
    let Value::Object(object) = value else {
        return;
    };
    match path.split_first() {
        None => {}
        Some((RewriteSegment::TypenameEquals(types), rest)) => {
            let matches = object
                .get("__typename")
                .and_then(Value::as_str)
                .is_some_and(|type_name| types.iter().any(|t| schema.type_condition_applies(t, type_name)));
            if matches {
                walk(value, rest, schema, act);
            }
        }
        Some((RewriteSegment::Key(key), [])) => act(object, key),
        Some((RewriteSegment::Key(key), rest)) => {
            if let Some(child) = object.get_mut(key) {
                walk(child, rest, schema, act);
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
    fn a_value_setter_sets_typename_only_on_matching_objects() {
        let schema = schema_index();
        let rewrites = [FetchRewrite::ValueSetter {
            path: vec![
                RewriteSegment::TypenameEquals(vec!["Book".into()]),
                RewriteSegment::Key("__typename".into()),
            ],
            value: "Product".into(),
        }];
        let mut book = data!({"__typename": "Book", "id": "1"});
        let mut movie = data!({"__typename": "Movie", "id": "2"});
        apply_rewrites(&rewrites, &mut book, &schema);
        apply_rewrites(&rewrites, &mut movie, &schema);
        assert_eq!(book, data!({"__typename": "Product", "id": "1"}));
        assert_eq!(movie["__typename"], "Movie");
    }

    #[test]
    fn a_key_renamer_crosses_lists_and_renames_the_last_key() {
        let schema = schema_index();
        let rewrites = [FetchRewrite::KeyRenamer {
            path: vec![
                RewriteSegment::Key("products".into()),
                RewriteSegment::TypenameEquals(vec!["Movie".into()]),
                RewriteSegment::Key("_internal_qp_alias_0".into()),
            ],
            rename_to: "title".into(),
        }];
        let mut data = data!({"products": [
            {"__typename": "Movie", "_internal_qp_alias_0": "M"},
            {"__typename": "Book", "_internal_qp_alias_0": "B"},
            null
        ]});
        apply_rewrites(&rewrites, &mut data, &schema);
        assert_eq!(
            data,
            data!({"products": [
                {"__typename": "Movie", "title": "M"},
                {"__typename": "Book", "_internal_qp_alias_0": "B"},
                null
            ]})
        );
    }
}
