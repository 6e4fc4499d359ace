//! Throughput of validation, single-threaded, on a corpus of 100,000 mixed
//! events of 300 to 800 bytes: parsing alone, then parsing, dispatching and
//! validating, so that the cost of the contract check reads as a share of
//! the parse it cannot avoid. Building the validators is measured apart.
//!
//! Run with `cargo bench -p whereby-webhooks-conformance --bench validate`.

use std::hint::black_box;
use std::sync::LazyLock;

use divan::Bencher;
use divan::counter::{BytesCount, ItemsCount};
use serde_json::Value;
use whereby_webhooks_conformance::{Options, Validator};
use whereby_webhooks_model::{Event, EventType};

mod corpus;

const EVENTS: usize = 100_000;
const SEED: u64 = 0x5eed_2026;

static VALIDATOR: LazyLock<Validator> =
    LazyLock::new(|| Validator::embedded(Options::default()).expect("the embedded spec loads"));

static CORPUS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    let corpus = corpus::generate(&VALIDATOR.examples(), EVENTS, SEED);
    for event in &corpus {
        assert!(
            corpus::SIZES.contains(&event.len()),
            "an event of {} bytes",
            event.len()
        );
        assert!(
            VALIDATOR.validate_bytes(event).is_valid(),
            "the corpus conforms"
        );
    }
    corpus
});

static PARSED: LazyLock<Vec<Value>> = LazyLock::new(|| {
    CORPUS
        .iter()
        .map(|event| serde_json::from_slice(event).expect("the corpus parses"))
        .collect()
});

/// Each corpus event's type.
static TYPES: LazyLock<Vec<EventType>> = LazyLock::new(|| {
    PARSED
        .iter()
        .map(|event| {
            event["type"]
                .as_str()
                .and_then(|ty| ty.parse().ok())
                .expect("the corpus has known types")
        })
        .collect()
});

fn main() {
    LazyLock::force(&CORPUS);
    LazyLock::force(&PARSED);
    LazyLock::force(&TYPES);
    divan::main();
}

fn counted<'a, 'b>(bencher: Bencher<'a, 'b>) -> Bencher<'a, 'b> {
    let bytes: usize = CORPUS.iter().map(Vec::len).sum();
    bencher
        .counter(BytesCount::new(bytes))
        .counter(ItemsCount::new(CORPUS.len()))
}

/// `serde_json::from_slice::<Value>` of every event: the floor.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn parse_only(bencher: Bencher) {
    counted(bencher).bench(|| {
        for event in CORPUS.iter() {
            black_box(serde_json::from_slice::<Value>(black_box(event)).is_ok());
        }
    });
}

/// `std::str::from_utf8` then `serde_json::from_str::<Value>` of every
/// event: the parse `validate_bytes` does (the UTF-8 check first, so the
/// parser need not check strings again).
#[divan::bench(sample_count = 20, sample_size = 1)]
fn parse_checked_utf8(bencher: Bencher) {
    counted(bencher).bench(|| {
        for event in CORPUS.iter() {
            let text = std::str::from_utf8(black_box(event)).expect("the corpus is UTF-8");
            black_box(serde_json::from_str::<Value>(text).is_ok());
        }
    });
}

/// `whereby_webhooks_conformance::parse_payload` of every event: the parse
/// `validate_bytes` does, which also refuses duplicate keys.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn parse_payload(bencher: Bencher) {
    counted(bencher).bench(|| {
        for event in CORPUS.iter() {
            black_box(whereby_webhooks_conformance::parse_payload(black_box(event)).is_ok());
        }
    });
}

/// The reading `validate_bytes` did before the tape, and still does for a
/// payload the tape does not accept: `parse_payload` into a `Value`, then
/// `validate_value`.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn parse_value_and_validate(bencher: Bencher) {
    let validator = &*VALIDATOR;
    counted(bencher).bench(|| {
        for event in CORPUS.iter() {
            let value = whereby_webhooks_conformance::parse_payload(black_box(event));
            let _ = black_box(value.map(|value| validator.validate_value(&value).is_valid()));
        }
    });
}

/// `Validator::validate_bytes` of every event: read into a tape, dispatch
/// on `type`, validate (every event of the corpus is valid, so none is read
/// a second time).
#[divan::bench(sample_count = 20, sample_size = 1)]
fn parse_and_validate(bencher: Bencher) {
    let validator = &*VALIDATOR;
    counted(bencher).bench(|| {
        for event in CORPUS.iter() {
            black_box(validator.validate_bytes(black_box(event)).is_valid());
        }
    });
}

/// What `listen` does with each authentic body: `Validator::accepts` (read
/// into a tape, dispatch, validate), then type it with the event model
/// (`Event::from_slice_as`), which reads the bytes again.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn accept_and_type(bencher: Bencher) {
    let validator = &*VALIDATOR;
    counted(bencher).bench(|| {
        for event in CORPUS.iter() {
            let typed = validator
                .accepts(black_box(event))
                .and_then(|event_type| event_type.parse::<EventType>().ok())
                .map(|event_type| Event::from_slice_as(event_type, event).is_ok());
            black_box(typed);
        }
    });
}

/// Writes over `junk`, so that what a bench reads next (code, compiled
/// schemas, the event) comes from farther than the caches `junk` is larger
/// than.
fn evict(junk: &mut [u8], round: u8) {
    for byte in junk.iter_mut().step_by(64) {
        *byte = byte.wrapping_add(round);
    }
    black_box(junk);
}

/// Runs `judge` on one event at a time, after writing over `mib` MiB of
/// other memory (see [`evict`]): with 0, the code and the compiled schemas
/// stay in the caches, as in the loops of the benches above; with 1 (this
/// machine's L2 per core is 512 KiB), 4, and 64 (more than its 32 MiB L3),
/// a server's other work (the network stack, other processes) has pushed
/// more and more of them out. Only `judge` is timed, not the writing. The
/// events take turns from the corpus.
fn one_at_a_time<T>(bencher: Bencher, mib: usize, judge: impl Fn(usize, &[u8]) -> T) {
    let mut junk = vec![0u8; mib * 1024 * 1024];
    let mut next = 0usize;
    bencher
        .with_inputs(|| {
            next = (next + 1) % CORPUS.len();
            evict(&mut junk, next as u8);
            next
        })
        .bench_local_values(|index| judge(index, black_box(&CORPUS[index])));
}

/// `accept_and_type` of one event, the caches emptied of `mib` MiB first
/// (see [`one_at_a_time`]).
#[divan::bench(args = [0, 1, 4, 64], sample_count = 500, sample_size = 1)]
fn accept_and_type_one(bencher: Bencher, mib: usize) {
    let validator = &*VALIDATOR;
    one_at_a_time(bencher, mib, |_, event| {
        validator
            .accepts(event)
            .and_then(|event_type| event_type.parse::<EventType>().ok())
            .map(|event_type| Event::from_slice_as(event_type, event).is_ok())
    });
}

/// `Validator::accepts` alone of one event (see [`one_at_a_time`]).
#[divan::bench(args = [0, 64], sample_count = 500, sample_size = 1)]
fn accepts_one(bencher: Bencher, mib: usize) {
    let validator = &*VALIDATOR;
    one_at_a_time(bencher, mib, |_, event| validator.accepts(event).is_some());
}

/// `Event::from_slice_as` alone of one event, its type known (see
/// [`one_at_a_time`]).
#[divan::bench(args = [0, 64], sample_count = 500, sample_size = 1)]
fn type_one(bencher: Bencher, mib: usize) {
    one_at_a_time(bencher, mib, |index, event| {
        Event::from_slice_as(TYPES[index], event).is_ok()
    });
}

/// Typing alone: `Event::from_slice_as` of every event, its type known.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn type_only(bencher: Bencher) {
    counted(bencher).bench(|| {
        for (event, event_type) in CORPUS.iter().zip(TYPES.iter()) {
            black_box(Event::from_slice_as(*event_type, black_box(event)).is_ok());
        }
    });
}

/// `Validator::validate_value` of every event, parsed beforehand: dispatch
/// and validation alone.
#[divan::bench(sample_count = 20, sample_size = 1)]
fn validate_parsed(bencher: Bencher) {
    let validator = &*VALIDATOR;
    counted(bencher).bench(|| {
        for event in PARSED.iter() {
            black_box(validator.validate_value(black_box(event)).is_valid());
        }
    });
}

/// Building a validator from the embedded document, open and strict.
#[divan::bench(args = [false, true], sample_count = 20)]
fn build(strict: bool) -> Validator {
    Validator::embedded(Options { strict }).expect("the embedded spec loads")
}
