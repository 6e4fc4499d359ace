//! Tests of the published contract live in `tests/`; this library is empty.
