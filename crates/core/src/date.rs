//! Calendar dates. Game dates are US Eastern calendar dates, as the NBA publishes them.

use crate::error::{Error, Result};

/// A calendar date (`YYYY-MM-DD`). Game dates are Eastern local dates.
pub type Date = chrono::NaiveDate;

/// Parses a strict `YYYY-MM-DD` date.
///
/// Every stage parses dates read back from the warehouse, so this reads the ten bytes
/// directly instead of going through chrono's format machinery.
pub fn parse_date(s: &str) -> Result<Date> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, &c| c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0')))
    };
    let ymd = (b.len() == 10 && b[4] == b'-' && b[7] == b'-')
        .then(|| Some((digits(0..4)?, digits(5..7)?, digits(8..10)?)))
        .flatten();
    ymd.and_then(|(y, m, d)| chrono::NaiveDate::from_ymd_opt(y as i32, m, d))
        .ok_or_else(|| Error::invalid("date", s, "YYYY-MM-DD"))
}

/// `d` as `YYYY-MM-DD`, exactly what `d.to_string()` gives for years 0-9999, written digit by
/// digit: every row of a dated table carries its date as text, and chrono's formatting
/// machinery cost about 800 instructions a date (1.7% of a phase-4 backfill).
pub fn date_text(d: Date) -> String {
    digits(d, "-").unwrap_or_else(|| d.to_string())
}

/// `d` as `YYYYMMDD` (inside game ids), as [`date_text`] writes it.
pub(crate) fn compact_text(d: Date) -> String {
    digits(d, "").unwrap_or_else(|| d.format("%Y%m%d").to_string())
}

/// Year, month and day as 4, 2 and 2 digits joined by `sep`; `None` outside years 0-9999.
fn digits(d: Date, sep: &str) -> Option<String> {
    use chrono::Datelike;
    let y = u32::try_from(d.year()).ok().filter(|y| *y <= 9999)?;
    let (m, day) = (d.month(), d.day());
    let digit = |n: u32| char::from(b'0' + (n % 10) as u8);
    let mut s = String::with_capacity(8 + 2 * sep.len());
    s.extend([digit(y / 1000), digit(y / 100), digit(y / 10), digit(y)]);
    s.push_str(sep);
    s.extend([digit(m / 10), digit(m)]);
    s.push_str(sep);
    s.extend([digit(day / 10), digit(day)]);
    Some(s)
}

/// Parses the compact `YYYYMMDD` form used inside game ids.
///
/// Every ingested row's game id is parsed, so the digits are read directly (chrono's
/// format-string parser was 1.6% of the ingest).
pub(crate) fn parse_compact(s: &str) -> Result<Date> {
    let b = s.as_bytes();
    if b.len() != 8 || !b.iter().all(u8::is_ascii_digit) {
        return Err(Error::invalid("date", s, "YYYYMMDD"));
    }
    let n = |r: std::ops::Range<usize>| b[r].iter().fold(0u32, |n, &c| n * 10 + u32::from(c - b'0'));
    chrono::NaiveDate::from_ymd_opt(n(0..4) as i32, n(4..6), n(6..8))
        .ok_or_else(|| Error::invalid("date", s, "YYYYMMDD"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_dates() {
        assert_eq!(parse_date("2024-10-22").unwrap().to_string(), "2024-10-22");
        assert!(parse_date("2024-10-2").is_err());
        assert!(parse_date("2024-02-30").is_err());
        assert!(parse_date("2024/10/22").is_err());
        assert!(parse_date("20x4-10-22").is_err());
        assert!(parse_date("2024-13-01").is_err());
        assert!(parse_date("2024-00-10").is_err());
        assert!(parse_date("2024-1-022").is_err());
        assert!(parse_date("+024-10-22").is_err());
        assert_eq!(parse_date("2024-02-29").unwrap().to_string(), "2024-02-29");
        assert!(parse_compact("20241022").is_ok());
        assert!(parse_compact("2024102x").is_err());
        assert_eq!(parse_compact("20240229").unwrap(), parse_date("2024-02-29").unwrap());
        assert!(parse_compact("20230229").is_err());
        assert!(parse_compact("20241301").is_err());
        assert!(parse_compact("20241000").is_err());
        assert!(parse_compact("2024101").is_err());
    }

    #[test]
    fn date_text_is_to_string() {
        let mut d = Date::from_ymd_opt(1, 1, 1).unwrap();
        let end = Date::from_ymd_opt(2101, 1, 1).unwrap();
        while d < end {
            assert_eq!(date_text(d), d.to_string());
            assert_eq!(compact_text(d), d.format("%Y%m%d").to_string());
            d += chrono::Duration::days(1 + i64::from(chrono::Datelike::ordinal(&d) % 17));
        }
        for d in [Date::from_ymd_opt(-1, 3, 4).unwrap(), Date::from_ymd_opt(9999, 12, 31).unwrap()] {
            assert_eq!(date_text(d), d.to_string());
        }
    }
}
