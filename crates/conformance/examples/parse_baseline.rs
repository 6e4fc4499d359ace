//! The baseline of `scripts/bench-cli.sh`: one thread reading an NDJSON file
//! and parsing each line with `serde_json::from_slice::<Value>`, nothing
//! else, so that `whereby-webhooks validate` is measured against a bare parse
//! of the same bytes in the same run.
//!
//! `cargo run --release -p whereby-webhooks-conformance --example parse_baseline -- CORPUS.ndjson`

use std::io::Read as _;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: parse_baseline CORPUS.ndjson")?;
    let mut bytes = Vec::new();
    std::fs::File::open(&path)?.read_to_end(&mut bytes)?;
    let mut objects = 0usize;
    for line in bytes.split(|&b| b == b'\n').filter(|line| !line.is_empty()) {
        let value: serde_json::Value = serde_json::from_slice(line)?;
        objects += usize::from(value.is_object());
    }
    println!("{objects} objects parsed");
    Ok(())
}
