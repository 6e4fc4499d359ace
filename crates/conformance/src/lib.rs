//! Validation of webhook payloads against the OpenAPI document (not yet written).
