use serde_json::{Value, json};

use super::{Representations, Requirements};
use crate::execute::test_support::{field, key_of, on, path};
use crate::plan::model::{FetchRewrite, FieldSelection, ResponsePath, RewriteSegment, Selection, SelectionSet};
use crate::response::test_schema::schema_index;
use crate::response::{PathElement, SchemaIndex};

fn collect(data: &Value, paths: &[ResponsePath], requires: &SelectionSet, schema: &SchemaIndex) -> Representations {
    let requirements = Requirements {
        requires,
        input_rewrites: &[],
        schema,
    };
    Representations::collect(&data.clone().into(), paths, &requirements)
}

fn list(representations: &Representations) -> Value {
    serde_json::from_slice(representations.json()).expect("the list is valid JSON")
}

fn render(path: &[PathElement]) -> String {
    path.iter()
        .map(|element| match element {
            PathElement::Key(key) => key.to_string(),
            PathElement::Index(index) => index.to_string(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

#[test]
fn identical_representations_are_sent_once_and_remember_every_location() {
    let schema = schema_index();
    let data = json!({"users": [
        {"__typename": "User", "id": "1", "name": "A"},
        {"__typename": "User", "id": "1", "name": "A"},
        {"__typename": "User", "id": "2"},
        {"__typename": "User", "id": "1"}
    ]});
    let reps = collect(&data, &[path("users.@")], &key_of(&["User"]), &schema);
    assert_eq!(reps.len(), 2);
    assert_eq!(
        list(&reps),
        json!([{"__typename": "User", "id": "1"}, {"__typename": "User", "id": "2"}])
    );
    let first: Vec<String> = reps.locations_of(0).map(render).collect();
    assert_eq!(first, ["users.0", "users.1", "users.3"]);
    let second: Vec<String> = reps.locations_of(1).map(render).collect();
    assert_eq!(second, ["users.2"]);
}

#[test]
fn the_walk_crosses_nested_lists_and_skips_nulls_and_wrong_shapes() {
    let schema = schema_index();
    let data = json!({"products": [
        {"reviews": [{"author": {"__typename": "User", "id": "1"}}, {"author": null}, null]},
        null,
        {"reviews": null},
        {"reviews": "oops"},
        {"reviews": [[{"author": {"__typename": "User", "id": "2"}}]]},
        {"reviews": [{"author": {"__typename": "User", "id": "3"}}]}
    ]});
    let reps = collect(
        &data,
        &[path("products.@.reviews.@.author")],
        &key_of(&["User"]),
        &schema,
    );
    let ids: Vec<Value> = list(&reps)
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| r["id"].clone())
        .collect();
    assert_eq!(ids, [json!("1"), json!("2"), json!("3")]);
    let locations: Vec<String> = reps.locations().map(|(path, _)| render(path)).collect();
    assert_eq!(
        locations,
        [
            "products.0.reviews.0.author",
            "products.4.reviews.0.0.author",
            "products.5.reviews.0.author"
        ]
    );
}

#[test]
fn a_type_condition_keeps_only_matching_objects() {
    let schema = schema_index();
    let data = json!({"products": [
        {"__typename": "Book", "id": "b1"},
        {"__typename": "Movie", "id": "m1"},
        {"id": "no-typename"}
    ]});
    let reps = collect(&data, &[path("products.@|[Book]")], &key_of(&["Book"]), &schema);
    assert_eq!(list(&reps), json!([{"__typename": "Book", "id": "b1"}]));
    let both = collect(&data, &[path("products.@")], &key_of(&["Book", "Movie"]), &schema);
    assert_eq!(both.len(), 2);
}

#[test]
fn an_object_missing_a_required_field_is_not_sent() {
    let schema = schema_index();
    let data = json!({"users": [{"__typename": "User"}, {"__typename": "User", "id": "9"}]});
    let reps = collect(&data, &[path("users.@")], &key_of(&["User"]), &schema);
    assert_eq!(list(&reps), json!([{"__typename": "User", "id": "9"}]));
    let locations: Vec<String> = reps.locations().map(|(path, _)| render(path)).collect();
    assert_eq!(locations, ["users.1"]);
}

#[test]
fn nested_requirements_project_objects_and_lists() {
    let schema = schema_index();
    let requires = SelectionSet(vec![on(
        "User",
        vec![
            field("__typename"),
            field("id"),
            Selection::Field(FieldSelection {
                name: "reviews".into(),
                alias: None,
                selections: SelectionSet(vec![field("stars")]),
            }),
        ],
    )]);
    let data =
        json!({"me": {"__typename": "User", "id": "1", "name": "x", "reviews": [{"stars": 1, "body": "b"}, null]}});
    let reps = collect(&data, &[path("me")], &requires, &schema);
    assert_eq!(
        list(&reps),
        json!([{"__typename": "User", "id": "1", "reviews": [{"stars": 1}, null]}])
    );
}

#[test]
fn input_rewrites_change_the_representation_not_the_data() {
    let schema = schema_index();
    let rewrites = [FetchRewrite::ValueSetter {
        path: vec![
            RewriteSegment::TypenameEquals(vec!["Book".into()]),
            RewriteSegment::Key("__typename".into()),
        ],
        value: "Product".into(),
    }];
    let data = json!({"top": {"__typename": "Book", "id": "b1"}});
    let requires = key_of(&["Book"]);
    let requirements = Requirements {
        requires: &requires,
        input_rewrites: &rewrites,
        schema: &schema,
    };
    let reps = Representations::collect(&data.clone().into(), &[path("top")], &requirements);
    assert_eq!(list(&reps), json!([{"__typename": "Product", "id": "b1"}]));
    assert_eq!(data["top"]["__typename"], "Book");
}

#[test]
fn several_merge_paths_share_one_list_with_deduplication() {
    let schema = schema_index();
    let data = json!({"me": {"__typename": "User", "id": "1"}, "users": [{"__typename": "User", "id": "1"}]});
    let reps = collect(&data, &[path("me"), path("users.@")], &key_of(&["User"]), &schema);
    assert_eq!(reps.len(), 1);
    let locations: Vec<String> = reps.locations_of(0).map(render).collect();
    assert_eq!(locations, ["me", "users.0"]);
}

#[test]
fn no_objects_means_nothing_to_fetch() {
    let schema = schema_index();
    let reps = collect(&json!({"users": null}), &[path("users.@")], &key_of(&["User"]), &schema);
    assert!(reps.is_empty());
    assert_eq!(reps.json(), b"[]");
}
