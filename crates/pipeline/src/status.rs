//! `propcast status`: per asset, partitions fresh, stale (why), failed (error), missing and
//! skipped, and coverage against the schedule.

use crate::engine::calendar_dates;
use crate::error::Result;
use crate::home::Home;
use crate::plan::{ledger, plan_asset, Mode, Reason};
use propcast_store::Warehouse;
use serde::Serialize;

/// The state of one asset.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssetStatus {
    /// Asset.
    pub asset: String,
    /// Phase.
    pub phase: u8,
    /// Scheduled dates.
    pub partitions: usize,
    /// Computed with the current code and inputs.
    pub fresh: usize,
    /// Stale because the code version changed.
    pub stale_code: usize,
    /// Stale because an input partition changed.
    pub stale_upstream: usize,
    /// Failed (error, check, or blocked).
    pub failed: usize,
    /// Never computed.
    pub missing: usize,
    /// Skipped as expected-empty (bootstrap window).
    pub skipped: usize,
    /// Fresh partitions / scheduled partitions outside the skipped ones, 0-1.
    pub coverage: f64,
    /// Up to five failures: date and reason.
    pub failures: Vec<(String, String)>,
}

/// The status of every asset.
pub fn status(home: &Home) -> Result<Vec<AssetStatus>> {
    let wh = Warehouse::open(&home.warehouse())?;
    let steps = crate::graph::home_steps(home)?;
    let dates: Vec<_> = calendar_dates(&wh)?.into_iter().map(|(d, _)| d).collect();
    let mut out = Vec::new();
    for step in &steps {
        let led = ledger(&wh, step.name())?;
        let plan = plan_asset(&wh, &steps, step.as_ref(), &dates, Mode::Failed)?;
        let mut s = AssetStatus {
            asset: step.name().to_string(),
            phase: step.phase(),
            partitions: dates.len(),
            fresh: 0,
            stale_code: 0,
            stale_upstream: 0,
            failed: 0,
            missing: 0,
            skipped: 0,
            coverage: 0.0,
            failures: vec![],
        };
        for p in &plan.run {
            match &p.reason {
                Reason::Missing => s.missing += 1,
                Reason::StaleCode { .. } => s.stale_code += 1,
                Reason::StaleUpstream => s.stale_upstream += 1,
                Reason::FailedBefore => {
                    s.failed += 1;
                    if s.failures.len() < 5 {
                        let e =
                            led.get(&p.date.to_string()).and_then(|e| e.reason.clone()).unwrap_or_default();
                        s.failures.push((p.date.to_string(), e));
                    }
                }
                Reason::Forced | Reason::UpstreamScheduled(_) => {}
            }
        }
        let planned: std::collections::HashSet<_> = plan.run.iter().map(|p| p.date.to_string()).collect();
        for d in &dates {
            let k = d.to_string();
            if planned.contains(&k) {
                continue;
            }
            match led.get(&k).map(|e| e.status.as_str()) {
                Some("skipped") => s.skipped += 1,
                _ => s.fresh += 1,
            }
        }
        let expected = s.partitions - s.skipped;
        s.coverage = if expected == 0 { 1.0 } else { s.fresh as f64 / expected as f64 };
        out.push(s);
    }
    Ok(out)
}
