//! Small helpers shared by the phase-4 steps.

use propcast_core::{parse_date, Date};
use propcast_store::{Result, Value, Warehouse};
use std::collections::HashMap;

/// Days since the season's first regular-season game (0 on opening night).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Day(pub i64);

impl Day {
    /// In the first 21 days of the season, when the dynamic minimum-games rules apply.
    pub fn early(self) -> bool {
        self.0 <= 21
    }
}

/// Per date: the season, its start year and the day of the season (`game_dates`).
pub fn calendar(wh: &Warehouse, first: Date, last: Date) -> Result<HashMap<Date, (String, i64, Day)>> {
    let mut stmt = wh.conn().prepare_cached(
        "SELECT game_date, season, season_year, day_of_season FROM game_dates WHERE game_date BETWEEN ?1 AND ?2",
    )?;
    let mut q = stmt.query([first.to_string(), last.to_string()])?;
    let mut out = HashMap::new();
    while let Some(r) = q.next()? {
        out.insert(parse(&r.get::<_, String>(0)?)?, (r.get(1)?, r.get(2)?, Day(r.get(3)?)));
    }
    Ok(out)
}

/// Parses a stored date.
pub fn parse(s: &str) -> Result<Date> {
    parse_in("features", s)
}

/// Parses a stored date, naming `step` in the error.
pub fn parse_in(step: &'static str, s: &str) -> Result<Date> {
    parse_date(s).map_err(|e| propcast_store::Error::Step { step, message: e.to_string() })
}

/// A text value.
pub fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

/// A real value, NULL when missing or not finite.
pub fn opt_real(x: Option<f64>) -> Value {
    x.filter(|v| v.is_finite()).map(Value::Real).unwrap_or(Value::Null)
}

/// An integer value, NULL when missing.
pub fn opt_int(x: Option<i64>) -> Value {
    x.map(Value::Integer).unwrap_or(Value::Null)
}

/// The last `n` items of a slice.
pub fn last<T>(v: &[T], n: usize) -> &[T] {
    &v[v.len().saturating_sub(n)..]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_items() {
        assert_eq!(last(&[1, 2, 3], 2), &[2, 3]);
    }
}
