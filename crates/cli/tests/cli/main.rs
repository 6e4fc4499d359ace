//! Tests of the `whereby-webhooks` binary, driven as a user runs it.
//!
//! One test binary with a module per command, so the crate links once.

mod as_of;
mod attacks;
mod check_receiver;
mod diff;
mod first_use;
mod hardening;
mod help;
mod hostile_receivers;
mod load;
mod profiles;
mod progress;
mod send_listen;
mod sign_verify;
mod spec_examples;
mod support;
mod validate;
