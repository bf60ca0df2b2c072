//! `propcast status`: the state of every asset's partitions.

use crate::args::Global;
use crate::output;
use propcast_pipeline::status;
use propcast_store::Value;

pub fn run(g: &Global) -> anyhow::Result<()> {
    let home = super::existing_home(g)?;
    let st = status(&home)?;
    if g.json {
        println!("{}", serde_json::to_string_pretty(&st)?);
        return Ok(());
    }
    let cols: Vec<String> = output::cols(&[
        "asset",
        "phase",
        "fresh",
        "stale: code",
        "stale: upstream",
        "failed",
        "missing",
        "skipped",
        "coverage",
    ]);
    let rows: Vec<Vec<Value>> = st
        .iter()
        .map(|s| {
            vec![
                Value::Text(s.asset.clone()),
                Value::Integer(s.phase.into()),
                Value::Integer(s.fresh as i64),
                Value::Integer(s.stale_code as i64),
                Value::Integer(s.stale_upstream as i64),
                Value::Integer(s.failed as i64),
                Value::Integer(s.missing as i64),
                Value::Integer(s.skipped as i64),
                Value::Text(format!("{:.1} %", s.coverage * 100.0)),
            ]
        })
        .collect();
    output::table(&mut std::io::stdout().lock(), &cols, &rows)?;
    for s in &st {
        for (d, why) in &s.failures {
            eprintln!("{} {d}: failed: {why}", s.asset);
        }
    }
    Ok(())
}
