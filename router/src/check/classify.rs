//! What each kind of API schema change means for existing clients: breaking, dangerous or safe.

use graphql_tools::static_graphql::schema::Type;
use serde::Serialize;

/// How a change affects clients that already work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Severity {
    /// Some valid operation becomes invalid or gets a response it cannot read.
    Breaking,
    /// Operations stay valid, but clients may meet values they do not handle (new enum value, new default).
    Dangerous,
    /// Nothing an existing client does changes.
    Safe,
}

/// Every kind of change the diff reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ChangeKind {
    /// A type left the API schema.
    TypeRemoved,
    /// A type joined the API schema.
    TypeAdded,
    /// A type kept its name but changed kind (object to interface, …).
    TypeKindChanged,
    /// An output field was removed.
    FieldRemoved,
    /// An output field was added.
    FieldAdded,
    /// An output field's type changed incompatibly.
    FieldTypeChanged,
    /// An output field's type only gained non-null wrappers: every old reading still holds.
    FieldTypeNarrowed,
    /// An argument was removed.
    ArgumentRemoved,
    /// A required argument (non-null, no default) was added.
    RequiredArgumentAdded,
    /// An optional argument was added.
    OptionalArgumentAdded,
    /// An argument's type changed incompatibly, including nullable to non-null.
    ArgumentTypeChanged,
    /// An argument's type only lost non-null wrappers: every old value is still accepted.
    ArgumentTypeLoosened,
    /// An argument's default value changed.
    ArgumentDefaultChanged,
    /// An input field was removed.
    InputFieldRemoved,
    /// A required input field (non-null, no default) was added.
    RequiredInputFieldAdded,
    /// An optional input field was added.
    OptionalInputFieldAdded,
    /// An input field's type changed incompatibly, including nullable to non-null.
    InputFieldTypeChanged,
    /// An input field's type only lost non-null wrappers.
    InputFieldTypeLoosened,
    /// An input field's default value changed.
    InputFieldDefaultChanged,
    /// An enum value was removed.
    EnumValueRemoved,
    /// An enum value was added: clients switching over the enum may meet a value they don't know.
    EnumValueAdded,
    /// A union lost a member.
    UnionMemberRemoved,
    /// A union gained a member: clients may meet a type their fragments don't cover.
    UnionMemberAdded,
    /// A type no longer implements an interface.
    InterfaceRemoved,
    /// A type now implements another interface.
    InterfaceAdded,
    /// A field, argument, input field or enum value became deprecated, or its reason changed.
    Deprecated,
    /// A deprecation was lifted.
    Undeprecated,
    /// A description changed.
    DescriptionChanged,
}

impl ChangeKind {
    /// The severity every change of this kind has.
    pub fn severity(self) -> Severity {
        use ChangeKind::*;
        match self {
            TypeRemoved
            | TypeKindChanged
            | FieldRemoved
            | FieldTypeChanged
            | ArgumentRemoved
            | RequiredArgumentAdded
            | ArgumentTypeChanged
            | InputFieldRemoved
            | RequiredInputFieldAdded
            | InputFieldTypeChanged
            | EnumValueRemoved
            | UnionMemberRemoved
            | InterfaceRemoved => Severity::Breaking,
            ArgumentDefaultChanged | InputFieldDefaultChanged | EnumValueAdded | UnionMemberAdded | InterfaceAdded => {
                Severity::Dangerous
            }
            TypeAdded
            | FieldAdded
            | FieldTypeNarrowed
            | OptionalArgumentAdded
            | ArgumentTypeLoosened
            | OptionalInputFieldAdded
            | InputFieldTypeLoosened
            | Deprecated
            | Undeprecated
            | DescriptionChanged => Severity::Safe,
        }
    }
}

/// Whether an output type may change from `old` to `new` without breaking readers: `new` may add non-null
/// wrappers where `old` had none, nothing else.
pub fn output_change_is_safe(old: &Type, new: &Type) -> bool {
    match (old, new) {
        (Type::NamedType(a), Type::NamedType(b)) => a == b,
        (Type::ListType(a), Type::ListType(b)) => output_change_is_safe(a, b),
        (Type::NonNullType(a), Type::NonNullType(b)) => output_change_is_safe(a, b),
        (old, Type::NonNullType(b)) => output_change_is_safe(old, b),
        _ => false,
    }
}

/// Whether an input type may change from `old` to `new` without refusing old values: `new` may drop non-null
/// wrappers, nothing else. The mirror image of [`output_change_is_safe`].
pub fn input_change_is_safe(old: &Type, new: &Type) -> bool {
    output_change_is_safe(new, old)
}

/// A required input: non-null without a default.
pub fn is_required(ty: &Type, default: Option<&String>) -> bool {
    matches!(ty, Type::NonNullType(_)) && default.is_none()
}

#[cfg(test)]
mod tests {
    use graphql_tools::static_graphql::schema::Type;

    use super::{input_change_is_safe, output_change_is_safe};

    fn named(n: &str) -> Type {
        Type::NamedType(n.into())
    }
    fn non_null(t: Type) -> Type {
        Type::NonNullType(Box::new(t))
    }
    fn list(t: Type) -> Type {
        Type::ListType(Box::new(t))
    }

    #[test]
    fn output_types_may_only_gain_non_null() {
        assert!(output_change_is_safe(&named("String"), &non_null(named("String"))));
        assert!(output_change_is_safe(
            &list(named("ID")),
            &non_null(list(non_null(named("ID"))))
        ));
        assert!(!output_change_is_safe(&non_null(named("String")), &named("String")));
        assert!(!output_change_is_safe(&named("String"), &named("ID")));
        assert!(!output_change_is_safe(&named("ID"), &list(named("ID"))));
    }

    #[test]
    fn input_types_may_only_lose_non_null() {
        assert!(input_change_is_safe(&non_null(named("Int")), &named("Int")));
        assert!(!input_change_is_safe(&named("Int"), &non_null(named("Int"))));
    }
}
