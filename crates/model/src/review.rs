//! The API review's verdict, as a typed document.
//!
//! The review concluded that Whereby's event surface is HTTP webhooks and
//! should be published as an OpenAPI webhooks document. This module keeps
//! every field and fact of that review; what changed since is derived: the
//! documented events come from [`EventType::ALL`], the source conflicts from
//! [`SOURCE_CONFLICTS`], and the produced artifacts name the generated files.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::conflicts::SOURCE_CONFLICTS;
use crate::event_type::EventType;

/// The review document, `spec/review.yml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Review {
    /// A stable identifier of the review.
    pub aid: String,
    /// The review's title.
    pub name: String,
    /// The kind of document: `review`.
    pub kind: String,
    /// When the review was made, as `YYYY-MM-DD`.
    pub date: String,
    /// Who made the review.
    pub reviewer: String,
    /// What was reviewed.
    pub subject: String,
    /// The verdict, as a short identifier.
    pub verdict: String,
    /// The verdict explained.
    pub summary: String,
    /// What the review found.
    pub findings: Vec<Finding>,
    /// The pages the review read, and what each showed.
    pub pages_checked: Vec<PageChecked>,
    /// What the review recommends.
    pub recommendation: String,
    /// The files the recommendation produced.
    pub artifacts_produced: ArtifactsProduced,
}

/// One finding of the review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    /// A stable identifier.
    pub id: String,
    /// A short title.
    pub label: String,
    /// The finding explained.
    pub detail: String,
    /// The webhook event types the finding documents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documented_events: Option<Vec<String>>,
    /// Disagreements between the sources the finding records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conflicts: Option<Vec<Conflict>>,
}

/// A disagreement between sources, as the review records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Conflict {
    /// A stable identifier.
    pub id: String,
    /// The sources that disagree.
    pub sources: Vec<String>,
    /// What disagrees.
    pub detail: String,
    /// What the published contract does about it.
    pub resolution: String,
}

/// A page the review read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PageChecked {
    /// The page's address.
    pub url: String,
    /// What the page showed.
    pub result: String,
}

/// The files the review's recommendation produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ArtifactsProduced {
    /// The specification document, relative to the repository root; `null` when none exists.
    pub spec: Option<String>,
    /// The review document itself, relative to the repository root.
    pub review: String,
}

/// Where the generated OpenAPI document lives, relative to the repository root.
pub const SPEC_PATH: &str = "spec/openapi.yaml";
/// Where the review lives, relative to the repository root.
pub const REVIEW_PATH: &str = "spec/review.yml";

fn s(text: &str) -> String {
    text.to_owned()
}

fn page(url: &str, result: &str) -> PageChecked {
    PageChecked {
        url: s(url),
        result: s(result),
    }
}

fn finding(id: &str, label: &str, detail: &str) -> Finding {
    Finding {
        id: s(id),
        label: s(label),
        detail: s(detail),
        documented_events: None,
        conflicts: None,
    }
}

impl Review {
    /// The review as published with this version of the contract.
    pub fn published() -> Review {
        let mut webhooks_only = finding(
            "webhooks-only",
            "Realtime delivery is HTTP webhooks",
            "Whereby delivers room and session lifecycle events as HTTP POST callbacks to a \
             developer-provided URL, not over a WebSocket channel. Deliveries carry a \
             Whereby-Signature header of the form \"t=<timestamp>,v1=<signature>\" where the \
             signature is an HMAC-SHA256 of \"<timestamp>.<raw JSON body>\" computed with the \
             endpoint's signing secret. This is a request/response webhook contract, better \
             described by an OpenAPI callback or AsyncAPI HTTP binding, not a WebSocket binding.",
        );
        webhooks_only.documented_events = Some(
            EventType::ALL
                .iter()
                .map(|t| t.as_str().to_owned())
                .collect(),
        );

        let mut conflicts = finding(
            "source-conflicts",
            "Whereby's sources disagree in places",
            "The webhooks docs page, the Assistant SDK TypeScript types and the Assistant SDK \
             reference page disagree on several details. The published OpenAPI document \
             resolves each one as listed here, and the reference docs repeat the list.",
        );
        conflicts.conflicts = Some(
            SOURCE_CONFLICTS
                .iter()
                .map(|c| Conflict {
                    id: s(c.id),
                    sources: c.sources.iter().map(|x| s(x)).collect(),
                    detail: s(c.detail),
                    resolution: s(c.resolution),
                })
                .collect(),
        );

        Review {
            aid: s("whereby:asyncapi-review"),
            name: s("Whereby AsyncAPI Review"),
            kind: s("review"),
            date: s("2026-05-29"),
            reviewer: s("API Evangelist"),
            subject: s("Whereby public WebSocket / event-driven API surface"),
            verdict: s("no-public-websocket-api"),
            summary: s(
                "Whereby does not expose a documented, public WebSocket endpoint that developers \
                 can connect to directly. Its event-driven surface is delivered exclusively \
                 through (1) HTTP webhooks (server-to-server POST callbacks signed with the \
                 Whereby-Signature header) and (2) SDK-side event handlers (Web Component, \
                 Browser SDK / React, Core SDK, Assistant SDK, Android SDK, iOS SDK, React \
                 Native, Flutter) that abstract an internal signaling and WebRTC transport \
                 developers are not expected to address directly. Because there is no documented \
                 wss:// endpoint, no documented WebSocket message schema, and no documented \
                 WebSocket auth / subprotocol contract, an AsyncAPI 2.6 spec that faithfully \
                 describes a Whereby-hosted channel cannot be produced without fabrication. An \
                 AsyncAPI 2.6 spec was therefore NOT generated.",
            ),
            findings: vec![
                webhooks_only,
                finding(
                    "sdk-event-handlers",
                    "Client realtime events are SDK-only",
                    "The Whereby Web Component, Browser SDK (React), Core SDK, Assistant SDK, and \
                     native Android / iOS / React Native / Flutter SDKs surface room lifecycle \
                     and participant events through SDK callbacks and React hooks (for example \
                     RoomConnectionClient state in the Core SDK). The SDKs negotiate the \
                     underlying session with Whereby's signaling and media infrastructure on the \
                     developer's behalf. The transport is not specified as a public WebSocket \
                     interface and is not documented with a connectable URL or message schema.",
                ),
                finding(
                    "webrtc-transport",
                    "Media/signaling transport is WebRTC, not a public WS API",
                    "Whereby Embedded is built on WebRTC over Whereby's global mesh network. \
                     Customers are expected to integrate via the Web Component, Browser SDK, Core \
                     SDK, or native mobile SDKs, or to embed a meeting URL via iframe. No wss:// \
                     endpoint is published for external clients to drive signaling directly.",
                ),
                finding(
                    "rtmp-not-ws",
                    "Live streaming is RTMP, not WebSocket",
                    "The \"Live Streaming\" feature lets a room broadcast to an external RTMP \
                     destination. RTMP is not a WebSocket-based transport and is not a public \
                     Whereby-hosted WS endpoint that customers connect to.",
                ),
                finding(
                    "openapi-webhooks-published",
                    "The recommended OpenAPI webhooks document exists",
                    "Following the recommendation, the event surface is published as an OpenAPI \
                     3.1 document whose top-level webhooks describe each event's POST request: \
                     the Whereby-Signature header, the JSON body's schema with examples, and \
                     the delivery semantics Whereby documents (5XX answers and time-outs over \
                     5 seconds retried twice with backoff), with what it does not document \
                     (2XX and 4XX answers) labelled as this project's recommendation. Every \
                     property and event carries x-since and x-sources, the date and commits \
                     of Whereby's sources that first documented it. It is generated from a \
                     typed model, with standalone JSON Schemas beside it. It describes no \
                     servers and no registration operation: endpoints are configured in the \
                     Embedded dashboard.",
                ),
                conflicts,
            ],
            pages_checked: vec![
                page(
                    "https://docs.whereby.com/",
                    "Landing page describes Web Component, Browser SDK (React), Core SDK, \
                     Android SDK, iOS SDK. No public WebSocket endpoint mentioned.",
                ),
                page(
                    "https://docs.whereby.com/sitemap.md",
                    "Full sitemap covers Getting Started, Browser, Mobile, Integrations, Product \
                     Features, Telehealth, API References (REST, Core SDK, Assistant SDK, React \
                     SDK, React Native, Camera Effects), and Resources. No WebSocket, AsyncAPI, \
                     or wss:// references.",
                ),
                page(
                    "https://docs.whereby.com/llms.txt",
                    "No mention of public WebSocket, wss://, AsyncAPI, or socket.io. \
                     Distinguishes webhooks (user-defined callbacks) from SDK-internal signaling \
                     that is abstracted away from direct WebSocket access.",
                ),
                page(
                    "https://docs.whereby.com/llms-full.txt",
                    "Full documentation export. Zero matches for \"websocket\", \"wss://\", \
                     \"asyncapi\", or \"socket.io\" as customer-facing endpoint contracts.",
                ),
                page(
                    "https://docs.whereby.com/whereby-product-features/insights-suite-and-api/webhooks",
                    "Confirms event delivery is HTTP POST webhooks with Whereby-Signature \
                     HMAC-SHA256 verification. 11 documented event types across room client, \
                     session, transcription, recording, and assistant categories.",
                ),
                page(
                    "https://docs.whereby.com/reference/whereby-rest-api-reference",
                    "REST API at https://api.whereby.dev/v1 for meetings, rooms, recordings, \
                     transcriptions, summaries, and insights. No WebSocket endpoints.",
                ),
            ],
            recommendation: s(
                "Document Whereby's event-driven surface as an OpenAPI callbacks spec (webhook \
                 receiver contract) rather than AsyncAPI. If Whereby later publishes a public \
                 wss:// endpoint (for example for live transcription streaming, chat, or \
                 signaling), revisit and produce an AsyncAPI 2.6 spec at that time.",
            ),
            artifacts_produced: ArtifactsProduced {
                spec: Some(s(SPEC_PATH)),
                review: s(REVIEW_PATH),
            },
        }
    }
}
