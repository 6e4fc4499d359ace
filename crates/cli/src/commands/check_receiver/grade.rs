//! Judging the answers: one result per check.
//!
//! A delivery meant to be accepted passes on a `2xx`. A delivery meant to be
//! rejected passes only on a `4xx`: a `5xx` makes Whereby retry a forgery
//! and a `2xx` accepts it. A redirect, a time-out or a broken connection
//! passes nothing. `answers-within-5s` looks at how long every delivery of
//! the run took.

use std::time::Duration;

use serde::Serialize;
use whereby_webhooks_conformance::escape;

use super::battery::{Delivery, Expect};
use super::diagnosis::Diagnosis;
use super::{CheckId, Outcome, WHEREBY_TIMEOUT};

/// How many characters of an answer's body a result quotes.
const QUOTE_CHARS: usize = 120;

/// How many failing deliveries a result lists.
const LIST_FAILURES: usize = 3;

/// One check's verdict, as `--format json` prints it.
#[derive(Debug, Clone, Serialize)]
pub struct CheckResult {
    /// The check's stable id.
    pub check: CheckId,
    /// Whether it passed.
    pub passed: bool,
    /// What a correct receiver answers.
    pub expected: String,
    /// What this receiver answered.
    pub got: String,
    /// What was sent, or what went wrong and how to fix it. Text from the
    /// receiver is escaped.
    pub detail: String,
    /// Why the receiver refused authentic deliveries, when probes tell
    /// (see [`super::diagnosis`]); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagnosis: Option<Diagnosis>,
    /// Not run: the signature scheme cannot express the check (`detail`
    /// says why). Neither passed nor failed.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub skipped: bool,
}

impl CheckResult {
    /// A check not run because the scheme cannot express it.
    pub fn skipped(check: CheckId, why: &str) -> CheckResult {
        CheckResult {
            check,
            passed: false,
            expected: "nothing: not applicable".to_owned(),
            got: "skipped".to_owned(),
            detail: why.to_owned(),
            diagnosis: None,
            skipped: true,
        }
    }
}

impl Serialize for CheckId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Grades every selected check from the deliveries and what each got
/// (`outcomes[i]` is what `deliveries[i]` got).
pub fn grade(
    selected: &[CheckId],
    deliveries: &[Delivery],
    outcomes: &[Outcome],
) -> Vec<CheckResult> {
    selected
        .iter()
        .map(|&check| {
            if check == CheckId::AnswersWithin5s {
                return timing(deliveries, outcomes);
            }
            let sent: Vec<(&Delivery, &Outcome)> = deliveries
                .iter()
                .zip(outcomes)
                .filter(|(delivery, _)| delivery.check == check)
                .collect();
            statuses(check, &sent)
        })
        .collect()
}

/// Whether an outcome is what the delivery must get.
fn meets(expect: Expect, outcome: &Outcome) -> bool {
    match (expect, outcome) {
        (Expect::Accept, Outcome::Answered { status, .. }) => (200..300).contains(status),
        (Expect::Reject, Outcome::Answered { status, .. }) => (400..500).contains(status),
        (_, Outcome::NoAnswer { .. }) => false,
    }
}

/// A short description of an outcome: `401`, or `no answer (timed out)`.
fn short(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Answered { status, .. } => status.to_string(),
        Outcome::NoAnswer {
            timed_out: true, ..
        } => "no answer in time".to_owned(),
        Outcome::NoAnswer { .. } => "no answer".to_owned(),
    }
}

/// What an outcome means for a delivery that did not get what it must.
fn consequence(expect: Expect, outcome: &Outcome) -> &'static str {
    match (expect, outcome) {
        (Expect::Reject, Outcome::Answered { status, .. }) if (500..600).contains(status) => {
            "Whereby would retry this forgery"
        }
        (Expect::Reject, Outcome::Answered { status, .. }) if (200..300).contains(status) => {
            "the forgery was accepted"
        }
        (Expect::Accept, Outcome::Answered { status, .. }) if (400..500).contains(status) => {
            "the event is refused"
        }
        (Expect::Accept, Outcome::Answered { status, .. }) if (500..600).contains(status) => {
            "Whereby retries a 5xx"
        }
        (_, Outcome::Answered { status, .. }) if (300..400).contains(status) => {
            "webhook senders do not follow redirects"
        }
        (_, Outcome::NoAnswer { .. }) => "Whereby would retry",
        _ => "not what Whereby expects",
    }
}

/// A check judged on the statuses of its deliveries.
fn statuses(check: CheckId, sent: &[(&Delivery, &Outcome)]) -> CheckResult {
    let count = sent.len();
    let expect = sent.first().map_or(Expect::Accept, |(d, _)| d.expect);
    let expected = match (expect, count) {
        (Expect::Reject, _) => "4xx".to_owned(),
        (Expect::Accept, 2) if check == CheckId::AcceptsRedelivery => "2xx both times".to_owned(),
        (Expect::Accept, 1) => "2xx".to_owned(),
        (Expect::Accept, n) => format!("2xx for all {n}"),
    };
    let failed: Vec<&(&Delivery, &Outcome)> = sent
        .iter()
        .filter(|(delivery, outcome)| !meets(delivery.expect, outcome))
        .collect();
    let passed = failed.is_empty() && count > 0;
    let got = if passed {
        let mut codes: Vec<String> = sent.iter().map(|(_, outcome)| short(outcome)).collect();
        codes.dedup();
        let codes = codes.join(", ");
        match count {
            1 => codes,
            2 if check == CheckId::AcceptsRedelivery => format!("{codes} both times"),
            n => format!("{codes} for all {n}"),
        }
    } else if count == 1 {
        short(sent[0].1)
    } else {
        let mut codes: Vec<String> = failed.iter().map(|(_, outcome)| short(outcome)).collect();
        codes.sort();
        codes.dedup();
        format!("{} for {} of {count}", codes.join(", "), failed.len())
    };
    let labels: Vec<&str> = sent
        .iter()
        .map(|(delivery, _)| delivery.label.as_str())
        .collect();
    let detail = if passed {
        format!("sent: {}", summarise(&labels))
    } else {
        let mut parts: Vec<String> = failed
            .iter()
            .take(LIST_FAILURES)
            .map(|(delivery, outcome)| {
                format!(
                    "{}: {} ({}){}",
                    delivery.label,
                    short(outcome),
                    consequence(delivery.expect, outcome),
                    quote(outcome)
                )
            })
            .collect();
        if failed.len() > LIST_FAILURES {
            parts.push(format!("and {} more", failed.len() - LIST_FAILURES));
        }
        format!("{}; fix: {}", parts.join("; "), check.hint())
    };
    CheckResult {
        check,
        passed,
        expected,
        got,
        detail,
        diagnosis: None,
        skipped: false,
    }
}

/// `a, b and 11 more` for long lists.
fn summarise(labels: &[&str]) -> String {
    if labels.len() <= 4 {
        labels.join(", ")
    } else {
        format!("{} and {} more", labels[..3].join(", "), labels.len() - 3)
    }
}

/// The start of the answer's body or the reason there was none, escaped.
fn quote(outcome: &Outcome) -> String {
    let text = match outcome {
        Outcome::Answered { body, .. } => body.trim(),
        Outcome::NoAnswer { reason, .. } => reason.trim(),
    };
    if text.is_empty() {
        return String::new();
    }
    let mut cut: String = text.chars().take(QUOTE_CHARS).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    format!(": \"{}\"", escape::quoted_safe(&cut))
}

/// `answers-within-5s`: every delivery of the run answered within 5 s.
fn timing(deliveries: &[Delivery], outcomes: &[Outcome]) -> CheckResult {
    let check = CheckId::AnswersWithin5s;
    let mut times: Vec<Duration> = Vec::new();
    let mut slow: Vec<(&Delivery, &Outcome, Duration)> = Vec::new();
    for (delivery, outcome) in deliveries.iter().zip(outcomes) {
        let (elapsed, late) = match outcome {
            Outcome::Answered { elapsed, .. } => (*elapsed, *elapsed > WHEREBY_TIMEOUT),
            // A connection held past 5 s and then broken is as late as a
            // time-out: Whereby had given up on it.
            Outcome::NoAnswer {
                elapsed, timed_out, ..
            } => (*elapsed, *timed_out || *elapsed > WHEREBY_TIMEOUT),
        };
        if matches!(outcome, Outcome::Answered { .. }) {
            times.push(elapsed);
        }
        if late {
            slow.push((delivery, outcome, elapsed));
        }
    }
    times.sort();
    let expected = "every answer within 5 s".to_owned();
    let got = match (times.get((times.len().saturating_sub(1)) / 2), times.last()) {
        (Some(p50), Some(max)) => format!(
            "p50 {}, max {} over {} answers",
            duration(*p50),
            duration(*max),
            times.len()
        ),
        _ => "no answers".to_owned(),
    };
    let late_none = slow
        .iter()
        .filter(|(_, outcome, _)| matches!(outcome, Outcome::NoAnswer { .. }))
        .count();
    let all_none = outcomes
        .iter()
        .filter(|outcome| matches!(outcome, Outcome::NoAnswer { .. }))
        .count();
    let got = match late_none {
        0 => got,
        // Timed out (after --timeout, which may be under 5 s) or broken
        // after 5 s.
        n => format!("{got}, and {n} with no answer in time"),
    };
    // A connection broken within 5 s is no slow answer, but it is no
    // answer either: said, so that a pass over a few answers is not read
    // as a pass over all of them.
    let got = match all_none - late_none {
        0 => got,
        n => format!("{got}; {n} broken off within 5 s (see their own checks)"),
    };
    let passed = slow.is_empty() && !times.is_empty();
    let detail = if passed {
        format!("timed every delivery of the run ({})", deliveries.len())
    } else if let Some((delivery, outcome, elapsed)) = slow.iter().max_by_key(|(_, _, e)| *e) {
        let what = match outcome {
            Outcome::Answered { .. } => format!("answered after {}", duration(*elapsed)),
            Outcome::NoAnswer { .. } => format!("no answer after {}", duration(*elapsed)),
        };
        format!(
            "{} of {} too slow; slowest: {} {} {what}; fix: {}",
            slow.len(),
            deliveries.len(),
            delivery.check,
            delivery.label,
            check.hint()
        )
    } else {
        "nothing was answered".to_owned()
    };
    CheckResult {
        check,
        passed,
        expected,
        got,
        detail,
        diagnosis: None,
        skipped: false,
    }
}

/// `12.3 ms` or `5.20 s`. A time that would round to `1000.0 ms` is
/// written `1.00 s`.
pub fn duration(elapsed: Duration) -> String {
    if elapsed < Duration::from_micros(999_950) {
        format!("{:.1} ms", elapsed.as_secs_f64() * 1000.0)
    } else {
        format!("{:.2} s", elapsed.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::super::battery::tests::built;
    use super::*;

    fn answered(status: u16, millis: u64) -> Outcome {
        Outcome::Answered {
            status,
            elapsed: Duration::from_millis(millis),
            body: String::new(),
        }
    }

    fn grade_one(check: CheckId, outcome: impl Fn(&Delivery) -> Outcome) -> CheckResult {
        let deliveries = built(&[check]);
        let outcomes: Vec<Outcome> = deliveries.iter().map(&outcome).collect();
        grade(&[check], &deliveries, &outcomes).remove(0)
    }

    #[test]
    fn a_forgery_must_get_a_4xx_not_a_5xx_nor_a_2xx() {
        for (status, passed) in [
            (401, true),
            (400, true),
            (500, false),
            (200, false),
            (302, false),
        ] {
            let result = grade_one(CheckId::RejectsMissingSignature, |_| answered(status, 1));
            assert_eq!(result.passed, passed, "{status}");
            assert_eq!(result.expected, "4xx");
            assert_eq!(result.got, status.to_string());
        }
        let result = grade_one(CheckId::RejectsBadSignature, |_| answered(503, 1));
        assert!(
            result.detail.contains("retry this forgery"),
            "{}",
            result.detail
        );
        assert!(result.detail.contains("fix: "), "{}", result.detail);
    }

    #[test]
    fn one_failure_among_many_is_named() {
        let result = grade_one(CheckId::AcceptsEveryEvent, |delivery| {
            if delivery.label.starts_with("recording.") {
                answered(422, 1)
            } else {
                answered(200, 1)
            }
        });
        assert!(!result.passed);
        assert!(result.got.starts_with("422 for 1 of "), "{}", result.got);
        assert!(
            result.detail.contains("recording.finished.default"),
            "{}",
            result.detail
        );
    }

    #[test]
    fn answers_are_quoted_escaped() {
        let result = grade_one(CheckId::RejectsBadSignature, |_| Outcome::Answered {
            status: 500,
            elapsed: Duration::from_millis(1),
            body: "boom\u{1b}[31m\nred".to_owned(),
        });
        assert!(
            result.detail.contains("boom\\u{1b}[31m\\u{a}red"),
            "{}",
            result.detail
        );
        assert!(!result.detail.contains('\u{1b}'));
    }

    #[test]
    fn timing_reports_p50_and_max_and_fails_over_5_s() {
        let deliveries = built(&CheckId::ALL);
        let mut outcomes: Vec<Outcome> = deliveries.iter().map(|_| answered(200, 10)).collect();
        let fast = timing(&deliveries, &outcomes);
        assert!(fast.passed);
        assert!(
            fast.got.starts_with("p50 10.0 ms, max 10.0 ms"),
            "{}",
            fast.got
        );
        outcomes[3] = answered(200, 5_200);
        let slow = timing(&deliveries, &outcomes);
        assert!(!slow.passed);
        assert!(slow.got.contains("max 5.20 s"), "{}", slow.got);
        assert!(
            slow.detail.contains(&deliveries[3].label),
            "{}",
            slow.detail
        );
    }

    #[test]
    fn durations_are_written_in_the_unit_they_round_to() {
        assert_eq!(duration(Duration::from_micros(12_340)), "12.3 ms");
        assert_eq!(duration(Duration::from_micros(999_940)), "999.9 ms");
        assert_eq!(duration(Duration::from_micros(999_960)), "1.00 s");
        assert_eq!(duration(Duration::from_millis(5_200)), "5.20 s");
    }

    /// A connection held 9 s and then broken got no answer, but it was no
    /// faster than Whereby's 5 s: before, it was left out of the timing,
    /// and a run whose other answers were fast passed. A time-out is not
    /// counted among the answers either.
    #[test]
    fn a_connection_broken_after_5_s_is_too_slow() {
        let deliveries = built(&CheckId::ALL);
        let mut outcomes: Vec<Outcome> = deliveries.iter().map(|_| answered(200, 10)).collect();
        let broken = |seconds, timed_out| Outcome::NoAnswer {
            reason: "connection reset".to_owned(),
            elapsed: Duration::from_secs(seconds),
            timed_out,
            unreachable: false,
            hint: "",
        };
        outcomes[2] = broken(9, false);
        let result = timing(&deliveries, &outcomes);
        assert!(!result.passed, "{result:?}");
        assert!(
            result.detail.contains("no answer after 9.00 s"),
            "{}",
            result.detail
        );
        outcomes[2] = broken(1, false);
        let result = timing(&deliveries, &outcomes);
        assert!(result.passed);
        assert!(
            result
                .got
                .ends_with("; 1 broken off within 5 s (see their own checks)"),
            "{}",
            result.got
        );
        outcomes[2] = broken(10, true);
        let result = timing(&deliveries, &outcomes);
        assert!(!result.passed);
        assert!(
            result
                .got
                .contains(&format!("over {} answers", deliveries.len() - 1))
                && result.got.ends_with("and 1 with no answer in time"),
            "{}",
            result.got
        );
    }
}
