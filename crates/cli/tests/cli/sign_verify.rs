//! `sign` and `verify`: round trips, the ways a signature fails, where the
//! secrets come from, and that no secret is ever printed.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

use crate::support::{SECRET_ENV, whereby};

/// Output of a finished command.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(command: &mut Command) -> Run {
    let output = command.output().expect("the binary runs");
    Run {
        code: output.status.code().expect("an exit code"),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write a fixture");
    path
}

/// Signs `body` with the secret(s) in the environment.
fn sign(env_secret: &str, timestamp: u64, body: &Path) -> String {
    let out = run(whereby()
        .env(SECRET_ENV, env_secret)
        .args(["sign", "--timestamp", &timestamp.to_string(), "--body"])
        .arg(body));
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stdout.trim_end().to_owned()
}

fn verify(env_secret: &str, header: &str, body: &Path, extra: &[&str]) -> Run {
    run(whereby()
        .env(SECRET_ENV, env_secret)
        .args(["verify", "--header", header, "--body"])
        .arg(body)
        .args(extra))
}

const BODY: &[u8] = b"{\"id\":\"kat-1\",\"type\":\"room.session.started\"}\n";

/// Computed independently:
/// `hmac.new(b"known-answer-secret", b"1606227791." + BODY, hashlib.sha256).hexdigest()`
/// in Python 3.
const KNOWN_ANSWER: &str =
    "t=1606227791,v1=783be13510c397eef7d1f776b36e09b2c95578310ddca42f7f98088981a2622c";

#[test]
fn sign_known_answer() {
    let dir = tempfile::tempdir().expect("temp dir");
    let body = write(dir.path(), "body.json", BODY);
    let secrets = write(
        dir.path(),
        "secrets",
        b"# the endpoint's secret\nknown-answer-secret\n",
    );

    let from_file = run(whereby()
        .args(["sign", "--timestamp", "1606227791", "--body"])
        .arg(&body)
        .arg("--secret-file")
        .arg(&secrets));
    assert_eq!(from_file.code, 0, "{}", from_file.stderr);
    assert_eq!(from_file.stdout, format!("{KNOWN_ANSWER}\n"));
    assert_eq!(from_file.stderr, "");

    // The same from standard input and the environment.
    let from_stdin = run(whereby()
        .env(SECRET_ENV, "known-answer-secret")
        .args(["sign", "--timestamp", "1606227791"])
        .write_stdin(BODY));
    assert_eq!(from_stdin.code, 0, "{}", from_stdin.stderr);
    assert_eq!(from_stdin.stdout, format!("{KNOWN_ANSWER}\n"));
}

#[test]
fn sign_defaults_to_now() {
    let out = run(whereby()
        .env(SECRET_ENV, "a-test-secret-0123")
        .arg("sign")
        .write_stdin(&b"{}"[..]));
    assert_eq!(out.code, 0, "{}", out.stderr);
    let timestamp: u64 = out
        .stdout
        .strip_prefix("t=")
        .and_then(|rest| rest.split(',').next())
        .and_then(|t| t.parse().ok())
        .expect("t=<digits>,");
    let now = whereby_webhooks_signature::now_unix();
    assert!(timestamp.abs_diff(now) < 60, "{timestamp} vs {now}");
}

#[test]
fn round_trip_and_tampering() {
    let dir = tempfile::tempdir().expect("temp dir");
    let body = write(dir.path(), "body.json", BODY);
    let now = whereby_webhooks_signature::now_unix();
    let header = sign("s3cret-s3cret-s3cret", now, &body);

    let ok = verify("s3cret-s3cret-s3cret", &header, &body, &[]);
    assert_eq!(ok.code, 0, "{}{}", ok.stdout, ok.stderr);
    assert!(
        ok.stdout.starts_with(&format!("valid: signed at {now} (")),
        "{}",
        ok.stdout
    );

    // The header name copied along with the value is fine.
    let named = verify(
        "s3cret-s3cret-s3cret",
        &format!("Whereby-Signature: {header}"),
        &body,
        &[],
    );
    assert_eq!(named.code, 0, "{}", named.stdout);

    // One byte more (re-serialised JSON, a trailing newline...).
    let mut changed = BODY.to_vec();
    changed.push(b' ');
    let tampered = write(dir.path(), "tampered.json", &changed);
    let bad = verify("s3cret-s3cret-s3cret", &header, &tampered, &[]);
    assert_eq!(bad.code, 1, "{}{}", bad.stdout, bad.stderr);
    assert!(bad.stdout.starts_with("invalid: "), "{}", bad.stdout);
    assert!(bad.stdout.contains("raw request body"), "{}", bad.stdout);

    // The wrong secret.
    let wrong = verify("other-secret-0123456", &header, &body, &[]);
    assert_eq!(wrong.code, 1);
    assert!(wrong.stdout.contains("right secret"), "{}", wrong.stdout);

    // A malformed header.
    let malformed = verify("s3cret-s3cret-s3cret", "t=now,v1=abc", &body, &[]);
    assert_eq!(malformed.code, 1);
    assert!(
        malformed
            .stdout
            .contains("malformed Whereby-Signature header"),
        "{}",
        malformed.stdout
    );
}

#[test]
fn timestamps_too_old_or_in_the_future() {
    let dir = tempfile::tempdir().expect("temp dir");
    let body = write(dir.path(), "body.json", BODY);
    let t = 1_700_000_000u64;
    let header = sign("a-test-secret-0123", t, &body);
    let at = |now: u64, extra: &[&str]| {
        let now = now.to_string();
        let mut args = vec!["--now", now.as_str()];
        args.extend_from_slice(extra);
        verify("a-test-secret-0123", &header, &body, &args)
    };

    // The default window is 300 s either way, bounds included.
    assert_eq!(at(t + 300, &[]).code, 0);
    assert_eq!(at(t - 300, &[]).code, 0);
    let old = at(t + 301, &[]);
    assert_eq!(old.code, 1);
    assert!(
        old.stdout.contains("301s old, beyond the 300s tolerance"),
        "{}",
        old.stdout
    );
    let future = at(t - 301, &[]);
    assert_eq!(future.code, 1);
    assert!(
        future.stdout.contains("301s in the future"),
        "{}",
        future.stdout
    );

    // A narrower window.
    assert_eq!(at(t + 11, &["--tolerance", "10"]).code, 1);
    assert_eq!(at(t + 10, &["--tolerance", "10"]).code, 0);

    // No window at all.
    let unchecked = at(t + 10 * 365 * 86_400, &["--no-tolerance"]);
    assert_eq!(unchecked.code, 0, "{}", unchecked.stdout);
    assert!(
        unchecked.stdout.contains("timestamp not checked"),
        "{}",
        unchecked.stdout
    );
    // ...which still checks the signature.
    let mut changed = BODY.to_vec();
    changed[0] = b' ';
    let tampered = write(dir.path(), "tampered.json", &changed);
    let out = verify(
        "a-test-secret-0123",
        &header,
        &tampered,
        &["--no-tolerance"],
    );
    assert_eq!(out.code, 1);

    // Both at once is a usage error.
    assert_eq!(at(t, &["--no-tolerance", "--tolerance", "5"]).code, 2);
}

#[test]
fn missing_secret_and_unreadable_files_are_usage_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    let body = write(dir.path(), "body.json", BODY);

    let out = run(whereby()
        .args(["verify", "--header", "t=1,v1=00", "--body"])
        .arg(&body));
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no signing secret"), "{}", out.stderr);
    assert!(out.stderr.contains(SECRET_ENV), "{}", out.stderr);

    let out = run(whereby().arg("sign").write_stdin(&b"{}"[..]));
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no signing secret"), "{}", out.stderr);

    let out = run(whereby()
        .env(SECRET_ENV, " , ")
        .arg("sign")
        .write_stdin(&b"{}"[..]));
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("holds no secret"), "{}", out.stderr);

    let out = run(whereby()
        .env(SECRET_ENV, "a-test-secret-0123")
        .args(["verify", "--header", "t=1,v1=00", "--body"])
        .arg(dir.path().join("missing.json")));
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("cannot read the body file"),
        "{}",
        out.stderr
    );

    let out = run(whereby()
        .args(["sign", "--secret-file"])
        .arg(dir.path().join("no-such-file"))
        .write_stdin(&b"{}"[..]));
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("cannot read the secret file"),
        "{}",
        out.stderr
    );
}

#[test]
fn command_line_secrets_warn() {
    let out = run(whereby()
        .args([
            "sign",
            "--timestamp",
            "1606227791",
            "--secret",
            "known-answer-secret",
        ])
        .write_stdin(BODY));
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout, format!("{KNOWN_ANSWER}\n"));
    assert!(out.stderr.starts_with("warning: "), "{}", out.stderr);
    assert!(out.stderr.contains("shell history"), "{}", out.stderr);
    assert!(out.stderr.contains("`ps`"), "{}", out.stderr);

    // The environment and files do not warn.
    let out = run(whereby()
        .env(SECRET_ENV, "known-answer-secret")
        .args(["sign", "--timestamp", "1606227791"])
        .write_stdin(BODY));
    assert_eq!(out.stderr, "");

    // An empty --secret is refused.
    let out = run(whereby().args(["sign", "--secret", ""]).write_stdin(BODY));
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("signing secret is empty"),
        "{}",
        out.stderr
    );
}

#[test]
fn rotation_through_the_environment() {
    let dir = tempfile::tempdir().expect("temp dir");
    let body = write(dir.path(), "body.json", BODY);
    let t = 1_700_000_000u64;
    let by_old = sign("old-secret-0123456", t, &body);
    let by_new = sign("new-secret-0123456", t, &body);
    let now = ["--now", "1700000001"];

    for env in [
        "new-secret-0123456,old-secret-0123456",
        "new-secret-0123456 old-secret-0123456",
        " new-secret-0123456 ,\nold-secret-0123456 ",
    ] {
        assert_eq!(verify(env, &by_old, &body, &now).code, 0, "{env:?}");
        assert_eq!(verify(env, &by_new, &body, &now).code, 0, "{env:?}");
    }
    // Once the old secret is retired, its signatures fail.
    assert_eq!(verify("new-secret-0123456", &by_old, &body, &now).code, 1);

    // `sign` signs with the first secret listed.
    assert_eq!(
        sign("new-secret-0123456,old-secret-0123456", t, &body),
        by_new
    );

    // Flags win over the environment, and several files add up.
    let old = write(dir.path(), "old", b"old-secret-0123456\n");
    let new = write(dir.path(), "new", b"\n# rotated in\nnew-secret-0123456\r\n");
    let out = run(whereby()
        .env(SECRET_ENV, "unrelated-secret-0123")
        .args([
            "verify",
            "--now",
            "1700000001",
            "--header",
            &by_old,
            "--body",
        ])
        .arg(&body)
        .arg("--secret-file")
        .arg(&new)
        .arg("--secret-file")
        .arg(&old));
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
}

/// No command prints a secret, whichever way it fails or succeeds.
#[test]
fn secrets_are_never_printed() {
    const SECRET: &str = "sup3r-s3cret-v4lue";
    let dir = tempfile::tempdir().expect("temp dir");
    let body = write(dir.path(), "body.json", BODY);
    let secret_file = write(dir.path(), "secret", format!("{SECRET}\n").as_bytes());
    let comments_only = write(dir.path(), "comments", format!("# {SECRET}\n").as_bytes());
    let header = sign(SECRET, 1_700_000_000, &body);

    let runs = [
        run(whereby()
            .env(SECRET_ENV, SECRET)
            .args(["sign", "--body"])
            .arg(&body)),
        run(whereby()
            .args(["sign", "--secret", SECRET, "--body"])
            .arg(&body)),
        run(whereby()
            .args([
                "verify",
                "--now",
                "1700000001",
                "--header",
                &header,
                "--body",
            ])
            .arg(&body)
            .arg("--secret-file")
            .arg(&secret_file)),
        run(whereby()
            .env(SECRET_ENV, SECRET)
            .args([
                "verify",
                "--now",
                "1700000001",
                "--header",
                &header,
                "--body",
            ])
            .arg(&body)),
        run(whereby()
            .env(SECRET_ENV, format!("{SECRET},other-secret-0123456"))
            .args(["verify", "--header", "t=1,v1=zz", "--body"])
            .arg(&body)),
        run(whereby()
            .args(["verify", "--header", &header, "--body"])
            .arg(&body)
            .arg("--secret-file")
            .arg(&comments_only)),
        run(whereby()
            .args(["verify", "--secret", SECRET, "--header", &header, "--body"])
            .arg(dir.path().join("missing"))),
        run(whereby().args(["verify", "--secret", SECRET, "--bogus-flag"])),
        run(whereby().args([
            "send",
            "http://127.0.0.1:9/",
            "room.session.started",
            "--secret",
            SECRET,
        ])),
        run(whereby()
            .env(SECRET_ENV, SECRET)
            .args(["listen", "--addr", "256.0.0.1:1"])),
    ];
    for (i, out) in runs.iter().enumerate() {
        assert!(
            !out.stdout.contains(SECRET) && !out.stderr.contains(SECRET),
            "run {i} printed the secret:\n{}\n{}",
            out.stdout,
            out.stderr
        );
    }
    // The runs did what they should, so the check above means something.
    assert_eq!(runs[0].code, 0);
    assert_eq!(runs[2].code, 0);
    assert_eq!(runs[3].code, 0);
    assert_eq!(runs[4].code, 1);
    assert_eq!(runs[5].code, 2);
    assert_eq!(runs[6].code, 2);
    assert_eq!(runs[7].code, 2);
    assert_eq!(runs[8].code, 2);
    assert_eq!(runs[9].code, 2);
}

/// `verify` of `header` over `body` with the secret(s) in the environment
/// and `args` (`--allow-short-secret`, say).
fn verify_with(env: Option<&str>, header: &str, body: &Path, args: &[&str]) -> Run {
    let mut command = whereby();
    if let Some(env) = env {
        command.env(SECRET_ENV, env);
    }
    run(command
        .args([
            "verify",
            "--now",
            "1700000001",
            "--header",
            header,
            "--body",
        ])
        .arg(body)
        .args(args))
}

/// A header for `body` at 1700000000, signed with `key` by the library.
fn signed_with(key: &str, body: &[u8]) -> String {
    let secret = whereby_webhooks_signature::Secret::new(key).expect("a key");
    whereby_webhooks_signature::sign(&secret, 1_700_000_000, body)
}

/// A secret holding a comma or a space was cut into pieces, each an
/// accepted key: with `WHEREBY_WEBHOOK_SECRET='Str0ng-Pass phrase,x'`, a
/// delivery signed with the one-byte key `x` was authentic. No way of
/// giving secrets turns a fragment of one value into a key now: such a
/// value is refused (exit 2, naming the variable, never quoting it), even
/// with --allow-short-secret, and a file takes it whole.
#[test]
fn a_secret_is_never_cut_into_short_keys() {
    const VALUE: &str = "Str0ng-Pass phrase,x";
    let dir = tempfile::tempdir().expect("temp dir");
    let body = write(dir.path(), "body.json", BODY);
    let by_fragment = signed_with("x", BODY);
    let by_whole = signed_with(VALUE, BODY);

    for args in [&[][..], &["--allow-short-secret"][..]] {
        for header in [&by_fragment, &by_whole] {
            let out = verify_with(Some(VALUE), header, &body, args);
            assert_eq!(out.code, 2, "{args:?}: {}{}", out.stdout, out.stderr);
            assert!(out.stderr.contains(SECRET_ENV), "{}", out.stderr);
            assert!(out.stderr.contains("--secret-file"), "{}", out.stderr);
            for piece in ["Str0ng", "phrase", ",x"] {
                assert!(!out.stderr.contains(piece), "{}", out.stderr);
                assert!(!out.stdout.contains(piece), "{}", out.stdout);
            }
        }
    }

    // In a file, the line is one secret, spaces and comma included.
    let file = write(dir.path(), "secret", format!("{VALUE}\n").as_bytes());
    let from_file = |header: &str| {
        run(whereby()
            .args([
                "verify",
                "--now",
                "1700000001",
                "--header",
                header,
                "--body",
            ])
            .arg(&body)
            .arg("--secret-file")
            .arg(&file))
    };
    let out = from_file(&by_whole);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let out = from_file(&by_fragment);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
}

/// Every secret accepted is at least 16 bytes, however it is given,
/// unless --allow-short-secret says a short one is meant (a test secret):
/// a short one is refused with exit 2, naming where it came from and never
/// quoting it. Several secrets for a rotation are given as `new,old` in the
/// environment, one per line in a file, or with --secret repeated.
#[test]
fn short_secrets_are_refused_unless_allowed() {
    const SHORT: &str = "sh0rt-k3y";
    const NEW: &str = "new-secret-0123456789";
    const OLD: &str = "old-secret-0123456789";
    let dir = tempfile::tempdir().expect("temp dir");
    let body = write(dir.path(), "body.json", BODY);
    let by_short = signed_with(SHORT, BODY);
    let file = write(
        dir.path(),
        "secrets",
        format!("# rotating\n{NEW}\n{SHORT}\n").as_bytes(),
    );
    let file_arg = file.to_str().expect("UTF-8");
    let refused_then_allowed = |env: Option<&str>, args: &[&str], named: &[&str]| {
        let out = verify_with(env, &by_short, &body, args);
        assert_eq!(
            out.code, 2,
            "{env:?} {args:?}: {}{}",
            out.stdout, out.stderr
        );
        assert!(out.stderr.contains("16 bytes"), "{}", out.stderr);
        assert!(
            out.stderr.contains("--allow-short-secret"),
            "{}",
            out.stderr
        );
        for name in named {
            assert!(out.stderr.contains(name), "{name}: {}", out.stderr);
        }
        assert!(!out.stderr.contains(SHORT), "{}", out.stderr);
        let args = [args, &["--allow-short-secret"]].concat();
        let out = verify_with(env, &by_short, &body, &args);
        assert_eq!(
            out.code, 0,
            "{env:?} {args:?}: {}{}",
            out.stdout, out.stderr
        );
    };
    refused_then_allowed(Some(SHORT), &[], &[SECRET_ENV]);
    refused_then_allowed(None, &["--secret", NEW, "--secret", SHORT], &["--secret"]);
    refused_then_allowed(None, &["--secret-file", file_arg], &[file_arg, "line 3"]);

    // Rotation: every way of listing two secrets verifies with either.
    let with_old = signed_with(OLD, BODY);
    let with_new = signed_with(NEW, BODY);
    let both = write(dir.path(), "both", format!("{NEW}\n{OLD}\n").as_bytes());
    for header in [&with_old, &with_new] {
        for (env, args) in [
            (Some(format!("{NEW},{OLD}")), vec![]),
            (Some(format!("{NEW} {OLD}")), vec![]),
            (None, vec!["--secret-file", both.to_str().expect("UTF-8")]),
            (None, vec!["--secret", NEW, "--secret", OLD]),
        ] {
            let out = verify_with(env.as_deref(), header, &body, &args);
            assert_eq!(
                out.code, 0,
                "{env:?} {args:?}: {}{}",
                out.stdout, out.stderr
            );
        }
    }
    // Short secrets in a list of the environment are never accepted: they
    // may as well be pieces of one secret holding a comma.
    let out = verify_with(
        Some("a,b"),
        &signed_with("a", BODY),
        &body,
        &["--allow-short-secret"],
    );
    assert_eq!(out.code, 2, "{}{}", out.stdout, out.stderr);
}

/// A secret file saved by an editor that starts it with a UTF-8 byte order
/// mark, or ends its lines with an old Mac `\r` alone, holds the same
/// secrets as a clean one: the mark made part of the first key (every
/// signature silently wrong), and `secret\rold\r` was one secret.
#[test]
fn a_secret_file_with_a_byte_order_mark_or_lone_cr_reads_as_a_clean_one() {
    const NEW: &str = "new-secret-0123456789";
    const OLD: &str = "old-secret-0123456789";
    let dir = tempfile::tempdir().expect("temp dir");
    let body = write(dir.path(), "body.json", BODY);
    let clean = sign(NEW, 1_700_000_000, &body);
    let by_old = sign(OLD, 1_700_000_000, &body);
    let sign_with = |file: &Path| {
        let out = run(whereby()
            .args(["sign", "--timestamp", "1700000000", "--body"])
            .arg(&body)
            .arg("--secret-file")
            .arg(file));
        assert_eq!(out.code, 0, "{}", out.stderr);
        out.stdout.trim_end().to_owned()
    };
    for (name, text) in [
        ("bom", format!("\u{feff}{NEW}\n")),
        ("bom-crlf", format!("\u{feff}{NEW}\r\n{OLD}\r\n")),
        ("cr", format!("{NEW}\r{OLD}\r")),
        ("cr-comment", format!("# current\r{NEW}\r\r{OLD}")),
    ] {
        let file = write(dir.path(), name, text.as_bytes());
        assert_eq!(sign_with(&file), clean, "{name}");
    }
    // The second line of `\r` endings is a secret of its own.
    let cr = write(dir.path(), "cr-old", format!("{NEW}\r{OLD}\r").as_bytes());
    let out = verify_with(
        None,
        &by_old,
        &body,
        &["--secret-file", cr.to_str().expect("UTF-8")],
    );
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
}

/// `WHEREBY_WEBHOOK_SECRET` splits only at commas and ASCII whitespace: a
/// no-break space (U+00A0) or an ideographic space (U+3000), which come
/// with a copied secret, is part of the secret, not a separator between
/// two.
#[test]
fn the_environment_splits_only_at_ascii_spaces() {
    let dir = tempfile::tempdir().expect("temp dir");
    let body = write(dir.path(), "body.json", BODY);
    for secret in [
        "new-secret-01234\u{a0}old-secret-01234",
        "new-secret-01234\u{3000}old-secret-01234",
    ] {
        let header = signed_with(secret, BODY);
        let out = verify_with(Some(secret), &header, &body, &[]);
        assert_eq!(out.code, 0, "{secret:?}: {}{}", out.stdout, out.stderr);
        // Were it split, `sign` would sign with the first piece.
        assert_ne!(
            sign(secret, 1_700_000_000, &body),
            sign("new-secret-01234", 1_700_000_000, &body),
            "{secret:?}"
        );
    }
}

/// `verify` names the cause and the fix: a pretty-printed copy of a body
/// signed compact, a trailing newline, a secret with a stray newline,
/// another secret, a timestamp in milliseconds; and with `--computed`, what
/// a receiver that hashed `JSON.stringify` of the parsed body did wrong,
/// though the delivery itself is valid.
#[test]
fn verify_explains_why_a_signature_does_not_match() {
    const KEY: &str = "doctor-cli-secret-0123";
    let dir = tempfile::tempdir().expect("temp dir");
    let compact = br#"{"id":"d1","type":"room.session.started","data":{"roomName":"/r"}}"#;
    let body = write(dir.path(), "body.json", compact);
    let now = whereby_webhooks_signature::now_unix();
    let header = sign(KEY, now, &body);
    let value: serde_json::Value = serde_json::from_slice(compact).expect("JSON");
    let pretty = write(
        dir.path(),
        "pretty.json",
        &serde_json::to_vec_pretty(&value).expect("pretty"),
    );
    let newline = write(dir.path(), "newline.json", &[&compact[..], b"\n"].concat());
    let cause_of = |run: &Run| -> Vec<String> {
        let line: serde_json::Value =
            serde_json::from_str(run.stdout.trim()).expect("one JSON object");
        line["causes"]
            .as_array()
            .expect("causes")
            .iter()
            .map(|c| c["cause"].as_str().expect("an id").to_owned())
            .collect()
    };
    let json = ["--format", "json"];
    for (secret, header, body, cause) in [
        (KEY.to_owned(), header.clone(), &pretty, "body_reserialized"),
        (
            KEY.to_owned(),
            header.clone(),
            &newline,
            "body_trailing_newline",
        ),
        (
            "some-other-secret-entirely".to_owned(),
            header.clone(),
            &body,
            "secret_mismatch",
        ),
    ] {
        let run = verify(&secret, &header, body, &json);
        assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
        assert_eq!(cause_of(&run), [cause], "{}", run.stdout);
        assert!(!run.stdout.contains(KEY));
    }
    // A secret file with a stray space is read trimmed, so the stray
    // whitespace comes through --secret, written exactly.
    let stray = run(whereby()
        .args([
            "verify",
            "--format",
            "json",
            "--secret",
            &format!("{KEY} "),
            "--header",
            &header,
            "--body",
        ])
        .arg(&body));
    assert_eq!(cause_of(&stray), ["secret_whitespace"], "{}", stray.stdout);
    let ms = sign(KEY, now * 1000, &body);
    let run = verify(KEY, &ms, &body, &json);
    assert_eq!(
        cause_of(&run),
        ["timestamp_in_milliseconds"],
        "{}",
        run.stdout
    );

    // Human output: the verdict, the cause with what was seen, the fix.
    let run = verify(KEY, &header, &pretty, &[]);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stdout);
    assert!(lines[0].starts_with("invalid: "), "{}", run.stdout);
    assert!(
        lines[1].starts_with("  body_reserialized: the signature matches the same JSON"),
        "{}",
        run.stdout
    );
    assert!(
        lines[2].starts_with("  fix: hash the raw request body"),
        "{}",
        run.stdout
    );

    // The receiver hashed `t.` + JSON.stringify(parsed body) of a delivery
    // sent pretty-printed: the delivery is valid, the computation is not.
    let pretty_header = sign(KEY, now, &pretty);
    let computed = sign(KEY, now, &body);
    let computed = computed.rsplit("v1=").next().expect("v1");
    let run = verify(
        KEY,
        &pretty_header,
        &pretty,
        &["--format", "json", "--computed", computed],
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    let line: serde_json::Value = serde_json::from_str(run.stdout.trim()).expect("JSON");
    assert_eq!(line["valid"], true);
    assert_eq!(line["kind"], serde_json::Value::Null);
    assert_eq!(cause_of(&run), ["computed_over_reserialized_body"]);
    let mut shape = line.clone();
    shape["signed_at"] = serde_json::json!(0);
    shape["message"] = serde_json::json!("valid: signed at ...");
    // What is not a hex digest is a usage error, not a secret mismatch.
    for junk in ["zz", "", "abc"] {
        let run = verify(KEY, &pretty_header, &pretty, &["--computed", junk]);
        assert_eq!(run.code, 2, "{junk:?}: {}{}", run.stdout, run.stderr);
        assert!(run.stderr.contains("64 hex digits"), "{}", run.stderr);
    }
    insta::assert_snapshot!(
        "verify_computed_json",
        serde_json::to_string_pretty(&shape).expect("JSON")
    );
}

/// What `verify` prints, in both formats: a good signature, and bad ones
/// each with its likely cause.
#[test]
fn verify_output() {
    const KEY: &str = "verify-output-secret";
    let dir = crate::support::temp_dir();
    let example = crate::support::example();
    let body = write(dir.path(), "body.json", example.as_bytes());
    let now = whereby_webhooks_signature::now_unix();
    let header = sign(KEY, now, &body);
    let reserialised: serde_json::Value = serde_json::from_str(&example).expect("JSON");
    let pretty = serde_json::to_string_pretty(&reserialised).expect("JSON");
    let pretty = write(dir.path(), "pretty.json", pretty.as_bytes());
    let cases = [
        ("good", KEY, header.clone(), &body),
        (
            "another secret",
            "another-secret-0123",
            header.clone(),
            &body,
        ),
        ("body re-serialised", KEY, header, &pretty),
        ("stale", KEY, sign(KEY, now - 3600, &body), &body),
    ];
    for format in ["human", "json"] {
        let mut text = String::new();
        for (what, secret, header, body) in &cases {
            let out = verify(secret, header, body, &["--format", format]);
            assert_eq!(out.stderr, "", "{what}");
            assert!(!out.stdout.contains(KEY), "{what}: {}", out.stdout);
            let stdout = match format {
                "json" => crate::support::snapshot::json_lines(&out.stdout),
                _ => crate::support::snapshot::redact(&out.stdout),
            };
            text.push_str(&format!("--- {what}: exit {}\n{stdout}\n", out.code));
        }
        insta::assert_snapshot!(format!("verify_{format}"), text);
    }
}
