//! The `validate` command.

use crate::exit::Exit;

/// Arguments of `validate`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `validate`.
pub fn run(_args: Args) -> anyhow::Result<Exit> {
    anyhow::bail!("`validate` is not available in this build")
}
