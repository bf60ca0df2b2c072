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

/// Parses the compact `YYYYMMDD` form used inside game ids.
pub(crate) fn parse_compact(s: &str) -> Result<Date> {
    if s.len() != 8 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid("date", s, "YYYYMMDD"));
    }
    chrono::NaiveDate::parse_from_str(s, "%Y%m%d").map_err(|_| Error::invalid("date", s, "YYYYMMDD"))
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
    }
}
