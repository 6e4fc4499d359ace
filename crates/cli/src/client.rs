//! The HTTP client of `send` and `listen --forward-to`: blocking ureq.
//!
//! Non-2xx answers are answers, not errors (they are what is being tested),
//! redirects are not followed (a webhook sender does not follow them), and
//! the whole exchange is bounded by one time-out. Proxies are taken from the
//! usual `HTTP_PROXY`/`HTTPS_PROXY`/`NO_PROXY` environment variables.

use std::time::Duration;

/// The `User-Agent` sent with every request.
pub const USER_AGENT: &str = concat!("whereby-webhooks/", env!("CARGO_PKG_VERSION"));

/// The most of an answer's body that is read.
pub const MAX_ANSWER: u64 = 64 * 1024;

/// A client whose requests each take at most `timeout`, from connecting to
/// reading the answer.
pub fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(timeout))
        .user_agent(USER_AGENT)
        .build()
        .into()
}

/// Whether a ureq error is a time-out.
pub fn is_timeout(error: &ureq::Error) -> bool {
    match error {
        ureq::Error::Timeout(_) => true,
        ureq::Error::Io(io) => matches!(
            io.kind(),
            std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
        ),
        _ => false,
    }
}
