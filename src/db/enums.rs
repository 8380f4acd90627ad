//! The domain enums as text columns: each is stored as its `as_str()` string and parsed once,
//! when the row is loaded (an unknown string is a load error, never a silent default). The
//! enums themselves stay in `domain`; only this glue knows diesel's traits. The typed ids of
//! `domain::ids` use the same glue (their `parse` cannot fail).

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql};
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;

macro_rules! text_column {
    ($($t:ty),+ $(,)?) => {$(
        impl<DB> FromSql<Text, DB> for $t
        where
            DB: Backend,
            String: FromSql<Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
                let s = <String as FromSql<Text, DB>>::from_sql(bytes)?;
                Ok(<$t>::parse(&s)?)
            }
        }

        impl<DB> ToSql<Text, DB> for $t
        where
            DB: Backend,
            str: ToSql<Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                <str as ToSql<Text, DB>>::to_sql(self.as_str(), out)
            }
        }
    )+};
}

text_column!(
    crate::domain::policy::OrgKind,
    crate::domain::session::TokenScope,
    crate::domain::designation::DesignationStatus,
    crate::domain::designation::MessageKind,
    crate::domain::grant::MessageSide,
    crate::domain::nomination::Side,
    crate::domain::nomination::Position,
    crate::domain::ids::OrgId,
    crate::domain::ids::UserId,
    crate::domain::ids::ModelId,
    crate::domain::ids::GrantId,
    crate::domain::ids::RequestId,
    crate::domain::ids::NominationId,
    crate::domain::ids::TermsId,
);
