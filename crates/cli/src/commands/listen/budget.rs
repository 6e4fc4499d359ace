//! What requests without a valid signature may cost on disk and on screen.
//!
//! Anyone who can reach `listen` can send requests, secret or not. Each one
//! that is refused or unauthentic gets its own stdout line and record line
//! only while a byte budget lasts: [`RATE`] bytes a second, with bursts of
//! up to [`BURST`], counting both lines together. Past it, such requests
//! are still answered, judged and counted, but not written one by one:
//! once a second, one summary line ("N more unauthenticated requests from
//! 127.0.0.1 in the last second") goes to stdout and to the record instead.
//! So however long a flood lasts, stdout and the record together grow by at
//! most [`RATE`] bytes a second plus one summary line a second, and by
//! [`BURST`] at its start: under 1 MiB in any minute.
//!
//! Authentic deliveries never draw on this budget: each is always printed
//! and recorded in full.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Bytes a second that lines of unauthenticated requests may take.
pub const RATE: u64 = 12 * 1024;

/// The most such lines may take at once, after a quiet time.
pub const BURST: u64 = 192 * 1024;

/// How often a summary of the requests not written is given.
pub const SUMMARY_EVERY: Duration = Duration::from_secs(1);

/// How many source addresses a summary names; the others are counted.
const NAMED: usize = 4;

/// The budget, shared by every connection.
pub struct Budget {
    state: Mutex<State>,
    rate: u64,
    burst: u64,
}

struct State {
    /// Bytes that may still be written now.
    left: u64,
    /// When `left` was last topped up.
    topped: Instant,
    /// Requests not written since the last summary, by source address.
    unwritten: BTreeMap<IpAddr, u64>,
    /// When the counting for the next summary started.
    since: Instant,
}

/// Requests that were not written one by one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// How many, in all.
    pub count: u64,
    /// The addresses that sent the most, with how many each.
    pub from: Vec<(IpAddr, u64)>,
    /// How many other addresses sent the rest.
    pub others: usize,
    /// Over how long, in whole seconds (at least 1).
    pub seconds: u64,
}

impl Summary {
    /// `N more unauthenticated requests from 127.0.0.1 in the last second
    /// (not printed or recorded one by one)`.
    pub fn sentence(&self) -> String {
        let from = self
            .from
            .iter()
            .map(|(addr, count)| {
                if self.from.len() == 1 && self.others == 0 {
                    addr.to_string()
                } else {
                    format!("{addr} ({count})")
                }
            })
            .collect::<Vec<_>>()
            .join(", ");
        let others = match self.others {
            0 => String::new(),
            1 => " and 1 other address".to_owned(),
            n => format!(" and {n} other addresses"),
        };
        let requests = if self.count == 1 {
            "request"
        } else {
            "requests"
        };
        let when = if self.seconds <= 1 {
            "the last second".to_owned()
        } else {
            format!("the last {} seconds", self.seconds)
        };
        format!(
            "{} more unauthenticated {requests} from {from}{others} in {when} (not printed or recorded one by one)",
            self.count
        )
    }
}

impl Budget {
    /// The budget of the module documentation.
    pub fn new() -> Budget {
        Budget::with(RATE, BURST, Instant::now())
    }

    fn with(rate: u64, burst: u64, now: Instant) -> Budget {
        Budget {
            state: Mutex::new(State {
                left: burst,
                topped: now,
                unwritten: BTreeMap::new(),
                since: now,
            }),
            rate,
            burst,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether lines of `bytes` about a request from `from` may be written
    /// now; when not, the request is counted for the next summary.
    pub fn spend(&self, bytes: usize, from: IpAddr) -> bool {
        self.spend_at(bytes, from, Instant::now())
    }

    fn spend_at(&self, bytes: usize, from: IpAddr, now: Instant) -> bool {
        let bytes = u64::try_from(bytes).unwrap_or(u64::MAX);
        let mut state = self.lock();
        let elapsed = now.saturating_duration_since(state.topped);
        // Whole bytes only, so that frequent calls do not round the rate
        // away: the time of the bytes not yet earned is kept.
        let earned = u64::try_from(elapsed.as_nanos() * u128::from(self.rate) / 1_000_000_000)
            .unwrap_or(u64::MAX);
        if earned > 0 {
            state.left = state.left.saturating_add(earned).min(self.burst);
            state.topped = if state.left == self.burst {
                now
            } else {
                state.topped + Duration::from_nanos(earned * 1_000_000_000 / self.rate.max(1))
            };
        }
        if bytes <= state.left {
            state.left -= bytes;
            return true;
        }
        if state.unwritten.is_empty() {
            state.since = now;
        }
        // The map holds at most one entry per address that sent since the
        // last summary; past a few thousand, the rest count as one.
        let len = state.unwritten.len();
        let key = if len < 4096 || state.unwritten.contains_key(&from) {
            from
        } else {
            IpAddr::from([0u8; 16])
        };
        *state.unwritten.entry(key).or_insert(0) += 1;
        false
    }

    /// The summary due now, if requests went unwritten and a summary
    /// interval has passed since the first of them.
    pub fn summary(&self, closing: bool) -> Option<Summary> {
        self.summary_at(Instant::now(), closing)
    }

    fn summary_at(&self, now: Instant, closing: bool) -> Option<Summary> {
        let mut state = self.lock();
        if state.unwritten.is_empty()
            || (!closing && now.saturating_duration_since(state.since) < SUMMARY_EVERY)
        {
            return None;
        }
        let seconds = now.saturating_duration_since(state.since).as_secs().max(1);
        let unwritten = std::mem::take(&mut state.unwritten);
        drop(state);
        let count = unwritten.values().sum();
        let mut from: Vec<(IpAddr, u64)> = unwritten.into_iter().collect();
        from.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let others = from.len().saturating_sub(NAMED);
        from.truncate(NAMED);
        Some(Summary {
            count,
            from,
            others,
            seconds,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOME: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    #[test]
    fn a_burst_then_the_rate() {
        let start = Instant::now();
        let budget = Budget::with(1000, 5000, start);
        // The burst: five lines of 1000 bytes, then nothing.
        for _ in 0..5 {
            assert!(budget.spend_at(1000, HOME, start));
        }
        assert!(!budget.spend_at(1000, HOME, start));
        // Half a second earns 500 bytes: not enough for 1000, enough for 400.
        let half = start + Duration::from_millis(500);
        assert!(!budget.spend_at(1000, HOME, half));
        assert!(budget.spend_at(400, HOME, half));
        // Earning goes on from where it was, to the burst at most.
        assert!(budget.spend_at(1000, HOME, start + Duration::from_millis(1500)));
        let long = start + Duration::from_secs(3600);
        assert!(budget.spend_at(5000, HOME, long));
        assert!(!budget.spend_at(1, HOME, long));
    }

    #[test]
    fn many_small_requests_earn_nothing_by_rounding() {
        let start = Instant::now();
        let budget = Budget::with(1000, 1000, start);
        assert!(budget.spend_at(1000, HOME, start));
        // A thousand calls a microsecond apart: one millisecond, one byte.
        let mut written = 0;
        for micro in 1..=1000 {
            if budget.spend_at(1, HOME, start + Duration::from_micros(micro)) {
                written += 1;
            }
        }
        assert_eq!(written, 1);
    }

    #[test]
    fn a_flood_writes_at_most_the_burst_and_the_rate() {
        // A minute of requests of 500 bytes, ten thousand a second.
        let start = Instant::now();
        let budget = Budget::new();
        let mut written = 0u64;
        for tick in 0..600_000u64 {
            let now = start + Duration::from_micros(tick * 100);
            if budget.spend_at(500, HOME, now) {
                written += 500;
            }
        }
        assert!(written <= BURST + 60 * RATE, "{written}");
        assert!(written >= 60 * RATE, "{written}");
        assert!(written + 60 * 300 < 1024 * 1024, "{written}");
    }

    #[test]
    fn summaries_count_by_address_once_a_second() {
        let start = Instant::now();
        let budget = Budget::with(0, 0, start);
        assert_eq!(budget.summary_at(start, true), None);
        for n in 0..6u8 {
            for _ in 0..=n {
                assert!(!budget.spend_at(1, IpAddr::from([10, 0, 0, n]), start));
            }
        }
        assert_eq!(
            budget.summary_at(start + Duration::from_millis(999), false),
            None
        );
        let summary = budget
            .summary_at(start + Duration::from_secs(1), false)
            .expect("a summary");
        assert_eq!(summary.count, 21);
        assert_eq!(summary.from.len(), 4);
        assert_eq!(summary.from[0], (IpAddr::from([10, 0, 0, 5]), 6));
        assert_eq!(summary.others, 2);
        assert_eq!(
            summary.sentence(),
            "21 more unauthenticated requests from 10.0.0.5 (6), 10.0.0.4 (5), 10.0.0.3 (4), 10.0.0.2 (3) and 2 other addresses in the last second (not printed or recorded one by one)"
        );
        // Counted anew.
        assert_eq!(
            budget.summary_at(start + Duration::from_secs(5), true),
            None
        );
        assert!(!budget.spend_at(1, HOME, start + Duration::from_secs(5)));
        let one = budget
            .summary_at(start + Duration::from_secs(5), true)
            .expect("on closing, at once");
        assert_eq!(
            one.sentence(),
            "1 more unauthenticated request from 127.0.0.1 in the last second (not printed or recorded one by one)"
        );
    }
}
