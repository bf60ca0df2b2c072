//! `propcast eval`: accuracy per season, system and evaluation set.

use crate::args::Global;
use crate::output;
use propcast_pipeline::eval;
use propcast_store::Value;

pub fn run(g: &Global, season: Option<&str>, markdown: bool) -> anyhow::Result<()> {
    let home = super::existing_home(g)?;
    let evals = eval::evaluate(&home, season)?;
    if g.json {
        println!("{}", serde_json::to_string_pretty(&evals)?);
        return Ok(());
    }
    if markdown {
        print!("{}", eval::markdown(&evals));
        return Ok(());
    }
    let cols = output::cols(&[
        "season",
        "system",
        "set",
        "n",
        "MAE",
        "RMSE",
        "bias",
        "line MAE",
        "hit rate edge 3+",
    ]);
    let mut rows = Vec::new();
    for e in &evals {
        for x in &e.systems {
            let hit = x.hit_rates.iter().find(|h| h.min_edge == 3.0);
            rows.push(vec![
                Value::Text(e.season.clone()),
                Value::Text(x.system.clone()),
                Value::Text(x.set.clone()),
                Value::Integer(x.errors.n as i64),
                output::r3(Some(x.errors.mae)),
                output::r3(Some(x.errors.rmse)),
                output::r3(Some(x.errors.bias)),
                output::r3(x.line.as_ref().map(|l| l.mae)),
                hit.map(|h| Value::Text(format!("{:.1} % of {}", h.rate * 100.0, h.n)))
                    .unwrap_or(Value::Null),
            ]);
        }
    }
    output::table(&mut std::io::stdout().lock(), &cols, &rows)?;
    Ok(())
}
