//! The name serde gives a unit variant (`UseKind::SetHeader` → `"set-header"`), read from the
//! type's own `Serialize` impl: the derive hands `serialize_unit_variant` the renamed variant
//! as a `&'static str`, so the report writer can copy it instead of running `serde_json` for
//! every enum of every use, and the names cannot drift from the `#[serde(rename_all)]`s.

use serde::ser::{Error, Impossible, Serialize, Serializer};

/// The serialized name of `value`, a unit variant of an enum that derives `Serialize`; `None`
/// for anything else (a number, a struct, a variant with data).
pub fn name<T: Serialize>(value: &T) -> Option<&'static str> {
    value.serialize(VariantName).ok()
}

/// Accepts only a unit variant, and gives its name.
struct VariantName;

#[derive(Debug)]
struct NotAUnitVariant;

impl std::fmt::Display for NotAUnitVariant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not a unit variant")
    }
}

impl std::error::Error for NotAUnitVariant {}

impl Error for NotAUnitVariant {
    fn custom<T: std::fmt::Display>(_: T) -> Self {
        NotAUnitVariant
    }
}

/// Every other kind of value is refused.
macro_rules! refuse {
    ($($method:ident($($arg:ty),*) -> $out:ty;)*) => {
        $(fn $method(self, $(_: $arg),*) -> Result<$out, NotAUnitVariant> {
            Err(NotAUnitVariant)
        })*
    };
}

impl Serializer for VariantName {
    type Ok = &'static str;
    type Error = NotAUnitVariant;
    type SerializeSeq = Impossible<&'static str, NotAUnitVariant>;
    type SerializeTuple = Impossible<&'static str, NotAUnitVariant>;
    type SerializeTupleStruct = Impossible<&'static str, NotAUnitVariant>;
    type SerializeTupleVariant = Impossible<&'static str, NotAUnitVariant>;
    type SerializeMap = Impossible<&'static str, NotAUnitVariant>;
    type SerializeStruct = Impossible<&'static str, NotAUnitVariant>;
    type SerializeStructVariant = Impossible<&'static str, NotAUnitVariant>;

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<&'static str, NotAUnitVariant> {
        Ok(variant)
    }

    refuse! {
        serialize_bool(bool) -> &'static str;
        serialize_i8(i8) -> &'static str;
        serialize_i16(i16) -> &'static str;
        serialize_i32(i32) -> &'static str;
        serialize_i64(i64) -> &'static str;
        serialize_u8(u8) -> &'static str;
        serialize_u16(u16) -> &'static str;
        serialize_u32(u32) -> &'static str;
        serialize_u64(u64) -> &'static str;
        serialize_f32(f32) -> &'static str;
        serialize_f64(f64) -> &'static str;
        serialize_char(char) -> &'static str;
        serialize_str(&str) -> &'static str;
        serialize_bytes(&[u8]) -> &'static str;
        serialize_none() -> &'static str;
        serialize_unit() -> &'static str;
        serialize_unit_struct(&'static str) -> &'static str;
        serialize_seq(Option<usize>) -> Self::SerializeSeq;
        serialize_tuple(usize) -> Self::SerializeTuple;
        serialize_tuple_struct(&'static str, usize) -> Self::SerializeTupleStruct;
        serialize_tuple_variant(&'static str, u32, &'static str, usize) -> Self::SerializeTupleVariant;
        serialize_map(Option<usize>) -> Self::SerializeMap;
        serialize_struct(&'static str, usize) -> Self::SerializeStruct;
        serialize_struct_variant(&'static str, u32, &'static str, usize) -> Self::SerializeStructVariant;
    }

    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<&'static str, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: &T,
    ) -> Result<&'static str, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<&'static str, NotAUnitVariant> {
        Err(NotAUnitVariant)
    }
}

#[cfg(test)]
mod tests {
    use migrate_rewrite::analysis::dispatch::{DispatchStyle, Fallback};
    use migrate_rewrite::analysis::uses::{Object, UseKind};

    /// The name is what `serde_json` writes, quotes aside.
    fn same_as_serde_json<T: serde::Serialize>(value: &T) {
        let json = serde_json::to_string(value).unwrap();
        assert_eq!(Some(json.trim_matches('"')), super::name(value), "{json}");
    }

    #[test]
    fn unit_variants_are_named_as_serde_names_them() {
        same_as_serde_json(&Object::Res);
        same_as_serde_json(&UseKind::SetHeader);
        same_as_serde_json(&UseKind::Query);
        same_as_serde_json(&DispatchStyle::IfChain);
        same_as_serde_json(&Fallback::MethodNotAllowedWithAllow);
    }

    #[test]
    fn other_values_have_no_variant_name() {
        assert_eq!(super::name(&3u32), None);
        assert_eq!(super::name(&"text"), None);
        assert_eq!(super::name(&Some(Object::Req)), None);
        assert_eq!(super::name(&vec![Object::Req]), None);
    }
}
