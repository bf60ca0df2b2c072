//! Small helpers shared by the analytics steps.

use propcast_core::{parse_date, Date};
use propcast_store::{PartitionData, Value};
use std::collections::BTreeMap;

/// The first and last date of a batch, as text.
pub(crate) struct DateRange {
    pub first: String,
    pub last: String,
}

impl DateRange {
    pub fn of(dates: &[Date]) -> Option<DateRange> {
        Some(DateRange { first: dates.first()?.to_string(), last: dates.last()?.to_string() })
    }
}

pub(crate) fn step_err(step: &'static str, message: impl Into<String>) -> propcast_store::Error {
    propcast_store::Error::Step { step, message: message.into() }
}

pub(crate) fn opt_real(x: Option<f64>) -> Value {
    x.filter(|v| v.is_finite()).map(Value::Real).unwrap_or(Value::Null)
}

pub(crate) fn int(x: i64) -> Value {
    Value::Integer(x)
}

/// Groups rows by the date in column `date_col` (text `YYYY-MM-DD`).
pub(crate) fn by_date(rows: Vec<Vec<Value>>, date_col: usize) -> Vec<(Date, PartitionData)> {
    let mut m: BTreeMap<Date, Vec<Vec<Value>>> = BTreeMap::new();
    for r in rows {
        if let Value::Text(d) = &r[date_col] {
            if let Ok(d) = parse_date(d) {
                m.entry(d).or_default().push(r);
            }
        }
    }
    m.into_iter().map(|(d, r)| (d, PartitionData::Rows(r))).collect()
}
