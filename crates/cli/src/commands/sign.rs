//! The `sign` command.

use crate::exit::Exit;

/// Arguments of `sign`.
#[derive(Debug, clap::Args)]
pub struct Args {}

/// Runs `sign`.
pub fn run(_args: Args) -> anyhow::Result<Exit> {
    anyhow::bail!("`sign` is not available in this build")
}
