//! A run killed at any instant (SIGKILL) resumes: nothing that succeeded is recomputed, and
//! the final warehouse equals an uninterrupted run's, table by table.

use super::propcast_cmd;
use propcast_store::{Value, Warehouse};
use std::path::Path;
use std::time::Duration;

/// Content hashes of every table except the run bookkeeping (run ids, times).
fn fingerprint(home: &Path) -> Vec<(String, String)> {
    let wh = Warehouse::open(&home.join("warehouse.sqlite")).unwrap();
    propcast_core::schema::ALL_TABLES
        .iter()
        .filter(|t| !matches!(t.name, "runs" | "partition_runs" | "check_results" | "ingest_files" | "asset_partitions"))
        .map(|t| (t.name.to_string(), wh.table_hash(t.name).unwrap()))
        .chain(std::iter::once((
            "ledger".to_string(),
            {
                let r = wh
                    .query(
                        "select asset, partition, status, fingerprint, content_hash from asset_partitions order by 1, 2",
                        &[],
                    )
                    .unwrap();
                format!("{:?}", r.rows)
            },
        )))
        .collect()
}

fn ok_partitions(home: &Path) -> i64 {
    let p = home.join("warehouse.sqlite");
    if !p.exists() {
        return 0;
    }
    let wh = Warehouse::open(&p).unwrap();
    match wh
        .query("select count(*) from asset_partitions where status in ('ok', 'skipped')", &[])
        .unwrap()
        .rows[0][0]
    {
        Value::Integer(n) => n,
        _ => 0,
    }
}

#[test]
fn killed_runs_resume_to_the_same_warehouse() {
    let data = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/nba");
    propcast_pipeline::copy_dataset_before(&src, data.path(), "2018-02-15").unwrap();
    let d = data.path().display().to_string();

    let clean = tempfile::tempdir().unwrap();
    let o = propcast_cmd(clean.path(), &["-q", "--json", "up", "--data", &d]).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let total: u64 =
        v["backfill"]["assets"].as_array().unwrap().iter().map(|a| a["partitions"].as_u64().unwrap()).sum();
    let expected = fingerprint(clean.path());

    let mut resumed_something = false;
    for delay_ms in [150u64, 500, 1000, 1600, 2400] {
        let home = tempfile::tempdir().unwrap();
        let mut child = propcast_cmd(home.path(), &["-q", "up", "--data", &d])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let done_before = ok_partitions(home.path());
        let o = propcast_cmd(home.path(), &["-q", "--json", "up", "--data", &d]).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let computed: u64 = v["backfill"]["assets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["computed"].as_u64().unwrap() + a["skipped"].as_u64().unwrap())
            .sum();
        assert_eq!(
            computed + done_before as u64,
            total,
            "killed after {delay_ms} ms: something done was redone"
        );
        resumed_something |= done_before > 0 && (done_before as u64) < total;
        assert_eq!(fingerprint(home.path()), expected, "killed after {delay_ms} ms");
    }
    assert!(resumed_something, "no kill landed mid-backfill: the test proved nothing");
}
