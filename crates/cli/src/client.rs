//! The HTTP client of `send`, `replay`, `check-receiver` and `listen
//! --forward-to`: blocking ureq.
//!
//! Non-2xx answers are answers, not errors (they are what is being tested),
//! redirects are not followed (a webhook sender does not follow them), and
//! the whole exchange, body included, is bounded by one time-out: an answer
//! whose body does not arrive whole in time, or is cut off by a closed
//! connection, is no answer. Proxies are taken from the usual environment
//! variables, chosen by the URL's scheme as curl chooses (see
//! [`proxy_for`]), except that a loopback target (`localhost`, 127.0.0.0/8,
//! `::1`) is always reached directly: a proxy cannot reach this machine's
//! loopback interface.

use std::borrow::Cow;
use std::io::Read as _;
use std::time::Duration;

use whereby_webhooks_conformance::escape::terminal_safe;

/// The `User-Agent` sent with every request.
pub const USER_AGENT: &str = concat!("whereby-webhooks/", env!("CARGO_PKG_VERSION"));

/// The most of an answer's body that is kept; the rest is not read.
pub const MAX_ANSWER: u64 = 64 * 1024;

/// The longest `--timeout` a command takes, in seconds (a day): far beyond
/// any answer worth waiting for, and a deadline the clock can hold.
pub const MAX_TIMEOUT_SECS: u64 = 86_400;

/// The longest a connection may take to open (TLS and any proxy included),
/// when `--timeout` is longer (see [`connect_within`]): Whereby's whole
/// budget for an answer. A
/// receiver that cannot be connected to in that time loses every delivery,
/// and telling that apart from a slow answer is what lets a command say
/// "cannot reach" rather than "no answer in time".
pub const CONNECT_WITHIN: Duration = Duration::from_secs(5);

/// How long a connection may take to open, for requests of `timeout`:
/// [`CONNECT_WITHIN`], or nine tenths of a shorter `timeout`. Strictly
/// shorter than `timeout`, so that a connection that never opens is told
/// apart from an answer that never comes (the HTTP library reports the
/// whole time-out when both end at once).
pub fn connect_within(timeout: Duration) -> Duration {
    if timeout > CONNECT_WITHIN {
        CONNECT_WITHIN
    } else {
        timeout.mul_f64(0.9)
    }
}

/// Where a command sends: the client, and what goes with every request.
pub struct Target {
    /// The client, with its time-outs and proxy.
    pub agent: ureq::Agent,
    /// The `Authorization` header for the URL's user name and password, if
    /// it has any: each percent-decoded first (`%40` sends `@`), which the
    /// HTTP library does not do.
    pub authorization: Option<String>,
    /// The environment variable whose proxy carries the requests, if any.
    pub proxy: Option<&'static str>,
}

impl Target {
    /// A client for `url` whose requests each take at most `timeout`, from
    /// connecting to reading the answer.
    ///
    /// # Errors
    ///
    /// When the proxy variable that applies does not hold a proxy URL: the
    /// requests would otherwise bypass a proxy that may be required.
    pub fn new(url: &str, timeout: Duration) -> anyhow::Result<Target> {
        let mut config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(timeout))
            .timeout_connect(Some(connect_within(timeout)))
            // A fresh connection for each delivery: a receiver may close an
            // idle one just as the next delivery goes out on it, and a POST
            // that broke that way is not retried, so a correct receiver
            // failed.
            .max_idle_connections(0)
            .max_idle_connections_per_host(0)
            .user_agent(USER_AGENT);
        let chosen = if is_loopback(url) {
            None
        } else {
            proxy_for(url, |name| std::env::var(name).ok())
        };
        let (proxy, name) = match chosen {
            None => (None, None),
            // The value is never quoted: it may hold the proxy's password.
            Some((name, value)) => match ureq::Proxy::new(value.trim()) {
                Ok(proxy) => (Some(proxy), Some(name)),
                Err(_) => anyhow::bail!(
                    "{name} does not hold a proxy URL (http://, https://, socks4://, socks5:// or socks5h://, then the host): fix it, or unset it to connect directly"
                ),
            },
        };
        config = config.proxy(proxy);
        Ok(Target {
            agent: config.build().into(),
            authorization: authorization(url),
            proxy: name,
        })
    }

    /// A POST to `url` (the URL this target was made for), with the
    /// `Authorization` header of its credentials, if it has any.
    pub fn post(&self, url: &str) -> ureq::RequestBuilder<ureq::typestate::WithBody> {
        let request = self.agent.post(url);
        match &self.authorization {
            Some(value) => request.header("authorization", value),
            None => request,
        }
    }

    /// ` (through the proxy in NAME)`, or nothing, for messages.
    pub fn through(&self) -> String {
        self.proxy
            .map(|name| format!(" (through the proxy in {name})"))
            .unwrap_or_default()
    }
}

/// `Basic` credentials for the user name and password in `url`, each
/// percent-decoded, as browsers and curl send them.
fn authorization(url: &str) -> Option<String> {
    use base64::Engine as _;
    use percent_encoding::percent_decode_str;
    let url = url::Url::parse(url).ok()?;
    if url.username().is_empty() && url.password().is_none() {
        return None;
    }
    let mut credentials: Vec<u8> = percent_decode_str(url.username()).collect();
    credentials.push(b':');
    credentials.extend(percent_decode_str(url.password().unwrap_or_default()));
    Some(format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(credentials)
    ))
}

/// The proxy to reach `url` through, from the environment as `env` reads
/// it: the variable named for the URL's scheme (`http_proxy` for http,
/// `https_proxy` for https, lower case first, then upper case), else
/// `all_proxy` (or `ALL_PROXY`), as curl chooses (curl itself does not
/// read `HTTP_PROXY`, which most other tools do); none when `no_proxy` (or
/// `NO_PROXY`) exempts the host (see [`no_proxy_exempts`]), or when the
/// variable is empty. The variable's name and value.
fn proxy_for(url: &str, env: impl Fn(&str) -> Option<String>) -> Option<(&'static str, String)> {
    let url = url::Url::parse(url).ok()?;
    let names: [&'static str; 4] = if url.scheme() == "https" {
        ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]
    } else {
        ["http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"]
    };
    let (name, value) = names.into_iter().find_map(|name| {
        env(name)
            .filter(|value| !value.trim().is_empty())
            .map(|value| (name, value))
    })?;
    let exceptions = env("no_proxy").or_else(|| env("NO_PROXY"));
    if let (Some(exceptions), Some(host)) = (exceptions, url.host_str())
        && no_proxy_exempts(&exceptions, host)
    {
        return None;
    }
    Some((name, value))
}

/// Whether the `NO_PROXY` list `list` exempts `host`, read as curl reads
/// it (hyper-util's matcher, which follows curl): entries separated by
/// commas, spaces around them ignored, case ignored; a name exempts itself
/// and every name under it (`example.com` and `.example.com` both exempt
/// `api.example.com`); an IP address exempts itself, and `address/bits`
/// every address in that range. Besides, as curl: `*` exempts every host,
/// IP addresses included; a final dot on either side is ignored, and so
/// are brackets around an IPv6 entry; and `*.example.com` is read as
/// `.example.com`.
fn no_proxy_exempts(list: &str, host: &str) -> bool {
    let mut entries = Vec::new();
    for entry in list.split(',') {
        let entry = entry.trim();
        if entry == "*" {
            return true;
        }
        let entry = entry.trim_start_matches('[').trim_end_matches(']');
        let entry = entry.strip_prefix('*').unwrap_or(entry);
        entries.push(entry.strip_suffix('.').unwrap_or(entry));
    }
    let host = host.strip_suffix('.').unwrap_or(host);
    let Ok(destination) = format!("http://{host}/").parse::<ureq::http::Uri>() else {
        return false;
    };
    // The matcher is asked about the exemption only: the proxy it would
    // name is a placeholder (the proxy itself is chosen above).
    hyper_util::client::proxy::matcher::Matcher::builder()
        .http("http://proxy.invalid")
        .no(entries.join(","))
        .build()
        .intercept(&destination)
        .is_none()
}

/// Checks that `text` is a URL a webhook can be POSTed to: http or https,
/// with a host. For clap: the error quotes `text` made terminal-safe, its
/// credentials and query values replaced by `***`.
pub fn parse_url(text: &str) -> Result<String, String> {
    let example = "as in http://127.0.0.1:8787/webhooks";
    // Quoted without credentials or query values, which may hold a token.
    let shown = terminal_safe(&redact_argument(text)).into_owned();
    let Some((scheme, rest)) = text.split_once("://") else {
        return Err(format!(
            "`{shown}` has no scheme: write http://{shown} (or https:// for TLS)"
        ));
    };
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return Err(format!(
            "`{}://` is not supported: webhooks are POSTed over http:// or https://, {example}",
            terminal_safe(scheme)
        ));
    }
    let no_host = || format!("`{shown}` has no host: write the receiver's address, {example}");
    // A URL parser following browsers would read `http:///x` as host `x`.
    if rest.is_empty() || rest.starts_with('/') {
        return Err(no_host());
    }
    let no_port = || {
        let hint = if text.contains('@') {
            " (a `#`, `?` or `/` in a password must be written %23, %3F, %2F)"
        } else {
            ""
        };
        format!("`{shown}` has no usable port: a port is a number from 1 to 65535, {example}{hint}")
    };
    let not_a_url = |error: &dyn std::fmt::Display| {
        format!("`{shown}` is not a URL ({error}): write it {example}")
    };
    match url::Url::parse(text) {
        Err(url::ParseError::EmptyHost) => Err(no_host()),
        Err(url::ParseError::InvalidPort) => Err(no_port()),
        Err(error) => Err(not_a_url(&error)),
        Ok(url) if url.port() == Some(0) => Err(no_port()),
        // The HTTP library reads the URL again, more strictly (a space or a
        // backslash, which a browser would correct, it refuses).
        Ok(_) => match text.parse::<ureq::http::Uri>() {
            Ok(_) => Ok(text.to_owned()),
            Err(error) => Err(not_a_url(&error)),
        },
    }
}

/// `text` (a message that may quote URLs) with the user name and password of
/// every URL in it replaced by `***`: from `://` to the last `@` before the
/// end of the quoted value (a space, a quote or a backtick), so that a
/// password holding `#`, `?` or `/` is hidden too; the values of its query
/// parameters are `***` as well, and a fragment is left out.
pub fn redact_credentials(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("://") {
        let (before, after) = rest.split_at(start + 3);
        out.push_str(before);
        let end = after
            .find(|c: char| c.is_whitespace() || matches!(c, '\'' | '"' | '`'))
            .unwrap_or(after.len());
        let value = match after[..end].rfind('@') {
            Some(at) => {
                out.push_str("***");
                &after[at..end]
            }
            None => &after[..end],
        };
        out.push_str(&redact_query(value));
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// A command-line argument that may be a URL, with or without a scheme, as
/// it may be quoted: its credentials and query values replaced by `***`
/// (see [`redact_credentials`]).
pub fn redact_argument(text: &str) -> String {
    redact_query(&redact_credentials(text)).into_owned()
}

/// `text` with the value of every query parameter after its first `?`
/// replaced by `***` (and a parameter without `=` as a whole), up to a
/// `#`, after which nothing is kept.
fn redact_query(text: &str) -> Cow<'_, str> {
    let text = text.split_once('#').map_or(text, |(before, _)| before);
    match text.split_once('?') {
        Some((before, query)) => {
            let parameters: Vec<String> = query
                .split('&')
                .map(|parameter| match parameter.split_once('=') {
                    Some((name, _)) => format!("{name}=***"),
                    None if parameter.is_empty() => String::new(),
                    // A bare `?token` may be the token itself.
                    None => "***".to_owned(),
                })
                .collect();
            Cow::Owned(format!("{before}?{}", parameters.join("&")))
        }
        None => Cow::Borrowed(text),
    }
}

/// `url` as it may be shown or recorded: any user name and password in it
/// (everything up to the last `@` before the query) replaced by `***`, and
/// so is the value of every query parameter (some
/// endpoints take their token there, as in `?token=...`); made
/// terminal-safe. The fragment, never sent, is left out.
pub fn shown(url: &str) -> String {
    let url = url.split_once('#').map_or(url, |(before, _)| before);
    let redacted = match url.split_once("://") {
        Some((scheme, rest)) => {
            // Up to the last `@` before the query, not only before the
            // path: a `/` in a password (`alice:2024/s3cret@host`, which
            // reads as host `alice`, port 2024) must not show the rest.
            let end = rest.find('?').unwrap_or(rest.len());
            match rest[..end].rfind('@') {
                Some(at) => Cow::Owned(format!("{scheme}://***{}", &rest[at..])),
                None => Cow::Borrowed(url),
            }
        }
        None => Cow::Borrowed(url),
    };
    let redacted = redact_query(&redacted);
    terminal_safe(&redacted).into_owned()
}

/// Whether `url`'s host is this machine: `localhost` (with or without a
/// final dot, and its subdomains), 127.0.0.0/8 however it is spelt (the
/// URL parser, like the resolver, also reads `127.1`, `2130706433` and
/// `0x7f.1`), `::1`, an IPv4-mapped loopback address, and the unspecified
/// `0.0.0.0` and `::`, which connect to this machine too.
fn is_loopback(url: &str) -> bool {
    let Ok(url) = url::Url::parse(url) else {
        return false;
    };
    match url.host() {
        Some(url::Host::Domain(name)) => {
            let name = name.strip_suffix('.').unwrap_or(name);
            name.eq_ignore_ascii_case("localhost")
                || name.to_ascii_lowercase().ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback() || ip.is_unspecified(),
        Some(url::Host::Ipv6(ip)) => {
            ip.is_loopback()
                || ip.is_unspecified()
                || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        None => false,
    }
}

/// An answer, read as far as it is kept.
#[derive(Debug)]
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// The `Content-Type` header, when it is text.
    pub content_type: Option<String>,
    /// The body, or its first [`MAX_ANSWER`] bytes.
    pub body: Vec<u8>,
    /// Whether the body was longer than [`MAX_ANSWER`] and is cut there.
    pub cut: bool,
}

/// Reads `response`'s body, up to [`MAX_ANSWER`] bytes. A body that does
/// not arrive (the time-out passes, the connection closes before its end)
/// is an error, as if there had been no answer: the answer was not
/// received whole.
pub fn read_answer(response: ureq::http::Response<ureq::Body>) -> Result<Answer, ureq::Error> {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get(ureq::http::header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let mut body = Vec::new();
    response
        .into_body()
        .into_reader()
        .take(MAX_ANSWER + 1)
        .read_to_end(&mut body)
        .map_err(ureq::Error::from)?;
    let cut = body.len() as u64 > MAX_ANSWER;
    body.truncate(MAX_ANSWER as usize);
    Ok(Answer {
        status,
        content_type,
        body,
        cut,
    })
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

/// Whether the request failed before reaching the receiver: the name does
/// not resolve, nothing listens on the port, the network has no route to
/// it, connecting took longer than [`CONNECT_WITHIN`] (a firewall dropping
/// the packets), the proxy would not tunnel to it, or the TLS handshake
/// failed. Nothing was delivered.
pub fn unreachable(error: &ureq::Error) -> bool {
    use std::io::ErrorKind;
    match error {
        ureq::Error::HostNotFound
        | ureq::Error::ConnectionFailed
        | ureq::Error::ConnectProxyFailed(_)
        | ureq::Error::InvalidProxyUrl
        | ureq::Error::Tls(_)
        | ureq::Error::Rustls(_)
        | ureq::Error::Pem(_)
        | ureq::Error::TlsRequired => true,
        ureq::Error::Timeout(ureq::Timeout::Connect | ureq::Timeout::Resolve) => true,
        ureq::Error::Io(io) => {
            matches!(
                io.kind(),
                ErrorKind::ConnectionRefused
                    | ErrorKind::HostUnreachable
                    | ErrorKind::NetworkUnreachable
                    | ErrorKind::NetworkDown
                    | ErrorKind::AddrNotAvailable
            ) || is_lookup_failure(io)
                || tls_error(io).is_some()
        }
        _ => false,
    }
}

/// Whether `io` is the system resolver's failure to look a name up, which
/// the standard library reports with a kind of its own that cannot be
/// named, and this message.
fn is_lookup_failure(io: &std::io::Error) -> bool {
    io.to_string()
        .starts_with("failed to lookup address information")
}

/// The TLS error inside an I/O error, if it is one: the TLS library reports
/// a failed handshake as an I/O error that carries it.
fn tls_error(io: &std::io::Error) -> Option<&rustls::Error> {
    io.get_ref()?.downcast_ref::<rustls::Error>()
}

/// What to check when a request got no answer, from why it got none.
pub fn hint(error: &ureq::Error) -> &'static str {
    use std::io::ErrorKind;
    match error {
        ureq::Error::Timeout(ureq::Timeout::Connect | ureq::Timeout::Resolve) => {
            return "no connection in time (a TLS handshake included): is the host right, does a firewall let the connection through, and does the receiver serve the URL's scheme?";
        }
        ureq::Error::ConnectProxyFailed(_) => {
            return "the proxy would not carry the request to the receiver: check the proxy variables (http_proxy, https_proxy, all_proxy) and NO_PROXY";
        }
        ureq::Error::HostNotFound => {
            return "the host name does not resolve: is it spelt right?";
        }
        ureq::Error::Io(io) if is_lookup_failure(io) => {
            return "the host name does not resolve: is it spelt right?";
        }
        _ => {}
    }
    if is_timeout(error) {
        return "no answer in time: is the receiver stuck, or is --timeout too short?";
    }
    if let ureq::Error::Io(io) = error
        && let Some(tls) = tls_error(io)
    {
        return match tls {
            rustls::Error::InvalidCertificate(_) => {
                "the receiver's TLS certificate was not accepted: is it for that host, unexpired, and from an authority in the Mozilla root store?"
            }
            // The other end sent something that is not TLS.
            rustls::Error::InvalidMessage(_) | rustls::Error::InappropriateMessage { .. } => {
                "the answer was not TLS: does the receiver serve https on that port, or is the URL's scheme (http or https) wrong?"
            }
            _ => {
                "the TLS handshake failed: does the receiver serve https on that port, with a certificate for that host?"
            }
        };
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
        // What rustls reports when the other end does not speak TLS.
        ureq::Error::Io(io) if io.kind() == ErrorKind::InvalidData => {
            "the answer could not be read: does the receiver serve the URL's scheme (http or https) on that port?"
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
            "the receiver closed the connection without an answer that could be read: did it fail on this request, or refuse the body before reading all of it?"
        }
        _ => "is the receiver running, and is the URL right?",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_targets_are_recognised() {
        for url in [
            "http://127.0.0.1:3000/x",
            "http://127.1.2.3/",
            "http://[::1]:8080/",
            "http://LOCALHOST:1/",
            "http://localhost.:9/",
            "http://app.localhost/",
            "http://127.1:9/",
            "http://2130706433/",
            "http://0x7f.1/",
            "http://0177.0.0.1/",
            "http://[::ffff:127.0.0.1]:9/",
            "http://0.0.0.0:9/",
            "http://[::]:9/",
        ] {
            assert!(is_loopback(url), "{url}");
        }
        for url in [
            "http://10.0.0.1/",
            "https://example.com/",
            "http://[::2]/",
            "http://128.1/",
            "http://10.1/",
            "http://127.example.com/",
            "http://[::ffff:10.0.0.1]/",
            "nonsense",
        ] {
            assert!(!is_loopback(url), "{url}");
        }
    }

    #[test]
    fn urls_need_an_http_scheme_and_a_host() {
        for url in [
            "http://127.0.0.1:3000/x",
            "HTTPS://example.com",
            "http://[::1]:8080/",
            "http://u:p@h/",
        ] {
            assert_eq!(parse_url(url).as_deref(), Ok(url), "{url}");
        }
        for (url, why) in [
            ("127.0.0.1:3000/x", "has no scheme"),
            ("ftp://h/", "is not supported"),
            ("http://", "has no host"),
            ("http:///x", "has no host"),
            ("http://:80/x", "has no host"),
            ("http://u@:80/", "has no host"),
            ("http://[::1", "is not a URL"),
            ("http://a\u{1b}b/", "is not a URL"),
            ("http://127.0.0.1:99999/x", "no usable port"),
            ("http://127.0.0.1:0/x", "no usable port"),
            ("http://127.0.0.1:abc/x", "no usable port"),
            ("http://[::1]:65536/", "no usable port"),
            ("http://alice:pa#ss@127.0.0.1:1/x", "no usable port"),
            // What a browser would correct, the HTTP library refuses.
            ("http://h/a b", "is not a URL"),
            ("http://h\\x/", "is not a URL"),
        ] {
            let error = parse_url(url).expect_err(url);
            assert!(error.contains(why), "{url}: {error}");
            assert!(!error.contains('\u{1b}'), "{url}: {error}");
        }
    }

    #[test]
    fn credentials_are_redacted_from_messages() {
        assert_eq!(
            redact_credentials(
                "error: invalid value 'http://alice:pa#ss@127.0.0.1:1/x' for '<URL>': `http://u:p@h/` and http://host/p@q"
            ),
            "error: invalid value 'http://***@127.0.0.1:1/x' for '<URL>': `http://***@h/` and http://***@q"
        );
        assert_eq!(redact_credentials("no url here"), "no url here");
        assert_eq!(
            redact_credentials(
                "error: `http://127.0.0.1:99999/x?token=SEKRIT&a=b#frag` has no usable port"
            ),
            "error: `http://127.0.0.1:99999/x?token=***&a=***` has no usable port"
        );
        let refused = parse_url("http://127.0.0.1:0/x?token=SEKRIT").expect_err("port 0");
        assert!(
            refused.contains("?token=***") && !refused.contains("SEKRIT"),
            "{refused}"
        );
        let refused = parse_url("127.0.0.1/x?token=SEKRIT").expect_err("no scheme");
        assert!(!refused.contains("SEKRIT"), "{refused}");
    }

    #[test]
    fn credentials_in_a_url_are_never_shown() {
        for (url, expected) in [
            (
                "http://app:S3cret@127.0.0.1:3000/x",
                "http://***@127.0.0.1:3000/x",
            ),
            ("https://TOKEN@example.com", "https://***@example.com"),
            ("http://a:b@c@host/p?q=x@y", "http://***@host/p?q=***"),
            // A `/` in a password: the rest of it is in the path.
            (
                "http://alice:2024/s3cret@127.0.0.1:18001/x",
                "http://***@127.0.0.1:18001/x",
            ),
            ("http://host/p@q", "http://***@q"),
            ("http://host?x=a@b", "http://host?x=***"),
            // A token in the query is a credential too.
            (
                "https://h/hook?token=S3cret&mode=a&&flag#frag",
                "https://h/hook?token=***&mode=***&&***",
            ),
            ("https://h/hook?S3cret", "https://h/hook?***"),
            ("https://h/hook?", "https://h/hook?"),
            ("https://h/hook#S3cret", "https://h/hook"),
            // Made terminal-safe as well.
            (
                "http://u:p@h\u{1b}[2J/\u{7}",
                "http://***@h\\u{1b}[2J/\\u{7}",
            ),
            ("http://h/\\", "http://h/\\\\"),
        ] {
            assert_eq!(shown(url), expected, "{url}");
        }
    }

    #[test]
    fn hints_follow_the_failure() {
        let reset = ureq::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionReset));
        assert!(hint(&reset).contains("closed the connection"));
        let refused = ureq::Error::Io(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        assert!(hint(&refused).contains("is the receiver running"));
        assert!(hint(&ureq::Error::HostNotFound).contains("does not resolve"));
        let proxy = ureq::Error::ConnectProxyFailed("403".to_owned());
        assert!(hint(&proxy).contains("the proxy would not carry"));
        assert!(hint(&ureq::Error::LargeResponseHeader(1, 2)).contains("not in HTTP/1.1"));
        assert!(hint(&ureq::Error::TlsRequired).contains("TLS handshake failed"));
        let timed_out = ureq::Error::Io(std::io::Error::from(std::io::ErrorKind::TimedOut));
        assert!(is_timeout(&timed_out));
        assert!(hint(&timed_out).contains("no answer in time"));
        let not_tls = ureq::Error::Io(std::io::Error::from(std::io::ErrorKind::InvalidData));
        assert!(hint(&not_tls).contains("scheme (http or https)"));
        let tls = |error: rustls::Error| {
            ureq::Error::Io(std::io::Error::new(std::io::ErrorKind::InvalidData, error))
        };
        let refused_certificate = tls(rustls::Error::InvalidCertificate(
            rustls::CertificateError::UnknownIssuer,
        ));
        assert!(hint(&refused_certificate).contains("certificate was not accepted"));
        let plain_text = tls(rustls::Error::InvalidMessage(
            rustls::InvalidMessage::InvalidContentType,
        ));
        assert!(hint(&plain_text).contains("the answer was not TLS"));
        let connect = ureq::Error::Timeout(ureq::Timeout::Connect);
        assert!(hint(&connect).contains("no connection in time"));
    }

    #[test]
    fn the_proxy_is_the_one_for_the_url_scheme() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(key, _)| *key == name)
                    .map(|(_, value)| (*value).to_owned())
            }
        };
        let all = env(&[
            ("ALL_PROXY", "http://all:1"),
            ("HTTPS_PROXY", "http://tls:2"),
            ("HTTP_PROXY", "http://plain:3"),
        ]);
        assert_eq!(
            proxy_for("http://app.example/x", all),
            Some(("HTTP_PROXY", "http://plain:3".to_owned()))
        );
        assert_eq!(
            proxy_for("HTTPS://app.example/x", all),
            Some(("HTTPS_PROXY", "http://tls:2".to_owned()))
        );
        // Only a proxy for the other scheme: none for this one.
        let tls_only = env(&[("HTTPS_PROXY", "http://tls:2")]);
        assert_eq!(proxy_for("http://app.example/x", tls_only), None);
        let fallback = env(&[("all_proxy", "socks5://all:1"), ("HTTPS_PROXY", "")]);
        assert_eq!(
            proxy_for("https://app.example/x", fallback),
            Some(("all_proxy", "socks5://all:1".to_owned()))
        );
        let lower_first = env(&[
            ("http_proxy", "http://lower:1"),
            ("HTTP_PROXY", "http://upper:2"),
        ]);
        assert_eq!(
            proxy_for("http://app.example/x", lower_first).map(|(name, _)| name),
            Some("http_proxy")
        );
        let except = env(&[
            ("HTTP_PROXY", "http://plain:3"),
            ("NO_PROXY", "other.example, .internal,app.example"),
        ]);
        assert_eq!(proxy_for("http://app.example/x", except), None);
        assert_eq!(proxy_for("http://a.b.internal:8/x", except), None);
        assert!(proxy_for("http://app.example.org/x", except).is_some());
        let everything = env(&[("HTTP_PROXY", "http://plain:3"), ("no_proxy", "*")]);
        assert_eq!(proxy_for("http://app.example/x", everything), None);
    }

    #[test]
    fn a_connection_gets_less_time_than_the_answer() {
        let second = Duration::from_secs(1);
        assert_eq!(connect_within(second * 10), CONNECT_WITHIN);
        assert_eq!(connect_within(second), Duration::from_millis(900));
        assert!(connect_within(CONNECT_WITHIN) < CONNECT_WITHIN);
    }

    #[test]
    fn no_proxy_is_read_as_curl_reads_it() {
        for (list, host) in [
            ("*", "anything.example"),
            ("other, *", "192.0.2.1"),
            ("*", "[2001:db8::1]"),
            ("example.com", "example.com"),
            ("example.com", "api.example.com"),
            (".example.com", "api.example.com"),
            ("*.example.com", "api.example.com"),
            ("vm.", "vm"),
            ("vm", "vm."),
            ("VM", "vm"),
            (" other , vm ", "vm"),
            ("2001:db8::1", "[2001:db8::1]"),
            ("[2001:db8::1]", "[2001:0db8::1]"),
            ("192.0.2.0/24", "192.0.2.55"),
            ("10.0.0.0/8", "10.1.2.3"),
            ("2001:db8::/32", "[2001:db8:1::5]"),
            ("0.0.0.0/0", "203.0.113.9"),
        ] {
            assert!(
                no_proxy_exempts(list, host),
                "{list:?} should exempt {host}"
            );
        }
        for (list, host) in [
            ("example.com", "notexample.com"),
            ("example.com", "example.com.evil.test"),
            ("10.", "10.1.2.3"),
            ("intra.", "intra.evil.test"),
            ("192.0.2.0/24", "192.0.3.1"),
            ("192.0.2.0/33", "192.0.2.1"),
            ("192.0.2.0/24", "example.com"),
            ("vm:8080", "vm"),
            ("", "vm"),
            (",", "vm"),
        ] {
            assert!(
                !no_proxy_exempts(list, host),
                "{list:?} should not exempt {host}"
            );
        }
    }

    #[test]
    fn credentials_are_sent_percent_decoded() {
        use base64::Engine as _;
        let decoded = |url: &str| {
            let header = authorization(url).expect("credentials");
            let encoded = header.strip_prefix("Basic ").expect("basic");
            String::from_utf8(
                base64::engine::general_purpose::STANDARD
                    .decode(encoded)
                    .expect("base64"),
            )
            .expect("UTF-8")
        };
        assert_eq!(decoded("http://alice:S3cr%40t%23%2F@h/x"), "alice:S3cr@t#/");
        assert_eq!(decoded("http://TOKEN@h/"), "TOKEN:");
        assert_eq!(decoded("http://a%3Ab:@h/"), "a:b:");
        assert_eq!(authorization("http://h/x@y"), None);
    }

    #[test]
    fn failures_before_a_connection_are_told_apart() {
        use std::io::{Error, ErrorKind};
        // What the system resolver gives for a name that cannot resolve.
        let lookup = std::net::ToSocketAddrs::to_socket_addrs(&("receiver.invalid", 80))
            .expect_err("a .invalid name never resolves");
        assert!(
            hint(&ureq::Error::Io(Error::new(
                lookup.kind(),
                lookup.to_string()
            )))
            .contains("does not resolve")
        );
        for error in [
            ureq::Error::Io(Error::from(ErrorKind::ConnectionRefused)),
            ureq::Error::Io(Error::from(ErrorKind::NetworkUnreachable)),
            ureq::Error::Io(lookup),
            ureq::Error::HostNotFound,
            ureq::Error::Timeout(ureq::Timeout::Connect),
            ureq::Error::ConnectProxyFailed("403".to_owned()),
            ureq::Error::Io(Error::new(
                ErrorKind::InvalidData,
                rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
            )),
        ] {
            assert!(unreachable(&error), "{error}");
        }
        for error in [
            ureq::Error::Io(Error::from(ErrorKind::ConnectionReset)),
            ureq::Error::Io(Error::from(ErrorKind::TimedOut)),
            ureq::Error::Timeout(ureq::Timeout::Global),
            ureq::Error::Timeout(ureq::Timeout::RecvResponse),
        ] {
            assert!(!unreachable(&error), "{error}");
        }
    }
}
