//! The `listen` command.

use crate::exit::Exit;

/// Arguments of `listen`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `listen`.
pub fn run(_args: Args) -> anyhow::Result<Exit> {
    anyhow::bail!("`listen` is not available in this build")
}
