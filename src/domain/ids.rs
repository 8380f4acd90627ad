//! Typed ids: every id is UUIDv7 text in the database and in JSON, but an org id and a model id
//! are different types here, so a grant cannot be built (or a store function called) with two
//! ids swapped. All of them come from the one [`typed_id!`] list: serde sees the bare string
//! (`#[serde(transparent)]`), and `db::enums` makes each a text column through the same
//! `parse`/`as_str` glue as the domain enums (parsing an id never fails).

macro_rules! typed_id {
    ($( $(#[$meta:meta])* $name:ident; )+) => {$(
        $(#[$meta])*
        #[derive(
            Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize,
            diesel::AsExpression, diesel::FromSqlRow,
        )]
        #[serde(transparent)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub struct $name(String);

        impl $name {
            /// The id text, as stored and sent.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The id text, owned.
            pub fn into_string(self) -> String {
                self.0
            }

            /// Wraps a stored string; every string is a well-formed id here (existence is the
            /// store's question), so this cannot fail.
            pub fn parse(s: &str) -> Result<Self, ::std::convert::Infallible> {
                Ok($name(s.to_owned()))
            }
        }

        impl ::std::convert::From<String> for $name {
            fn from(s: String) -> Self {
                $name(s)
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(s: &str) -> Self {
                $name(s.to_owned())
            }
        }

        impl ::std::convert::From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl ::std::convert::AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl ::std::cmp::PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl ::std::cmp::PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    )+};
}

typed_id! {
    /// An organization (developer, agency or partner).
    OrgId;
    /// A user account.
    UserId;
    /// A model.
    ModelId;
    /// An access grant or a partner grant (both kinds are one [`crate::domain::grant::Grant`]).
    GrantId;
    /// An access request.
    RequestId;
    /// A nomination.
    NominationId;
    /// A terms version.
    TermsId;
}

#[cfg(test)]
mod tests {
    use super::{GrantId, OrgId};

    #[test]
    fn ids_are_bare_strings_in_json_and_text() {
        let id = OrgId::from("0190-abc".to_owned());
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"0190-abc\"");
        assert_eq!(serde_json::from_str::<OrgId>("\"0190-abc\"").unwrap(), id);
        assert_eq!(id.to_string(), "0190-abc");
        assert_eq!(id.as_str(), "0190-abc");
        assert_eq!(GrantId::parse("g").unwrap().into_string(), "g");
    }
}
