//! One module per command.

pub mod check_receiver;
pub mod diff;
pub mod examples;
pub mod listen;
pub mod send;
pub mod sign;
pub mod spec;
pub mod validate;
pub mod verify;
