//! `column IN (ids)` with the same statement text for any number of ids.
//!
//! diesel's `eq_any(&[…])` writes `IN (?, ?, …)` on SQLite, one placeholder per value, and marks
//! the statement as not cacheable. Every list page then compiles its item statements (names,
//! acceptances, rosters, …) again on each request. [`in_list`] binds the whole list as one
//! value instead, so the text is the same every time and both caches keep the compiled statement
//! (diesel's, and SQLite's or PostgreSQL's):
//! - SQLite: `column IN (SELECT value FROM json_each(?))`, with the ids as one array in SQLite's
//!   own binary JSON (JSONB, SQLite 3.45+), which `json_each` walks without parsing: as JSON
//!   text, parsing the page's id lists was a twentieth of a list page's instructions. The
//!   planner still looks each id up in the column's index.
//! - PostgreSQL: `column = ANY(?)`, with the ids as one `text[]`. This is what `eq_any` already
//!   writes there.
//!
//! Use it for a list of ids held in memory. A subquery keeps `eq_any`: that text does not vary.

use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, ValidGrouping};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{Array, Binary, Bool, Text};
use diesel::sqlite::Sqlite;
use diesel::QueryResult;

use super::MultiBackend;

/// `column IN (ids)` for a text column ([module docs](self)).
pub fn in_list<C, S: AsRef<str>>(column: C, ids: &[S]) -> InList<C>
where
    C: Expression<SqlType = Text>,
{
    // Each id once: a page names the same organization, model or terms in many of its rows
    // (a developer's own id in all 50), and SQLite would otherwise read and index every copy.
    let mut ids: Vec<String> = ids.iter().map(|s| s.as_ref().to_string()).collect();
    ids.sort_unstable();
    ids.dedup();
    let jsonb = jsonb_text_array(&ids);
    InList { column, ids, jsonb }
}

/// The ids as a JSONB array of strings (<https://sqlite.org/jsonb.html>): each element a
/// header (its type in the low four bits, its payload's size in the high four, or there the
/// width of a big-endian size that follows) and its bytes. The strings are of type TEXTRAW, text
/// taken as it is, so no id needs escaping.
fn jsonb_text_array(ids: &[String]) -> Vec<u8> {
    const TEXTRAW: u8 = 10;
    const ARRAY: u8 = 11;
    fn header(out: &mut Vec<u8>, kind: u8, size: usize) {
        match size {
            0..=11 => out.push(((size as u8) << 4) | kind),
            12..=0xff => out.extend([(12 << 4) | kind, size as u8]),
            0x100..=0xffff => {
                out.push((13 << 4) | kind);
                out.extend((size as u16).to_be_bytes());
            }
            _ => {
                out.push((14 << 4) | kind);
                out.extend((size as u32).to_be_bytes());
            }
        }
    }
    let mut payload = Vec::with_capacity(ids.iter().map(|i| i.len() + 3).sum());
    for id in ids {
        header(&mut payload, TEXTRAW, id.len());
        payload.extend_from_slice(id.as_bytes());
    }
    let mut out = Vec::with_capacity(payload.len() + 5);
    header(&mut out, ARRAY, payload.len());
    out.extend_from_slice(&payload);
    out
}

#[derive(Debug, Clone)]
pub struct InList<C> {
    column: C,
    ids: Vec<String>,
    jsonb: Vec<u8>,
}

impl<C: Expression> Expression for InList<C> {
    type SqlType = Bool;
}

impl<C, QS> AppearsOnTable<QS> for InList<C> where C: AppearsOnTable<QS> {}

impl<C, QS> SelectableExpression<QS> for InList<C> where C: SelectableExpression<QS> {}

impl<C, GB> ValidGrouping<GB> for InList<C>
where
    C: ValidGrouping<GB>,
{
    // A comparison with bound values is aggregate exactly when its column is.
    type IsAggregate = C::IsAggregate;
}

/// The statement's text depends on the column alone (the ids are one bound value), so a query
/// holding an `InList` keeps its static id: diesel finds the cached statement by type without
/// writing the SQL out again for each page.
impl<C: QueryId> QueryId for InList<C> {
    type QueryId = InListId<C::QueryId>;
    const HAS_STATIC_QUERY_ID: bool = C::HAS_STATIC_QUERY_ID;
}

/// The static id of an [`InList`] over a column whose id is `C`.
pub struct InListId<C>(std::marker::PhantomData<C>);

impl<C: QueryFragment<Sqlite>> QueryFragment<Sqlite> for InList<C> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" IN (SELECT value FROM json_each(");
        out.push_bind_param::<Binary, Vec<u8>>(&self.jsonb)?;
        out.push_sql("))");
        Ok(())
    }
}

impl<C: QueryFragment<Pg>> QueryFragment<Pg> for InList<C> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" = ANY(");
        out.push_bind_param::<Array<Text>, Vec<String>>(&self.ids)?;
        out.push_sql(")");
        Ok(())
    }
}

impl<C> QueryFragment<MultiBackend> for InList<C>
where
    C: QueryFragment<Sqlite> + QueryFragment<Pg>,
{
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        MultiBackend::walk_variant_ast(self, pass)
    }
}

#[cfg(test)]
mod tests {
    use crate::db::schema::organizations;

    #[test]
    fn binds_each_id_once() {
        let l = super::in_list(organizations::id, &["b", "a", "b", "a", "c"]);
        assert_eq!(l.ids, ["a", "b", "c"]);
        assert_eq!(l.jsonb, [0x6b, 0x1a, b'a', 0x1a, b'b', 0x1a, b'c']);
    }

    /// SQLite reads the array back as the same strings, for every width of size header and
    /// for ids that JSON text would have to escape.
    #[test]
    fn sqlite_reads_the_array_back() {
        use diesel::prelude::*;
        use diesel::sql_types::{Binary, Text};
        #[derive(QueryableByName)]
        struct V {
            #[diesel(sql_type = Text)]
            value: String,
        }
        let mut conn = diesel::SqliteConnection::establish(":memory:").unwrap();
        let long = "x".repeat(300);
        let huge = "y".repeat(70_000);
        let many: Vec<String> = (0..500).map(|i| format!("{i:05}-id")).collect();
        let cases: Vec<Vec<String>> = vec![
            vec![],
            vec!["".into()],
            vec![
                "a\"b\\c".into(),
                "new\nline".into(),
                "ünï©ødé".into(),
                "eleven char".into(),
            ],
            vec!["twelve chars".into(), long],
            vec![huge],
            many,
        ];
        for ids in cases {
            let mut want = ids.clone();
            want.sort_unstable();
            want.dedup();
            let blob = super::jsonb_text_array(&want);
            let got: Vec<String> = diesel::sql_query("SELECT value FROM json_each(?) ORDER BY key")
                .bind::<Binary, _>(blob)
                .load::<V>(&mut conn)
                .unwrap()
                .into_iter()
                .map(|v| v.value)
                .collect();
            assert_eq!(got, want);
        }
    }
}
