//! The `spec` command.

use crate::exit::Exit;

/// Arguments of `spec`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `spec`.
pub fn run(_args: Args) -> anyhow::Result<Exit> {
    anyhow::bail!("`spec` is not available in this build")
}
