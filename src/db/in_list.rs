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
    // Each id once: a page names the same organization, model or terms in many of its rows
    // (a developer's own id in all 50), and SQLite would otherwise read and index every copy.
    let mut ids: Vec<String> = ids.iter().map(|s| s.as_ref().to_string()).collect();
    ids.sort_unstable();
    ids.dedup();
    let json = serde_json::to_string(&ids).expect("a list of strings is JSON");
    InList { column, ids, json }
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

#[cfg(test)]
mod tests {
    use crate::db::schema::organizations;

    #[test]
    fn binds_each_id_once() {
        let l = super::in_list(organizations::id, &["b", "a", "b", "a", "c"]);
        assert_eq!(l.ids, ["a", "b", "c"]);
        assert_eq!(l.json, r#"["a","b","c"]"#);
    }
}
