//! When Whereby first documented each event and property, and where.
//!
//! Every envelope and data property carries `x-since` (the date, as
//! `YYYY-MM-DD`, of the first commit of Whereby's docs, or of the SDK types,
//! that lists it) and `x-sources` (short citations of those commits). Each
//! webhook's `post` operation carries the same for the event. The dates come
//! from the history of Whereby's webhooks page (`whereby/docs`, paths
//! `reference/webhooks.md`, `monitoring-usage/webhooks.md`,
//! `meeting-content-and-quality/insights-suite-and-api/webhooks.md` and
//! `whereby-product-features/insights-suite-and-api/webhooks.md`) and of
//! `packages/assistant-sdk/src/Trigger/types.ts` in `whereby/sdk`.
//!
//! That history starts on [`HISTORY_START`]: an item listed in its first
//! commit carries that date and may be older ("2022-04-01 or earlier").
//!
//! A property of a schema that several events share (the transcription
//! properties, say) carries the date it was first documented on any of them;
//! the event's own date can be later.
//!
//! The citations are constants so that a date and its commit are written
//! once; the data types name them in their `x-sources`.

/// The first date of the docs history: items dated so may be older.
pub const HISTORY_START: &str = "2022-04-01";

/// The OpenAPI extension that carries the date an item was first documented.
pub const SINCE_KEY: &str = "x-since";

/// The OpenAPI extension that lists the citations of an item.
pub const SOURCES_KEY: &str = "x-sources";

/// How a date reads in prose: the history's first date is a lower bound.
pub fn since_text(date: &str) -> String {
    if date == HISTORY_START {
        format!("{date} or earlier")
    } else {
        date.to_owned()
    }
}

/// `whereby/docs` 370f78c (2022-04-01): the first commit of the webhooks page
/// history; the envelope, `room.client.joined/left`, `room.session.*`,
/// `meetingId`, `roomName`, `roleName`, `numClients`, `metadata`.
pub const DOCS_370F78C: &str = "whereby/docs@370f78c monitoring-usage/webhooks.md";
/// `whereby/docs` b3465ac (2022-04-05): `numClientsByRoleName`.
pub const DOCS_B3465AC: &str = "whereby/docs@b3465ac monitoring-usage/webhooks.md";
/// `whereby/docs` 27cc193 (2023-07-28): `displayName`, more role descriptions.
pub const DOCS_27CC193: &str = "whereby/docs@27cc193 monitoring-usage/webhooks.md";
/// `whereby/docs` 86ed691 (2023-08-11): `room.client.knocked` and `knockCancelled`.
pub const DOCS_86ED691: &str = "whereby/docs@86ed691 monitoring-usage/webhooks.md";
/// `whereby/docs` 137afbd (2023-08-16): `transcription.finished` and `failed`.
pub const DOCS_137AFBD: &str = "whereby/docs@137afbd monitoring-usage/webhooks.md";
/// `whereby/docs` fc2ddb4 (2023-08-22): `recording.finished`.
pub const DOCS_FC2DDB4: &str = "whereby/docs@fc2ddb4 monitoring-usage/webhooks.md";
/// `whereby/docs` 8198f38 (2023-10-19): `externalId`.
pub const DOCS_8198F38: &str = "whereby/docs@8198f38 monitoring-usage/webhooks.md";
/// `whereby/docs` 3697f0f (2023-12-07): `participantId`, `roomSessionId` on `room.client.*`.
pub const DOCS_3697F0F: &str = "whereby/docs@3697f0f reference/webhooks.md";
/// `whereby/docs` 3cf9990 (2023-12-07): `roomName` on `recording.finished`.
pub const DOCS_3CF9990: &str = "whereby/docs@3cf9990 reference/webhooks.md";
/// `whereby/docs` abfab9a (2024-06-26): the transcription `type`.
pub const DOCS_ABFAB9A: &str =
    "whereby/docs@abfab9a meeting-content-and-quality/insights-suite-and-api/webhooks.md";
/// `whereby/docs` c6cc5dc (2025-01-22): `isDialIn`.
pub const DOCS_C6CC5DC: &str =
    "whereby/docs@c6cc5dc meeting-content-and-quality/insights-suite-and-api/webhooks.md";
/// `whereby/docs` 6a1ddfd (2025-02-06): `transcription.started`.
pub const DOCS_6A1DDFD: &str =
    "whereby/docs@6a1ddfd meeting-content-and-quality/insights-suite-and-api/webhooks.md";
/// `whereby/docs` a6cfee4 (2025-02-27): transcription `status`, `filename`, `storageType`.
pub const DOCS_A6CFEE4: &str =
    "whereby/docs@a6cfee4 meeting-content-and-quality/insights-suite-and-api/webhooks.md";
/// `whereby/docs` 9c11e05 (2025-03-20): `roomName`, `roomSessionId` on `transcription.*`.
pub const DOCS_9C11E05: &str =
    "whereby/docs@9c11e05 meeting-content-and-quality/insights-suite-and-api/webhooks.md";
/// `whereby/docs` 7e6c4f2 (2025-09-08): `subdomain`.
pub const DOCS_7E6C4F2: &str =
    "whereby/docs@7e6c4f2 meeting-content-and-quality/insights-suite-and-api/webhooks.md";
/// `whereby/docs` ba04d56 (2025-12-12): `assistant.requested`.
pub const DOCS_BA04D56: &str =
    "whereby/docs@ba04d56 meeting-content-and-quality/insights-suite-and-api/webhooks.md";
/// `whereby/docs` a316f59 (2026-03-31): the page's current revision.
pub const DOCS_A316F59: &str =
    "whereby/docs@a316f59 whereby-product-features/insights-suite-and-api/webhooks.md";
/// `whereby/docs` 4449da8: the Assistants page, which says `assistant.requested`
/// is sent to the endpoint URL configured for an Assistant (Manual Invite).
pub const DOCS_ASSISTANTS: &str = "whereby/docs@4449da8 whereby-product-features/assistants.md";
/// `whereby/sdk` ab84f8e (2025-08-06): the Assistant SDK's webhook types, with
/// `roomSessionId: string | null` on every in-room event.
pub const SDK_AB84F8E: &str = "whereby/sdk@ab84f8e packages/assistant-sdk/src/Trigger/types.ts";
/// `whereby/sdk` 0f3eb74 (2025-11-17): `assistant.requested` in the SDK types.
pub const SDK_0F3EB74: &str = "whereby/sdk@0f3eb74 packages/assistant-sdk/src/Trigger/types.ts";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_date_reads_as_a_lower_bound() {
        assert_eq!(since_text(HISTORY_START), "2022-04-01 or earlier");
        assert_eq!(since_text("2025-09-08"), "2025-09-08");
    }
}
