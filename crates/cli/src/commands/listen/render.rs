//! How `listen` shows a [`Delivery`]: the record line (`--record`), the
//! JSON summary line and the human line (stdout). Each reads the verdict;
//! nothing here decides one.

use std::borrow::Cow;
use std::time::SystemTime;

use whereby_webhooks_conformance::judge::{self, Conformance};

use super::verdict::{Delivery, Forwarded, Kept, Refusal, Verdict, method_shown, reasons};
use crate::record::{ForwardRecord, RawJson, Record, SchemaRecord, SignatureRecord};
use whereby_webhooks_conformance::escape::terminal_safe;

/// How `listen` prints each delivery on stdout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One line for people: time, status, type, id and the verdicts
    Human,
    /// One JSON object per line: the record line without headers and body
    Json,
}

fn rfc3339(time: SystemTime) -> String {
    humantime::format_rfc3339_millis(time).to_string()
}

impl Delivery {
    fn elapsed_ms(&self) -> f64 {
        (self.elapsed.as_secs_f64() * 1_000_000.0).round() / 1000.0
    }

    /// Appends the record line, newline included.
    pub fn write_record(&self, out: &mut Vec<u8>) {
        self.record().write_line(out);
    }

    /// The record, borrowing the body and headers.
    pub fn record(&self) -> Record<'_> {
        let (signature, schema, forward, event_type, id) = match &self.verdict {
            Verdict::Refused(_)
            | Verdict::Judged {
                verdict: judge::Verdict::Refused(_),
                ..
            } => (None, None, None, None, None),
            Verdict::Judged {
                verdict:
                    judge::Verdict::Unauthentic {
                        error,
                        timestamp,
                        cause,
                    },
                ..
            } => (
                Some(SignatureRecord {
                    valid: false,
                    error: Some(error.to_string()),
                    error_kind: Some(error.kind().as_str().to_owned()),
                    cause: cause.map(|cause| cause.id().to_owned()),
                    timestamp: *timestamp,
                }),
                None,
                None,
                None,
                None,
            ),
            Verdict::Judged {
                verdict:
                    judge::Verdict::Authentic {
                        timestamp,
                        conformance,
                    },
                forward,
            } => (
                Some(SignatureRecord {
                    valid: true,
                    error: None,
                    error_kind: None,
                    cause: None,
                    timestamp: *timestamp,
                }),
                Some(schema_record(conformance)),
                forward.as_ref().map(|(url, forwarded)| ForwardRecord {
                    url: url.clone(),
                    status: match forwarded {
                        Forwarded::Answer { status, .. } => Some(status.as_u16()),
                        _ => None,
                    },
                    error: match forwarded {
                        Forwarded::Answer { .. } => None,
                        Forwarded::TimedOut(why) | Forwarded::Failed(why) => Some(why.clone()),
                        Forwarded::Withheld => {
                            Some("not forwarded: the body does not conform".to_owned())
                        }
                    },
                }),
                conformance.event_type(),
                conformance.id(),
            ),
        };
        let mut record = Record {
            received_at: rfc3339(self.received_at).into(),
            method: method_shown(&self.method).into(),
            path: self.path.as_str().into(),
            status: self.status().as_u16(),
            verdict: self.verdict.kind().into(),
            reason: if self.unrecorded {
                Refusal::NotRecorded.reason_for(self.scheme)
            } else {
                self.verdict.reason(self.scheme)
            }
            .into(),
            elapsed_ms: self.elapsed_ms(),
            signature,
            schema,
            forward,
            event_type: event_type.map(Cow::Borrowed),
            id: id.map(Cow::Borrowed),
            headers: self
                .headers
                .iter()
                .map(|(name, value)| (*name, Cow::Borrowed(value.as_str())))
                .collect(),
            body_bytes: self.body_bytes,
            body_sha256: None,
            body_truncated: false,
            raw_body: None,
            raw_body_base64: None,
            body: None,
        };
        match &self.body {
            Kept::Unread => {}
            Kept::Whole(bytes) => record.keep_body(bytes, true),
            Kept::Prefix { prefix, sha256 } => {
                record.keep_body(prefix, true);
                record.body_truncated = self.body_bytes > prefix.len() as u64;
                record.body_sha256 = Some(Cow::Borrowed(sha256));
            }
        }
        record
    }

    /// The stdout line in `format`, newline included.
    pub fn stdout_line(&self, format: Format, out: &mut Vec<u8>) {
        match format {
            Format::Human => self.human_line(out),
            Format::Json => self.summary_line(out),
        }
    }

    /// The JSON stdout line: the record without headers and body.
    pub fn summary_line(&self, out: &mut Vec<u8>) {
        let mut record = self.record();
        record.headers.clear();
        record.raw_body = None;
        record.raw_body_base64 = None;
        record.body_truncated = false;
        record.write_line(out);
    }

    /// `2026-03-31T09:00:04.700Z POST / 200 room.client.joined 5c8f…
    /// signature ok schema ok (0.4 ms)`: one line, every value from the
    /// request escaped. Only an authentic delivery shows a type and id: an
    /// unauthenticated body's claims are not shown at all.
    pub fn human_line(&self, out: &mut Vec<u8>) {
        let status = self.status();
        let (event_type, id, signature, schema, forward): (_, _, Cow<'_, str>, _, Cow<'_, str>) =
            match &self.verdict {
                Verdict::Refused(_)
                | Verdict::Judged {
                    verdict: judge::Verdict::Refused(_),
                    ..
                } => (
                    None,
                    None,
                    "signature not checked".into(),
                    "schema not checked",
                    "".into(),
                ),
                Verdict::Judged {
                    verdict: judge::Verdict::Unauthentic { error, cause, .. },
                    ..
                } => (
                    None,
                    None,
                    match cause {
                        Some(cause) => format!("signature INVALID ({error}; cause {cause})").into(),
                        None => format!("signature INVALID ({error})").into(),
                    },
                    "schema not checked",
                    "".into(),
                ),
                Verdict::Judged {
                    verdict: judge::Verdict::Authentic { conformance, .. },
                    forward,
                } => (
                    conformance.event_type(),
                    conformance.id(),
                    "signature ok".into(),
                    match conformance {
                        Conformance::Unknown { .. } => "schema UNKNOWN TYPE",
                        _ if conformance.is_valid() => "schema ok",
                        _ => "schema INVALID",
                    },
                    match forward {
                        None => "".into(),
                        Some((_, Forwarded::Answer { status, .. })) => {
                            format!(" forwarded {}", status.as_u16()).into()
                        }
                        Some((_, Forwarded::Withheld)) => " not forwarded".into(),
                        Some((_, Forwarded::TimedOut(why) | Forwarded::Failed(why))) => {
                            format!(" forward FAILED ({})", terminal_safe(why)).into()
                        }
                    },
                ),
            };
        let schema: Cow<'_, str> = match self.verdict.authentic() {
            Some((_, conformance)) if !matches!(conformance, Conformance::Valid { .. }) => {
                // Each reason is terminal-safe already.
                format!(
                    "{schema} ({})",
                    reasons(conformance, self.scheme).join("; ")
                )
                .into()
            }
            _ => schema.into(),
        };
        let refused: Cow<'_, str> = match (&self.verdict, self.unrecorded) {
            (_, true) => format!(" ({})", Refusal::NotRecorded.reason_for(self.scheme)).into(),
            (
                Verdict::Refused(_)
                | Verdict::Judged {
                    verdict: judge::Verdict::Refused(_),
                    ..
                },
                false,
            ) => format!(" ({})", self.verdict.reason(self.scheme)).into(),
            _ => "".into(),
        };
        // Writing to a `Vec` cannot fail.
        let _ = std::io::Write::write_fmt(
            out,
            format_args!(
                "{} {} {} {}{refused} {} {} {signature} {schema}{forward} ({} ms)\n",
                humantime::format_rfc3339_millis(self.received_at),
                terminal_safe(method_shown(&self.method)),
                terminal_safe(&self.path),
                status.as_u16(),
                terminal_safe(event_type.unwrap_or("-")),
                terminal_safe(id.unwrap_or("-")),
                self.elapsed_ms(),
            ),
        );
    }
}

fn schema_record(conformance: &Conformance) -> SchemaRecord {
    match conformance {
        Conformance::Valid { event } => SchemaRecord {
            valid: true,
            event_type: Some(event.event_type().to_string()),
            errors: RawJson::default(),
            model_error: None,
        },
        Conformance::Invalid { report, .. } | Conformance::Unknown { report, .. } => SchemaRecord {
            valid: false,
            event_type: report.event_type.clone(),
            // The conformance crate's one JSON form of an issue, as
            // `validate --format json` prints it.
            errors: RawJson::of(&report.errors),
            model_error: None,
        },
        Conformance::Model { report, error, .. } => SchemaRecord {
            valid: true,
            event_type: report.event_type.clone(),
            errors: RawJson::default(),
            model_error: Some(error.clone()),
        },
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use bytes::Bytes;
    use hyper::{Method, StatusCode};
    use whereby_webhooks_conformance::{Issue, IssueKind, Report};
    use whereby_webhooks_model::all_examples;
    use whereby_webhooks_signature::{Cause, VerifyError};

    use super::*;

    fn delivery(verdict: Verdict, path: &str) -> Delivery {
        Delivery {
            scheme: None,
            received_at: SystemTime::UNIX_EPOCH + Duration::from_millis(1_774_947_604_700),
            method: Method::POST,
            path: path.to_owned(),
            headers: Vec::new(),
            body: Kept::Unread,
            body_bytes: 0,
            verdict,
            elapsed: Duration::from_micros(1500),
            unrecorded: false,
            printed: None,
        }
    }

    fn judged(verdict: judge::Verdict) -> Verdict {
        Verdict::Judged {
            verdict,
            forward: None,
        }
    }

    fn authentic(conformance: Conformance) -> judge::Verdict {
        judge::Verdict::Authentic {
            timestamp: Some(9),
            conformance,
        }
    }

    fn duplicate_key() -> Conformance {
        Conformance::Invalid {
            report: Report::failed(
                Some("room.client.joined".to_owned()),
                Issue::new(
                    IssueKind::DuplicateKey,
                    "/type",
                    "duplicate key \"type\"".to_owned(),
                ),
            ),
            id: None,
        }
    }

    #[test]
    fn one_place_maps_each_verdict_to_its_status() {
        for (verdict, status) in [
            (Verdict::Refused(Refusal::Method(Method::GET)), 405),
            (Verdict::Refused(Refusal::TooSlow), 408),
            (Verdict::Refused(Refusal::TooLarge { max: 1 }), 413),
            (Verdict::Refused(Refusal::Busy), 503),
            (Verdict::Refused(Refusal::Loop), 508),
            (
                judged(judge::Verdict::Refused(judge::Refusal::MissingSignature)),
                401,
            ),
            (
                judged(judge::Verdict::Refused(judge::Refusal::SeveralSignatures)),
                400,
            ),
            (
                judged(judge::Verdict::Unauthentic {
                    error: VerifyError::NoMatch,
                    timestamp: Some(1),
                    cause: None,
                }),
                401,
            ),
            (
                judged(judge::Verdict::Unauthentic {
                    error: VerifyError::MissingTimestamp,
                    timestamp: None,
                    cause: None,
                }),
                400,
            ),
            (judged(authentic(duplicate_key())), 422),
            (
                Verdict::Judged {
                    verdict: authentic(duplicate_key()),
                    forward: Some(("http://127.0.0.1:1/".to_owned(), Forwarded::Withheld)),
                },
                422,
            ),
            (
                Verdict::Judged {
                    verdict: authentic(duplicate_key()),
                    forward: Some((
                        "http://127.0.0.1:1/".to_owned(),
                        Forwarded::TimedOut("slow".to_owned()),
                    )),
                },
                504,
            ),
        ] {
            let delivery = delivery(verdict, "/");
            assert_eq!(delivery.status().as_u16(), status, "{delivery:?}");
            assert_eq!(delivery.record().status, status);
            let mut line = Vec::new();
            delivery.human_line(&mut line);
            let line = String::from_utf8(line).expect("UTF-8");
            assert!(line.contains(&format!(" {status} ")), "{line}");
        }
    }

    /// Every shape of delivery, with headers out of order and bodies of
    /// every kind.
    fn every_kind_of_delivery() -> Vec<Delivery> {
        let event = all_examples().into_iter().next().expect("an example").event;
        let valid = Conformance::Valid {
            event: Box::new(event),
        };
        let unknown = Conformance::Unknown {
            event_type: "room.client.\u{1b}teleported".to_owned(),
            report: Report::failed(
                None,
                Issue::new(IssueKind::UnknownEventType, "/type", "unknown".to_owned()),
            ),
            id: Some("e\u{1b}1".to_owned()),
        };
        let model = Conformance::Model {
            report: Report {
                event_type: Some("room.client.joined".to_owned()),
                errors: Vec::new(),
            },
            error: "invalid type: floating point `2.0`, expected u32".to_owned(),
            id: Some("e2".to_owned()),
            earlier: false,
        };
        let forwards = [
            None,
            Some(Forwarded::Answer {
                status: StatusCode::ACCEPTED,
                content_type: None,
                body: Bytes::new(),
            }),
            Some(Forwarded::TimedOut("slow".to_owned())),
            Some(Forwarded::Failed("refused".to_owned())),
            Some(Forwarded::Withheld),
        ];
        let mut verdicts = vec![
            Verdict::Refused(Refusal::TooLarge { max: 10 }),
            judged(judge::Verdict::Refused(judge::Refusal::SignatureNotUtf8)),
            judged(judge::Verdict::Unauthentic {
                error: VerifyError::NoMatch,
                timestamp: Some(7),
                cause: Some(Cause::SecretMismatch),
            }),
            judged(judge::Verdict::Unauthentic {
                error: VerifyError::MissingTimestamp,
                timestamp: None,
                cause: Some(Cause::HeaderMalformed),
            }),
        ];
        for conformance in [valid, duplicate_key(), unknown, model] {
            for forward in &forwards {
                verdicts.push(Verdict::Judged {
                    verdict: authentic(conformance.clone()),
                    forward: forward
                        .clone()
                        .map(|f| ("http://127.0.0.1:1/".to_owned(), f)),
                });
            }
        }
        let bodies = [
            Kept::Unread,
            Kept::Whole(Bytes::from_static(b"{\"type\":\"x\",\n\"a\":\"\\u00e9\"}")),
            Kept::Whole(Bytes::from_static(&[0xff, 0, b'{'])),
            Kept::Prefix {
                prefix: Bytes::from_static("é".as_bytes()),
                sha256: "ab".repeat(32),
            },
            Kept::Prefix {
                prefix: Bytes::from_static(&[b'{', 0xc3]),
                sha256: "cd".repeat(32),
            },
        ];
        let mut deliveries = Vec::new();
        for (n, verdict) in verdicts.into_iter().enumerate() {
            for (m, body) in bodies.iter().enumerate() {
                let mut delivery = delivery(verdict.clone(), "/hooks\u{7}");
                delivery.body = body.clone();
                delivery.body_bytes = 300 * m as u64;
                delivery.unrecorded = (n + m) % 4 == 0;
                delivery.headers = vec![
                    ("whereby-signature", "t=1,v1=ab".to_owned()),
                    ("content-type", "application/json".to_owned()),
                    ("user-agent", "\"q\"\u{1b}".to_owned()),
                ];
                deliveries.push(delivery);
            }
        }
        deliveries
    }

    /// What `listen` writes is what `validate` and `replay` read: one
    /// line, reading back as the record it was written from.
    #[test]
    fn the_record_line_reads_back_as_the_record_written() {
        for delivery in every_kind_of_delivery() {
            let mut line = Vec::new();
            delivery.write_record(&mut line);
            assert_eq!(line.iter().filter(|b| **b == b'\n').count(), 1);
            let record = delivery.record();
            let read = Record::from_slice(&line)
                .expect("a record")
                .expect("reads back");
            assert_eq!(read, record, "{delivery:?}");
            assert_eq!(
                read.headers.keys().collect::<Vec<_>>(),
                [&"content-type", &"user-agent", &"whereby-signature"]
            );
            assert_eq!(read.is_accepted(), delivery.status().is_success());
        }
    }

    #[test]
    fn the_json_summary_has_neither_headers_nor_body() {
        for delivery in every_kind_of_delivery() {
            let mut line = Vec::new();
            delivery.summary_line(&mut line);
            let read = Record::from_slice(&line)
                .expect("a record")
                .expect("reads back");
            let full = delivery.record();
            assert!(read.headers.is_empty() && read.raw_body.is_none());
            assert!(read.raw_body_base64.is_none() && !read.body_truncated);
            assert_eq!((read.status, &read.reason), (full.status, &full.reason));
            assert_eq!(read.body_sha256, full.body_sha256);
        }
    }

    #[test]
    fn stdout_lines_do_not_need_the_body_or_the_headers() {
        let mut kinds = 0;
        for mut delivery in every_kind_of_delivery() {
            let (mut human, mut json) = (Vec::new(), Vec::new());
            delivery.human_line(&mut human);
            delivery.summary_line(&mut json);
            let had = !delivery.headers.is_empty() || matches!(delivery.body, Kept::Whole(_));
            delivery.forget_what_stdout_does_not_show();
            assert!(delivery.headers.is_empty() && !matches!(delivery.body, Kept::Whole(_)));
            let (mut human_after, mut json_after) = (Vec::new(), Vec::new());
            delivery.human_line(&mut human_after);
            delivery.summary_line(&mut json_after);
            assert_eq!(human, human_after);
            assert_eq!(json, json_after);
            kinds += usize::from(had);
        }
        assert!(kinds > 0, "some delivery had a body or headers to forget");
    }

    #[test]
    fn human_lines_escape_what_the_request_sent() {
        let delivery = delivery(
            judged(authentic(Conformance::Unknown {
                event_type: "x\n2099-01-01T00:00:00.000Z POST / 200 y z signature ok".to_owned(),
                report: Report::failed(
                    None,
                    Issue::new(IssueKind::UnknownEventType, "/type", "unknown".to_owned()),
                ),
                id: Some("\x1b[2J\x1b]0;owned\x07".to_owned()),
            })),
            "/a\rb\u{202e}",
        );
        let mut line = Vec::new();
        delivery.human_line(&mut line);
        let line = String::from_utf8(line).expect("UTF-8");
        assert_eq!(line.matches('\n').count(), 1, "{line}");
        assert!(!line.contains('\x1b') && !line.contains('\r') && !line.contains('\u{202e}'));
        assert!(line.contains("\\u{1b}[2J"), "{line}");
        assert!(
            line.contains(" 200 ") && line.contains("schema UNKNOWN TYPE"),
            "{line}"
        );
    }
}
