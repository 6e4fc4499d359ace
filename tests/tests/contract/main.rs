//! Tests of the published contract: the generated files under `spec/` agree
//! with the model, the examples validate, each event schema accepts only its
//! own event, and the review keeps the seed review's shape.

mod citations;
mod common;
mod examples;
mod lists;
mod openapi;
mod presence;
mod properties;
mod provenance;
mod real;
mod review;
