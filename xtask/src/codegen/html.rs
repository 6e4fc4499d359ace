//! `docs/reference.html`: the reference of `docs/webhooks.md` as one
//! self-contained page, for reading offline and without JavaScript.
//!
//! The page is the Markdown reference rendered to HTML (so it says exactly
//! what `docs/webhooks.md` says: every event, property, `x-since`, example,
//! the signature recipe and the conflicts), each heading given the id GitHub
//! gives it (so the reference's own `#` links work), with one addition: the
//! contract's history drawn as an inline SVG timeline from the `x-since` of
//! every event and property. It loads nothing: the style is inline, there is
//! no script, and a Content-Security-Policy forbids fetching anything. Its
//! links are relative to `docs/`, so they work from a `file://` URL in a
//! clone.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};
use serde_json::{Map, Value};
use whereby_webhooks_model::EventType;
use whereby_webhooks_model::provenance::{HISTORY_START, SINCE_KEY};

/// Where the page is published.
pub const PATH: &str = "docs/reference.html";

/// Screenshots of real deliveries in Whereby's docs repository, with the
/// commit that added each: the deliveries were captured that day or before.
const DELIVERIES: [(&str, &str, EventType); 2] = [
    (
        "2022-10-10",
        "whereby/docs@eca01ea .gitbook/assets/recorder webhook.png",
        EventType::RoomClientJoined,
    ),
    (
        "2023-10-31",
        "whereby/docs@cf2d81f .gitbook/assets/recording-finished-webhook.png",
        EventType::RecordingFinished,
    ),
];

const STYLE: &str = "\
body{font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;\
color:#1f2328;background:#fff;margin:0}\
main{max-width:72rem;margin:0 auto;padding:1rem 1.5rem 4rem}\
h1,h2,h3{line-height:1.25;margin:2rem 0 .75rem}h2{border-bottom:1px solid #d0d7de;padding-bottom:.3rem}\
a{color:#0550ae}code,pre{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:.875em}\
code{background:#eff1f3;border-radius:4px;padding:.1em .3em}\
pre{background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:.75rem;overflow:auto;tab-size:4}\
pre code{background:none;padding:0}\
table{border-collapse:collapse;display:block;overflow:auto;margin:1rem 0}\
th,td{border:1px solid #d0d7de;padding:.3rem .6rem;vertical-align:top}th{background:#f6f8fa}\
td:nth-child(5):nth-last-child(2){white-space:nowrap}\
figure{margin:1rem 0}figcaption{color:#59636e;font-size:.875rem}\
.timeline{width:100%;height:auto;border:1px solid #d0d7de;border-radius:6px}\
@media (prefers-color-scheme:dark){body{color:#e6edf3;background:#0d1117}a{color:#4493f8}\
code{background:#262c36}pre,th{background:#161b22}th,td,pre,h2,.timeline{border-color:#3d444d}\
.timeline{background:#fff}}";

/// The page, from the polished OpenAPI document and the Markdown reference.
pub fn reference(document: &Value, markdown: &str) -> Result<String, String> {
    let components = document
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .ok_or("the document has no components/schemas")?;
    let body = render(markdown);
    let timeline = timeline(components)?;
    // The timeline goes before the first section, after the introduction.
    let at = body.find("<h2").unwrap_or(body.len());
    let mut page = String::new();
    page.push_str("<!DOCTYPE html>\n");
    page.push_str(&super::preamble("<!-- ", " -->"));
    let _ = write!(
        page,
        "<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>Whereby webhooks reference</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n{}{timeline}{}</main>\n</body>\n</html>\n",
        &body[..at],
        &body[at..]
    );
    Ok(page)
}

/// The Markdown as HTML, every heading with GitHub's id for it.
fn render(markdown: &str) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    let events: Vec<Event> = Parser::new_ext(markdown, options).collect();
    let mut used: Vec<String> = Vec::new();
    let mut out = Vec::with_capacity(events.len());
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading {
            level,
            classes,
            attrs,
            ..
        }) = &events[i]
        {
            let mut j = i + 1;
            while j < events.len() && !matches!(events[j], Event::End(TagEnd::Heading(_))) {
                j += 1;
            }
            let id = unique(
                &mut used,
                super::guide::slug(&heading_source(&events[i + 1..j])),
            );
            out.push(Event::Start(Tag::Heading {
                level: *level,
                id: Some(CowStr::from(id)),
                classes: classes.clone(),
                attrs: attrs.clone(),
            }));
            i += 1;
            continue;
        }
        out.push(events[i].clone());
        i += 1;
    }
    // The Markdown is written from the model's descriptions: HTML in one is
    // shown as text, never passed through as markup. A comment (the
    // Markdown's own "generated" line; the page has one of its own) is
    // dropped.
    let out = out.into_iter().filter_map(|event| match event {
        Event::Html(text) | Event::InlineHtml(text) if is_comment(&text) => None,
        Event::Html(text) | Event::InlineHtml(text) => Some(Event::Text(text)),
        other => Some(other),
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, out);
    html
}

/// Whether `html` is one HTML comment and nothing else.
fn is_comment(html: &str) -> bool {
    let html = html.trim();
    html.strip_prefix("<!--")
        .and_then(|rest| rest.strip_suffix("-->"))
        .is_some_and(|inside| !inside.contains("--"))
}

/// A heading's text as its Markdown source spells it (code keeps its
/// backticks), which is what [`super::guide::slug`] takes.
fn heading_source(events: &[Event]) -> String {
    let mut text = String::new();
    for event in events {
        match event {
            Event::Text(t) => text.push_str(t),
            Event::Code(t) => {
                text.push('`');
                text.push_str(t);
                text.push('`');
            }
            _ => {}
        }
    }
    text
}

/// `base`, or `base-N` when it was used N times before (GitHub's rule).
fn unique(used: &mut Vec<String>, base: String) -> String {
    let count = used.iter().filter(|s| **s == base).count();
    used.push(base.clone());
    if count == 0 {
        base
    } else {
        format!("{base}-{count}")
    }
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date.
fn days(date: &str) -> Result<i64, String> {
    let parts: Vec<i64> = date
        .split('-')
        .map(|p| p.parse::<i64>())
        .collect::<Result<_, _>>()
        .map_err(|_| format!("not a date: {date:?}"))?;
    let [y, m, d] = parts[..] else {
        return Err(format!("not a date: {date:?}"));
    };
    // Howard Hinnant's days_from_civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Ok(era * 146_097 + doe - 719_468)
}

/// Every property of an event (envelope and `data`, nested ones with their
/// path) with its `x-since`.
fn property_dates(
    components: &Map<String, Value>,
    schema: &Value,
    prefix: &str,
    out: &mut Vec<(String, String)>,
) {
    let resolve = |schema: &Value| -> Option<Value> {
        let mut schema = schema.clone();
        for _ in 0..8 {
            let reference = schema
                .get("$ref")
                .or_else(|| schema.pointer("/allOf/0/$ref"))
                .and_then(Value::as_str)
                .and_then(|r| r.rsplit('/').next())
                .and_then(|name| components.get(name));
            match reference {
                Some(target) if schema.get("properties").is_none() => schema = target.clone(),
                _ => break,
            }
        }
        Some(schema)
    };
    let Some(schema) = resolve(schema) else {
        return;
    };
    for (name, property) in schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let path = format!("{prefix}{name}");
        if let Some(since) = property.get(SINCE_KEY).and_then(Value::as_str) {
            out.push((path.clone(), since.to_owned()));
        }
        if let Some(nested) = resolve(property)
            && nested.get("properties").is_some()
        {
            property_dates(components, &nested, &format!("{path}."), out);
        }
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The history section: an SVG timeline, when each event and each later
/// property arrived, with the real deliveries marked, and the same as a list.
fn timeline(components: &Map<String, Value>) -> Result<String, String> {
    struct Lane {
        ty: EventType,
        since: String,
        /// Later properties, by date.
        additions: BTreeMap<String, Vec<String>>,
    }
    let mut lanes = Vec::new();
    let mut dates = vec![HISTORY_START.to_owned()];
    for ty in EventType::ALL {
        let schema = components
            .get(&ty.schema_name())
            .ok_or_else(|| format!("no schema for {ty}"))?;
        let mut properties = Vec::new();
        property_dates(components, schema, "", &mut properties);
        if properties.is_empty() {
            return Err(format!("{ty}: no property carries {SINCE_KEY}"));
        }
        let since = ty.since().to_owned();
        let mut additions: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (path, date) in properties {
            if date > since {
                dates.push(date.clone());
                additions.entry(date).or_default().push(path);
            }
        }
        dates.push(since.clone());
        lanes.push(Lane {
            ty,
            since,
            additions,
        });
    }
    dates.extend(DELIVERIES.iter().map(|(date, _, _)| (*date).to_owned()));
    let first_year: i64 = HISTORY_START[..4].parse().map_err(|_| "bad start")?;
    let last = dates.iter().max().cloned().unwrap_or_default();
    let last_year: i64 = last[..4].parse().map_err(|_| "bad date")?;
    let (start, end) = (
        days(&format!("{first_year}-01-01"))?,
        days(&format!("{}-01-01", last_year + 1))?,
    );

    const LABEL: f64 = 210.0;
    const PLOT: f64 = 760.0;
    const ROW: f64 = 30.0;
    const TOP: f64 = 40.0;
    let height = TOP + ROW * lanes.len() as f64 + 70.0;
    let x = |date: &str| -> Result<f64, String> {
        Ok(LABEL + PLOT * (days(date)? - start) as f64 / (end - start) as f64)
    };
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {height}\" \
         role=\"img\" aria-labelledby=\"timeline-title\" font-family=\"system-ui, 'DejaVu Sans', sans-serif\" font-size=\"12\">\n\
         <title id=\"timeline-title\">When Whereby documented each event and each later property</title>\n",
        w = LABEL + PLOT + 20.0
    );
    for year in first_year..=last_year + 1 {
        let at = x(&format!("{year}-01-01"))?;
        let _ = writeln!(
            svg,
            "<line x1=\"{at:.1}\" y1=\"{}\" x2=\"{at:.1}\" y2=\"{:.1}\" stroke=\"#d0d7de\"/>\
             <text x=\"{at:.1}\" y=\"{}\" text-anchor=\"middle\" fill=\"#59636e\">{year}</text>",
            TOP - 12.0,
            TOP + ROW * lanes.len() as f64,
            TOP - 18.0
        );
    }
    for (row, lane) in lanes.iter().enumerate() {
        let y = TOP + ROW * row as f64 + ROW / 2.0;
        let from = x(&lane.since)?;
        let end_x = LABEL + PLOT;
        let or_earlier = lane.since == HISTORY_START;
        let since_text = if or_earlier {
            format!("{} or earlier", lane.since)
        } else {
            lane.since.clone()
        };
        let _ = writeln!(
            svg,
            "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"#1f2328\" font-family=\"ui-monospace, 'DejaVu Sans Mono', monospace\">{}</text>\n\
             <line x1=\"{from:.1}\" y1=\"{y:.1}\" x2=\"{end_x:.1}\" y2=\"{y:.1}\" stroke=\"#0969da\" stroke-width=\"4\" stroke-linecap=\"round\"><title>{}: documented since {since_text}</title></line>",
            LABEL - 10.0,
            y + 4.0,
            lane.ty,
            lane.ty
        );
        if or_earlier {
            // Documented at the start of the docs history, or before it.
            let _ = writeln!(
                svg,
                "<path d=\"M{:.1} {y:.1} l9 -6 v12 z\" fill=\"#0969da\"><title>{}: {since_text}</title></path>",
                from - 9.0,
                lane.ty
            );
        } else {
            let _ = writeln!(
                svg,
                "<circle cx=\"{from:.1}\" cy=\"{y:.1}\" r=\"6\" fill=\"#0969da\"><title>{}: documented since {since_text}</title></circle>",
                lane.ty
            );
        }
        for (date, paths) in &lane.additions {
            let at = x(date)?;
            let _ = writeln!(
                svg,
                "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"8\" height=\"8\" transform=\"rotate(45 {at:.1} {y:.1})\" fill=\"#bf8700\" stroke=\"#fff\"><title>{date}: {} added to {}</title></rect>",
                at - 4.0,
                y - 4.0,
                escape(&paths.join(", ")),
                lane.ty
            );
        }
        for (date, source, ty) in DELIVERIES {
            if ty == lane.ty {
                let at = x(date)?;
                let _ = writeln!(
                    svg,
                    "<circle cx=\"{at:.1}\" cy=\"{y:.1}\" r=\"7\" fill=\"none\" stroke=\"#cf222e\" stroke-width=\"2\"><title>A real {ty} delivery: {source}, added {date}</title></circle>"
                );
            }
        }
    }
    let axis_bottom = TOP + ROW * lanes.len() as f64;
    for (i, (date, source, ty)) in DELIVERIES.iter().enumerate() {
        let at = x(date)?;
        let _ = writeln!(
            svg,
            "<line x1=\"{at:.1}\" y1=\"{}\" x2=\"{at:.1}\" y2=\"{:.1}\" stroke=\"#cf222e\" stroke-dasharray=\"4 3\"><title>{source}</title></line>\
             <text x=\"{at:.1}\" y=\"{:.1}\" text-anchor=\"start\" fill=\"#cf222e\">real {ty} delivery, screenshot added {date}</text>",
            TOP - 6.0,
            axis_bottom + 4.0,
            axis_bottom + 18.0 + 14.0 * i as f64
        );
    }
    // The legend, left to right from the left edge.
    let ly = height - 12.0;
    let mut lx = 20.0;
    let _ = write!(
        svg,
        "<path d=\"M{lx:.1} {ly:.1} l9 -6 v12 z\" fill=\"#0969da\"/>\
         <text x=\"{:.1}\" y=\"{:.1}\">documented in 2022-04 or earlier</text>",
        lx + 14.0,
        ly + 4.0
    );
    lx += 230.0;
    let _ = write!(
        svg,
        "<circle cx=\"{:.1}\" cy=\"{ly:.1}\" r=\"6\" fill=\"#0969da\"/>\
         <text x=\"{:.1}\" y=\"{:.1}\">event documented</text>",
        lx + 6.0,
        lx + 16.0,
        ly + 4.0
    );
    lx += 140.0;
    let _ = write!(
        svg,
        "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"8\" height=\"8\" transform=\"rotate(45 {:.1} {ly:.1})\" fill=\"#bf8700\"/>\
         <text x=\"{:.1}\" y=\"{:.1}\">property added later</text>",
        lx + 2.0,
        ly - 4.0,
        lx + 6.0,
        lx + 16.0,
        ly + 4.0
    );
    lx += 160.0;
    let _ = writeln!(
        svg,
        "<circle cx=\"{:.1}\" cy=\"{ly:.1}\" r=\"7\" fill=\"none\" stroke=\"#cf222e\" stroke-width=\"2\"/>\
         <text x=\"{:.1}\" y=\"{:.1}\">real delivery (screenshot in Whereby's docs)</text>\n</svg>",
        lx + 7.0,
        lx + 18.0,
        ly + 4.0
    );

    let mut html = String::from(
        "<h2 id=\"history-at-a-glance\">History at a glance</h2>\n\
         <p>When Whereby first documented each event (a triangle: in the first revision of its \
         docs, 2022-04-01, or earlier) and each property added to it later, from the \
         <code>x-since</code> of the model; and the two real deliveries whose screenshots are in \
         Whereby's docs repository, captured on or before the day each was added. A delivery \
         captured before a property's date may lack it. Hover a mark for its details; the same \
         facts follow as a list.</p>\n<figure>\n",
    );
    html.push_str(&svg);
    html.push_str(
        "\n<figcaption>Events documented over time; diamonds are properties added after the event.</figcaption>\n</figure>\n<ul>\n",
    );
    for lane in &lanes {
        let since_text = if lane.since == HISTORY_START {
            format!("{} or earlier", lane.since)
        } else {
            lane.since.clone()
        };
        let mut item = format!(
            "<li><a href=\"#{}\"><code>{}</code></a>: documented since {since_text}",
            super::guide::slug(&format!("`{}`", lane.ty)),
            lane.ty
        );
        for (date, paths) in &lane.additions {
            let names: Vec<String> = paths
                .iter()
                .map(|p| format!("<code>{}</code>", escape(p)))
                .collect();
            let _ = write!(item, "; {} on {date}", names.join(", "));
        }
        for (date, source, ty) in DELIVERIES {
            if ty == lane.ty {
                let _ = write!(
                    item,
                    "; a real delivery in Whereby's docs, added {date} ({})",
                    escape(source)
                );
            }
        }
        item.push_str(".</li>\n");
        html.push_str(&item);
    }
    html.push_str("</ul>\n");
    Ok(html)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// Markup in a description (inline, or a block of its own) reaches the
    /// page as text.
    #[test]
    fn html_in_the_markdown_is_shown_as_text() {
        let html = render(
            "<!-- a comment -->\n\n# A\n\nSays <img src=x onerror=alert(1)> inline.\n\n<script>alert(2)</script>\n\n| a |\n|---|\n| <b onclick=x>b</b> |\n\n<!-- x --> <i>\n",
        );
        for markup in ["<img", "<script", "<b ", "<i>", "<!--"] {
            assert!(!html.contains(markup), "{markup}: {html}");
        }
        assert!(
            html.contains("&lt;script&gt;alert(2)&lt;/script&gt;"),
            "{html}"
        );
    }

    fn page() -> String {
        let files = crate::codegen::files().unwrap();
        files
            .into_iter()
            .find(|(path, _)| path == PATH)
            .map(|(_, text)| text)
            .expect("the page is generated")
    }

    /// Every `href` and `src` value of the page.
    fn attributes<'a>(page: &'a str, name: &str) -> Vec<&'a str> {
        let needle = format!("{name}=\"");
        page.match_indices(&needle)
            .filter_map(|(at, _)| {
                let rest = &page[at + needle.len()..];
                rest.find('"').map(|end| &rest[..end])
            })
            .collect()
    }

    #[test]
    fn it_loads_nothing_and_runs_nothing() {
        let page = page();
        assert!(!page.contains("<script"), "a script");
        assert!(!page.contains("<link"), "a linked resource");
        assert!(!page.contains("@import"), "an imported stylesheet");
        assert!(attributes(&page, "src").is_empty(), "an embedded resource");
        assert!(page.contains("Content-Security-Policy\" content=\"default-src 'none'"));
        for href in attributes(&page, "href") {
            assert!(
                !href.starts_with("//") && !href.starts_with("javascript:"),
                "{href}"
            );
        }
    }

    #[test]
    fn every_link_resolves_from_a_file_url() {
        let page = page();
        let ids: Vec<&str> = attributes(&page, "id");
        let docs = crate::codegen::project_root().join("docs");
        let mut checked = 0;
        for href in attributes(&page, "href") {
            if href.starts_with("https://") || href.starts_with("http://") {
                continue;
            }
            checked += 1;
            let (path, fragment) = href.split_once('#').unwrap_or((href, ""));
            if path.is_empty() {
                assert!(ids.contains(&fragment), "#{fragment}: no such id");
            } else {
                assert!(
                    Path::new(&docs).join(path).exists(),
                    "{href}: no such file beside docs/"
                );
            }
        }
        assert!(checked > 30, "only {checked} links checked");
    }

    #[test]
    fn it_has_every_event_and_their_history() {
        let page = page();
        for ty in EventType::ALL {
            let id = crate::codegen::guide::slug(&format!("`{ty}`"));
            assert!(page.contains(&format!("id=\"{id}\"")), "{ty}: no section");
            assert!(
                page.contains(&format!(">{ty}</text>")),
                "{ty}: not on the timeline"
            );
        }
        for heading in ["verifying-signatures", "where-wherebys-sources-disagree"] {
            assert!(page.contains(&format!("id=\"{heading}\"")), "{heading}");
        }
        // A property added after its event is drawn on its date.
        assert!(page.contains("data.subdomain"), "subdomain's arrival");
        for (date, _, _) in DELIVERIES {
            assert!(page.contains(&format!("screenshot added {date}")), "{date}");
        }
    }

    #[test]
    fn dates_count_days() {
        assert_eq!(days("1970-01-01").unwrap(), 0);
        assert_eq!(days("2000-03-01").unwrap() - days("2000-02-28").unwrap(), 2);
        assert_eq!(
            days("2023-01-01").unwrap() - days("2022-01-01").unwrap(),
            365
        );
        assert!(days("2022-13").is_err());
    }

    #[test]
    fn headings_get_githubs_ids_and_duplicates_a_suffix() {
        let html = render("## `room.client.joined`\n\n### Python\n\n### Python\n");
        assert!(html.contains("<h2 id=\"roomclientjoined\">"), "{html}");
        assert!(html.contains("<h3 id=\"python\">"), "{html}");
        assert!(html.contains("<h3 id=\"python-1\">"), "{html}");
    }
}
