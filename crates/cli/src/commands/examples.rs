//! The `examples` command.

use crate::exit::Exit;

/// Arguments of `examples`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `examples`.
pub fn run(_args: Args) -> anyhow::Result<Exit> {
    anyhow::bail!("`examples` is not available in this build")
}
