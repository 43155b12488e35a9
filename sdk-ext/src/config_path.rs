//! Deserialization from a JSON value that knows where it is: an error names the field it is in
//! (`providers[0].basic.users[1].password_hash`).
//!
//! Why not `serde_path_to_error`: it wraps every visitor, so every config type's deserializer is
//! compiled twice; measured on 2026-12-01 it was 23 KiB of the headers module and 121 KiB of the
//! chain's, and every byte of a module is paid in every Envoy's memory. Here the visitors run
//! against this one deserializer, and an error collects its path on the way out: each map key,
//! list position and enum variant it leaves puts its name in front. Nothing is kept while all goes
//! well.

use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};
use serde::forward_to_deserialize_any;
use serde_json::Value;
use std::fmt;

/// An error with the path it was made at, built as it travels up: each map key, list position
/// and variant it leaves puts its name in front.
#[derive(Debug)]
pub struct PathError {
    /// Innermost last, as written: `["providers", "[0]", "basic"]`.
    segments: Vec<String>,
    pub message: String,
}

impl PathError {
    /// `a.b[0].c`; empty at the top.
    pub fn path(&self) -> String {
        let mut text = String::new();
        for segment in self.segments.iter().rev() {
            if !text.is_empty() && !segment.starts_with('[') {
                text.push('.');
            }
            text.push_str(segment);
        }
        text
    }
}

// Out of line: they run only on the way out of a failed deserialization, and each generic
// caller would otherwise carry a copy.
#[inline(never)]
fn under_key(mut error: PathError, key: &str) -> PathError {
    error.segments.push(key.to_string());
    error
}

#[inline(never)]
fn under_index(mut error: PathError, index: usize) -> PathError {
    error.segments.push(format!("[{index}]"));
    error
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PathError {}

impl de::Error for PathError {
    #[inline(never)]
    fn custom<T: fmt::Display>(message: T) -> Self {
        PathError { segments: Vec::new(), message: message.to_string() }
    }

    fn invalid_type(unexpected: de::Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        Self::custom(format_args!("invalid type: {}, expected {expected}", Described(unexpected)))
    }

    fn invalid_value(unexpected: de::Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        Self::custom(format_args!("invalid value: {}, expected {expected}", Described(unexpected)))
    }
}

/// What was found, in serde's words, but a float is named rather than printed: printing one
/// links in core's float formatting (11 KiB).
struct Described<'a>(de::Unexpected<'a>);

impl fmt::Display for Described<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use de::Unexpected::*;
        match self.0 {
            Bool(b) => write!(f, "boolean `{b}`"),
            Unsigned(u) => write!(f, "integer `{u}`"),
            Signed(i) => write!(f, "integer `{i}`"),
            Float(_) => f.write_str("floating point number"),
            Char(c) => write!(f, "character `{c}`"),
            Str(text) => write!(f, "string {text:?}"),
            Bytes(_) => f.write_str("byte array"),
            Unit => f.write_str("unit value"),
            Option => f.write_str("Option value"),
            NewtypeStruct => f.write_str("newtype struct"),
            Seq => f.write_str("sequence"),
            Map => f.write_str("map"),
            Enum => f.write_str("enum"),
            UnitVariant => f.write_str("unit variant"),
            NewtypeVariant => f.write_str("newtype variant"),
            TupleVariant => f.write_str("tuple variant"),
            StructVariant => f.write_str("struct variant"),
            Other(other) => f.write_str(other),
        }
    }
}

/// Deserializes `T` from `value`; an error carries the path of the field it is in.
pub fn deserialize<T: de::DeserializeOwned>(value: &Value) -> Result<T, PathError> {
    T::deserialize(Tracked(value))
}

#[derive(Clone, Copy)]
struct Tracked<'de>(&'de Value);

/// Every number type reads a number as `deserialize_u64` does; its visitor checks the range.
macro_rules! numbers_as_u64 {
    ($($kind:ident)*) => {
        $(
            fn $kind<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
                self.deserialize_u64(visitor)
            }
        )*
    };
}

// `#[inline(never)]` on the methods below that take a visitor or a seed: each config type's
// deserializer then stays its own function instead of being inlined into the one that holds the
// field. V8 (TurboFan, which proxy-wasm's host runs every function through when a module loads)
// takes peak memory that grows with the largest function, and Envoy's allocator keeps that peak:
// measured on 2026-12-03, a 33 KiB deserializer cost every Envoy ~15 MB of RSS (bench/ANALYSIS.md).
impl<'de> de::Deserializer<'de> for Tracked<'de> {
    type Error = PathError;

    #[inline(never)]
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        match self.0 {
            Value::Array(items) => visitor.visit_seq(Seq { items: items.iter(), index: 0 }),
            Value::Object(map) => visitor.visit_map(Map { entries: map.iter(), entry: None }),
            // Read here rather than handed to serde_json's `&Value` deserializer, which would
            // compile every visitor a second time.
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::String(text) => visitor.visit_borrowed_str(text),
            Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(u), _, _) => visitor.visit_u64(u),
                (_, Some(i), _) => visitor.visit_i64(i),
                (_, _, Some(f)) => visitor.visit_f64(f),
                _ => Err(de::Error::custom("a number out of range")),
            },
        }
    }

    #[inline(never)]
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &str, visitor: V) -> Result<V::Value, PathError> {
        visitor.visit_newtype_struct(self)
    }

    #[inline(never)]
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, PathError> {
        match self.0 {
            // A unit variant: "allow".
            Value::String(name) => visitor.visit_enum(name.as_str().into_deserializer()),
            // Any variant: {"jwt": {...}}.
            Value::Object(map) if map.len() == 1 => match map.iter().next() {
                Some((name, value)) => visitor.visit_enum(Variant { name, value }),
                None => Err(de::Error::custom("expected an object with one key")),
            },
            other => Err(de::Error::invalid_type(unexpected(other), &"a string or an object with one key")),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        visitor.visit_unit()
    }

    // Each request for a type reads only that type, refusing others as the visitor's own default
    // would (`invalid type: map, expected a string`). Forwarding them to `deserialize_any` would
    // compile every visitor's every method: a struct's positional `visit_seq` alone is about as
    // large as its `visit_map`, for a form no config uses.
    #[inline(never)]
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, PathError> {
        match self.0 {
            Value::Object(map) => visitor.visit_map(Map { entries: map.iter(), entry: None }),
            other => Err(de::Error::invalid_type(unexpected(other), &visitor)),
        }
    }

    #[inline(never)]
    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        match self.0 {
            Value::Object(map) => visitor.visit_map(Map { entries: map.iter(), entry: None }),
            other => Err(de::Error::invalid_type(unexpected(other), &visitor)),
        }
    }

    #[inline(never)]
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        match self.0 {
            Value::Array(items) => visitor.visit_seq(Seq { items: items.iter(), index: 0 }),
            other => Err(de::Error::invalid_type(unexpected(other), &visitor)),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, PathError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, PathError> {
        self.deserialize_seq(visitor)
    }

    #[inline(never)]
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        match self.0 {
            Value::String(text) => visitor.visit_borrowed_str(text),
            other => Err(de::Error::invalid_type(unexpected(other), &visitor)),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        self.deserialize_str(visitor)
    }

    #[inline(never)]
    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        match self.0 {
            Value::Bool(b) => visitor.visit_bool(*b),
            other => Err(de::Error::invalid_type(unexpected(other), &visitor)),
        }
    }

    #[inline(never)]
    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        match self.0 {
            Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(u), _, _) => visitor.visit_u64(u),
                (_, Some(i), _) => visitor.visit_i64(i),
                (_, _, Some(f)) => visitor.visit_f64(f),
                _ => Err(de::Error::custom("a number out of range")),
            },
            other => Err(de::Error::invalid_type(unexpected(other), &visitor)),
        }
    }

    #[inline(never)]
    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PathError> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            other => Err(de::Error::invalid_type(unexpected(other), &visitor)),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, PathError> {
        self.deserialize_unit(visitor)
    }

    numbers_as_u64! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_i128 deserialize_u8
        deserialize_u16 deserialize_u32 deserialize_u128 deserialize_f32 deserialize_f64
    }

    forward_to_deserialize_any! { bytes byte_buf }
}

fn unexpected(value: &Value) -> de::Unexpected<'_> {
    match value {
        Value::Null => de::Unexpected::Unit,
        Value::Bool(b) => de::Unexpected::Bool(*b),
        Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => de::Unexpected::Unsigned(u),
            (_, Some(i), _) => de::Unexpected::Signed(i),
            (_, _, Some(f)) => de::Unexpected::Float(f),
            _ => de::Unexpected::Other("number"),
        },
        Value::String(s) => de::Unexpected::Str(s),
        Value::Array(_) => de::Unexpected::Seq,
        Value::Object(_) => de::Unexpected::Map,
    }
}

struct Seq<'de> {
    items: std::slice::Iter<'de, Value>,
    index: usize,
}

impl<'de> de::SeqAccess<'de> for Seq<'de> {
    type Error = PathError;

    #[inline(never)]
    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, PathError> {
        let Some(item) = self.items.next() else { return Ok(None) };
        let index = self.index;
        self.index += 1;
        seed.deserialize(Tracked(item)).map(Some).map_err(|e| under_index(e, index))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct Map<'de> {
    entries: serde_json::map::Iter<'de>,
    entry: Option<(&'de str, &'de Value)>,
}

impl<'de> de::MapAccess<'de> for Map<'de> {
    type Error = PathError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, PathError> {
        let Some((key, value)) = self.entries.next() else { return Ok(None) };
        self.entry = Some((key, value));
        // An unknown field names itself (`request[0].valeu`).
        seed.deserialize(key.as_str().into_deserializer()).map(Some).map_err(|e| under_key(e, key))
    }

    #[inline(never)]
    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, PathError> {
        let Some((key, value)) = self.entry.take() else { return Err(de::Error::custom("a value without its key")) };
        seed.deserialize(Tracked(value)).map_err(|e| under_key(e, key))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len())
    }
}

/// `{"<variant>": <content>}`: the variant is read where the object is; its content under the
/// variant's name (`providers[0].basic.users`).
struct Variant<'de> {
    name: &'de str,
    value: &'de Value,
}

impl<'de> de::EnumAccess<'de> for Variant<'de> {
    type Error = PathError;
    type Variant = Self;

    fn variant_seed<V: DeserializeSeed<'de>>(self, seed: V) -> Result<(V::Value, Self), PathError> {
        let variant = seed.deserialize(self.name.into_deserializer())?;
        Ok((variant, self))
    }
}

impl<'de> Variant<'de> {
    fn within<T>(&self, read: impl FnOnce(Tracked<'de>) -> Result<T, PathError>) -> Result<T, PathError> {
        read(Tracked(self.value)).map_err(|e| under_key(e, self.name))
    }
}

impl<'de> de::VariantAccess<'de> for Variant<'de> {
    type Error = PathError;

    fn unit_variant(self) -> Result<(), PathError> {
        self.within(de::Deserialize::deserialize)
    }

    #[inline(never)]
    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, PathError> {
        self.within(|content| seed.deserialize(content))
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, PathError> {
        self.within(|content| de::Deserializer::deserialize_any(content, visitor))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, PathError> {
        self.within(|content| de::Deserializer::deserialize_any(content, visitor))
    }
}
