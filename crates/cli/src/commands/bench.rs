//! `propcast bench`: whole-pipeline timings (a benchmark, never a test).

use crate::args::Global;
use crate::output;
use propcast_store::Value;
use std::path::Path;

pub fn run(g: &Global, data: &Path, workers: usize) -> anyhow::Result<()> {
    eprintln!(
        "Benchmarking with {workers} worker(s) in a scratch home under {} ...",
        std::env::temp_dir().display()
    );
    let m = propcast_pipeline::bench(data, &std::env::temp_dir(), workers)?;
    if g.json {
        println!("{}", serde_json::to_string_pretty(&m)?);
        return Ok(());
    }
    let cols: Vec<String> =
        ["phase", "wall s", "CPU s", "peak RSS MiB", "partitions", "partitions/s", "raw partitions"]
            .iter()
            .map(|s| s.to_string())
            .collect();
    let r2 = |x: f64| Value::Real((x * 100.0).round() / 100.0);
    let rows: Vec<Vec<Value>> = m
        .iter()
        .map(|m| {
            vec![
                Value::Text(m.what.clone()),
                r2(m.wall_s),
                r2(m.cpu_s),
                r2(m.peak_rss_mib),
                Value::Integer(m.partitions as i64),
                r2(m.partitions_per_s),
                Value::Integer(m.raw_partitions as i64),
            ]
        })
        .collect();
    output::table(&mut std::io::stdout().lock(), &cols, &rows)?;
    Ok(())
}
