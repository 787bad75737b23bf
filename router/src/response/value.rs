//! The executor's JSON value: what subgraph replies are parsed into, merged and shaped from.
//!
//! GraphQL response objects are small (a handful of selected fields), so an object is a vector of members
//! searched in order rather than a hash map: parsing pushes members without hashing, a lookup compares a few
//! short keys, and each object is one allocation. Keys and strings are `CompactString`s: up to 24 bytes live
//! inline, so most keys and short values allocate nothing. `serde_json::Value` (whose maps keep insertion order with a
//! SipHash-ed index in this workspace) stays the type of variables and error extensions.

use std::fmt;

use compact_str::CompactString;
use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Number;

use super::json;

/// A JSON value.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Value {
    /// `null`.
    #[default]
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as `serde_json` reads it.
    Number(Number),
    /// A string.
    String(CompactString),
    /// A list.
    Array(Vec<Value>),
    /// An object.
    Object(Map),
}

/// A JSON object: members in the order they were added, keys unique.
#[derive(Debug, Clone, Default)]
pub struct Map {
    members: Vec<(CompactString, Value)>,
}

/// Objects with at most this many members find duplicate keys by comparing pairs after parsing; larger ones use
/// a hash set, so a hostile reply with a huge object costs linear time.
const PAIRWISE_DEDUP_LIMIT: usize = 16;

impl Map {
    /// An empty object.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many members.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    fn position(&self, key: &str) -> Option<usize> {
        self.members.iter().position(|(name, _)| name == key)
    }

    /// The member named `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.members
            .iter()
            .find_map(|(name, value)| (name == key).then_some(value))
    }

    /// The member named `key`, to change it.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        self.members
            .iter_mut()
            .find_map(|(name, value)| (name == key).then_some(value))
    }

    /// Sets member `key` (in place when it exists, at the end otherwise); returns the value it replaced.
    pub fn insert(&mut self, key: impl Into<CompactString> + AsRef<str>, value: Value) -> Option<Value> {
        match self.position(key.as_ref()) {
            Some(index) => Some(std::mem::replace(&mut self.members[index].1, value)),
            None => {
                self.members.push((key.into(), value));
                None
            }
        }
    }

    /// Takes member `key` out, keeping the order of the others.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let index = self.position(key)?;
        Some(self.members.remove(index).1)
    }

    /// The members in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&CompactString, &Value)> {
        self.members.iter().map(|(key, value)| (key, value))
    }

    /// Drops earlier members whose key appears again later, as a JSON parser that keeps the last one would.
    fn dedup_keep_last(&mut self) {
        let len = self.members.len();
        let duplicated = if len <= PAIRWISE_DEDUP_LIMIT {
            (1..len).any(|i| self.members[..i].iter().any(|(key, _)| *key == self.members[i].0))
        } else {
            let mut seen = std::collections::HashSet::with_capacity(len);
            !self.members.iter().all(|(key, _)| seen.insert(key.as_str()))
        };
        if !duplicated {
            return;
        }
        // From the end, a key's first sighting is its last member: that one stays.
        let mut seen = std::collections::HashSet::with_capacity(len);
        let keep: Vec<bool> = self
            .members
            .iter()
            .rev()
            .map(|(key, _)| seen.insert(key.as_str()))
            .collect();
        let mut keep = keep.into_iter().rev();
        self.members.retain(|_| keep.next().unwrap_or(true));
    }
}

impl PartialEq for Map {
    /// Equal when they have the same members, in any order (as JSON objects compare).
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().all(|(key, value)| other.get(key) == Some(value))
    }
}

impl IntoIterator for Map {
    type Item = (CompactString, Value);
    type IntoIter = std::vec::IntoIter<(CompactString, Value)>;

    fn into_iter(self) -> Self::IntoIter {
        self.members.into_iter()
    }
}

impl FromIterator<(CompactString, Value)> for Map {
    fn from_iter<I: IntoIterator<Item = (CompactString, Value)>>(members: I) -> Self {
        let mut map = Self::new();
        for (key, value) in members {
            map.insert(key, value);
        }
        map
    }
}

impl Value {
    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }

    /// Whether this is an object.
    pub fn is_object(&self) -> bool {
        matches!(self, Self::Object(_))
    }

    /// Whether this is a string.
    pub fn is_string(&self) -> bool {
        matches!(self, Self::String(_))
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(text) => Some(text),
            _ => None,
        }
    }

    /// The object, if this is one.
    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Self::Object(object) => Some(object),
            _ => None,
        }
    }

    /// The list, if this is one.
    pub fn as_array(&self) -> Option<&Vec<Value>> {
        match self {
            Self::Array(items) => Some(items),
            _ => None,
        }
    }

    /// Member `key` of an object; `None` for a missing member or a value that is not an object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object()?.get(key)
    }

    /// Appends this value as JSON.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        match self {
            Self::Null => out.extend_from_slice(b"null"),
            Self::Bool(true) => out.extend_from_slice(b"true"),
            Self::Bool(false) => out.extend_from_slice(b"false"),
            Self::Number(number) => json::write_number(out, number),
            Self::String(text) => json::write_str(out, text),
            Self::Array(items) => {
                out.push(b'[');
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        out.push(b',');
                    }
                    item.write_json(out);
                }
                out.push(b']');
            }
            Self::Object(object) => {
                out.push(b'{');
                for (index, (key, member)) in object.iter().enumerate() {
                    if index > 0 {
                        out.push(b',');
                    }
                    json::write_key(out, key);
                    member.write_json(out);
                }
                out.push(b'}');
            }
        }
    }
}

/// A [`Value`] written as `serde_json::json!` literal, for tests.
#[cfg(test)]
macro_rules! data {
    ($($json:tt)+) => {
        $crate::response::value::Value::from(serde_json::json!($($json)+))
    };
}
#[cfg(test)]
pub(crate) use data;

impl std::ops::Index<&str> for Value {
    type Output = Value;

    /// Member `key` of an object; `null` when it is missing or this is not an object.
    fn index(&self, key: &str) -> &Value {
        static NULL: Value = Value::Null;
        self.get(key).unwrap_or(&NULL)
    }
}

impl std::ops::Index<usize> for Value {
    type Output = Value;

    /// Item `index` of a list; `null` when it is missing or this is not a list.
    fn index(&self, index: usize) -> &Value {
        static NULL: Value = Value::Null;
        self.as_array().and_then(|items| items.get(index)).unwrap_or(&NULL)
    }
}

impl PartialEq<&str> for Value {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

impl PartialEq<serde_json::Value> for Value {
    fn eq(&self, other: &serde_json::Value) -> bool {
        match (self, other) {
            (Self::Null, serde_json::Value::Null) => true,
            (Self::Bool(a), serde_json::Value::Bool(b)) => a == b,
            (Self::Number(a), serde_json::Value::Number(b)) => a == b,
            (Self::String(a), serde_json::Value::String(b)) => a.as_str() == b.as_str(),
            (Self::Array(a), serde_json::Value::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(a, b)| a == b),
            (Self::Object(a), serde_json::Value::Object(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(key, value)| b.get(key.as_str()).is_some_and(|other| value == other))
            }
            _ => false,
        }
    }
}

impl From<serde_json::Value> for Value {
    fn from(value: serde_json::Value) -> Self {
        match value {
            serde_json::Value::Null => Self::Null,
            serde_json::Value::Bool(flag) => Self::Bool(flag),
            serde_json::Value::Number(number) => Self::Number(number),
            serde_json::Value::String(text) => Self::String(text.into()),
            serde_json::Value::Array(items) => Self::Array(items.into_iter().map(Self::from).collect()),
            serde_json::Value::Object(members) => Self::Object(Map {
                members: members
                    .into_iter()
                    .map(|(key, value)| (key.into(), Self::from(value)))
                    .collect(),
            }),
        }
    }
}

impl From<Value> for serde_json::Value {
    fn from(value: Value) -> Self {
        match value {
            Value::Null => Self::Null,
            Value::Bool(flag) => Self::Bool(flag),
            Value::Number(number) => Self::Number(number),
            Value::String(text) => Self::String(text.into()),
            Value::Array(items) => Self::Array(items.into_iter().map(Self::from).collect()),
            Value::Object(object) => Self::Object(
                object
                    .into_iter()
                    .map(|(key, value)| (key.into(), Self::from(value)))
                    .collect(),
            ),
        }
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        Deserialize::deserialize(deserializer)
    }

    fn visit_bool<E: de::Error>(self, flag: bool) -> Result<Value, E> {
        Ok(Value::Bool(flag))
    }

    fn visit_i64<E: de::Error>(self, number: i64) -> Result<Value, E> {
        Ok(Value::Number(number.into()))
    }

    fn visit_u64<E: de::Error>(self, number: u64) -> Result<Value, E> {
        Ok(Value::Number(number.into()))
    }

    fn visit_f64<E: de::Error>(self, number: f64) -> Result<Value, E> {
        // JSON has no NaN or infinity; serde_json never hands one over, and `null` is what it would mean.
        Ok(Number::from_f64(number).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Value, E> {
        Ok(Value::String(CompactString::new(text)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut members = Vec::with_capacity(access.size_hint().unwrap_or(4).min(4096));
        while let Some(key) = access.next_key_seed(KeySeed)? {
            members.push((key, access.next_value()?));
        }
        let mut map = Map { members };
        map.dedup_keep_last();
        Ok(Value::Object(map))
    }
}

/// Reads an object key straight into a `CompactString` (no heap allocation for a short key).
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = CompactString;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<CompactString, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed {
    type Value = CompactString;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("an object key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<CompactString, E> {
        Ok(CompactString::new(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(text: &str) -> Value {
        serde_json::from_str(text).expect("valid JSON")
    }

    #[test]
    fn parses_what_serde_json_parses_and_converts_both_ways() {
        let text = r#"{"a":[1,-2,3.5,"x\u0000y",true,null,{"b":{}}],"c":"é","d":18446744073709551615}"#;
        let ours = parse(text);
        let theirs: serde_json::Value = serde_json::from_str(text).expect("valid JSON");
        assert_eq!(ours, Value::from(theirs.clone()));
        assert_eq!(serde_json::Value::from(ours.clone()), theirs);
        let mut out = Vec::new();
        ours.write_json(&mut out);
        let back: serde_json::Value = serde_json::from_slice(&out).expect("written JSON parses");
        assert_eq!(back, theirs);
    }

    #[test]
    fn members_keep_their_order_and_a_repeated_key_keeps_its_last_value() {
        let value = parse(r#"{"z":1,"a":2,"z":3,"m":4}"#);
        let object = value.as_object().expect("an object");
        let keys: Vec<&str> = object.iter().map(|(key, _)| key.as_str()).collect();
        assert_eq!(keys, ["a", "z", "m"]);
        assert_eq!(object.get("z"), Some(&Value::from(json!(3))));
        let many: String = (0..100)
            .map(|i| format!("\"k{}\":{i}", i % 40))
            .collect::<Vec<_>>()
            .join(",");
        let value = parse(&format!("{{{many}}}"));
        let object = value.as_object().expect("an object");
        assert_eq!(object.len(), 40);
        assert_eq!(object.get("k0"), Some(&Value::from(json!(80))));
    }

    #[test]
    fn insert_replaces_in_place_and_remove_keeps_the_order() {
        let mut object = Map::new();
        assert_eq!(object.insert("a", Value::Bool(true)), None);
        object.insert("b", Value::Null);
        object.insert("c", Value::Null);
        assert_eq!(object.insert("a", Value::Bool(false)), Some(Value::Bool(true)));
        assert_eq!(object.remove("b"), Some(Value::Null));
        assert_eq!(object.remove("b"), None);
        let keys: Vec<&str> = object.iter().map(|(key, _)| key.as_str()).collect();
        assert_eq!(keys, ["a", "c"]);
        assert!(object.get("c").is_some() && object.get("b").is_none());
    }

    #[test]
    fn objects_compare_as_json_objects_in_any_order() {
        assert_eq!(parse(r#"{"a":1,"b":[2]}"#), parse(r#"{"b":[2],"a":1}"#));
        assert_ne!(parse(r#"{"a":1}"#), parse(r#"{"a":1,"b":2}"#));
        assert_ne!(parse(r#"[1,2]"#), parse(r#"[2,1]"#));
    }
}
