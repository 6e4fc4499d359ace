//! Tests of the conformance crate against the embedded document, the sample
//! corpus in `tests/samples/`, mutations of the spec's own examples and
//! hand-written documents.

mod common;
mod corpus;
mod documents;
mod guards;
mod history;
mod inputs;
mod judged;
mod kinds;
mod mutations;
mod strict;
mod tape;
