//! The consensus pre-game points line of each player for a date.

use propcast_store::{Result, Warehouse};
use std::collections::BTreeMap;

/// The median of the books' latest pre-game main points lines.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsensusLine {
    /// Median line, points.
    pub line: f64,
    /// Number of books.
    pub books: i64,
}

/// Consensus `player_points` lines on `date`, keyed by (game_id, player_id).
///
/// Only main lines whose snapshot is known to precede tip-off count: a line with both a
/// snapshot time and a tip-off time must have been captured before tip-off; a line missing
/// one of them is taken as the source's pre-game capture (the data set's sources captured
/// before games; the feature-store issue tightens this rule).
pub fn consensus_lines(wh: &Warehouse, date: &str) -> Result<BTreeMap<(String, String), ConsensusLine>> {
    let mut stmt = wh.conn().prepare_cached(
        "SELECT game_id, player_id, book, line, snapshot_utc FROM prop_lines
         WHERE game_date = ?1 AND market = 'player_points' AND is_main_line = 1
           AND game_id IS NOT NULL AND player_id IS NOT NULL
           AND (snapshot_utc IS NULL OR commence_utc IS NULL OR snapshot_utc < commence_utc)
         ORDER BY game_id, player_id, book, snapshot_utc",
    )?;
    // Latest snapshot per book (rows are ordered by snapshot within a book).
    let mut per_book: BTreeMap<(String, String), BTreeMap<String, f64>> = BTreeMap::new();
    let mut rows = stmt.query([date])?;
    while let Some(r) = rows.next()? {
        let key = (r.get::<_, String>(0)?, r.get::<_, String>(1)?);
        let book: String = r.get(2)?;
        let line: f64 = r.get(3)?;
        per_book.entry(key).or_default().insert(book, line);
    }
    Ok(per_book
        .into_iter()
        .map(|(k, books)| {
            let mut v: Vec<f64> = books.into_values().collect();
            v.sort_by(f64::total_cmp);
            let n = v.len();
            let line = if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 };
            (k, ConsensusLine { line, books: n as i64 })
        })
        .collect())
}
