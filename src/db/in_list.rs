//! `column IN (ids)` with the same statement text for any number of ids.
//!
//! diesel's `eq_any(&[…])` writes `IN (?, ?, …)` on SQLite, one placeholder per value, and marks
//! the statement as not cacheable. Every list page then compiles its item statements (names,
//! acceptances, rosters, …) again on each request. [`in_list`] binds the whole list as one
//! value instead, so the text is the same every time and both caches keep the compiled statement
//! (diesel's, and SQLite's or PostgreSQL's):
//! - SQLite: `column IN (SELECT value FROM json_each(?))`, with the ids as one JSON array. The
//!   planner still looks each id up in the column's index.
//! - PostgreSQL: `column = ANY(?)`, with the ids as one `text[]`. This is what `eq_any` already
//!   writes there.
//!
//! Use it for a list of ids held in memory. A subquery keeps `eq_any`: that text does not vary.

use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, ValidGrouping};
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{Array, Bool, Text};
use diesel::sqlite::Sqlite;
use diesel::QueryResult;

use super::MultiBackend;

/// `column IN (ids)` for a text column ([module docs](self)).
pub fn in_list<C, S: AsRef<str>>(column: C, ids: &[S]) -> InList<C>
where
    C: Expression<SqlType = Text>,
{
    let ids: Vec<String> = ids.iter().map(|s| s.as_ref().to_string()).collect();
    let json = json_array(&ids);
    InList { column, ids, json }
}

/// The ids as one JSON array. Ids are plain text (UUIDs, codes), written as they are; one that
/// needs escaping goes through serde_json.
fn json_array(ids: &[String]) -> String {
    let plain = |s: &str| !s.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20);
    let mut out = String::with_capacity(2 + ids.iter().map(|s| s.len() + 3).sum::<usize>());
    out.push('[');
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if plain(id) {
            out.push('"');
            out.push_str(id);
            out.push('"');
        } else {
            out.push_str(&serde_json::to_string(id).expect("a string is JSON"));
        }
    }
    out.push(']');
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_array_is_the_json_of_the_ids() {
        for ids in [
            vec![],
            vec!["01a23bf4-3502-71f2-a79d-5b3af01b8305".to_string()],
            vec![
                "a".into(),
                "b\"c".into(),
                "d\\e".into(),
                "f\ng".into(),
                "é\u{1}".into(),
            ],
        ] {
            let ours = super::json_array(&ids);
            assert_eq!(ours, serde_json::to_string(&ids).unwrap());
            let back: Vec<String> = serde_json::from_str(&ours).unwrap();
            assert_eq!(back, ids);
        }
    }
}

#[derive(Debug, Clone)]
pub struct InList<C> {
    column: C,
    ids: Vec<String>,
    json: String,
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
        out.push_bind_param::<Text, String>(&self.json)?;
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
