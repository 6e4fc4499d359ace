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

/// The longest `--timeout` a command takes, in seconds (a day): far beyond
/// any answer worth waiting for, and a deadline the clock can hold.
pub const MAX_TIMEOUT_SECS: u64 = 86_400;

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

/// What to check when a request got no answer, from why it got none.
pub fn hint(error: &ureq::Error) -> &'static str {
    use std::io::ErrorKind;
    if is_timeout(error) {
        return "no answer in time: is the receiver stuck, or is --timeout too short?";
    }
    match error {
        ureq::Error::Protocol(_)
        | ureq::Error::Http(_)
        | ureq::Error::LargeResponseHeader(..)
        | ureq::Error::BodyExceedsLimit(_) => {
            "something answered, but not in HTTP/1.1 that can be read: is the URL that of the receiver, with the scheme (http or https) it serves?"
        }
        ureq::Error::Tls(_)
        | ureq::Error::Rustls(_)
        | ureq::Error::Pem(_)
        | ureq::Error::TlsRequired => {
            "the TLS handshake failed: does the receiver serve https on that port, with a certificate for that host?"
        }
        ureq::Error::Io(io)
            if matches!(
                io.kind(),
                ErrorKind::ConnectionReset
                    | ErrorKind::ConnectionAborted
                    | ErrorKind::UnexpectedEof
                    | ErrorKind::BrokenPipe
            ) =>
        {
            "the receiver closed the connection without answering: did it fail on this request?"
        }
        _ => "is the receiver running, and is the URL right?",
    }
}

#[cfg(test)]
mod tests {
    use super::hint;

    #[test]
    fn hints_follow_the_failure() {
        let reset = ureq::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionReset));
        assert!(hint(&reset).contains("closed the connection"));
        let refused = ureq::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        assert!(hint(&refused).contains("is the receiver running"));
        assert!(hint(&ureq::Error::HostNotFound).contains("is the URL right"));
        assert!(hint(&ureq::Error::LargeResponseHeader(1, 2)).contains("not in HTTP/1.1"));
    }
}
