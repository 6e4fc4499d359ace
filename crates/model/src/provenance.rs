//! When Whereby first documented each event and property, and where.
//!
//! # The rule
//!
//! An item's `x-since` on an event is the date of the **earliest commit, in
//! `whereby/docs` or in the Assistant SDK's webhook types in `whereby/sdk`,
//! that documents it for that event**; it is never earlier than the event's
//! own `x-since`. Its `x-sources` cite that commit first, then others that
//! document it (the page's current revision, the other repository). One rule
//! for everything: an event, a property, a value of a list.
//!
//! The docs history is that of Whereby's webhooks page (paths
//! `monitoring-usage/webhooks.md`, `reference/webhooks.md`,
//! `meeting-content-and-quality/insights-suite-and-api/webhooks.md` and
//! `whereby-product-features/insights-suite-and-api/webhooks.md`) and of the
//! pages it names; the SDK history is that of
//! `packages/assistant-sdk/src/Trigger/types.ts`. The history starts on
//! [`HISTORY_START`]: an item listed in its first commit carries that date
//! and may be older ("2022-04-01 or earlier").
//!
//! A property of a schema that several events share carries, on each event,
//! the later of its own date and the event's: a property is never older than
//! its event. The published document keeps one date per property by giving
//! each data definition only events of one date (`assistant.requested` has
//! its own copy of the session events' data).
//!
//! Every citation is a constant of this module, listed in [`CITATIONS`] with
//! its repository, commit, path and date, so that a date and its commit are
//! written once and a test can check every `x-sources` of the document
//! against the list.

/// The first date of the docs history: items dated so may be older.
pub const HISTORY_START: &str = "2022-04-01";

/// The OpenAPI extension that carries the date an item was first documented.
pub const SINCE_KEY: &str = "x-since";

/// The OpenAPI extension that lists the citations of an item.
pub const SOURCES_KEY: &str = "x-sources";

/// The OpenAPI extension, beside `x-enumDescriptions`, that dates each value
/// of a list: value → `YYYY-MM-DD`, by the same rule as `x-since`.
pub const ENUM_SINCE_KEY: &str = "x-enumSince";

/// How a date reads in prose: the history's first date is a lower bound.
pub fn since_text(date: &str) -> String {
    if date == HISTORY_START {
        format!("{date} or earlier")
    } else {
        date.to_owned()
    }
}

/// One commit of Whereby's sources, as `x-sources` cite it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Citation {
    /// The text `x-sources` carries: `whereby/docs@370f78c monitoring-usage/webhooks.md`.
    pub text: &'static str,
    /// The repository: `whereby/docs` or `whereby/sdk`.
    pub repository: &'static str,
    /// The abbreviated commit hash.
    pub commit: &'static str,
    /// The file the commit documents the item in.
    pub path: &'static str,
    /// The commit's date, `YYYY-MM-DD`.
    pub date: &'static str,
}

impl Citation {
    /// The citation whose [`Citation::text`] is `text`, if the model has it.
    pub fn find(text: &str) -> Option<&'static Citation> {
        CITATIONS.iter().find(|c| c.text == text)
    }
}

/// Declares each citation as a constant holding its `x-sources` text, and
/// [`CITATIONS`], the list of them all with their parts.
macro_rules! citations {
    ($( $(#[doc = $doc:literal])+ $name:ident = $repo:literal @ $commit:literal $path:literal, $date:literal; )+) => {
        $(
            $(#[doc = $doc])+
            pub const $name: &str = concat!($repo, "@", $commit, " ", $path);
        )+

        /// Every citation of the model, with its repository, commit, path and date.
        pub const CITATIONS: &[Citation] = &[
            $( Citation { text: $name, repository: $repo, commit: $commit, path: $path, date: $date }, )+
        ];
    };
}

citations! {
    /// `whereby/docs` 370f78c (2022-04-01): the first commit of the webhooks page
    /// history; the envelope, `room.client.joined/left`, `room.session.*`,
    /// `meetingId`, `roomName`, `roleName` (5 roles), `numClients`, `metadata`.
    DOCS_370F78C = "whereby/docs" @ "370f78c" "monitoring-usage/webhooks.md", "2022-04-01";
    /// `whereby/docs` b3465ac (2022-04-05): `numClientsByRoleName`.
    DOCS_B3465AC = "whereby/docs" @ "b3465ac" "monitoring-usage/webhooks.md", "2022-04-05";
    /// `whereby/docs` e3c1aa4 (2022-09-21): the role `recorder`.
    DOCS_E3C1AA4 = "whereby/docs" @ "e3c1aa4" "monitoring-usage/webhooks.md", "2022-09-21";
    /// `whereby/docs` eca01ea (2022-10-10): the screenshot of a real
    /// `room.client.joined` delivery, `recorder webhook.png`.
    DOCS_ECA01EA = "whereby/docs" @ "eca01ea" ".gitbook/assets/recorder webhook.png", "2022-10-10";
    /// `whereby/docs` 27cc193 (2023-07-28): `displayName`; roles `viewer`,
    /// `granted_viewer`, `streamer`.
    DOCS_27CC193 = "whereby/docs" @ "27cc193" "monitoring-usage/webhooks.md", "2023-07-28";
    /// `whereby/docs` 86ed691 (2023-08-11): `room.client.knocked` and
    /// `knockCancelled`, with `meetingId`, `roomName`, `displayName`, `metadata`.
    DOCS_86ED691 = "whereby/docs" @ "86ed691" "monitoring-usage/webhooks.md", "2023-08-11";
    /// `whereby/docs` 137afbd (2023-08-16): `transcription.finished` and `failed`.
    DOCS_137AFBD = "whereby/docs" @ "137afbd" "monitoring-usage/webhooks.md", "2023-08-16";
    /// `whereby/docs` fc2ddb4 (2023-08-22): `recording.finished`.
    DOCS_FC2DDB4 = "whereby/docs" @ "fc2ddb4" "monitoring-usage/webhooks.md", "2023-08-22";
    /// `whereby/docs` 8198f38 (2023-10-19): `externalId`.
    DOCS_8198F38 = "whereby/docs" @ "8198f38" "monitoring-usage/webhooks.md", "2023-10-19";
    /// `whereby/docs` cf2d81f (2023-10-31): the screenshot of a real
    /// `recording.finished` delivery, `recording-finished-webhook.png`.
    DOCS_CF2D81F = "whereby/docs" @ "cf2d81f" ".gitbook/assets/recording-finished-webhook.png", "2023-10-31";
    /// `whereby/docs` 3697f0f (2023-12-07): `participantId`, `roomSessionId` on `room.client.*`.
    DOCS_3697F0F = "whereby/docs" @ "3697f0f" "reference/webhooks.md", "2023-12-07";
    /// `whereby/docs` 3cf9990 (2023-12-07): `roomName` on `recording.finished`.
    DOCS_3CF9990 = "whereby/docs" @ "3cf9990" "reference/webhooks.md", "2023-12-07";
    /// `whereby/docs` 1c89124 (2024-06-26): the transcription `type`.
    DOCS_1C89124 = "whereby/docs" @ "1c89124" "meeting-content-and-quality/insights-suite-and-api/webhooks.md", "2024-06-26";
    /// `whereby/docs` 5cbf0c4 (2024-11-21): the role `captioner`.
    DOCS_5CBF0C4 = "whereby/docs" @ "5cbf0c4" "meeting-content-and-quality/insights-suite-and-api/webhooks.md", "2024-11-21";
    /// `whereby/docs` c6cc5dc (2025-01-22): `isDialIn`.
    DOCS_C6CC5DC = "whereby/docs" @ "c6cc5dc" "meeting-content-and-quality/insights-suite-and-api/webhooks.md", "2025-01-22";
    /// `whereby/docs` 6a1ddfd (2025-02-06): `transcription.started`, with
    /// `transcriptionId` and `type`.
    DOCS_6A1DDFD = "whereby/docs" @ "6a1ddfd" "meeting-content-and-quality/insights-suite-and-api/webhooks.md", "2025-02-06";
    /// `whereby/docs` a6cfee4 (2025-02-27): transcription `status`, `filename`, `storageType`.
    DOCS_A6CFEE4 = "whereby/docs" @ "a6cfee4" "meeting-content-and-quality/insights-suite-and-api/webhooks.md", "2025-02-27";
    /// `whereby/docs` 9c11e05 (2025-03-20): `roomName`, `roomSessionId` on `transcription.*`.
    DOCS_9C11E05 = "whereby/docs" @ "9c11e05" "meeting-content-and-quality/insights-suite-and-api/webhooks.md", "2025-03-20";
    /// `whereby/docs` 7e6c4f2 (2025-09-08): `subdomain`.
    DOCS_7E6C4F2 = "whereby/docs" @ "7e6c4f2" "meeting-content-and-quality/insights-suite-and-api/webhooks.md", "2025-09-08";
    /// `whereby/docs` c9ed0b3 (2025-09-25): the Assistant SDK reference's
    /// trigger types, whose role list has `assistant`.
    DOCS_C9ED0B3 = "whereby/docs" @ "c9ed0b3" "reference/assistant-sdk-reference/types/trigger-types.md", "2025-09-25";
    /// `whereby/docs` ba04d56 (2025-12-12): `assistant.requested` on the webhooks page.
    DOCS_BA04D56 = "whereby/docs" @ "ba04d56" "meeting-content-and-quality/insights-suite-and-api/webhooks.md", "2025-12-12";
    /// `whereby/docs` a316f59 (2026-03-31): the webhooks page's current revision.
    DOCS_A316F59 = "whereby/docs" @ "a316f59" "whereby-product-features/insights-suite-and-api/webhooks.md", "2026-03-31";
    /// `whereby/docs` 4449da8 (2026-08-19): the Assistants page, which says
    /// `assistant.requested` is sent to the endpoint URL configured for an
    /// Assistant (Manual Invite).
    DOCS_ASSISTANTS = "whereby/docs" @ "4449da8" "whereby-product-features/assistants.md", "2026-08-19";
    /// `whereby/docs` 4449da8 (2026-08-19): the dial-in page, which says a
    /// dial-in participant's webhook event carries their phone number.
    DOCS_DIAL_IN = "whereby/docs" @ "4449da8" "whereby-product-features/dial-in.md", "2026-08-19";
    /// `whereby/docs` 4449da8 (2026-08-19): the privacy settings page, which
    /// says that with display names removed, webhooks carry `[[redacted]]`.
    DOCS_PRIVACY = "whereby/docs" @ "4449da8" "whereby-product-features/dashboard-preferences/privacy-configurations.md", "2026-08-19";
    /// `whereby/docs` 4449da8 (2026-08-19): the firewall page, on the IP
    /// addresses of Whereby's (video) servers.
    DOCS_FIREWALL = "whereby/docs" @ "4449da8" "further-resources/faq-and-troubleshooting/firewall-and-security.md", "2026-08-19";
    /// `whereby/docs` 4449da8 (2026-08-19): the REST API reference, whose
    /// versioning rules put breaking changes under a new major version.
    DOCS_VERSIONING = "whereby/docs" @ "4449da8" "reference/whereby-rest-api-reference/README.md", "2026-08-19";
    /// `whereby/docs` 4449da8 (2026-08-19): the cloud recording page (file
    /// name pattern, `.mkv` or `.mp4`).
    DOCS_CLOUD_RECORDING = "whereby/docs" @ "4449da8" "whereby-product-features/recording-with-embedded/cloud-recording.md", "2026-08-19";
    /// `whereby/docs` 4449da8 (2026-08-19): the recording transcription page
    /// (Whereby-provided storage only; transcripts download as `.md`).
    DOCS_RECORDING_TRANSCRIPTIONS = "whereby/docs" @ "4449da8" "whereby-product-features/transcribing/recording-transcriptions.md", "2026-08-19";
    /// `whereby/docs` 4449da8 (2026-08-19): the session transcription page
    /// (no webhooks for S3 storage).
    DOCS_SESSION_TRANSCRIPTION = "whereby/docs" @ "4449da8" "whereby-product-features/transcribing/session-transcription.md", "2026-08-19";
    /// `whereby/sdk` ab84f8e (2025-08-06): the Assistant SDK's webhook types,
    /// with `roomSessionId: string | null` on every in-room event.
    SDK_AB84F8E = "whereby/sdk" @ "ab84f8e" "packages/assistant-sdk/src/Trigger/types.ts", "2025-08-06";
    /// `whereby/sdk` 115b39ed (2025-09-08): `subdomain` in the SDK types.
    SDK_115B39ED = "whereby/sdk" @ "115b39ed" "packages/assistant-sdk/src/Trigger/types.ts", "2025-09-08";
    /// `whereby/sdk` 90470d16 (2025-09-11): the role `assistant` in the SDK types.
    SDK_90470D16 = "whereby/sdk" @ "90470d16" "packages/assistant-sdk/src/Trigger/types.ts", "2025-09-11";
    /// `whereby/sdk` 0f3eb74 (2025-11-17): `assistant.requested` in the SDK types.
    SDK_0F3EB74 = "whereby/sdk" @ "0f3eb74" "packages/assistant-sdk/src/Trigger/types.ts", "2025-11-17";
}

/// The date of `citation`'s commit, if the model lists it.
pub fn citation_date(citation: &str) -> Option<&'static str> {
    Citation::find(citation).map(|c| c.date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_date_reads_as_a_lower_bound() {
        assert_eq!(since_text(HISTORY_START), "2022-04-01 or earlier");
        assert_eq!(since_text("2025-09-08"), "2025-09-08");
    }

    fn is_date(text: &str) -> bool {
        text.len() == 10
            && text.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            })
    }

    #[test]
    fn every_citation_names_a_repository_commit_path_and_date() {
        assert!(CITATIONS.len() > 20, "{}", CITATIONS.len());
        for c in CITATIONS {
            assert!(
                matches!(c.repository, "whereby/docs" | "whereby/sdk"),
                "{}",
                c.text
            );
            assert!(
                (7..=40).contains(&c.commit.len())
                    && c.commit
                        .bytes()
                        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
                "{}: {:?} is no abbreviated commit",
                c.text,
                c.commit
            );
            assert!(
                !c.path.is_empty() && !c.path.starts_with('/') && c.path.contains('.'),
                "{}: {:?} is no file path",
                c.text,
                c.path
            );
            assert!(is_date(c.date) && c.date >= HISTORY_START, "{}", c.text);
            assert_eq!(
                c.text,
                format!("{}@{} {}", c.repository, c.commit, c.path),
                "the text is made of the parts"
            );
            assert_eq!(Citation::find(c.text), Some(c));
        }
        let mut texts: Vec<&str> = CITATIONS.iter().map(|c| c.text).collect();
        texts.sort_unstable();
        texts.dedup();
        assert_eq!(texts.len(), CITATIONS.len(), "each citation once");
        assert_eq!(Citation::find("whereby/docs@0000000 nowhere.md"), None);
    }
}
