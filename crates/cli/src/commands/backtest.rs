//! `propcast backtest`: walk-forward evaluation of gbm.

use crate::args::{BacktestArgs, Global};
use crate::output;
use propcast_pipeline::{backtest, parse_date, GbmParams, TrainWindow};
use propcast_store::{Value, Warehouse};

fn days(s: &str, what: &str) -> anyhow::Result<i64> {
    s.strip_suffix('d')
        .and_then(|n| n.parse::<i64>().ok())
        .filter(|n| *n > 0)
        .ok_or_else(|| anyhow::anyhow!("{what} takes a number of days like 7d, not {s:?}"))
}

pub fn run(g: &Global, a: &BacktestArgs) -> anyhow::Result<()> {
    let home = super::existing_home(g)?;
    let wh = Warehouse::open(&home.warehouse())?;
    let (from, to) = (parse_date(&a.from)?, parse_date(&a.to)?);
    let every = days(&a.retrain_every, "--retrain-every")?;
    let window = if a.window == "expanding" {
        TrainWindow::Expanding
    } else {
        TrainWindow::Days(days(&a.window, "--window")?)
    };
    let b = backtest(&wh, from, to, every, window, &GbmParams::default())?;
    if g.json {
        println!("{}", serde_json::to_string_pretty(&b)?);
        return Ok(());
    }
    let cols = output::cols(&[
        "from",
        "to",
        "train rows",
        "n",
        "gbm MAE",
        "moving average MAE",
        "dropped",
        "train s",
    ]);
    let rows: Vec<Vec<Value>> = b
        .periods
        .iter()
        .map(|p| {
            vec![
                Value::Text(p.from.clone()),
                Value::Text(p.to.clone()),
                Value::Integer(p.train_rows as i64),
                Value::Integer(p.n as i64),
                output::r3(Some(p.mae)),
                output::r3(p.baseline_mae),
                Value::Integer(p.dropped as i64),
                output::r3(Some(p.train_seconds)),
            ]
        })
        .collect();
    output::table(&mut std::io::stdout().lock(), &cols, &rows)?;
    println!(
        "{} rows, gbm MAE {:.3}; on the {} rows the moving average also predicted: gbm {:.3}, moving average {:.3}; {:.1} s",
        b.n, b.mae, b.paired.0, b.paired.1, b.paired.2, b.seconds
    );
    Ok(())
}
