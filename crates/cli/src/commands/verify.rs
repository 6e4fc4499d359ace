//! The `verify` command.

use crate::exit::Exit;

/// Arguments of `verify`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `verify`.
pub fn run(_args: Args) -> anyhow::Result<Exit> {
    anyhow::bail!("`verify` is not available in this build")
}
