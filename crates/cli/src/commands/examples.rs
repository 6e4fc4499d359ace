//! The `examples` command: prints the example events of the embedded
//! document as NDJSON, ready to pipe into `validate -` or `send`.

use std::io::Write as _;

use anyhow::Context as _;
use whereby_webhooks_conformance::{Options, Validator};

use crate::exit::Exit;
use whereby_webhooks_conformance::escape::terminal_safe;

/// Arguments of `examples`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print only the examples of this event type (for example `room.client.joined`)
    #[arg(value_name = "TYPE")]
    event_type: Option<String>,
}

/// Runs `examples`.
pub fn run(args: Args) -> anyhow::Result<Exit> {
    let validator =
        Validator::embedded(Options::default()).context("cannot load the embedded spec")?;
    if let Some(wanted) = &args.event_type
        && !validator.event_types().any(|known| known == wanted)
    {
        let known: Vec<&str> = validator.event_types().collect();
        eprintln!(
            "error: unknown event type `{}`; choose one of: {}",
            terminal_safe(wanted),
            known.join(", ")
        );
        return Ok(Exit::Usage);
    }
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    for (event_type, _name, value) in validator.examples() {
        if args
            .event_type
            .as_ref()
            .is_none_or(|wanted| *wanted == event_type)
        {
            serde_json::to_writer(&mut stdout, &value)?;
            stdout.write_all(b"\n")?;
        }
    }
    stdout.flush()?;
    Ok(Exit::Success)
}
