//! Printing the results: a report card for people, or one JSON object per
//! check and line.

use std::io::Write as _;

use super::grade::CheckResult;

/// How the results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A report card: one line per check with expected and got, and a fix
    /// hint under each failure.
    Human,
    /// One `{"check","passed","expected","got","detail"}` object per check
    /// and line, with a `diagnosis` `{"id","detail","fix"}` on a failing
    /// check when probes tell why authentic deliveries were refused.
    Json,
}

/// Prints every result on stdout.
pub fn print(
    format: Format,
    url: &str,
    deliveries: usize,
    results: &[CheckResult],
) -> anyhow::Result<()> {
    let mut stdout = crate::exit::ReaderMayLeave::new(std::io::stdout().lock());
    match format {
        Format::Json => {
            for result in results {
                writeln!(stdout, "{}", serde_json::to_string(result)?)?;
            }
        }
        Format::Human => {
            stdout.write_all(card(url, deliveries, results).as_bytes())?;
        }
    }
    stdout.flush()?;
    Ok(())
}

/// The report card.
fn card(url: &str, deliveries: usize, results: &[CheckResult]) -> String {
    let width = results
        .iter()
        .map(|r| r.check.as_str().len())
        .max()
        .unwrap_or(0);
    let mut out = format!(
        "{deliveries} deliveries to {}\n\n",
        crate::client::shown(url)
    );
    for result in results {
        if result.skipped {
            out.push_str(&format!(
                "SKIP  {:width$}  {}\n",
                result.check.as_str(),
                result.detail
            ));
            continue;
        }
        let mark = if result.passed { "PASS" } else { "FAIL" };
        out.push_str(&format!(
            "{mark}  {:width$}  expected {}, got {}\n",
            result.check.as_str(),
            result.expected,
            result.got
        ));
        if !result.passed {
            // The detail ends with "; fix: <hint>": print the hint on its own line.
            let (what, fix) = result
                .detail
                .rsplit_once("; fix: ")
                .unwrap_or((result.detail.as_str(), ""));
            out.push_str(&format!("      {what}\n"));
            if !fix.is_empty() {
                out.push_str(&format!("      fix: {fix}\n"));
            }
            if let Some(diagnosis) = &result.diagnosis {
                out.push_str(&format!(
                    "      diagnosis: {}: {}; fix: {}\n",
                    diagnosis.id, diagnosis.detail, diagnosis.fix
                ));
            }
        }
    }
    let passed = results.iter().filter(|r| r.passed).count();
    let skipped = results.iter().filter(|r| r.skipped).count();
    if skipped == 0 {
        out.push_str(&format!("\n{passed} of {} checks passed\n", results.len()));
    } else {
        out.push_str(&format!(
            "\n{passed} of {} checks passed, {skipped} skipped (the signature scheme cannot express them)\n",
            results.len() - skipped
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::CheckId;
    use super::*;

    #[test]
    fn card_has_one_line_per_check_and_a_hint_per_failure() {
        let results = vec![
            CheckResult {
                check: CheckId::AcceptsRedelivery,
                passed: true,
                expected: "2xx both times".into(),
                got: "200 both times".into(),
                detail: "sent first delivery".into(),
                diagnosis: None,
                skipped: false,
            },
            CheckResult {
                check: CheckId::RejectsBadSignature,
                passed: false,
                expected: "4xx".into(),
                got: "500".into(),
                detail: "signed with another secret: 500; fix: answer 401".into(),
                diagnosis: None,
                skipped: false,
            },
        ];
        let card = card("http://x/\u{1b}", 3, &results);
        assert_eq!(
            card,
            "3 deliveries to http://x/\\u{1b}\n\n\
             PASS  accepts-redelivery     expected 2xx both times, got 200 both times\n\
             FAIL  rejects-bad-signature  expected 4xx, got 500\n\
             \x20     signed with another secret: 500\n\
             \x20     fix: answer 401\n\
             \n1 of 2 checks passed\n"
        );
    }
}
