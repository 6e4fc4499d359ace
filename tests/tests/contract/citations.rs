//! Sentences that state Whereby's facts carry their source. A description
//! that says "Whereby documents", "Whereby requires", "Whereby's docs" or
//! names one of Whereby's pages must sit in an object of the published
//! document that cites (`x-sources`, on itself or an enclosing object) a
//! commit of that page, from the model's list of citations. Sentences that
//! state this project's choices say so ("We recommend", "this contract")
//! and need none.

use serde_json::Value;
use whereby_webhooks_model::provenance::Citation;

use crate::common::read_json;

/// The phrases that claim a fact of Whereby's, with the file the citation
/// must name (`""`: any of Whereby's files).
const CLAIMS: &[(&str, &str)] = &[
    ("Whereby documents", ""),
    ("Whereby requires", ""),
    ("Whereby's docs", ""),
    ("Whereby's webhooks docs", "webhooks.md"),
    ("Whereby's Assistants docs", "assistants.md"),
    ("Whereby's Assistants page", "assistants.md"),
    (
        "Whereby's privacy settings page",
        "privacy-configurations.md",
    ),
    ("Whereby's cloud recording docs", "cloud-recording.md"),
    ("Whereby's transcription docs", "transcri"),
    (
        "Whereby's REST API versioning rules",
        "whereby-rest-api-reference",
    ),
    (
        "Whereby's Assistant SDK reference",
        "assistant-sdk-reference",
    ),
    ("Whereby's dial-in page", "dial-in.md"),
    ("firewall page", "firewall-and-security.md"),
];

/// Every `Whereby's ...` phrase must be one of [`CLAIMS`], so that a page
/// named in a new sentence gets its citation rule.
fn unknown_pages(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices("Whereby's ") {
        let rest = &text[at..];
        if !CLAIMS.iter().any(|(claim, _)| rest.starts_with(claim))
            && ["docs", "page", "rules", "reference"].iter().any(|noun| {
                rest.split(['.', ',', ';', ':', '('])
                    .next()
                    .is_some_and(|clause| clause.split_whitespace().take(5).any(|w| w == *noun))
            })
        {
            out.push(rest.chars().take(60).collect());
        }
    }
    out
}

/// Walks `value`, with the citations in scope, checking every description.
fn check(value: &Value, at: &str, cited: &[String], found: &mut Vec<String>, claims: &mut usize) {
    match value {
        Value::Object(map) => {
            let mut cited = cited.to_vec();
            if let Some(Value::Array(sources)) = map.get("x-sources") {
                cited.extend(sources.iter().filter_map(Value::as_str).map(str::to_owned));
            }
            let mut texts: Vec<(String, &str)> = Vec::new();
            if let Some(Value::String(text)) = map.get("description") {
                texts.push((format!("{at}/description"), text));
            }
            if let Some(Value::Object(described)) = map.get("x-enumDescriptions") {
                for (value, text) in described {
                    if let Some(text) = text.as_str() {
                        texts.push((format!("{at}/x-enumDescriptions/{value}"), text));
                    }
                }
            }
            for (place, text) in texts {
                for page in unknown_pages(text) {
                    found.push(format!(
                        "{place}: {page:?} names a page with no citation rule"
                    ));
                }
                for (claim, file) in CLAIMS {
                    if !text.contains(claim) {
                        continue;
                    }
                    *claims += 1;
                    let ok = cited.iter().any(|source| {
                        Citation::find(source).is_some_and(|c| c.path.contains(file))
                    });
                    if !ok {
                        found.push(format!(
                            "{place}: says {claim:?} with no citation of {} in scope ({cited:?})",
                            if file.is_empty() {
                                "Whereby's sources"
                            } else {
                                file
                            }
                        ));
                    }
                }
            }
            for (key, child) in map {
                if key != "examples" && key != "example" {
                    check(child, &format!("{at}/{key}"), &cited, found, claims);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check(item, &format!("{at}/{i}"), cited, found, claims);
            }
        }
        _ => {}
    }
}

#[test]
fn every_sentence_about_whereby_is_cited() {
    let mut claims = 0;
    for file in ["spec/openapi.json", "spec/receiver.openapi.json"] {
        let mut found = Vec::new();
        check(&read_json(file), "", &[], &mut found, &mut claims);
        assert!(found.is_empty(), "{file}:\n{}", found.join("\n"));
    }
    assert!(claims > 50, "only {claims} claims checked");
}

#[test]
fn an_uncited_claim_is_found() {
    let document = serde_json::json!({
        "info": { "description": "Whereby documents a thing." },
        "a": { "x-sources": ["whereby/docs@a316f59 whereby-product-features/insights-suite-and-api/webhooks.md"],
               "b": { "description": "Whereby's Assistants docs say so. Whereby documents it." } },
        "c": { "description": "Whereby's billing docs say so." },
        "d": { "description": "We recommend it." }
    });
    let mut found = Vec::new();
    let mut claims = 0;
    check(&document, "", &[], &mut found, &mut claims);
    assert_eq!(claims, 3);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(found[0].starts_with("/info/description"));
    assert!(found[1].starts_with("/a/b/description") && found[1].contains("assistants.md"));
    assert!(found[2].starts_with("/c/description") && found[2].contains("no citation rule"));
}
