//! Calendar dates. Game dates are US Eastern calendar dates, as the NBA publishes them.

use crate::error::{Error, Result};

/// A calendar date (`YYYY-MM-DD`). Game dates are Eastern local dates.
pub type Date = chrono::NaiveDate;

/// Parses a strict `YYYY-MM-DD` date.
pub fn parse_date(s: &str) -> Result<Date> {
    if s.len() != 10 {
        return Err(Error::invalid("date", s, "YYYY-MM-DD"));
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| Error::invalid("date", s, "YYYY-MM-DD"))
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
        assert!(parse_compact("20241022").is_ok());
        assert!(parse_compact("2024102x").is_err());
    }
}
