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
//! secret first.
//!
//! * In the environment, secrets are separated by commas and/or whitespace
//!   (`WHEREBY_WEBHOOK_SECRET="new,old"` or `"new old"`).
//! * In a file, there is one secret per line; surrounding whitespace
//!   (including a Windows `\r`) is trimmed, and blank lines and lines
//!   starting with `#` are ignored.
//!
//! So a secret given through these two cannot start or end with whitespace,
//! nor (in the environment) contain a comma or whitespace. Such a secret can
//! only be passed with `--secret`, which is used exactly as written.
//!
//! `--secret` prints a warning: a secret on the command line ends up in the
//! shell history and is visible to every user of the machine through `ps`.
//!
//! No secret is ever printed: [`Secret`]'s `Debug` is redacted, and no error
//! here quotes a secret or the content of a secret file.

use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use whereby_webhooks_signature::Secret;

/// The environment variable holding the signing secrets.
pub const SECRET_ENV: &str = "WHEREBY_WEBHOOK_SECRET";

/// Where to take the signing secrets from.
#[derive(Debug, Clone, clap::Args)]
pub struct SecretArgs {
    /// Read signing secrets from FILE, one per line (blank lines and `#`
    /// comments are ignored); repeatable. Without this or --secret, the
    /// secrets come from the WHEREBY_WEBHOOK_SECRET environment variable
    /// (several separated by commas or whitespace; list the current one
    /// first)
    #[arg(long = "secret-file", value_name = "FILE")]
    pub secret_files: Vec<PathBuf>,

    /// A signing secret; repeatable. It leaks into the shell history and
    /// `ps`: prefer WHEREBY_WEBHOOK_SECRET or --secret-file
    #[arg(long = "secret", value_name = "SECRET")]
    pub secrets: Vec<Secret>,
}

impl SecretArgs {
    /// The secrets to sign or verify with: never empty.
    ///
    /// Warns on stderr when `--secret` was used.
    ///
    /// # Errors
    ///
    /// When no source gives a secret, when a secret file cannot be read or
    /// holds no secret, or when the environment variable is not UTF-8.
    pub fn resolve(&self) -> anyhow::Result<Vec<Secret>> {
        self.resolve_with(std::env::var_os(SECRET_ENV))
    }

    /// Whether any source of secrets was given (a flag, or the environment
    /// variable set), whether or not it holds one.
    pub fn given(&self) -> bool {
        !self.secrets.is_empty()
            || !self.secret_files.is_empty()
            || std::env::var_os(SECRET_ENV).is_some()
    }

    fn resolve_with(&self, env: Option<std::ffi::OsString>) -> anyhow::Result<Vec<Secret>> {
        if !self.secrets.is_empty() {
            eprintln!(
                "warning: a secret given with --secret leaks into the shell history and `ps` output: prefer {SECRET_ENV} or --secret-file"
            );
        }
        if !self.secret_files.is_empty() || !self.secrets.is_empty() {
            let mut secrets = Vec::new();
            for path in &self.secret_files {
                secrets.extend(read_secret_file(path)?);
            }
            secrets.extend(self.secrets.iter().cloned());
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
        let secrets = parse_env(env);
        if secrets.is_empty() {
            bail!(
                "{SECRET_ENV} is set but holds no secret: set it to the endpoint's signing secret, or unset it and pass --secret-file FILE"
            );
        }
        Ok(secrets)
    }
}

/// Splits the environment variable's value on commas and whitespace.
fn parse_env(value: &str) -> Vec<Secret> {
    value
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter_map(|item| Secret::new(item).ok())
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

/// Reads one secret per line, skipping blank lines and `#` comments.
fn read_secret_file(path: &Path) -> anyhow::Result<Vec<Secret>> {
    let text = std::fs::File::open(path)
        .and_then(|file| read_at_most(file, MAX_SECRET_FILE))
        .with_context(|| format!("cannot read the secret file {}", crate::escape::path(path)))?;
    let Some(text) = text else {
        bail!(
            "the secret file {} is larger than {} KiB: write one signing secret per line",
            crate::escape::path(path),
            MAX_SECRET_FILE >> 10
        );
    };
    // Not `String::from_utf8(...)?`: its error would carry the file's bytes.
    let Ok(text) = std::str::from_utf8(&text) else {
        bail!(
            "the secret file {} is not valid UTF-8: write one signing secret per line",
            crate::escape::path(path)
        );
    };
    let secrets = parse_file(text);
    if secrets.is_empty() {
        bail!(
            "the secret file {} holds no secret: write one signing secret per line (blank lines and `#` comments are ignored)",
            crate::escape::path(path)
        );
    }
    Ok(secrets)
}

fn parse_file(text: &str) -> Vec<Secret> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| Secret::new(line).ok())
        .collect()
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
            let from = crate::escape::path(path);
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

    /// Which of `secrets` produce the same signature as `expected`.
    fn same(secrets: &[Secret], expected: &[&str]) {
        assert_eq!(secrets.len(), expected.len());
        for (secret, expected) in secrets.iter().zip(expected) {
            let expected = Secret::new(expected).expect("non-empty");
            assert_eq!(sign(secret, 1, b"x"), sign(&expected, 1, b"x"));
        }
    }

    #[test]
    fn env_splits_on_commas_and_whitespace() {
        same(&parse_env("new"), &["new"]);
        same(&parse_env("new,old"), &["new", "old"]);
        same(&parse_env(" new , old\n"), &["new", "old"]);
        same(&parse_env("new old\tolder"), &["new", "old", "older"]);
        same(&parse_env(",,"), &[]);
    }

    #[test]
    fn file_skips_blank_lines_and_comments() {
        same(
            &parse_file("# current\nnew\r\n\n  old  \n#old: gone\n"),
            &["new", "old"],
        );
        same(&parse_file("\n# nothing\n"), &[]);
    }

    #[test]
    fn flags_win_over_the_environment() {
        let args = SecretArgs {
            secret_files: vec![],
            secrets: vec![Secret::new("flag").expect("non-empty")],
        };
        let secrets = args.resolve_with(Some("env".into())).expect("flag secret");
        same(&secrets, &["flag"]);
    }

    #[test]
    fn missing_and_empty_sources_are_errors() {
        let args = SecretArgs {
            secret_files: vec![],
            secrets: vec![],
        };
        let error = args.resolve_with(None).expect_err("no secret");
        assert!(error.to_string().contains(SECRET_ENV), "{error}");
        let error = args.resolve_with(Some(" , ".into())).expect_err("empty");
        assert!(error.to_string().contains("holds no secret"), "{error}");
    }

    #[test]
    fn secret_file_errors_do_not_quote_the_file() {
        let dir = std::env::temp_dir().join(format!("ww-secrets-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("comments-only");
        std::fs::write(&path, "# sup3r-s3cret-comment\n").expect("write");
        let args = SecretArgs {
            secret_files: vec![path],
            secrets: vec![],
        };
        let error = format!("{:#}", args.resolve_with(None).expect_err("no secret"));
        assert!(error.contains("holds no secret"), "{error}");
        assert!(!error.contains("sup3r"), "{error}");
        let args = SecretArgs {
            secret_files: vec![dir.join("missing")],
            secrets: vec![],
        };
        let error = format!("{:#}", args.resolve_with(None).expect_err("unreadable"));
        assert!(error.contains("cannot read the secret file"), "{error}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
