//! Writes the benchmark corpus as NDJSON, for timing the command-line tool
//! against other validators on the same events.
//!
//! `cargo run --release -p whereby-webhooks-conformance --example gen_corpus -- OUT.ndjson [COUNT] [SEED]`

use std::io::Write as _;

use whereby_webhooks_conformance::{Options, Validator};

#[path = "../benches/corpus.rs"]
mod corpus;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = args
        .next()
        .ok_or("usage: gen_corpus OUT.ndjson [COUNT] [SEED]")?;
    let count: usize = args.next().map_or(Ok(100_000), |n| n.parse())?;
    let seed: u64 = args.next().map_or(Ok(0x5eed_2026), |n| n.parse())?;
    let validator = Validator::embedded(Options::default())?;
    let mut file = std::io::BufWriter::new(std::fs::File::create(&out)?);
    let mut bytes = 0;
    for event in corpus::generate(&validator.examples(), count, seed) {
        bytes += event.len() + 1;
        file.write_all(&event)?;
        file.write_all(b"\n")?;
    }
    file.flush()?;
    eprintln!("wrote {count} events ({bytes} bytes) to {out}");
    Ok(())
}
