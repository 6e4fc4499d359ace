//! Why a receiver refuses authentic deliveries.
//!
//! When a check that sends authentic deliveries gets a `4xx` or a `5xx`,
//! a few more authentic probes of the refused event follow: its own bytes
//! again (with a fresh `id`), compact as `JSON.stringify` writes it, and as
//! Python's `json.dumps` writes it by default. Which of them the receiver
//! accepts tells why it refused: a re-serialisation accepted while the
//! delivered bytes are not means it hashes a re-serialisation; every probe
//! refused with `401` or `403`, that its secret (or the header it reads) is
//! not the right one; every probe answered `404`, that nothing handles
//! webhooks at that path; no connection at all, that nothing listens.

use serde::Serialize;

use super::Outcome;
use super::battery::{Delivery, Expect, Form};

/// A cause of refused authentic deliveries, with a stable id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finding {
    /// A re-serialisation of the body is accepted, its delivered bytes not.
    ReserializesBody,
    /// Every authentic probe is refused with `401` or `403`.
    SecretMismatch,
    /// Every authentic probe is answered `404`.
    WrongPath,
    /// No probe could connect.
    NotListening,
}

impl Finding {
    /// The stable id, in `snake_case`.
    pub const fn id(self) -> &'static str {
        match self {
            Finding::ReserializesBody => "receiver_reserializes_body",
            Finding::SecretMismatch => "receiver_secret_mismatch",
            Finding::WrongPath => "receiver_wrong_path",
            Finding::NotListening => "receiver_not_listening",
        }
    }

    /// What to do about it, in one sentence.
    pub const fn fix(self) -> &'static str {
        match self {
            Finding::ReserializesBody => whereby_webhooks_signature::Cause::BodyReserialized.fix(),
            Finding::SecretMismatch => {
                "check the secret (this endpoint's signing secret, exactly as Whereby shows it, with no newline or space read along with it) and that the receiver reads the Whereby-Signature header"
            }
            Finding::WrongPath => {
                "check the URL's path: the receiver answers 404, so nothing handles webhooks there"
            }
            Finding::NotListening => {
                "check that the receiver is running and listening on the URL's host and port"
            }
        }
    }
}

/// A finding as `--format json` prints it, in the failing check's object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnosis {
    /// The finding's stable id.
    pub id: &'static str,
    /// What the probes got, in words (status codes only: no text from the
    /// receiver).
    pub detail: String,
    /// What to do about it.
    pub fix: &'static str,
}

impl Diagnosis {
    fn new(finding: Finding, detail: String) -> Self {
        Diagnosis {
            id: finding.id(),
            detail,
            fix: finding.fix(),
        }
    }
}

/// The first authentic delivery among `sent` that got a `4xx` or a `5xx`:
/// the one to probe.
pub fn refused<'a>(
    sent: impl IntoIterator<Item = (&'a Delivery, &'a Outcome)>,
) -> Option<&'a Delivery> {
    sent.into_iter()
        .find(|(delivery, outcome)| {
            delivery.expect == Expect::Accept
                && matches!(outcome, Outcome::Answered { status, .. } if *status >= 400)
        })
        .map(|(delivery, _)| delivery)
}

/// The finding from what each probe got, if any explains the refusal;
/// `accepted_elsewhere` when some authentic delivery of the run got a
/// `2xx` (then the secret and the path are known to work).
///
/// Only answers that say so count: a re-serialisation accepted while the
/// delivered bytes got `401` or `403` (not a `404` or a `5xx`, which say
/// nothing about hashing); every probe `401`/`403` or every probe `404`,
/// with no authentic delivery accepted anywhere in the run. Anything else,
/// a receiver answering at random for one, gets no diagnosis.
pub fn diagnose(probes: &[(Form, &Outcome)], accepted_elsewhere: bool) -> Option<Diagnosis> {
    let status = |outcome: &Outcome| match outcome {
        Outcome::Answered { status, .. } => Some(*status),
        Outcome::NoAnswer { .. } => None,
    };
    let accepted = |outcome: &Outcome| status(outcome).is_some_and(|s| (200..300).contains(&s));
    let got = |outcome: &Outcome| match outcome {
        Outcome::Answered { status, .. } => status.to_string(),
        Outcome::NoAnswer { .. } => "no answer".to_owned(),
    };
    let summary = probes
        .iter()
        .map(|(form, outcome)| format!("{}: {}", form.describe(), got(outcome)))
        .collect::<Vec<_>>()
        .join(", ");
    let (delivered, others): (Vec<_>, Vec<_>) = probes
        .iter()
        .partition(|(form, _)| *form == Form::Delivered);
    let unauthenticated = |outcome: &Outcome| matches!(status(outcome), Some(401 | 403));
    let delivered_refused = !delivered.is_empty()
        && delivered
            .iter()
            .all(|(_, outcome)| unauthenticated(outcome));
    if probes.is_empty() {
        return None;
    }
    if delivered_refused && others.iter().any(|(_, outcome)| accepted(outcome)) {
        return Some(Diagnosis::new(
            Finding::ReserializesBody,
            format!(
                "the same event re-serialised is accepted, its delivered bytes are not ({summary}): the receiver hashes a re-serialisation of the body"
            ),
        ));
    }
    let every = |wanted: &dyn Fn(&Outcome) -> bool| probes.iter().all(|(_, o)| wanted(o));
    if accepted_elsewhere {
        return None;
    }
    if every(&unauthenticated) {
        return Some(Diagnosis::new(
            Finding::SecretMismatch,
            format!(
                "every authentic probe is refused as unauthenticated ({summary}): the receiver computes another signature"
            ),
        ));
    }
    if every(&|o| status(o) == Some(404)) {
        return Some(Diagnosis::new(
            Finding::WrongPath,
            format!("every authentic probe is answered 404 ({summary})"),
        ));
    }
    if every(&|o| {
        matches!(
            o,
            Outcome::NoAnswer {
                unreachable: true,
                ..
            }
        )
    }) {
        return Some(Diagnosis::new(
            Finding::NotListening,
            format!("no authentic probe could connect ({summary})"),
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn answered(status: u16) -> Outcome {
        Outcome::Answered {
            status,
            elapsed: Duration::from_millis(1),
            body: String::new(),
        }
    }

    #[test]
    fn the_probes_name_the_cause() {
        let (ok, no, missing) = (answered(200), answered(401), answered(404));
        let id = |probes: &[(Form, &Outcome)]| diagnose(probes, false).map(|d| d.id);
        use Form::{Compact, Delivered, Python};
        assert_eq!(
            id(&[(Delivered, &no), (Compact, &ok), (Python, &no)]),
            Some("receiver_reserializes_body")
        );
        assert_eq!(
            id(&[(Delivered, &no), (Python, &ok)]),
            Some("receiver_reserializes_body")
        );
        assert_eq!(
            id(&[(Delivered, &no), (Compact, &no), (Python, &answered(403))]),
            Some("receiver_secret_mismatch")
        );
        assert_eq!(
            id(&[(Delivered, &missing), (Compact, &missing)]),
            Some("receiver_wrong_path")
        );
        // The delivered bytes accepted afresh: not the form (a redelivery
        // refused, say).
        assert_eq!(id(&[(Delivered, &ok), (Compact, &ok), (Python, &ok)]), None);
        // Refused for what the event says, in every form.
        assert_eq!(
            id(&[(Delivered, &answered(422)), (Python, &answered(422))]),
            None
        );
        assert_eq!(id(&[]), None);
        // A 404 or a 500 to the delivered bytes says nothing about hashing
        // (a receiver answering at random).
        assert_eq!(id(&[(Delivered, &missing), (Python, &ok)]), None);
        assert_eq!(id(&[(Delivered, &answered(500)), (Compact, &ok)]), None);
        // Authentic deliveries accepted elsewhere in the run: the secret and
        // the path work.
        let elsewhere = |probes: &[(Form, &Outcome)]| diagnose(probes, true).map(|d| d.id);
        assert_eq!(elsewhere(&[(Delivered, &no), (Compact, &no)]), None);
        assert_eq!(
            elsewhere(&[(Delivered, &missing), (Compact, &missing)]),
            None
        );
        assert_eq!(
            elsewhere(&[(Delivered, &no), (Compact, &ok)]),
            Some("receiver_reserializes_body")
        );
    }
}
