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
    /// Whereby's transcription docs (Session Transcription, recording transcriptions).
    pub const TRANSCRIPTION_DOCS: &str = "docs.whereby.com transcription pages";
    /// The screenshot of a real `room.client.joined` delivery in Whereby's docs
    /// repository (`recorder webhook.png`, added 2022-10-10).
    pub const DELIVERY_2022: &str = "whereby/docs recorder webhook.png (2022-10-10)";
    /// The screenshot of a real `recording.finished` delivery in Whereby's docs
    /// repository (`recording-finished-webhook.png`, added 2023-10-31).
    pub const DELIVERY_2023: &str = "whereby/docs recording-finished-webhook.png (2023-10-31)";
    /// Whereby's dial-in page.
    pub const DIAL_IN_DOCS: &str = "docs.whereby.com dial-in page";
    /// Whereby's Assistants page.
    pub const ASSISTANTS_DOCS: &str = "docs.whereby.com Assistants page";
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
                 assistant, which the webhooks page's role list does not have (the SDK docs \
                 page lists assistant since 2025-09-25).",
        resolution: "roleName is an open list: any string is accepted, and the known values \
                     (x-extensible-enum) are the union of the lists, with visitor and assistant. \
                     The SDK's media types also have a role none, which no webhook list has; it \
                     is not listed.",
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
    SourceConflict {
        id: "room-session-id-on-session-events",
        sources: &[source::DOCS, source::SDK_TYPES],
        detail: "The webhooks docs list roomSessionId only for room.client.* events; the SDK \
                 types put it (string | null) on every in-room event, including room.session.* \
                 and assistant.requested.",
        resolution: "roomSessionId is required and nullable on room.client.*, optional and \
                     nullable on room.session.* and assistant.requested, dated from the SDK \
                     types there (2025-08-06).",
    },
    SourceConflict {
        id: "self-hosted-transcription-webhooks",
        sources: &[source::DOCS, source::TRANSCRIPTION_DOCS],
        detail: "The webhooks docs list storageType SELF_HOSTED for transcription.finished, but \
                 the transcription docs say there are no webhooks for S3 storage of session \
                 transcripts and that recording transcriptions work only with Whereby-provided \
                 storage.",
        resolution: "SELF_HOSTED stays in the closed storageType list, described as not \
                     documented when sent; no example uses it, and none combines \
                     RECORDING_TRANSCRIPTION with SELF_HOSTED.",
    },
    SourceConflict {
        id: "meeting-id-common",
        sources: &[source::DOCS, source::SDK_DOCS],
        detail: "The webhooks docs list meetingId among the properties common to all in-room \
                 events; the SDK docs page marks it optional (meetingId?).",
        resolution: "meetingId is optional on every in-room event; when present it is a \
                     string.",
    },
    SourceConflict {
        id: "nullable-room-session-metadata-external-id",
        sources: &[source::DOCS, source::SDK_TYPES, source::DELIVERY_2022],
        detail: "The webhooks docs give no type for roomSessionId (\"The roomSessionId for the \
                 meeting\") and describe metadata and externalId as \"String that matches\" a \
                 query parameter; the SDK types declare each string | null, and a real \
                 delivery of 2022 has \"metadata\": null.",
        resolution: "roomSessionId, metadata and externalId are nullable wherever they \
                     appear on in-room events.",
    },
    SourceConflict {
        id: "num-clients-by-role-name-keys",
        sources: &[source::DOCS, source::SDK_TYPES],
        detail: "The SDK types declare numClientsByRoleName as Record<WherebyRoleName, number>, \
                 a closed set of keys; the webhooks docs group it by roleName, whose list has \
                 grown over time.",
        resolution: "numClientsByRoleName accepts any key, like roleName accepts any string; \
                     the values are integers of at least 0.",
    },
    SourceConflict {
        id: "dial-in-phone-number",
        sources: &[source::DIAL_IN_DOCS, source::DOCS],
        detail: "The dial-in page says that when a dialed-in participant joins or leaves, \
                 Whereby sends a webhook event with the participant's phone number and the \
                 times of joining and leaving; the webhooks page documents no property that \
                 holds a phone number, only isDialIn.",
        resolution: "No phone number property is modelled: none is documented on the webhooks \
                     page. Objects are open, so a delivery that carries one still validates.",
    },
    SourceConflict {
        id: "assistant-requested-signature",
        sources: &[source::DOCS, source::ASSISTANTS_DOCS, source::SDK_TYPES],
        detail: "The webhooks page says webhook requests to your endpoint contain a signature in \
                 the Whereby-Signature header; the Assistants page documents no signing secret \
                 for the endpoint of an Assistant, to which assistant.requested is sent, and \
                 the SDK's Trigger never reads the header.",
        resolution: "An interpretation: Whereby-Signature is required on every event but \
                     assistant.requested, where it is optional and, if present, verified like \
                     the others.",
    },
    SourceConflict {
        id: "real-deliveries-differ-from-the-page",
        sources: &[source::DELIVERY_2022, source::DELIVERY_2023, source::DOCS],
        detail: "The real room.client.joined delivery of 2022-10-10 has no subdomain, \
                 roomSessionId, displayName, participantId or externalId, and the real \
                 recording.finished delivery of 2023-10-31 has no roomName, all of which the \
                 current page lists; both were sent before those properties were documented.",
        resolution: "Today's contract requires them; each property is dated (x-since), and \
                     `validate --as-of created` judges a delivery against the contract of its \
                     own createdAt date, by which both deliveries are valid.",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_conflict_is_recorded_with_its_resolution() {
        assert!(SOURCE_CONFLICTS.len() >= 14, "{}", SOURCE_CONFLICTS.len());
        let mut ids: Vec<&str> = SOURCE_CONFLICTS.iter().map(|c| c.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), SOURCE_CONFLICTS.len(), "ids are unique");
        for conflict in SOURCE_CONFLICTS {
            assert!(!conflict.sources.is_empty(), "{}", conflict.id);
            assert!(!conflict.detail.is_empty(), "{}", conflict.id);
            assert!(!conflict.resolution.is_empty(), "{}", conflict.id);
        }
    }
}
