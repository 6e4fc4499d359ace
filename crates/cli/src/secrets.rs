//! Where the signing secrets come from, and reading a body to sign or verify.
//!
//! Secrets are looked up in this order, and the first source that is given
//! wins (sources are not merged):
//!
//! 1. `--secret VALUE` and `--secret-file FILE` (both repeatable, and merged
//!    with each other in the order given: all `--secret-file`s, then all
//!    `--secret`s);
//! 2. the environment variable [`SECRET_ENV`].
//!
//! Several secrets exist while an endpoint's secret is being rotated: any of
//! them verifies a signature, and the first one signs. List the current
//! secret first:
//!
//! * in the environment, separated by commas and/or spaces, tabs or
//!   newlines (`WHEREBY_WEBHOOK_SECRET="new,old"` or `"new old"`); other
//!   spaces, such as a no-break space copied with a secret, are part of it;
//! * in a file, one secret per line; a line ends at `\n`, `\r\n` or `\r`,
//!   a byte order mark at the start is dropped, surrounding whitespace is
//!   trimmed, and blank lines and lines starting with `#` are ignored; a
//!   line is one secret, commas and inner spaces included;
//! * on the command line, `--secret new --secret old`.
//!
//! Every secret is at least [`MIN_SECRET_BYTES`] bytes: a shorter one is
//! refused (exit 2, naming where it came from) unless
//! `--allow-short-secret` is given, for a test secret. A value is never cut
//! into short keys: the environment variable's value is split only into
//! secrets of [`MIN_SECRET_BYTES`] bytes or more, even with
//! `--allow-short-secret` (which accepts a short secret given whole). Were
//! `"Str0ng-Pass phrase,x"` split into three secrets, a delivery signed
//! with the one-byte key `x` would be authentic; it is refused instead, and
//! a secret holding a comma or a space is given with `--secret-file`,
//! where the line is taken whole.
//!
//! `--secret` prints a warning: a secret on the command line ends up in the
//! shell history and is visible to every user of the machine through `ps`.
//!
//! No secret is ever printed: [`Secret`]'s `Debug` is redacted, and no error
//! here quotes a secret or the content of a secret file.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use whereby_webhooks_signature::{Scheme, Secret, SecretEncoding};

/// The environment variable holding the signing secrets.
pub const SECRET_ENV: &str = "WHEREBY_WEBHOOK_SECRET";

/// The fewest bytes a signing secret has, unless `--allow-short-secret`
/// is given.
pub const MIN_SECRET_BYTES: usize = 16;

/// Where to take the signing secrets from.
#[derive(Debug, Clone, clap::Args)]
pub struct SecretArgs {
    /// Read signing secrets from FILE, one per line, each taken whole (blank
    /// lines and `#` comments are ignored); repeatable. Without this or
    /// --secret, the secrets come from the WHEREBY_WEBHOOK_SECRET
    /// environment variable (several separated by commas or spaces,
    /// as `new,old` while rotating; list the current one first)
    #[arg(long = "secret-file", value_name = "FILE")]
    pub secret_files: Vec<PathBuf>,

    /// A signing secret; repeatable (`--secret new --secret old` while
    /// rotating). It leaks into the shell history and `ps`: prefer
    /// WHEREBY_WEBHOOK_SECRET or --secret-file
    #[arg(long = "secret", value_name = "SECRET", value_parser = given_secret)]
    pub secrets: Vec<GivenSecret>,

    /// Accept a secret shorter than 16 bytes (a test secret) given whole: with
    /// --secret, on a line of --secret-file, or as all of WHEREBY_WEBHOOK_SECRET.
    /// A list in WHEREBY_WEBHOOK_SECRET is never split into secrets that short
    #[arg(long)]
    pub allow_short_secret: bool,
}

/// A secret given with `--secret`, and its length in bytes. Its `Debug`
/// shows neither.
#[derive(Clone)]
pub struct GivenSecret {
    /// The text given, made a key by the scheme in use (Standard
    /// Webhooks decodes its base64): never shown.
    text: String,
    len: usize,
}

impl std::fmt::Debug for GivenSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GivenSecret(****)")
    }
}

/// Reads `--secret`: refused when empty or blank.
fn given_secret(text: &str) -> Result<GivenSecret, whereby_webhooks_signature::EmptySecret> {
    Secret::new(text)?;
    Ok(GivenSecret {
        text: text.to_owned(),
        len: text.len(),
    })
}

/// What to say after refusing a short secret.
const SHORT_HINT: &str = "copy the endpoint's signing secret whole, or pass --allow-short-secret if a short test secret is meant";

impl SecretArgs {
    /// The secrets to sign or verify with: never empty.
    ///
    /// Warns on stderr when `--secret` was used.
    ///
    /// # Errors
    ///
    /// When no source gives a secret, when a secret file cannot be read or
    /// holds no secret, when the environment variable is not UTF-8, or
    /// when a secret is shorter than [`MIN_SECRET_BYTES`] (and that was
    /// not allowed, or it is a piece of the environment variable's list).
    pub fn resolve(&self) -> anyhow::Result<Vec<Secret>> {
        self.resolve_with(std::env::var_os(SECRET_ENV), &utf8_key)
    }

    /// [`resolve`](Self::resolve) for a signature scheme: each secret's
    /// text becomes a key as the scheme says (Standard Webhooks decodes
    /// the base64 after `whsec_`); for the default scheme, `resolve`.
    ///
    /// # Errors
    ///
    /// As `resolve`, and when a secret is not a key of the scheme (not
    /// base64, say): the error names where it came from, never the secret.
    pub fn resolve_for(&self, scheme: &Scheme) -> anyhow::Result<Vec<Secret>> {
        let allow_short = self.allow_short_secret;
        self.resolve_with(std::env::var_os(SECRET_ENV), &|text: &str| {
            let secret = scheme.secret(text).map_err(|error| error.to_string())?;
            // A base64 secret's text is a third longer than its key: the
            // minimum is of the key, so that a cut secret is still caught.
            if let SecretEncoding::Base64 { prefix } = scheme.secret {
                let digits = text.strip_prefix(prefix).unwrap_or(text);
                let bytes = digits.trim_end_matches('=').len() * 3 / 4;
                if bytes < MIN_SECRET_BYTES && !allow_short {
                    return Err(format!(
                        "its key is {bytes} bytes once decoded, shorter than {MIN_SECRET_BYTES} bytes: {SHORT_HINT}"
                    ));
                }
            }
            Ok(secret)
        })
    }

    /// Whether any source of secrets was given (a flag, or the environment
    /// variable set), whether or not it holds one.
    pub fn given(&self) -> bool {
        !self.secrets.is_empty()
            || !self.secret_files.is_empty()
            || std::env::var_os(SECRET_ENV).is_some()
    }

    fn resolve_with(
        &self,
        env: Option<std::ffi::OsString>,
        key: Key<'_>,
    ) -> anyhow::Result<Vec<Secret>> {
        if !self.secrets.is_empty() {
            eprintln!(
                "warning: a secret given with --secret leaks into the shell history and `ps` output: prefer {SECRET_ENV} or --secret-file"
            );
        }
        let allow_short = self.allow_short_secret;
        if !self.secret_files.is_empty() || !self.secrets.is_empty() {
            let mut secrets = Vec::new();
            for path in &self.secret_files {
                secrets.extend(read_secret_file(path, allow_short, key)?);
            }
            for (at, given) in self.secrets.iter().enumerate() {
                if given.len < MIN_SECRET_BYTES && !allow_short {
                    bail!(
                        "the secret given with --secret (number {} of {}) is shorter than {MIN_SECRET_BYTES} bytes: {SHORT_HINT}",
                        at + 1,
                        self.secrets.len()
                    );
                }
                let secret = key(&given.text).map_err(|error| {
                    anyhow::anyhow!(
                        "the secret given with --secret (number {} of {}) cannot be used: {error}",
                        at + 1,
                        self.secrets.len()
                    )
                })?;
                secrets.push(secret);
            }
            return Ok(secrets);
        }
        let Some(env) = env else {
            bail!(
                "no signing secret: set {SECRET_ENV} to the endpoint's signing secret (several separated by commas while rotating), or pass --secret-file FILE"
            );
        };
        let Some(env) = env.to_str() else {
            bail!("{SECRET_ENV} is not valid UTF-8: set it to the endpoint's signing secret");
        };
        parse_env(env, allow_short, key)
    }
}

/// How a secret's text becomes a key; the error says why it cannot, never
/// quoting the secret.
type Key<'a> = &'a dyn Fn(&str) -> Result<Secret, String>;

/// The default scheme's key: the text's UTF-8 bytes.
fn utf8_key(text: &str) -> Result<Secret, String> {
    Secret::new(text).map_err(|error| error.to_string())
}

/// Splits the environment variable's value on commas and ASCII whitespace
/// (spaces, tabs, newlines; not a no-break space, which comes with a
/// copied secret and belongs to it) into secrets, refusing it when it
/// holds none, when it is one short secret (unless `allow_short`), or when
/// it splits into several of which one is short (always: such pieces may be
/// parts of one secret holding a comma or a space, and would each be a weak
/// key).
fn parse_env(value: &str, allow_short: bool, key: Key<'_>) -> anyhow::Result<Vec<Secret>> {
    let pieces: Vec<&str> = value
        .split(|c: char| c == ',' || c.is_ascii_whitespace())
        .filter(|piece| !piece.is_empty())
        .collect();
    let short = pieces
        .iter()
        .filter(|piece| piece.len() < MIN_SECRET_BYTES)
        .count();
    match pieces.len() {
        0 => bail!(
            "{SECRET_ENV} is set but holds no secret: set it to the endpoint's signing secret, or unset it and pass --secret-file FILE"
        ),
        1 if short > 0 && !allow_short => {
            bail!("{SECRET_ENV} holds a secret shorter than {MIN_SECRET_BYTES} bytes: {SHORT_HINT}")
        }
        1 => {}
        n if short > 0 => bail!(
            "{SECRET_ENV} splits at commas, spaces, tabs and newlines into {n} secrets, {short} of them shorter than {MIN_SECRET_BYTES} bytes, so none is used: \
             a secret holding a comma or a space is cut by that split, and is given with --secret-file FILE instead (one secret per line, taken whole); \
             several secrets are listed as `new,old`, each of {MIN_SECRET_BYTES} bytes or more (--allow-short-secret accepts a short secret given whole, never one of a list)"
        ),
        _ => {}
    }
    pieces
        .into_iter()
        .map(|piece| {
            key(piece).map_err(|error| {
                anyhow::anyhow!("a secret in {SECRET_ENV} cannot be used: {error}")
            })
        })
        .collect()
}

/// The largest secret file read: a few secrets, one per line, with
/// comments, take far less.
pub const MAX_SECRET_FILE: u64 = 64 * 1024;

/// The largest body `sign`, `verify` and `send --body` read: a webhook's
/// body is a few kilobytes, and `listen` refuses more than 1 MiB by default.
pub const MAX_BODY: u64 = 64 * 1024 * 1024;

/// All of `reader`, or `None` when it holds more than `max` bytes (of which
/// at most one more is read).
fn read_at_most(reader: impl Read, max: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    reader.take(max.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= max).then_some(bytes))
}

/// Reads one secret per line, skipping blank lines and `#` comments;
/// refuses a secret shorter than [`MIN_SECRET_BYTES`] unless `allow_short`.
fn read_secret_file(path: &Path, allow_short: bool, key: Key<'_>) -> anyhow::Result<Vec<Secret>> {
    let text = std::fs::File::open(path)
        .and_then(|file| read_at_most(file, MAX_SECRET_FILE))
        .with_context(|| {
            format!(
                "cannot read the secret file {}",
                whereby_webhooks_conformance::escape::path(path)
            )
        })?;
    let Some(text) = text else {
        bail!(
            "the secret file {} is larger than {} KiB: write one signing secret per line",
            whereby_webhooks_conformance::escape::path(path),
            MAX_SECRET_FILE >> 10
        );
    };
    // Not `String::from_utf8(...)?`: its error would carry the file's bytes.
    let Ok(text) = std::str::from_utf8(&text) else {
        bail!(
            "the secret file {} is not valid UTF-8: write one signing secret per line",
            whereby_webhooks_conformance::escape::path(path)
        );
    };
    let lines = parse_file(text);
    if let Some((line, _)) = lines
        .iter()
        .find(|(_, secret)| secret.len() < MIN_SECRET_BYTES && !allow_short)
    {
        bail!(
            "line {line} of the secret file {} holds a secret shorter than {MIN_SECRET_BYTES} bytes: {SHORT_HINT}",
            whereby_webhooks_conformance::escape::path(path)
        );
    }
    let secrets = lines
        .into_iter()
        .map(|(line, secret)| {
            key(secret).map_err(|error| {
                anyhow::anyhow!(
                    "line {line} of the secret file {} cannot be used: {error}",
                    whereby_webhooks_conformance::escape::path(path)
                )
            })
        })
        .collect::<anyhow::Result<Vec<Secret>>>()?;
    if secrets.is_empty() {
        bail!(
            "the secret file {} holds no secret: write one signing secret per line (blank lines and `#` comments are ignored)",
            whereby_webhooks_conformance::escape::path(path)
        );
    }
    Ok(secrets)
}

/// The secrets of a secret file, each with its line number (from 1). A
/// byte order mark at its start is not part of the first secret, and a
/// line ends at `\n`, `\r\n` or a `\r` alone (old Mac line endings).
fn parse_file(text: &str) -> Vec<(usize, &str)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    lines(text)
        .enumerate()
        .map(|(at, line)| (at + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
        .collect()
}

/// The lines of `text`, ended by `\n`, `\r\n` or `\r` alone.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let text = rest?;
        match text.find(['\n', '\r']) {
            Some(end) => {
                let next = if text[end..].starts_with("\r\n") {
                    end + 2
                } else {
                    end + 1
                };
                rest = Some(&text[next..]).filter(|rest| !rest.is_empty());
                Some(&text[..end])
            }
            None => {
                rest = None;
                Some(text)
            }
        }
    })
}

/// Reads a body: from `path`, or from standard input when `path` is `None`
/// or `-`. The bytes are returned exactly as read.
///
/// # Errors
///
/// When the file or standard input cannot be read, or holds more than
/// [`MAX_BODY`] bytes.
pub fn read_body(path: Option<&Path>) -> anyhow::Result<Vec<u8>> {
    let (body, from) = match path {
        Some(path) if path != Path::new("-") => {
            let from = whereby_webhooks_conformance::escape::path(path);
            let body = std::fs::File::open(path)
                .and_then(|file| read_at_most(file, MAX_BODY))
                .with_context(|| format!("cannot read the body file {from}"))?;
            (body, from)
        }
        _ => {
            let body = read_at_most(std::io::stdin().lock(), MAX_BODY)
                .context("cannot read the body from standard input")?;
            (body, "standard input".to_owned())
        }
    };
    body.with_context(|| {
        format!(
            "the body ({from}) is larger than {} MiB: no webhook body is that large",
            MAX_BODY >> 20
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use whereby_webhooks_signature::sign;

    const NEW: &str = "new-secret-0123456789";
    const OLD: &str = "old-secret-0123456789";

    /// Which of `secrets` produce the same signature as `expected`.
    fn same(secrets: &[Secret], expected: &[&str]) {
        assert_eq!(secrets.len(), expected.len());
        for (secret, expected) in secrets.iter().zip(expected) {
            let expected = Secret::new(expected).expect("non-empty");
            assert_eq!(sign(secret, 1, b"x"), sign(&expected, 1, b"x"));
        }
    }

    fn env(value: &str) -> Vec<Secret> {
        parse_env(value, false, &utf8_key).expect("secrets")
    }

    fn args(secret_files: Vec<PathBuf>, secrets: &[&str], allow_short_secret: bool) -> SecretArgs {
        SecretArgs {
            secret_files,
            secrets: secrets
                .iter()
                .map(|secret| given_secret(secret).expect("non-empty"))
                .collect(),
            allow_short_secret,
        }
    }

    #[test]
    fn env_splits_on_commas_and_whitespace() {
        same(&env(NEW), &[NEW]);
        same(&env(&format!("{NEW},{OLD}")), &[NEW, OLD]);
        same(&env(&format!(" {NEW} , {OLD}\n")), &[NEW, OLD]);
        same(
            &env(&format!("{NEW} {OLD}\t{NEW}x")),
            &[NEW, OLD, &format!("{NEW}x")],
        );
        // Only ASCII whitespace separates: a no-break space belongs to
        // the secret.
        for space in ['\u{a0}', '\u{3000}', '\u{2003}'] {
            let whole = format!("{NEW}{space}{OLD}");
            same(&env(&format!("{whole},{OLD}")), &[&whole, OLD]);
        }
    }

    /// A value whose pieces would be short keys is refused, allowed or
    /// not, without quoting it; a short value alone only when allowed.
    #[test]
    fn env_is_never_cut_into_short_keys() {
        for allow_short in [false, true] {
            for value in ["Str0ng-Pass phrase,x", "a,b", &format!("{NEW},x")] {
                let error = parse_env(value, allow_short, &utf8_key)
                    .expect_err(value)
                    .to_string();
                assert!(error.contains("--secret-file"), "{error}");
                assert!(
                    !error.contains("Str0ng") && !error.contains(",x"),
                    "{error}"
                );
            }
        }
        let error = parse_env(" sh0rt ", false, &utf8_key)
            .expect_err("short")
            .to_string();
        assert!(error.contains("shorter than 16 bytes"), "{error}");
        assert!(!error.contains("sh0rt"), "{error}");
        same(
            &parse_env(" sh0rt ", true, &utf8_key).expect("allowed"),
            &["sh0rt"],
        );
    }

    #[test]
    fn file_skips_blank_lines_and_comments() {
        assert_eq!(
            parse_file("# current\nnew\r\n\n  old one, too  \n#old: gone\n"),
            [(2, "new"), (4, "old one, too")]
        );
        assert_eq!(parse_file("\n# nothing\n"), []);
        // A byte order mark is not part of the first secret, and a `\r`
        // alone ends a line.
        assert_eq!(parse_file("\u{feff}new\r\nold\n"), [(1, "new"), (2, "old")]);
        assert_eq!(
            parse_file("\u{feff}# c\rnew\r\rold\r"),
            [(2, "new"), (4, "old")]
        );
        assert_eq!(parse_file("a\r\n\r\nb"), [(1, "a"), (3, "b")]);
    }

    #[test]
    fn flags_win_over_the_environment() {
        let secrets = args(vec![], &[NEW], false)
            .resolve_with(Some(OLD.into()), &utf8_key)
            .expect("flag secret");
        same(&secrets, &[NEW]);
    }

    #[test]
    fn short_flags_are_refused_unless_allowed() {
        let error = args(vec![], &[NEW, "sh0rt"], false)
            .resolve_with(None, &utf8_key)
            .expect_err("short");
        let error = error.to_string();
        assert!(error.contains("--secret (number 2 of 2)"), "{error}");
        assert!(!error.contains("sh0rt"), "{error}");
        let secrets = args(vec![], &[NEW, "sh0rt"], true)
            .resolve_with(None, &utf8_key)
            .expect("allowed");
        same(&secrets, &[NEW, "sh0rt"]);
    }

    #[test]
    fn missing_and_empty_sources_are_errors() {
        let args = args(vec![], &[], false);
        let error = args.resolve_with(None, &utf8_key).expect_err("no secret");
        assert!(error.to_string().contains(SECRET_ENV), "{error}");
        let error = args
            .resolve_with(Some(" , ".into()), &utf8_key)
            .expect_err("empty");
        assert!(error.to_string().contains("holds no secret"), "{error}");
    }

    #[test]
    fn secret_file_errors_do_not_quote_the_file() {
        let dir = std::env::temp_dir().join(format!("ww-secrets-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("comments-only");
        std::fs::write(&path, "# sup3r-s3cret-comment\n").expect("write");
        let error = format!(
            "{:#}",
            args(vec![path], &[], false)
                .resolve_with(None, &utf8_key)
                .expect_err("no secret")
        );
        assert!(error.contains("holds no secret"), "{error}");
        assert!(!error.contains("sup3r"), "{error}");
        let path = dir.join("short");
        std::fs::write(&path, format!("{NEW}\n\n sup3r \n")).expect("write");
        let error = format!(
            "{:#}",
            args(vec![path.clone()], &[], false)
                .resolve_with(None, &utf8_key)
                .expect_err("short")
        );
        assert!(error.contains("line 3 of the secret file"), "{error}");
        assert!(!error.contains("sup3r"), "{error}");
        let secrets = args(vec![path], &[], true)
            .resolve_with(None, &utf8_key)
            .expect("allowed");
        same(&secrets, &[NEW, "sup3r"]);
        let error = format!(
            "{:#}",
            args(vec![dir.join("missing")], &[], false)
                .resolve_with(None, &utf8_key)
                .expect_err("unreadable")
        );
        assert!(error.contains("cannot read the secret file"), "{error}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
