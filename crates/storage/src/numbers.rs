//! The one number allocator: journal numbers of applications and numbers of
//! referrals both come from a counter row in `number_series`, taken inside
//! the transaction that uses the number. The number commits with its record
//! or not at all, so numbers are gap-free and never given twice (a database
//! sequence would leave a gap at every rollback).

use kense_domain::Error;

use crate::sql::{args, Tx};

/// The next number of `series` in `year`; a new year's series starts at
/// `first`.
pub(crate) fn next(tx: &Tx<'_>, series: &str, year: i32, first: i64) -> Result<i64, Error> {
    tx.execute(
        "INSERT INTO number_series (series, year, next_value) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
        args![series, year, first],
    )?;
    tx.value(
        "UPDATE number_series SET next_value = next_value + 1 WHERE series = ?1 AND year = ?2
         RETURNING next_value - 1 AS taken",
        args![series, year],
    )
}
