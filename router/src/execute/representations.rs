//! Collecting entity representations: walk the response data along a flatten path, build each object's
//! representation from the fetch's `requires` selection, deduplicate identical representations, and remember
//! every location each one came from so results (and errors) find their way back.

use std::collections::HashMap;
use std::sync::Arc;

use crate::response::value::{Map, Value};

use super::rewrite::apply_rewrites;
use crate::plan::model::{FetchRewrite, FieldSelection, PathSegment, ResponsePath, Selection, SelectionSet};
use crate::response::{PathElement, SchemaIndex, json};

/// The deduplicated representations of one `_entities` request and where each came from.
#[derive(Debug, Default)]
pub(crate) struct Representations {
    /// `[r0,r1,…]`, ready to splice into the request body.
    list: Vec<u8>,
    /// Each unique representation's byte range in `list`.
    spans: Vec<(usize, usize)>,
    /// Hash of a representation's bytes to its index, for deduplication.
    by_hash: HashMap<u64, u32>,
    /// The locations' path elements, back to back.
    steps: Vec<PathElement>,
    /// Where each location's steps end in `steps`.
    location_ends: Vec<usize>,
    /// Each location's representation index.
    location_representation: Vec<u32>,
}

/// What building representations needs besides the data.
pub(crate) struct Requirements<'p> {
    pub(crate) requires: &'p SelectionSet,
    pub(crate) input_rewrites: &'p [FetchRewrite],
    pub(crate) schema: &'p SchemaIndex,
}

impl Representations {
    /// Collects the representations of every object found along each of `paths` in `data`.
    pub(crate) fn collect<'p>(
        data: &Value,
        paths: impl IntoIterator<Item = &'p ResponsePath>,
        requirements: &Requirements<'_>,
    ) -> Self {
        let mut collected = Self::default();
        collected.list.push(b'[');
        let mut location = Vec::new();
        for path in paths {
            collected.walk(data, &path.0, &mut location, requirements);
        }
        collected.list.push(b']');
        collected
    }

    /// The number of unique representations.
    pub(crate) fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether nothing needs fetching.
    pub(crate) fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The representations as a JSON array.
    pub(crate) fn json(&self) -> &[u8] {
        &self.list
    }

    /// Every location found, with the index of its representation.
    pub(crate) fn locations(&self) -> impl Iterator<Item = (&[PathElement], usize)> + '_ {
        let starts = std::iter::once(0).chain(self.location_ends.iter().copied());
        starts
            .zip(&self.location_ends)
            .zip(&self.location_representation)
            .map(|((start, &end), &representation)| (&self.steps[start..end], representation as usize))
    }

    /// The locations representation `index` was built from.
    pub(crate) fn locations_of(&self, index: usize) -> impl Iterator<Item = &[PathElement]> + '_ {
        self.locations()
            .filter(move |(_, representation)| *representation == index)
            .map(|(path, _)| path)
    }

    fn walk(
        &mut self,
        value: &Value,
        path: &[PathSegment],
        location: &mut Vec<PathElement>,
        requirements: &Requirements<'_>,
    ) {
        match (path.split_first(), value) {
            (None, Value::Object(object)) => self.add(object, location, requirements),
            // A path ending on a list of entities (e.g. nested lists the path does not spell out) reaches each item.
            (None | Some((PathSegment::Field(_) | PathSegment::TypeCondition(_), _)), Value::Array(items)) => {
                self.walk_items(items, path, location, requirements);
            }
            (Some((PathSegment::List, rest)), Value::Array(items)) => {
                self.walk_items(items, rest, location, requirements);
            }
            (Some((PathSegment::Field(key), rest)), Value::Object(object)) => {
                if let Some(child) = object.get(key) {
                    location.push(PathElement::Key(Arc::clone(key)));
                    self.walk(child, rest, location, requirements);
                    location.pop();
                }
            }
            (Some((PathSegment::TypeCondition(types), rest)), Value::Object(object)) => {
                let type_name = object.get("__typename").and_then(Value::as_str);
                let schema = requirements.schema;
                if type_name.is_some_and(|name| types.iter().any(|t| schema.type_condition_applies(t, name))) {
                    self.walk(value, rest, location, requirements);
                }
            }
            // Nulls, scalars and shapes that do not fit the path hold no entity.
            _ => {}
        }
    }

    fn walk_items(
        &mut self,
        items: &[Value],
        path: &[PathSegment],
        location: &mut Vec<PathElement>,
        requirements: &Requirements<'_>,
    ) {
        for (index, item) in items.iter().enumerate() {
            location.push(PathElement::Index(index));
            self.walk(item, path, location, requirements);
            location.pop();
        }
    }

    /// Builds `object`'s representation and records it at `location`, reusing an identical one.
    fn add(&mut self, object: &Map, location: &[PathElement], requirements: &Requirements<'_>) {
        let start = self.list.len();
        if !self.spans.is_empty() {
            self.list.push(b',');
        }
        let body_start = self.list.len();
        let complete = if requirements.input_rewrites.is_empty() {
            write_object(&mut self.list, object, requirements.requires, requirements.schema)
        } else {
            match build_object(object, requirements.requires, requirements.schema) {
                Some(representation) => {
                    let mut representation = Value::Object(representation);
                    apply_rewrites(requirements.input_rewrites, &mut representation, requirements.schema);
                    representation.write_json(&mut self.list);
                    true
                }
                None => false,
            }
        };
        if !complete {
            self.list.truncate(start);
            return;
        }
        let hash = xxhash_rust::xxh3::xxh3_64(&self.list[body_start..]);
        let index = match self.by_hash.get(&hash) {
            Some(&existing) if self.same_as(existing, body_start) => {
                self.list.truncate(start);
                existing
            }
            found => {
                let index = u32::try_from(self.spans.len()).unwrap_or(u32::MAX);
                self.spans.push((body_start, self.list.len()));
                // On a hash collision with different bytes the first one keeps the slot; both are still sent.
                if found.is_none() {
                    self.by_hash.insert(hash, index);
                }
                index
            }
        };
        self.steps.extend_from_slice(location);
        self.location_ends.push(self.steps.len());
        self.location_representation.push(index);
    }

    fn same_as(&self, existing: u32, body_start: usize) -> bool {
        let (start, end) = self.spans[existing as usize];
        self.list[start..end] == self.list[body_start..]
    }
}

/// The fields of `selections` that apply to `object` (fragments by its `__typename`), first occurrence per name.
fn applicable<'s>(object: &Map, selections: &'s SelectionSet, schema: &SchemaIndex, out: &mut Vec<&'s FieldSelection>) {
    for selection in &selections.0 {
        match selection {
            Selection::Field(field) => {
                if !out.iter().any(|known| known.name == field.name) {
                    out.push(field);
                }
            }
            Selection::InlineFragment(fragment) => {
                let applies = match &fragment.type_condition {
                    None => true,
                    Some(condition) => object
                        .get("__typename")
                        .and_then(Value::as_str)
                        .is_some_and(|type_name| schema.type_condition_applies(condition, type_name)),
                };
                if applies {
                    applicable(object, &fragment.selections, schema, out);
                }
            }
        }
    }
}

/// The data for a required field: at its response key, or at its name once an alias was renamed back.
fn required_value<'v>(object: &'v Map, field: &FieldSelection) -> Option<&'v Value> {
    object.get(field.response_key()).or_else(|| object.get(&field.name))
}

/// Writes `object` projected on `selections`; `false` when a required field is missing (or nothing applies).
fn write_object(out: &mut Vec<u8>, object: &Map, selections: &SelectionSet, schema: &SchemaIndex) -> bool {
    let mut fields = Vec::new();
    applicable(object, selections, schema, &mut fields);
    if fields.is_empty() {
        return false;
    }
    out.push(b'{');
    for (index, field) in fields.into_iter().enumerate() {
        let Some(value) = required_value(object, field) else {
            return false;
        };
        if index > 0 {
            out.push(b',');
        }
        json::write_key(out, &field.name);
        if !write_selected(out, value, &field.selections, schema) {
            return false;
        }
    }
    out.push(b'}');
    true
}

fn write_selected(out: &mut Vec<u8>, value: &Value, selections: &SelectionSet, schema: &SchemaIndex) -> bool {
    match value {
        _ if selections.0.is_empty() => {
            value.write_json(out);
            true
        }
        Value::Object(object) => write_object(out, object, selections, schema),
        Value::Array(items) => {
            out.push(b'[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                if !write_selected(out, item, selections, schema) {
                    return false;
                }
            }
            out.push(b']');
            true
        }
        other => {
            other.write_json(out);
            true
        }
    }
}

/// Builds `object` projected on `selections` as a value, for representations that get rewritten.
fn build_object(object: &Map, selections: &SelectionSet, schema: &SchemaIndex) -> Option<Map> {
    let mut fields = Vec::new();
    applicable(object, selections, schema, &mut fields);
    if fields.is_empty() {
        return None;
    }
    let mut built = Map::new();
    for field in fields {
        let value = required_value(object, field)?;
        built.insert(
            field.name.to_string(),
            build_selected(value, &field.selections, schema)?,
        );
    }
    Some(built)
}

fn build_selected(value: &Value, selections: &SelectionSet, schema: &SchemaIndex) -> Option<Value> {
    match value {
        _ if selections.0.is_empty() => Some(value.clone()),
        Value::Object(object) => build_object(object, selections, schema).map(Value::Object),
        Value::Array(items) => items
            .iter()
            .map(|item| build_selected(item, selections, schema))
            .collect::<Option<Vec<_>>>()
            .map(Value::Array),
        other => Some(other.clone()),
    }
}

#[cfg(test)]
#[path = "representations_tests.rs"]
mod tests;
