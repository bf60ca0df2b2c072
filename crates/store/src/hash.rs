//! Canonical content hashes of rows: the same values always give the same hash.
//!
//! The hash is XXH3-128, not a cryptographic digest: it fingerprints content the pipeline
//! wrote itself, to tell changed partitions from unchanged ones, where nobody forges
//! collisions and 128 bits make an accidental one negligible. It hashes about ten times
//! faster than the SHA-256 it replaced (which cost 2-3 % of a full backfill's CPU;
//! docs/decisions.md, session 8). Source files keep a real SHA-256 (`ingest_files.sha256`).

use rusqlite::types::Value;
use xxhash_rust::xxh3::{xxh3_128, Xxh3};

/// Feeds rows into an XXH3-128 in a canonical, type-tagged encoding.
#[derive(Default, Clone)]
pub struct RowHasher {
    state: Xxh3,
    /// One row's encoding, fed to the digest in one call (a call per value cost more than
    /// the hashing itself on wide rows).
    buf: Vec<u8>,
}

impl RowHasher {
    /// A new hasher.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one row.
    pub fn row(&mut self, row: &[Value]) {
        encode(&mut self.buf, row);
        self.state.update(&self.buf);
    }

    /// Adds raw bytes (a file's content, a nested hash).
    pub fn bytes(&mut self, b: &[u8]) {
        self.state.update(&(b.len() as u64).to_le_bytes());
        self.state.update(b);
    }

    /// The hex digest (32 characters).
    pub fn finish(self) -> String {
        hex(&self.state.digest128().to_be_bytes())
    }
}

/// Writes `row`'s canonical, type-tagged encoding into `b` (cleared first).
fn encode(b: &mut Vec<u8>, row: &[Value]) {
    // Sized first, then written in place: a push per tag and an extend per word cost more
    // than the hashing itself (each checks and may grow the vector).
    let len = 1 + row
        .iter()
        .map(|v| match v {
            Value::Null => 1,
            Value::Integer(_) | Value::Real(_) => 9,
            Value::Text(s) => 9 + s.len(),
            Value::Blob(x) => 9 + x.len(),
        })
        .sum::<usize>();
    b.clear();
    b.resize(len, 0);
    let mut at = 0;
    fn word(b: &mut [u8], at: &mut usize, tag: u8, w: u64) {
        b[*at] = tag;
        b[*at + 1..*at + 9].copy_from_slice(&w.to_le_bytes());
        *at += 9;
    }
    for v in row {
        match v {
            Value::Null => {
                b[at] = 0;
                at += 1;
            }
            Value::Integer(i) => word(b, &mut at, 1, *i as u64),
            Value::Real(f) => word(b, &mut at, 2, f.to_bits()),
            Value::Text(s) => {
                word(b, &mut at, 3, s.len() as u64);
                b[at..at + s.len()].copy_from_slice(s.as_bytes());
                at += s.len();
            }
            Value::Blob(x) => {
                word(b, &mut at, 4, x.len() as u64);
                b[at..at + x.len()].copy_from_slice(x);
                at += x.len();
            }
        }
    }
    b[at] = 0xff;
}

/// Puts one partition's rows in their canonical order and returns the partition's content
/// hash: the same rows, in whatever order they came, always give the same order and hash.
///
/// Each row is hashed alone (XXH3-128 of its [`RowHasher`] encoding); the partition's hash
/// is XXH3-128 of the wrapping sum of its rows' hashes and the row count, a multiset hash
/// that needs no order. The canonical order is by the values at `key` (the table's primary
/// key: SQLite then appends to its index instead of inserting into the middle of a page),
/// then by the rows' hashes (so that it is total whatever the key). It replaced a sort by
/// every value, column by column, which cost more than the hashing (docs/decisions.md,
/// session 12). An empty partition has the empty stream's hash, `RowHasher::new().finish()`.
pub fn canonical(rows: &mut Vec<Vec<Value>>, key: &[usize]) -> String {
    if rows.is_empty() {
        return RowHasher::new().finish();
    }
    let mut buf = Vec::new();
    let mut sum = 0u128;
    let mut keyed: Vec<(u128, Vec<Value>)> = std::mem::take(rows)
        .into_iter()
        .map(|r| {
            encode(&mut buf, &r);
            let h = xxh3_128(&buf);
            sum = sum.wrapping_add(h);
            (h, r)
        })
        .collect();
    // Rows equal in key and hash are equal rows: their order cannot be told.
    keyed.sort_unstable_by(|(ha, a), (hb, b)| {
        key.iter()
            .map(|&i| match (a.get(i), b.get(i)) {
                (Some(x), Some(y)) => cmp_value(x, y),
                (x, y) => x.is_some().cmp(&y.is_some()),
            })
            .find(|o| o.is_ne())
            .unwrap_or_else(|| ha.cmp(hb))
    });
    let n = keyed.len() as u64;
    rows.extend(keyed.into_iter().map(|(_, r)| r));
    let mut total = [0u8; 24];
    total[..16].copy_from_slice(&sum.to_le_bytes());
    total[16..].copy_from_slice(&n.to_le_bytes());
    hex(&xxh3_128(&total).to_be_bytes())
}

/// The hash of one row alone.
pub fn hash_row(row: &[Value]) -> String {
    let mut h = RowHasher::new();
    h.row(row);
    h.finish()
}

/// Total order on values: NULL < numbers < text < blobs; numbers by value.
pub fn cmp_value(a: &Value, b: &Value) -> std::cmp::Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Integer(_) | Value::Real(_) => 1,
            Value::Text(_) => 2,
            Value::Blob(_) => 3,
        }
    }
    match (a, b) {
        (Value::Integer(x), Value::Integer(y)) => x.cmp(y),
        (Value::Integer(x), Value::Real(y)) => (*x as f64).total_cmp(y),
        (Value::Real(x), Value::Integer(y)) => x.total_cmp(&(*y as f64)),
        (Value::Real(x), Value::Real(y)) => x.total_cmp(y),
        (Value::Text(x), Value::Text(y)) => x.cmp(y),
        (Value::Blob(x), Value::Blob(y)) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// Lexicographic order on rows by [`cmp_value`]: the canonical order rows are hashed in.
pub fn cmp_row(a: &[Value], b: &[Value]) -> std::cmp::Ordering {
    a.iter().zip(b).map(|(x, y)| cmp_value(x, y)).find(|o| o.is_ne()).unwrap_or(std::cmp::Ordering::Equal)
}

fn hex(b: &[u8]) -> String {
    const D: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        s.push(D[(x >> 4) as usize] as char);
        s.push(D[(x & 15) as usize] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_and_ordered() {
        let a = hash_row(&[Value::Integer(1), Value::Text("x".into())]);
        let b = hash_row(&[Value::Real(1.0), Value::Text("x".into())]);
        let c = hash_row(&[Value::Text("x".into()), Value::Integer(1)]);
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_eq!(a, hash_row(&[Value::Integer(1), Value::Text("x".into())]));
        assert_eq!(a.len(), 32);
    }

    #[test]
    fn canonical_order_and_hash_ignore_the_order_rows_came_in() {
        let row = |i: i64, t: &str| vec![Value::Integer(i), Value::Text(t.into()), Value::Null];
        let mut a = vec![row(1, "a"), row(2, "b"), row(3, "c"), row(2, "b")];
        let mut b = vec![row(2, "b"), row(3, "c"), row(2, "b"), row(1, "a")];
        let (ha, hb) = (canonical(&mut a, &[]), canonical(&mut b, &[]));
        assert_eq!(ha, hb);
        assert_eq!(a, b);
        // By key first: the integers ascend, whatever order the rows came in.
        let mut k = b.clone();
        assert_eq!(canonical(&mut k, &[0]), ha);
        let ints: Vec<&Value> = k.iter().map(|r| &r[0]).collect();
        assert_eq!(ints, [&Value::Integer(1), &Value::Integer(2), &Value::Integer(2), &Value::Integer(3)]);
        // A changed value, a missing duplicate, a real for an integer: each changes the hash.
        let mut c = vec![row(1, "a"), row(2, "b"), row(3, "d"), row(2, "b")];
        let mut d = vec![row(1, "a"), row(2, "b"), row(3, "c")];
        let mut e = vec![
            row(1, "a"),
            row(2, "b"),
            row(3, "c"),
            vec![Value::Real(2.0), "b".to_string().into(), Value::Null],
        ];
        for other in [&mut c, &mut d, &mut e] {
            assert_ne!(canonical(other, &[]), ha);
        }
        assert_eq!(canonical(&mut vec![], &[0]), RowHasher::new().finish());
    }

    #[test]
    fn the_partition_hash_is_fixed() {
        // Stored partition hashes (the ledger's, the ingest's) stay valid across releases
        // only while this holds.
        let mut rows = vec![vec![Value::Integer(1), Value::Text("x".into())], vec![Value::Null]];
        assert_eq!(canonical(&mut rows, &[1]), "a6aa8ba2e0f3f0b903da849e3630f094");
    }

    #[test]
    fn the_encoding_is_fixed() {
        // XXH3-128 of 01 | 1 as i64 LE | 03 | 1 as u64 LE | "x" | ff: stored content hashes
        // stay valid across releases only while this holds.
        let mut encoded = vec![1u8];
        encoded.extend_from_slice(&1i64.to_le_bytes());
        encoded.push(3);
        encoded.extend_from_slice(&1u64.to_le_bytes());
        encoded.extend_from_slice(b"x\xff");
        let want = format!("{:032x}", xxhash_rust::xxh3::xxh3_128(&encoded));
        assert_eq!(hash_row(&[Value::Integer(1), Value::Text("x".into())]), want);
        assert_eq!(want, "321703800ddf26fb229fd977d9f3ea89");
    }
}
