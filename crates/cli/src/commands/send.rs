//! The `send` command.

use crate::exit::Exit;

/// Arguments of `send`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `send`.
pub fn run(_args: Args) -> anyhow::Result<Exit> {
    anyhow::bail!("`send` is not available in this build")
}
