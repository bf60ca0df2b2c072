//! `propcast features report`: coverage and drift of every contract feature.

use crate::args::Global;
use crate::output;
use propcast_pipeline::{features_report, Home};
use propcast_store::Value;

pub fn run(g: &Global, season: Option<&str>) -> anyhow::Result<()> {
    let home = Home::new(&g.home);
    if !home.warehouse().is_file() {
        anyhow::bail!(
            "no warehouse at {}: run `propcast up` first (or pass --home)",
            home.warehouse().display()
        );
    }
    let rep = features_report(&home, season)?;
    if g.json {
        println!("{}", serde_json::to_string_pretty(&rep)?);
        return Ok(());
    }
    let cols = output::cols(&["feature", "season", "rows", "coverage", "mean", "min", "max", "drift"]);
    let r3 = |x: Option<f64>| x.map(|v| Value::Real((v * 1000.0).round() / 1000.0)).unwrap_or(Value::Null);
    let rows: Vec<Vec<Value>> = rep
        .iter()
        .map(|f| {
            vec![
                Value::Text(f.feature.clone()),
                Value::Text(f.season.clone()),
                Value::Integer(f.rows),
                Value::Text(format!("{:.1} %", f.coverage * 100.0)),
                r3(f.mean),
                r3(f.min),
                r3(f.max),
                f.drift.clone().map(Value::Text).unwrap_or(Value::Null),
            ]
        })
        .collect();
    output::table(&mut std::io::stdout().lock(), &cols, &rows)?;
    Ok(())
}
