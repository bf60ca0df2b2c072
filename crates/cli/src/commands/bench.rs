//! `propcast bench`: whole-pipeline timings (a benchmark, never a test). Each phase runs as
//! its own `propcast up` process, which reports its own CPU time and peak RSS.

use crate::args::Global;
use crate::output;
use anyhow::Context;
use propcast_store::Value;
use std::path::Path;
use std::process::Command;

struct Phase {
    what: String,
    wall_s: f64,
    ingest_s: f64,
    backfill_s: f64,
    /// The ingest plus the backfill of the phase 2-4 assets (raw gates, analytics, features).
    phases_2_4_s: f64,
    cpu_s: f64,
    peak_rss_mib: f64,
    partitions: u64,
}

fn run_up(home: &Path, data: &Path, workers: usize, what: String) -> anyhow::Result<Phase> {
    let t0 = std::time::Instant::now();
    let o = Command::new(std::env::current_exe()?)
        .arg("--home")
        .arg(home)
        .args(["-q", "--json", "up", "--workers", &workers.to_string(), "--data"])
        .arg(data)
        .output()?;
    let wall_s = t0.elapsed().as_secs_f64();
    anyhow::ensure!(o.status.success(), "up failed: {}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).context("parsing up --json")?;
    let f = |k: &str| v[k].as_f64().unwrap_or(0.0);
    Ok(Phase {
        what,
        wall_s,
        ingest_s: f("ingest_seconds"),
        backfill_s: f("backfill_seconds"),
        phases_2_4_s: f("ingest_seconds")
            + v["backfill"]["assets"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter(|x| x["phase"].as_u64().is_some_and(|p| p <= 4))
                        .filter_map(|x| x["seconds"].as_f64())
                        .sum::<f64>()
                })
                .unwrap_or(0.0),
        cpu_s: v["process"]["cpu_seconds"].as_f64().unwrap_or(0.0),
        peak_rss_mib: v["process"]["peak_rss_mib"].as_f64().unwrap_or(0.0),
        partitions: v["backfill"]["assets"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|x| x["computed"].as_u64().unwrap_or(0) + x["skipped"].as_u64().unwrap_or(0))
                    .sum()
            })
            .unwrap_or(0),
    })
}

pub fn run(g: &Global, data: &Path, workers: usize) -> anyhow::Result<()> {
    let root = std::env::temp_dir().join(format!("propcast-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    eprintln!("Benchmarking with {workers} worker(s) in {} ...", root.display());
    let result = (|| -> anyhow::Result<(Vec<Phase>, f64)> {
        let last = propcast_pipeline::last_date(data)?;
        let partial = root.join("data-without-last-date");
        propcast_pipeline::copy_dataset_before(data, &partial, &last)?;
        let home = root.join("home");
        let full = run_up(&home, &partial, workers, format!("full: empty home, every date before {last}"))?;
        let floor = propcast_pipeline::write_floor(
            &home.join("warehouse.sqlite"),
            &root.join("floor/warehouse.sqlite"),
        )?;
        Ok((
            vec![
                full,
                run_up(&home, data, workers, format!("incremental: one new date ({last})"))?,
                run_up(&home, data, workers, "no-op: nothing changed".into())?,
            ],
            floor,
        ))
    })();
    let _ = std::fs::remove_dir_all(&root);
    let (phases, floor) = result?;
    if g.json {
        let v: Vec<_> = phases
            .iter()
            .map(|p| {
                serde_json::json!({
                    "phase": p.what, "wall_s": p.wall_s, "ingest_s": p.ingest_s, "backfill_s": p.backfill_s,
                    "phases_2_4_s": p.phases_2_4_s,
                    "cpu_s": p.cpu_s, "peak_rss_mib": p.peak_rss_mib, "partitions": p.partitions,
                    "partitions_per_s": p.partitions as f64 / p.backfill_s.max(1e-9),
                })
            })
            .collect();
        let out = serde_json::json!({"phases": v, "write_floor_s": floor});
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    let cols: Vec<String> = output::cols(&[
        "phase",
        "wall s",
        "ingest s",
        "backfill s",
        "phases 2-4 s",
        "CPU s",
        "peak RSS MiB",
        "partitions",
        "partitions/s",
    ]);
    let r2 = |x: f64| Value::Real((x * 100.0).round() / 100.0);
    let rows: Vec<Vec<Value>> = phases
        .iter()
        .map(|p| {
            vec![
                Value::Text(p.what.clone()),
                r2(p.wall_s),
                r2(p.ingest_s),
                r2(p.backfill_s),
                r2(p.phases_2_4_s),
                r2(p.cpu_s),
                r2(p.peak_rss_mib),
                Value::Integer(p.partitions as i64),
                r2(if p.partitions == 0 { 0.0 } else { p.partitions as f64 / p.backfill_s.max(1e-9) }),
            ]
        })
        .collect();
    output::table(&mut std::io::stdout().lock(), &cols, &rows)?;
    println!(
        "\nwrite floor: {floor:.2} s (SQLite alone writing the full build's phase 2-4 tables into an empty \
         warehouse, one thread; no build of phases 2-4 can be faster)"
    );
    Ok(())
}
