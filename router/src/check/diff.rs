//! The API schema diff: every change between two [`SchemaModel`]s, each with its kind, severity, coordinate and
//! the schema coordinates an operation must use to be affected by it.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::classify::{ChangeKind, Severity, input_change_is_safe, is_required, output_change_is_safe};
use super::model::{FieldModel, InputModel, SchemaModel, TypeModel};

/// One change to the API schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// What changed.
    pub kind: ChangeKind,
    /// What it means for clients.
    pub severity: Severity,
    /// Where: `Type`, `Type.field`, `Type.field(arg:)` or `Enum.VALUE`.
    pub coordinate: String,
    /// A sentence for a person.
    pub message: String,
    /// Coordinates (`Type`, `Type.field`, `Type.field(arg:)`) an operation that uses any of is affected.
    #[serde(skip)]
    pub affects: Vec<String>,
}

struct Diff {
    changes: Vec<Change>,
}

impl Diff {
    fn push(&mut self, kind: ChangeKind, coordinate: String, message: String, affects: Vec<String>) {
        self.changes.push(Change {
            kind,
            severity: kind.severity(),
            coordinate,
            message,
            affects,
        });
    }
}

/// Every change from `old` to `new`, breaking first, then dangerous, then safe; by coordinate within each.
pub fn diff(old: &SchemaModel, new: &SchemaModel) -> Vec<Change> {
    let mut d = Diff { changes: Vec::new() };
    for (name, old_type) in &old.types {
        match new.types.get(name) {
            None => d.push(
                ChangeKind::TypeRemoved,
                name.clone(),
                format!("type {name} was removed"),
                vec![name.clone()],
            ),
            Some(new_type) if new_type.kind != old_type.kind => d.push(
                ChangeKind::TypeKindChanged,
                name.clone(),
                format!("type {name} changed from {:?} to {:?}", old_type.kind, new_type.kind),
                vec![name.clone()],
            ),
            Some(new_type) => diff_type(&mut d, name, old_type, new_type),
        }
    }
    for name in new.types.keys().filter(|n| !old.types.contains_key(*n)) {
        d.push(
            ChangeKind::TypeAdded,
            name.clone(),
            format!("type {name} was added"),
            Vec::new(),
        );
    }
    let mut changes = d.changes;
    changes.sort_by(|a, b| (a.severity, &a.coordinate).cmp(&(b.severity, &b.coordinate)));
    changes
}

fn diff_type(d: &mut Diff, name: &str, old: &TypeModel, new: &TypeModel) {
    if old.description != new.description {
        d.push(
            ChangeKind::DescriptionChanged,
            name.to_owned(),
            format!("description of {name} changed"),
            Vec::new(),
        );
    }
    for (field, old_field) in &old.fields {
        let coordinate = format!("{name}.{field}");
        match new.fields.get(field) {
            None => d.push(
                ChangeKind::FieldRemoved,
                coordinate.clone(),
                format!("field {coordinate} was removed"),
                vec![coordinate],
            ),
            Some(new_field) => diff_field(d, &coordinate, old_field, new_field),
        }
    }
    for field in new.fields.keys().filter(|f| !old.fields.contains_key(*f)) {
        let coordinate = format!("{name}.{field}");
        d.push(
            ChangeKind::FieldAdded,
            coordinate.clone(),
            format!("field {coordinate} was added"),
            Vec::new(),
        );
    }
    diff_inputs(
        d,
        name,
        &old.input_fields,
        &new.input_fields,
        InputPlace::InputField,
        &[name.to_owned()],
    );
    diff_sets(d, name, &old.interfaces, &new.interfaces, |member, added| {
        if added {
            (ChangeKind::InterfaceAdded, format!("{name} now implements {member}"))
        } else {
            (
                ChangeKind::InterfaceRemoved,
                format!("{name} no longer implements {member}"),
            )
        }
    });
    diff_sets(d, name, &old.members, &new.members, |member, added| {
        if added {
            (
                ChangeKind::UnionMemberAdded,
                format!("{member} was added to union {name}"),
            )
        } else {
            (
                ChangeKind::UnionMemberRemoved,
                format!("{member} was removed from union {name}"),
            )
        }
    });
    for (value, old_reason) in &old.values {
        let coordinate = format!("{name}.{value}");
        match new.values.get(value) {
            None => d.push(
                ChangeKind::EnumValueRemoved,
                coordinate.clone(),
                format!("enum value {coordinate} was removed"),
                vec![name.to_owned()],
            ),
            Some(new_reason) => diff_deprecation(d, &coordinate, old_reason, new_reason),
        }
    }
    for value in new.values.keys().filter(|v| !old.values.contains_key(*v)) {
        let coordinate = format!("{name}.{value}");
        d.push(
            ChangeKind::EnumValueAdded,
            coordinate.clone(),
            format!("enum value {coordinate} was added"),
            vec![name.to_owned()],
        );
    }
}

/// Interfaces and union members: added or removed names; either way, operations using the type are affected.
fn diff_sets(
    d: &mut Diff,
    name: &str,
    old: &BTreeSet<String>,
    new: &BTreeSet<String>,
    describe: impl Fn(&str, bool) -> (ChangeKind, String),
) {
    for (member, added) in old
        .difference(new)
        .map(|m| (m, false))
        .chain(new.difference(old).map(|m| (m, true)))
    {
        let (kind, message) = describe(member, added);
        d.push(
            kind,
            format!("{name}.{member}"),
            message,
            vec![name.to_owned(), member.clone()],
        );
    }
}

fn diff_field(d: &mut Diff, coordinate: &str, old: &FieldModel, new: &FieldModel) {
    if old.ty != new.ty {
        let kind = if output_change_is_safe(&old.ty, &new.ty) {
            ChangeKind::FieldTypeNarrowed
        } else {
            ChangeKind::FieldTypeChanged
        };
        let message = format!("field {coordinate} changed type from {} to {}", old.ty, new.ty);
        d.push(kind, coordinate.to_owned(), message, vec![coordinate.to_owned()]);
    }
    diff_deprecation(d, coordinate, &old.deprecated, &new.deprecated);
    if old.description != new.description {
        let message = format!("description of {coordinate} changed");
        d.push(
            ChangeKind::DescriptionChanged,
            coordinate.to_owned(),
            message,
            Vec::new(),
        );
    }
    diff_inputs(
        d,
        coordinate,
        &old.arguments,
        &new.arguments,
        InputPlace::Argument,
        &[coordinate.to_owned()],
    );
}

#[derive(Clone, Copy)]
enum InputPlace {
    Argument,
    InputField,
}

/// Arguments of a field or fields of an input type. `owner_uses` is what an operation uses when it uses the
/// owner at all (the field, or the input type).
fn diff_inputs(
    d: &mut Diff,
    owner: &str,
    old: &BTreeMap<String, InputModel>,
    new: &BTreeMap<String, InputModel>,
    place: InputPlace,
    owner_uses: &[String],
) {
    let (noun, coordinate_of): (&str, fn(&str, &str) -> String) = match place {
        InputPlace::Argument => ("argument", |owner, name| format!("{owner}({name}:)")),
        InputPlace::InputField => ("input field", |owner, name| format!("{owner}.{name}")),
    };
    // An argument is used by name; an input field is used wherever its input type is.
    let uses = |coordinate: &str| match place {
        InputPlace::Argument => vec![coordinate.to_owned()],
        InputPlace::InputField => owner_uses.to_vec(),
    };
    for (name, old_input) in old {
        let coordinate = coordinate_of(owner, name);
        let Some(new_input) = new.get(name) else {
            let kind = match place {
                InputPlace::Argument => ChangeKind::ArgumentRemoved,
                InputPlace::InputField => ChangeKind::InputFieldRemoved,
            };
            d.push(
                kind,
                coordinate.clone(),
                format!("{noun} {coordinate} was removed"),
                uses(&coordinate),
            );
            continue;
        };
        if old_input.ty != new_input.ty {
            let safe = input_change_is_safe(&old_input.ty, &new_input.ty);
            let kind = match (place, safe) {
                (InputPlace::Argument, true) => ChangeKind::ArgumentTypeLoosened,
                (InputPlace::Argument, false) => ChangeKind::ArgumentTypeChanged,
                (InputPlace::InputField, true) => ChangeKind::InputFieldTypeLoosened,
                (InputPlace::InputField, false) => ChangeKind::InputFieldTypeChanged,
            };
            let message = format!(
                "{noun} {coordinate} changed type from {} to {}",
                old_input.ty, new_input.ty
            );
            d.push(kind, coordinate.clone(), message, uses(&coordinate));
        }
        if old_input.default != new_input.default {
            let kind = match place {
                InputPlace::Argument => ChangeKind::ArgumentDefaultChanged,
                InputPlace::InputField => ChangeKind::InputFieldDefaultChanged,
            };
            let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".to_owned());
            let message = format!(
                "default of {noun} {coordinate} changed from {} to {}",
                show(&old_input.default),
                show(&new_input.default)
            );
            d.push(kind, coordinate.clone(), message, uses(&coordinate));
        }
        diff_deprecation(d, &coordinate, &old_input.deprecated, &new_input.deprecated);
    }
    for (name, new_input) in new.iter().filter(|(n, _)| !old.contains_key(*n)) {
        let coordinate = coordinate_of(owner, name);
        let required = is_required(&new_input.ty, new_input.default.as_ref());
        let kind = match (place, required) {
            (InputPlace::Argument, true) => ChangeKind::RequiredArgumentAdded,
            (InputPlace::Argument, false) => ChangeKind::OptionalArgumentAdded,
            (InputPlace::InputField, true) => ChangeKind::RequiredInputFieldAdded,
            (InputPlace::InputField, false) => ChangeKind::OptionalInputFieldAdded,
        };
        let adjective = if required { "required" } else { "optional" };
        let message = format!("{adjective} {noun} {coordinate} was added");
        // A new required argument breaks every operation using the field; an optional one affects none.
        let affects = if required { owner_uses.to_vec() } else { Vec::new() };
        d.push(kind, coordinate, message, affects);
    }
}

fn diff_deprecation(d: &mut Diff, coordinate: &str, old: &Option<String>, new: &Option<String>) {
    match (old, new) {
        (None, Some(reason)) => d.push(
            ChangeKind::Deprecated,
            coordinate.to_owned(),
            format!("{coordinate} was deprecated: {reason}"),
            Vec::new(),
        ),
        (Some(_), None) => d.push(
            ChangeKind::Undeprecated,
            coordinate.to_owned(),
            format!("{coordinate} is no longer deprecated"),
            Vec::new(),
        ),
        (Some(a), Some(b)) if a != b => d.push(
            ChangeKind::Deprecated,
            coordinate.to_owned(),
            format!("deprecation reason of {coordinate} changed to: {b}"),
            Vec::new(),
        ),
        _ => {}
    }
}
