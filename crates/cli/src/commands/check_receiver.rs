//! The `check-receiver` command: grade a webhook endpoint the way Whereby
//! will treat it.
//!
//! It sends a battery of deliveries, some authentic and some forged, one at a
//! time, paced and in a random order, and grades each answer. A receiver must answer `2xx` to
//! every authentic delivery (whatever its bytes look like, whatever new event
//! type, property or enum value it carries, and when it is a redelivery of an
//! `id` already seen), `4xx` to every forged or replayed one (a `5xx` would
//! make Whereby retry a forgery, a `2xx` accepts it), and answer everything
//! within Whereby's 5 seconds.
//!
//! The deliveries are real-looking events: a receiver with side effects acts
//! on them. Every one carries [`TEST_HEADER`] so a receiver can recognise
//! test traffic; apart from that header, each request is what Whereby would
//! send, except where a check changes it on purpose. Every delivery has a
//! fresh `id` (64 lowercase hex digits, the form of Whereby's ids) and
//! `createdAt`, except the redelivery, so the checks do not interfere
//! through a receiver's deduplication.
//!
//! When an authentic delivery is refused, a few more authentic probes of
//! the same event, in other serialisations, tell why ([`diagnosis`]): they
//! are marked like every delivery, and counted. A receiver that refuses no
//! authentic delivery gets the battery alone.
//!
//! [`battery`] builds the deliveries, [`grade`] judges the answers into one
//! result per check, [`diagnosis`] reads the probes, and [`report`] prints
//! the results.

mod battery;
mod diagnosis;
mod grade;
mod report;

use std::time::{Duration, Instant};

use anyhow::{anyhow, bail};
use whereby_webhooks_signature::{Scheme, Secret, now_unix};

use self::battery::Delivery;
pub use self::report::Format;
use crate::args::ProfileArgs;
use crate::client::{self, MAX_TIMEOUT_SECS};
use crate::exit::Exit;
use crate::progress;
use crate::secrets::SecretArgs;
use whereby_webhooks_conformance::judge::Judge;
use whereby_webhooks_conformance::{Options, Validator};

/// The request header every delivery of `check-receiver` carries, so that a
/// receiver can recognise test traffic.
pub const TEST_HEADER: (&str, &str) = ("Whereby-Webhooks-Test", "check-receiver");

/// Whereby gives up on an answer after this long, and retries.
pub const WHEREBY_TIMEOUT: Duration = Duration::from_secs(5);

/// The checks, by stable id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, clap::ValueEnum)]
pub enum CheckId {
    /// Every example of every event type, freshly signed: all 2xx.
    AcceptsEveryEvent,
    /// Authentic deliveries whose bytes are not the compact serialisation.
    RawBodySignature,
    /// No `Whereby-Signature` header: 4xx.
    RejectsMissingSignature,
    /// Signed with another secret, or a header anyone can write (no `v1`,
    /// an empty one, only a `v0`): 4xx.
    RejectsBadSignature,
    /// A valid header over a body changed after signing: 4xx.
    RejectsTamperedBody,
    /// Correctly signed ten minutes ago: 4xx.
    RejectsStaleTimestamp,
    /// Correctly signed ten minutes ahead: 4xx.
    RejectsFutureTimestamp,
    /// An authentic event of a type not in the spec: 2xx.
    AcceptsUnknownEventType,
    /// An authentic event with new properties in the envelope and `data`: 2xx.
    AcceptsUnknownProperties,
    /// An authentic event with a role name no list has: 2xx.
    AcceptsUnknownEnumValue,
    /// The same authentic delivery twice: 2xx both times.
    AcceptsRedelivery,
    /// Every answer within 5 s.
    #[value(name = "answers-within-5s")]
    AnswersWithin5s,
}

impl CheckId {
    /// Every check, in the order they run and are reported.
    pub const ALL: [CheckId; 12] = [
        CheckId::AcceptsEveryEvent,
        CheckId::RawBodySignature,
        CheckId::RejectsMissingSignature,
        CheckId::RejectsBadSignature,
        CheckId::RejectsTamperedBody,
        CheckId::RejectsStaleTimestamp,
        CheckId::RejectsFutureTimestamp,
        CheckId::AcceptsUnknownEventType,
        CheckId::AcceptsUnknownProperties,
        CheckId::AcceptsUnknownEnumValue,
        CheckId::AcceptsRedelivery,
        CheckId::AnswersWithin5s,
    ];

    /// The stable id, as written on the command line and in the report.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckId::AcceptsEveryEvent => "accepts-every-event",
            CheckId::RawBodySignature => "raw-body-signature",
            CheckId::RejectsMissingSignature => "rejects-missing-signature",
            CheckId::RejectsBadSignature => "rejects-bad-signature",
            CheckId::RejectsTamperedBody => "rejects-tampered-body",
            CheckId::RejectsStaleTimestamp => "rejects-stale-timestamp",
            CheckId::RejectsFutureTimestamp => "rejects-future-timestamp",
            CheckId::AcceptsUnknownEventType => "accepts-unknown-event-type",
            CheckId::AcceptsUnknownProperties => "accepts-unknown-properties",
            CheckId::AcceptsUnknownEnumValue => "accepts-unknown-enum-value",
            CheckId::AcceptsRedelivery => "accepts-redelivery",
            CheckId::AnswersWithin5s => "answers-within-5s",
        }
    }

    /// One line saying how to fix a receiver that fails the check.
    pub fn hint(self) -> &'static str {
        match self {
            CheckId::AcceptsEveryEvent => {
                "accept every event the spec describes: answer 2xx once the signature holds"
            }
            CheckId::RawBodySignature => {
                "hash the raw request bytes, not re-serialised JSON (no JSON.stringify, json.dumps or serde round trip before the HMAC)"
            }
            CheckId::RejectsMissingSignature => {
                "answer 400 or 401 when the Whereby-Signature header is missing, before doing anything else"
            }
            CheckId::RejectsBadSignature => {
                "compare the HMAC in constant time and answer 401 when no v1 matches; never 2xx, never 5xx (Whereby retries a 5xx)"
            }
            CheckId::RejectsTamperedBody => {
                "compute the HMAC over the exact bytes received and answer 401 when it does not match"
            }
            CheckId::RejectsStaleTimestamp => {
                "reject a signature whose t is older than your tolerance (we recommend 300 s) with 401"
            }
            CheckId::RejectsFutureTimestamp => {
                "bound the timestamp in both directions: reject a t further ahead than your tolerance with 401"
            }
            CheckId::AcceptsUnknownEventType => {
                "acknowledge event types you do not handle with 2xx: Whereby adds new ones"
            }
            CheckId::AcceptsUnknownProperties => {
                "ignore properties you do not know: Whereby adds them within an API version"
            }
            CheckId::AcceptsUnknownEnumValue => {
                "treat roleName as an open list: keep unknown values as strings instead of failing"
            }
            CheckId::AcceptsRedelivery => {
                "deduplicate on id by answering 2xx to a redelivery without acting on it again, never 409 or 5xx"
            }
            CheckId::AnswersWithin5s => {
                "answer first and do slow work afterwards (a queue or a background task): Whereby times out after 5 s and retries"
            }
        }
    }
}

impl CheckId {
    /// [`CheckId::hint`] for a receiver of another signature scheme: the
    /// same advice without Whereby's header, grammar or habits.
    pub fn hint_for(self, scheme: &Scheme) -> String {
        if scheme.name == "whereby" {
            return self.hint().to_owned();
        }
        let header = scheme.signature_header;
        match self {
            CheckId::AcceptsEveryEvent => {
                "accept every authentic delivery: answer 2xx once the signature holds".to_owned()
            }
            CheckId::RejectsMissingSignature => format!(
                "answer 400 or 401 when the {header} header is missing, before doing anything else"
            ),
            CheckId::RejectsBadSignature => format!(
                "compare the HMAC in constant time and answer 401 when no signature in {header} matches; never 2xx, and never 5xx (a sender may retry a 5xx)"
            ),
            CheckId::RejectsStaleTimestamp => {
                "reject a signature whose timestamp is older than your tolerance with 401".to_owned()
            }
            CheckId::RejectsFutureTimestamp => {
                "bound the timestamp in both directions: reject one further ahead than your tolerance with 401".to_owned()
            }
            CheckId::AcceptsUnknownEventType => {
                "acknowledge event types you do not handle with 2xx".to_owned()
            }
            CheckId::AcceptsUnknownProperties => {
                "ignore properties you do not know".to_owned()
            }
            CheckId::AcceptsUnknownEnumValue => {
                "treat enumerations as open lists: keep unknown values as strings instead of failing".to_owned()
            }
            CheckId::AcceptsRedelivery => {
                "deduplicate by answering 2xx to a redelivery without acting on it again, never 409 or 5xx".to_owned()
            }
            CheckId::AnswersWithin5s => {
                "answer first and do slow work afterwards (a queue or a background task)".to_owned()
            }
            CheckId::RawBodySignature | CheckId::RejectsTamperedBody => self.hint().to_owned(),
        }
    }
}

impl std::fmt::Display for CheckId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Arguments of `check-receiver`.
#[derive(Debug, clap::Args)]
#[command(after_help = "\
It sends real-looking events: a receiver with side effects (emails, billing, database rows) acts \
on them, so point it at a test deployment. Every delivery carries the request header \
`Whereby-Webhooks-Test: check-receiver` so that a receiver can recognise test traffic; bodies are \
otherwise what Whereby would send, each with a fresh `id` and `createdAt`.

Checks: accepts-every-event, raw-body-signature, rejects-missing-signature, rejects-bad-signature, \
rejects-tampered-body, rejects-stale-timestamp, rejects-future-timestamp, \
accepts-unknown-event-type, accepts-unknown-properties, accepts-unknown-enum-value, \
accepts-redelivery, answers-within-5s. Authentic deliveries must get 2xx; forged or replayed ones \
4xx (a 5xx makes Whereby retry, a 2xx accepts a forgery); every answer must come within 5 s.

When authentic deliveries are refused, a few authentic probes of the same event follow (its bytes afresh, compact as JSON.stringify writes it, as Python's json.dumps writes it), marked and counted like every delivery; the failing check then carries a diagnosis: receiver_reserializes_body, receiver_secret_mismatch, receiver_wrong_path or receiver_not_listening, with its fix.

With --profile stripe, github or standard-webhooks, deliveries are signed with that scheme's headers \
(the bodies are still this project's example events), and a check the scheme cannot express is \
reported as skipped, not passed: GitHub signs no timestamp (rejects-stale-timestamp and \
rejects-future-timestamp), Stripe's libraries accept a timestamp from the future \
(rejects-future-timestamp).

Exit status: 0 when every check passes, 1 when any fails, 2 for a usage error or an unreachable URL.")]
pub struct Args {
    /// The receiver's URL (http or https)
    #[arg(value_name = "URL", value_parser = client::parse_url)]
    url: String,

    /// Run only this check (ids below); repeatable, or comma-separated
    #[arg(
        long,
        value_name = "ID",
        value_enum,
        value_delimiter = ',',
        hide_possible_values = true
    )]
    only: Vec<CheckId>,

    /// Do not run this check; repeatable, or comma-separated
    #[arg(
        long,
        value_name = "ID",
        value_enum,
        value_delimiter = ',',
        hide_possible_values = true
    )]
    skip: Vec<CheckId>,

    /// Output format: a report card, or one JSON object per check and line
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,

    /// Milliseconds to wait between two deliveries (0 to 60000)
    #[arg(long, value_name = "MS", default_value_t = 100, value_parser = clap::value_parser!(u64).range(0..=60_000))]
    interval: u64,

    /// Give up on an answer after this many seconds (an answer later than 5 s
    /// fails answers-within-5s either way; 1 to 86400)
    #[arg(long, value_name = "SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=MAX_TIMEOUT_SECS))]
    timeout: u64,

    #[command(flatten)]
    profile: ProfileArgs,

    #[command(flatten)]
    secrets: SecretArgs,
}

/// What one delivery got.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// An HTTP answer: its status, and the start of its body.
    Answered {
        /// The status code.
        status: u16,
        /// From sending to the end of the answer's body.
        elapsed: Duration,
        /// The start of the answer's body, as received (not yet escaped).
        body: String,
    },
    /// No answer: a time-out or a broken connection.
    NoAnswer {
        /// Why, in words.
        reason: String,
        /// Until the request was given up.
        elapsed: Duration,
        /// Whether it was a time-out.
        timed_out: bool,
        /// Whether the request reached no receiver (see
        /// [`client::unreachable`]): nothing was delivered.
        unreachable: bool,
        /// What to check, from why there was no answer.
        hint: &'static str,
    },
}

/// Runs `check-receiver`.
pub fn run(args: Args) -> anyhow::Result<Exit> {
    let scheme = args.profile.scheme();
    let chosen = select(&args.only, &args.skip)?;
    // Checks the scheme cannot express are not run, and say so.
    let (selected, inapplicable): (Vec<CheckId>, Vec<CheckId>) = chosen
        .iter()
        .partition(|check| applies(**check, scheme).is_none());
    let secrets = if args.profile.is_default() {
        args.secrets.resolve()?
    } else {
        args.secrets.resolve_for(scheme)?
    };
    // What each delivery must get is what `listen` would make of it.
    let judge = Judge::new(
        Validator::embedded(Options::default())?,
        vec![secrets[0].clone()],
    )
    .with_scheme(scheme);
    let deliveries = battery::build(&selected, &judge, &secrets[0]);
    let target = client::Target::new(&args.url, Duration::from_secs(args.timeout))?;
    let outcomes = send_all(&args, &target, &secrets[0], &deliveries)?;
    let mut results = grade::grade(&selected, &deliveries, &outcomes);
    let probes = probe_refusals(
        &args,
        &target,
        &judge,
        &secrets[0],
        &deliveries,
        &outcomes,
        &mut results,
    );
    if !args.profile.is_default() {
        // The grades carry Whereby's advice; say it for this scheme.
        for result in results.iter_mut().filter(|result| !result.passed) {
            result.detail = result
                .detail
                .replace(result.check.hint(), &result.check.hint_for(scheme));
        }
    }
    for check in inapplicable {
        let why = applies(check, scheme).unwrap_or_default();
        results.push(grade::CheckResult::skipped(check, why));
    }
    results.sort_by_key(|result| result.check);
    report::print(args.format, &args.url, deliveries.len() + probes, &results)?;
    Ok(
        if results.iter().all(|result| result.passed || result.skipped) {
            Exit::Success
        } else {
            Exit::Invalid
        },
    )
}

/// Why `check` does not apply to `scheme`, or `None` when it does.
fn applies(check: CheckId, scheme: &Scheme) -> Option<&'static str> {
    match check {
        CheckId::RejectsStaleTimestamp if !scheme.checks.stale => {
            Some("the scheme signs no timestamp: a receiver cannot tell a replay by its age")
        }
        CheckId::RejectsFutureTimestamp if scheme.timestamp.is_none() => {
            Some("the scheme signs no timestamp")
        }
        CheckId::RejectsFutureTimestamp if !scheme.checks.future => Some(
            "the scheme's own libraries accept a timestamp from the future: refusing one is not required",
        ),
        _ => None,
    }
}

/// The checks to run, in their order: `--only` (or all), minus `--skip`.
fn select(only: &[CheckId], skip: &[CheckId]) -> anyhow::Result<Vec<CheckId>> {
    let selected: Vec<CheckId> = CheckId::ALL
        .into_iter()
        .filter(|check| only.is_empty() || only.contains(check))
        .filter(|check| !skip.contains(check))
        .collect();
    if selected.is_empty() {
        bail!("--only and --skip leave no check to run: skip fewer checks");
    }
    Ok(selected)
}

/// Sends every delivery in turn, pausing `--interval` between two. A
/// receiver that cannot be reached on the first delivery (no connection,
/// or one closed without an answer) is a usage error: a first answer that
/// only comes too late is graded instead.
/// On a terminal, stderr shows which delivery is under way, one tick per
/// delivery of the battery: a receiver that never answers makes a run long.
/// Not with `--format json`, nor in a pipe ([`progress::wanted`]).
fn send_all(
    args: &Args,
    target: &client::Target,
    secret: &Secret,
    deliveries: &[Delivery],
) -> anyhow::Result<Vec<Outcome>> {
    let mut outcomes = Vec::with_capacity(deliveries.len());
    let ticker = progress::Ticker::new(
        Some(deliveries.len() as u64),
        "{pos}/{len} deliveries, {elapsed} so far; waiting for the answer to {msg}",
        progress::wanted(args.format == Format::Json),
    );
    for (index, delivery) in deliveries.iter().enumerate() {
        if index > 0 {
            std::thread::sleep(Duration::from_millis(args.interval));
        }
        ticker.set_message(delivery.label.clone());
        let outcome = send(target, &args.url, args.profile.scheme(), secret, delivery);
        ticker.tick();
        if index == 0
            && let Outcome::NoAnswer {
                reason,
                timed_out,
                unreachable,
                hint,
                ..
            } = &outcome
            && (*unreachable || !*timed_out)
        {
            drop(ticker);
            return Err(anyhow!(
                "cannot reach {}{}: {}: {hint}",
                client::shown(&args.url),
                target.through(),
                whereby_webhooks_conformance::escape::terminal_safe(reason)
            ));
        }
        outcomes.push(outcome);
    }
    drop(ticker);
    Ok(outcomes)
}

/// For every failed check whose authentic deliveries were refused with a
/// `4xx` or a `5xx`, sends authentic probes of the first refused event
/// ([`battery::probes`]), `--interval` apart, and sets the check's
/// diagnosis from what they got. Returns how many probes it sent.
fn probe_refusals(
    args: &Args,
    target: &client::Target,
    judge: &Judge,
    secret: &Secret,
    deliveries: &[Delivery],
    outcomes: &[Outcome],
    results: &mut [grade::CheckResult],
) -> usize {
    let mut sent = 0;
    let accepted_elsewhere = deliveries.iter().zip(outcomes).any(|(delivery, outcome)| {
        delivery.expect == battery::Expect::Accept
            && matches!(outcome, Outcome::Answered { status, .. } if (200..300).contains(status))
    });
    for result in results.iter_mut().filter(|result| !result.passed) {
        let refused = diagnosis::refused(
            deliveries
                .iter()
                .zip(outcomes)
                .filter(|(delivery, _)| delivery.check == result.check),
        );
        let Some(refused) = refused else { continue };
        let probes = battery::probes(refused, judge, secret);
        let mut got = Vec::with_capacity(probes.len());
        for (form, probe) in &probes {
            std::thread::sleep(Duration::from_millis(args.interval));
            got.push((
                *form,
                send(target, &args.url, judge.scheme(), secret, probe),
            ));
            sent += 1;
        }
        let got: Vec<(battery::Form, &Outcome)> =
            got.iter().map(|(form, outcome)| (*form, outcome)).collect();
        result.diagnosis = diagnosis::diagnose(&got, accepted_elsewhere);
    }
    sent
}

/// Sends one delivery, signed now.
fn send(
    target: &client::Target,
    url: &str,
    scheme: &Scheme,
    secret: &Secret,
    delivery: &Delivery,
) -> Outcome {
    let mut request = target
        .post(url)
        .header("Content-Type", "application/json")
        .header(TEST_HEADER.0, TEST_HEADER.1);
    for (name, value) in delivery.headers(scheme, secret, now_unix()) {
        request = request.header(name, value);
    }
    let started = Instant::now();
    match request
        .send(&delivery.sent[..])
        .and_then(client::read_answer)
    {
        Ok(answer) => Outcome::Answered {
            status: answer.status,
            elapsed: started.elapsed(),
            body: String::from_utf8_lossy(&answer.body).into_owned(),
        },
        Err(error) => Outcome::NoAnswer {
            timed_out: client::is_timeout(&error),
            unreachable: client::unreachable(&error),
            hint: client::hint(&error),
            reason: error.to_string(),
            elapsed: started.elapsed(),
        },
    }
}

#[cfg(test)]
mod tests {
    use clap::ValueEnum as _;

    use super::*;

    #[test]
    fn ids_are_stable_and_match_the_command_line() {
        for check in CheckId::ALL {
            let value = check
                .to_possible_value()
                .expect("every check is selectable");
            assert_eq!(value.get_name(), check.as_str());
        }
        assert_eq!(CheckId::value_variants(), CheckId::ALL);
    }

    /// The receiver guide lists every check (it is generated by the xtask,
    /// which cannot see this crate).
    #[test]
    fn the_guide_lists_every_check() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/webhooks.md");
        let guide = std::fs::read_to_string(path).expect("docs/webhooks.md");
        for check in CheckId::ALL {
            assert!(guide.contains(&format!("| `{check}` |")), "{check}");
        }
        assert!(guide.contains(&format!("`{}: {}`", TEST_HEADER.0, TEST_HEADER.1)));
    }

    /// Advice for another scheme names its header and never Whereby.
    #[test]
    fn hints_for_another_scheme_do_not_speak_of_whereby() {
        use whereby_webhooks_signature::Profile;
        for check in CheckId::ALL {
            assert_eq!(check.hint_for(Profile::Whereby.scheme()), check.hint());
            for profile in [Profile::Stripe, Profile::Github, Profile::StandardWebhooks] {
                let hint = check.hint_for(profile.scheme());
                assert!(!hint.contains("Whereby"), "{check} {profile}: {hint}");
            }
        }
        let github = CheckId::RejectsMissingSignature.hint_for(Profile::Github.scheme());
        assert!(github.contains("X-Hub-Signature-256"), "{github}");
    }

    /// A check a scheme cannot express is skipped, never run: GitHub signs
    /// no timestamp, Stripe's libraries accept one from the future.
    #[test]
    fn checks_a_scheme_cannot_express_are_skipped() {
        use whereby_webhooks_signature::Profile;
        let skipped = |profile: Profile| -> Vec<CheckId> {
            CheckId::ALL
                .into_iter()
                .filter(|check| applies(*check, profile.scheme()).is_some())
                .collect()
        };
        assert_eq!(skipped(Profile::Whereby), []);
        assert_eq!(skipped(Profile::StandardWebhooks), []);
        assert_eq!(skipped(Profile::Stripe), [CheckId::RejectsFutureTimestamp]);
        assert_eq!(
            skipped(Profile::Github),
            [
                CheckId::RejectsStaleTimestamp,
                CheckId::RejectsFutureTimestamp
            ]
        );
    }

    #[test]
    fn selection_keeps_the_order_and_refuses_an_empty_set() {
        let all = select(&[], &[]).expect("all");
        assert_eq!(all, CheckId::ALL);
        let some = select(
            &[CheckId::AcceptsRedelivery, CheckId::AcceptsEveryEvent],
            &[CheckId::AcceptsRedelivery],
        )
        .expect("one");
        assert_eq!(some, [CheckId::AcceptsEveryEvent]);
        let none = select(&[CheckId::AcceptsRedelivery], &[CheckId::AcceptsRedelivery]);
        assert!(none.is_err());
    }
}
