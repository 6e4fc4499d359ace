//! Where Whereby's own sources disagree, and what the model decided.
//!
//! The conflicts are recorded, not hidden: the review and the reference docs
//! publish this list.

/// One disagreement between Whereby's sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceConflict {
    /// A stable identifier.
    pub id: &'static str,
    /// The sources that disagree.
    pub sources: &'static [&'static str],
    /// What disagrees.
    pub detail: &'static str,
    /// What this contract does about it.
    pub resolution: &'static str,
}

/// The sources a conflict can name.
pub mod source {
    /// Whereby's docs page "Tracking room events with Webhooks" (revision of 2026-03-31).
    pub const DOCS: &str = "docs.whereby.com webhooks page";
    /// The Assistant SDK TypeScript types (`packages/assistant-sdk/src/Trigger/types.ts`).
    pub const SDK_TYPES: &str = "Assistant SDK types.ts";
    /// The Assistant SDK reference docs page "Trigger Types".
    pub const SDK_DOCS: &str = "Assistant SDK reference docs";
}

/// Every known conflict between the sources.
pub const SOURCE_CONFLICTS: &[SourceConflict] = &[
    SourceConflict {
        id: "docs-example-invalid-json",
        sources: &[source::DOCS],
        detail: "The JSON example of room.client.joined is not valid JSON: a comma is missing after \
                 \"subdomain\": \"JoeBloggsInc\". Once repaired it still lacks participantId and \
                 roomSessionId, which the same page documents.",
        resolution: "The examples here are generated from the model and validated against the \
                     schema; participantId and roomSessionId are required.",
    },
    SourceConflict {
        id: "subdomain-spelling",
        sources: &[source::SDK_DOCS, source::SDK_TYPES],
        detail: "The SDK docs page spells subdomain as subdoman; types.ts spells it right.",
        resolution: "The property is subdomain.",
    },
    SourceConflict {
        id: "role-list",
        sources: &[source::DOCS, source::SDK_DOCS, source::SDK_TYPES],
        detail: "The SDK docs page's role list leaves out visitor; types.ts has it, plus \
                 assistant, which the webhooks docs role list does not have.",
        resolution: "The role enum is the union of the lists: it has visitor and assistant.",
    },
    SourceConflict {
        id: "meeting-id-optional",
        sources: &[source::SDK_DOCS, source::SDK_TYPES],
        detail: "meetingId is optional on the SDK docs page and required in types.ts.",
        resolution: "meetingId is optional; when present it is a string.",
    },
    SourceConflict {
        id: "is-dial-in-missing-from-sdk",
        sources: &[source::DOCS, source::SDK_TYPES],
        detail: "isDialIn is documented by the webhooks docs but absent from the SDK types.",
        resolution: "isDialIn is optional; when present it is a boolean.",
    },
    SourceConflict {
        id: "docs-verification-example",
        sources: &[source::DOCS],
        detail: "The Node verification example refers to Whereby.MAX_ELAPSED_TIME, a name it \
                 never defines (it defines MAX_ELAPSED_TIME), and hashes re-serialised JSON \
                 instead of the raw body.",
        resolution: "The signature is documented as HMAC-SHA256 over the raw request bytes, with \
                     an explicit tolerance in both directions.",
    },
];
