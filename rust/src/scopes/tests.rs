//! The codec against tc39's decoding tests and Chrome DevTools' codec (the committed
//! fixtures of tests/fixtures/scopes/, made by its generate.mjs), round trips on random
//! scopes, and bad input.
//!
//! `rust.json` there is this codec's answer for every fixture (the words of its decoding
//! and its encoding of them), which tests/test_scopes.py reads to build the Python model
//! and hands to DevTools: the test below fails when it is not what the codec answers;
//! `LSM_REGENERATE_SCOPES=1 cargo test scopes::tests` rewrites it.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde_json::{json, Value};

use super::*;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/scopes")
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|list| {
            list.iter()
                .map(|s| s.as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn counts(names: &[String], sources: usize) -> MapCounts {
    MapCounts {
        names: names.len(),
        sources,
    }
}

// The spec's resolutions of name indexes: no name, "" for a variable.
fn name(names: &[String], index: Option<u32>) -> Value {
    index
        .and_then(|i| names.get(i as usize))
        .map_or(Value::Null, |s| json!(s))
}

fn variable(names: &[String], index: u32) -> Value {
    json!(names.get(index as usize).map_or("", |s| s.as_str()))
}

fn pair(p: Position) -> Value {
    json!([p.line, p.column])
}

fn record(p: Position) -> Value {
    json!({"line": p.line, "column": p.column})
}

/// The model of tests/js/scopes-reference.mjs (DevTools' reading, names resolved).
fn model(s: &Scopes, names: &[String]) -> Value {
    fn scope(s: &Scopes, names: &[String], index: u32) -> Value {
        let sc = &s.scopes[index as usize];
        json!({
            "start": pair(sc.start),
            "end": pair(sc.end),
            "name": name(names, sc.name),
            "kind": name(names, sc.kind),
            "isStackFrame": sc.is_stack_frame,
            "variables": s.variables(sc).iter().map(|&v| variable(names, v)).collect::<Vec<_>>(),
            "children": s.scope_children(index).map(|(i, _)| scope(s, names, i)).collect::<Vec<_>>(),
        })
    }
    fn range(s: &Scopes, names: &[String], index: u32) -> Value {
        let r = &s.ranges[index as usize];
        let subs: Vec<Value> = s
            .sub_range_bindings(r)
            .iter()
            .map(|sub| {
                let froms: Vec<Value> = s
                    .bindings(sub)
                    .iter()
                    .map(|b| json!([b.from.line, b.from.column, name(names, b.expression)]))
                    .collect();
                json!([sub.variable, froms])
            })
            .collect();
        json!({
            "start": pair(r.start),
            "end": pair(r.end),
            "definition": r.definition,
            "isStackFrame": r.is_stack_frame,
            "isHidden": r.is_hidden,
            "values": s.values(r).iter().map(|&v| name(names, v)).collect::<Vec<_>>(),
            "subRangeBindings": subs,
            "callSite": r.call_site.map(|c| json!([c.source, c.line, c.column])),
            "children": s.range_children(index).map(|(i, _)| range(s, names, i)).collect::<Vec<_>>(),
        })
    }
    json!({
        "scopes": s.sources.iter().map(|root| root.map_or(Value::Null, |i| scope(s, names, i))).collect::<Vec<_>>(),
        "ranges": s.root_ranges().map(|(i, _)| range(s, names, i)).collect::<Vec<_>>(),
    })
}

/// The `sources[].scope` and `ranges` of tc39's .golden files (decoding/scopes/scopes.d.ts).
fn golden(s: &Scopes, names: &[String], sources: usize) -> (Vec<Value>, Value) {
    fn scope(s: &Scopes, names: &[String], index: u32) -> Value {
        let sc = &s.scopes[index as usize];
        json!({
            "start": record(sc.start),
            "end": record(sc.end),
            "name": name(names, sc.name),
            "kind": name(names, sc.kind),
            "isStackFrame": sc.is_stack_frame,
            "variables": s.variables(sc).iter().map(|&v| variable(names, v)).collect::<Vec<_>>(),
            "children": s.scope_children(index).map(|(i, _)| scope(s, names, i)).collect::<Vec<_>>(),
        })
    }
    fn range(s: &Scopes, names: &[String], index: u32) -> Value {
        let r = &s.ranges[index as usize];
        let frame = match (r.is_stack_frame, r.is_hidden) {
            (false, _) => "none",
            (true, false) => "original",
            (true, true) => "hidden",
        };
        let bindings: Vec<Value> = s
            .binding_records(r)
            .iter()
            .map(|list| {
                list.iter()
                    .map(|b| json!({"from": record(b.from), "binding": name(names, b.expression)}))
                    .collect()
            })
            .collect();
        json!({
            "start": record(r.start),
            "end": record(r.end),
            "definitionIndex": r.definition,
            "stackFrameType": frame,
            "callSite": r.call_site.map(|c| json!({"sourceIndex": c.source, "line": c.line, "column": c.column})),
            "bindings": bindings,
            "children": s.range_children(index).map(|(i, _)| range(s, names, i)).collect::<Vec<_>>(),
        })
    }
    let scopes = (0..sources)
        .map(|i| match s.sources.get(i).copied().flatten() {
            Some(root) => scope(s, names, root),
            None => Value::Null,
        })
        .collect();
    let ranges = s.root_ranges().map(|(i, _)| range(s, names, i)).collect();
    (scopes, ranges)
}

struct Case {
    name: String,
    names: Vec<String>,
    sources: usize,
    scopes: String,
    /// DevTools' decoding (devtools.json), or tc39's expectation (the .golden).
    expected: Value,
}

fn tc39_cases() -> Vec<Case> {
    let dir = fixtures().join("tc39");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "map"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let map = read_json(&path);
            let golden = read_json(&path.with_extension("map.golden"));
            Case {
                name: format!("tc39/{}", path.file_name().unwrap().to_string_lossy()),
                names: strings(&map["names"]),
                sources: map["sources"].as_array().unwrap().len(),
                scopes: map["scopes"].as_str().unwrap_or("").to_owned(),
                expected: golden,
            }
        })
        .collect()
}

fn devtools_cases() -> Vec<Case> {
    let corpus = read_json(&fixtures().join("devtools.json"));
    corpus["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| Case {
            name: c["name"].as_str().unwrap().to_owned(),
            names: strings(&c["names"]),
            sources: c["sources"].as_u64().unwrap() as usize,
            scopes: c["scopes"].as_str().unwrap().to_owned(),
            expected: c["model"].clone(),
        })
        .collect()
}

fn decode_case(case: &Case, mode: Mode) -> Scopes {
    decode(
        case.scopes.as_bytes(),
        counts(&case.names, case.sources),
        mode,
    )
    .unwrap_or_else(|e| panic!("{}: {e}", case.name))
}

#[test]
fn tc39_decoding_expectations() {
    let cases = tc39_cases();
    assert_eq!(cases.len(), 8, "tc39's decoding/scopes/ has 8 maps");
    for case in &cases {
        for mode in [Mode::Strict, Mode::Lenient] {
            let scopes = decode_case(case, mode);
            let (sources, ranges) = golden(&scopes, &case.names, case.sources);
            let expected: Vec<Value> = case.expected["sources"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["scope"].clone())
                .collect();
            assert_eq!(sources, expected, "{}", case.name);
            assert_eq!(ranges, case.expected["ranges"], "{}", case.name);
            // Their text is what this encoder writes for it.
            assert_eq!(encode(&scopes).unwrap(), case.scopes, "{}", case.name);
        }
    }
}

/// DevTools writes a call site after the sub-range bindings; the spec's grammar (and
/// this encoder) before them.
fn call_sites_first(text: &str) -> String {
    let mut items: Vec<&str> = text.split(',').collect();
    for i in 0..items.len() {
        if items[i].starts_with('I') {
            let mut j = i;
            while j > 0 && items[j - 1].starts_with('H') {
                items.swap(j - 1, j);
                j -= 1;
            }
        }
    }
    items.join(",")
}

#[test]
fn devtools_decodings_and_encodings() {
    let cases = devtools_cases();
    assert!(cases.len() > 20);
    let mut reordered = 0;
    for case in &cases {
        let strict = decode_case(case, Mode::Strict);
        assert_eq!(strict, decode_case(case, Mode::Lenient), "{}", case.name);
        assert_eq!(model(&strict, &case.names), case.expected, "{}", case.name);
        let ours = encode(&strict).unwrap();
        let theirs = call_sites_first(&case.scopes);
        reordered += usize::from(theirs != case.scopes);
        assert_eq!(ours, theirs, "{}", case.name);
    }
    // The corpus has ranges with both a call site and sub-range bindings.
    assert!(reordered > 0);
}

#[test]
fn swc_output_decodes() {
    let map = read_json(&fixtures().join("swc/output.js.map"));
    let names = strings(&map["names"]);
    let text = map["scopes"].as_str().unwrap();
    let scopes = decode(text.as_bytes(), counts(&names, 1), Mode::Strict).unwrap();
    assert!(scopes.scopes.len() > 5 && scopes.ranges.len() > 5);
    assert!(scopes.ranges.iter().any(|r| !scopes.values(r).is_empty()));
    assert_eq!(encode(&scopes).unwrap(), text);
    // Lookups: the innermost range at a position, and its original scope.
    let inner = scopes.innermost_range(Position::new(0, 60)).unwrap();
    let range = &scopes.ranges[inner as usize];
    assert!(range.start <= Position::new(0, 60) && Position::new(0, 60) < range.end);
}

/// What tests/test_scopes.py reads: every fixture's words and encoding, as this codec
/// answers them.
#[test]
fn committed_answers_are_current() {
    let mut lines = Vec::new();
    for case in tc39_cases().into_iter().chain(devtools_cases()) {
        let scopes = decode_case(&case, Mode::Strict);
        let answer = json!({
            "name": case.name,
            "encoded": encode(&scopes).unwrap(),
            "words": scopes.to_words(),
        });
        lines.push(format!("    {answer}"));
    }
    let text = format!("{{\n  \"cases\": [\n{}\n  ]\n}}\n", lines.join(",\n"));
    let path = fixtures().join("rust.json");
    if std::env::var_os("LSM_REGENERATE_SCOPES").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == text,
        "{path:?} is not what the codec answers: LSM_REGENERATE_SCOPES=1 cargo test scopes::tests"
    );
}

// --- errors -------------------------------------------------------------------------

fn error(text: &str, names: usize, sources: usize, mode: Mode) -> ScopesError {
    let counts = MapCounts { names, sources };
    decode(text.as_bytes(), counts, mode).expect_err(text)
}

#[test]
fn unreadable_in_both_modes() {
    // (text, item, offset, part of the message)
    let cases: &[(&str, usize, usize, &str)] = &[
        ("B", 0, 0, "without its flags"),
        ("BAA", 0, 0, "needs 3 values"),
        ("BBAA", 0, 0, "needs 4 values"),
        ("BAAA,C", 1, 5, "needs 2 values"),
        ("BAAA", 1, 4, "never ends"),
        ("CAA", 0, 0, "without a start"),
        ("FA", 0, 0, "without a start"),
        ("EAA", 1, 3, "never ends"),
        ("BAAA,EAA,FA,CAA", 1, 5, "inside an original scope"),
        ("EAA,BAAA,CAA,FA", 1, 4, "inside a generated range"),
        ("EAA,A,FA", 1, 4, "inside a generated range"),
        ("BAAA,!AA", 1, 5, "not a base64 digit"),
        ("BAAA,C A", 1, 6, "not a base64 digit"),
        ("BAAg", 0, 3, "cut short"),
        ("BAA//////H", 0, 3, "2^32 or more"),
        ("BAAggggggggB", 0, 3, "2^32 or more"),
        ("BAAA,,CAA", 1, 5, "an empty item"),
        ("BAAA,CAA,", 2, 9, "an empty item"),
        (",", 0, 0, "an empty item"),
        ("ECAC,FA", 0, 0, "definition 1 is not one of the 0"),
        ("BAAA,CAA,ECAC,FA", 2, 9, "definition 1 is not one of the 1"),
        ("BAAA,DA,DA,CAA", 2, 8, "a second variables item"),
        ("BAAA,DA,CAA,ECAA,GA,GA,FA", 5, 20, "a second bindings item"),
        ("BEAA,CAA,ECAA,IAAA,IAAA,FA", 4, 19, "a second call site"),
        ("DA", 0, 0, "outside an original scope"),
        ("GA", 0, 0, "outside a generated range"),
        ("HAA", 0, 0, "outside a generated range"),
        ("IAAA", 0, 0, "outside a generated range"),
        ("EAA,IAA,FA", 1, 4, "needs 3 values"),
        (
            "EAA,HAAA,FA",
            1,
            4,
            "not (line, column, expression) triples",
        ),
        ("EAA,H,FA", 1, 4, "without its variable"),
        ("/", 0, 0, "without its name"),
        ("EB//////H,FA", 0, 2, "2^32 or more"),
        ("EB//////DA,EBCA,FA,FA", 1, 11, "beyond line or column"),
        ("EA//////D,EA//////D,FA,FA", 1, 10, "beyond line or column"),
    ];
    for &(text, item, offset, message) in cases {
        for mode in [Mode::Lenient, Mode::Strict] {
            let e = error(text, 10, 10, mode);
            assert!(
                e.item == item && e.offset == offset && e.message.contains(message),
                "{text:?} ({mode:?}): {e:?}"
            );
            assert!(e.to_string().starts_with("invalid `scopes`: item"));
        }
    }
}

#[test]
fn strict_only_errors() {
    // (text, names, sources, part of the message); each reads leniently.
    let cases: &[(&str, usize, usize, &str)] = &[
        (
            "BBAAC,CAA",
            1,
            1,
            "scope name 1 is not an index into the 1 names",
        ),
        ("BCAAC,CAA", 1, 1, "scope kind 1"),
        ("BAAA,DAC,CAA", 1, 1, "variable 1"),
        ("BAAA,DB,CAA", 1, 1, "variable index -2147483648 is below 0"),
        ("BAAA,DD,CAA", 1, 1, "variable index -1 is below 0"),
        ("BAAAA,CAA", 1, 1, "has 4 values after its tag, 3 expected"),
        ("BIAA,CAA", 1, 1, "unknown flags 0x8"),
        ("EQA,FA", 1, 1, "unknown flags 0x10"),
        ("EIA,FA", 1, 1, "hidden but not a stack frame"),
        (
            "BAAA,CAA,EAA,FA,BAAA,CAA",
            1,
            2,
            "after the generated ranges",
        ),
        ("EAA,FA,A", 1, 2, "after the generated ranges"),
        ("ZA,BAAA,CAA", 1, 1, "after the generated ranges"),
        ("/A,A", 1, 1, "after the generated ranges"),
        ("/B", 1, 1, "vendor extension name 1"),
        ("BAAA,BAAA,CAA,DA,CAA", 1, 1, "after the scope's children"),
        ("BAAA,D,CAA", 1, 1, "without variables"),
        ("BAAA,DA,CAA,ECAA,G,FA", 1, 1, "without bindings"),
        ("EAA,GA,FA", 1, 1, "in a range without a definition"),
        (
            "BAAA,DA,CAA,ECAA,GAA,FA",
            1,
            1,
            "with 2 bindings for the 1 variables",
        ),
        (
            "BAAA,DA,CAA,ECAA,GA,HBAEA,FK",
            1,
            1,
            "for variable 1 of a range with 1 bindings",
        ),
        (
            "BAAA,DA,CAA,ECAA,GA,HAAEA,HAAGA,FK",
            1,
            1,
            "a second sub-range binding",
        ),
        ("BAAA,DA,CAA,ECAA,GA,HA,FK", 1, 1, "without bindings"),
        (
            "BAAA,DA,CAA,ECAA,GA,HAAAA,FK",
            1,
            1,
            "does not start after its range's start",
        ),
        (
            "BAAA,DA,CAA,ECAA,GA,HAAEAAAA,FK",
            1,
            1,
            "does not start after the previous one",
        ),
        (
            "BAAA,DA,CAA,ECAA,GA,HAAKA,FK",
            1,
            1,
            "at or before one of its sub-range bindings",
        ),
        (
            "BEAA,DA,CAA,ECAA,IAAA,GA,FK",
            1,
            1,
            "after other items of its range",
        ),
        (
            "BEAA,CAA,ECAA,EAA,FA,IAAA,FA",
            1,
            1,
            "after its range's children",
        ),
        (
            "BAAA,CAA,ECAA,IAAA,FA",
            1,
            1,
            "whose definition (scope 0) is no stack frame",
        ),
        (
            "BEAA,CAA,EGAA,IAAA,FA",
            1,
            1,
            "in a range that is a stack frame",
        ),
        ("EAA,IAAA,FA", 1, 1, "without a definition"),
        ("BEAA,CAA,ECAA,IBAA,FA", 1, 1, "in source 1 of 1"),
        ("BAAA,CAA,A", 1, 1, "2 source scope trees for 1 sources"),
        (
            "EAA,FAAA",
            1,
            1,
            "has 3 values after its tag, 1 or 2 expected",
        ),
        ("A,ZAAA", 1, 1, "zz"),
    ];
    for &(text, names, sources, message) in cases {
        let counts = MapCounts { names, sources };
        let lenient = decode(text.as_bytes(), counts, Mode::Lenient);
        let strict = decode(text.as_bytes(), counts, Mode::Strict);
        if message == "zz" {
            // An unknown item among the ranges is allowed in both modes.
            assert!(lenient.is_ok() && strict.is_ok(), "{text:?}");
            continue;
        }
        assert!(lenient.is_ok(), "{text:?}: {lenient:?}");
        let e = strict.expect_err(text);
        assert!(e.message.contains(message), "{text:?}: {e:?}");
    }
}

#[test]
fn lenient_fallbacks_are_the_specs() {
    let counts = MapCounts {
        names: 2,
        sources: 1,
    };
    // A name beyond `names` is kept (it resolves to none); an index below 0 is 0.
    let s = decode(b"BDAAGD,DD,CAA", counts, Mode::Lenient).unwrap();
    let names = ["a".to_owned(), "b".to_owned()];
    assert_eq!(s.scopes[0].name, Some(3));
    assert_eq!(s.scopes[0].kind, Some(0));
    assert_eq!(s.variables(&s.scopes[0]), [0]);
    assert_eq!(name(&names, s.scopes[0].name), Value::Null);
    // Unknown items and vendor extensions are skipped, values past an item's own
    // ignored, `H` before `I` read, a hidden flag without a stack frame kept as given.
    let text = b"BEAAAAA,/AAA,CAA,ZZZ,EKAA,GB,HAAEA,IAAA,/B,FA,ZAA";
    let s = decode(text, counts, Mode::Lenient).unwrap();
    assert_eq!(s.ranges.len(), 1);
    let r = &s.ranges[0];
    assert!(r.is_hidden && !r.is_stack_frame);
    assert_eq!(s.values(r), [Some(0)]);
    assert_eq!(r.call_site, Some(OriginalPosition::default()));
    assert_eq!(
        s.bindings(&s.sub_range_bindings(r)[0])[0].from,
        Position::new(0, 4)
    );
    // Sub-range bindings of a variable without a value: kept, left out of the records.
    let s = decode(b"BAAA,CAA,ECAA,HCAEA,FK", counts, Mode::Lenient).unwrap();
    assert_eq!(s.sub_range_bindings(&s.ranges[0]).len(), 1);
    assert!(s.binding_records(&s.ranges[0]).is_empty());
    // "-0" is -2^31 (VLQSignedValue): clamped to 0 here.
    let s = decode(b"BBAAB,CAA", counts, Mode::Lenient).unwrap();
    assert_eq!(s.scopes[0].name, Some(0));
    // The spec's empty field.
    assert_eq!(
        decode(b"", counts, Mode::Strict).unwrap(),
        Scopes::default()
    );
}

#[test]
fn a_range_start_line_of_0_keeps_the_column_relative() {
    // The spec's AccumulatePosition: a line present but 0 moves the column by its delta.
    let counts = MapCounts::default();
    let s = decode(b"EAK,EBAE,FE,FA", counts, Mode::Strict).unwrap();
    assert_eq!(s.ranges[1].start, Position::new(0, 14));
    assert_eq!(encode(&s).unwrap(), "EAK,EAE,FE,FA");
}

#[test]
fn work_is_linear_and_nesting_is_not_recursion() {
    // 200,000 nested scopes and ranges: no stack overflow, decoded and encoded back.
    let depth = 200_000;
    let mut text = String::new();
    for _ in 0..depth {
        text.push_str("BAAA,");
    }
    for i in 0..depth {
        text.push_str(if i == 0 { "CAB" } else { ",CAB" });
    }
    for _ in 0..depth {
        text.push_str(",EAB");
    }
    for _ in 0..depth {
        text.push_str(",FB");
    }
    let counts = MapCounts {
        names: 0,
        sources: 1,
    };
    let s = decode(text.as_bytes(), counts, Mode::Strict).unwrap();
    assert_eq!((s.scopes.len(), s.ranges.len()), (depth, depth));
    assert_eq!(s.scope_children(0).count(), 1);
    assert_eq!(encode(&s).unwrap(), text);
    assert_eq!(Scopes::from_words(&s.to_words()).unwrap(), s);
    // A million variables in one item, a million sub-ranges in one binding.
    let mut text = String::from("BAAA,DA");
    text.push_str(&"A".repeat(999_999));
    text.push_str(",CAA,ECAA,GA");
    text.push_str(&"A".repeat(999_999));
    text.push_str(",HA");
    text.push_str(&"ACA".repeat(1_000_000));
    text.push_str(",FBA");
    let counts = MapCounts {
        names: 1,
        sources: 1,
    };
    let s = decode(text.as_bytes(), counts, Mode::Strict).unwrap();
    assert_eq!(s.variables(&s.scopes[0]).len(), 1_000_000);
    assert_eq!(
        s.bindings(&s.sub_range_bindings(&s.ranges[0])[0]).len(),
        1_000_000
    );
    // Long runs of zero digits are one value each.
    let text = format!("BAAA,CA{}A", "g".repeat(100_000));
    assert!(decode(text.as_bytes(), counts, Mode::Strict).is_ok());
}

#[test]
fn errors_become_invalid_source_map() {
    let e: Error = error("CAA", 0, 0, Mode::Lenient).into();
    assert_eq!(e.kind, crate::error::ErrorKind::InvalidSourceMap);
    assert_eq!(
        e.message,
        "invalid `scopes`: item 0 at byte 0: an original scope end (`C`) without a start"
    );
}

#[test]
fn the_encoder_refuses_what_has_no_text() {
    let mut b = Builder::new();
    b.start_scope(Position::new(5, 0), None, None, false, &[])
        .unwrap();
    b.end_scope(Position::new(4, 0)).unwrap();
    let e = encode(&b.finish().unwrap()).unwrap_err();
    assert!(
        e.message.contains("scope 0's end at 4:0 comes before"),
        "{e}"
    );

    let mut b = Builder::new();
    b.start_range(Position::new(0, 5), None, false, false)
        .unwrap();
    b.add_sub_range_binding(
        0,
        &[BindingFrom {
            from: Position::new(0, 1),
            expression: None,
        }],
    )
    .unwrap();
    b.end_range(Position::new(0, 9)).unwrap();
    let e = encode(&b.finish().unwrap()).unwrap_err();
    assert!(e.message.contains("sub-range binding of variable 0"), "{e}");

    let mut b = Builder::new();
    b.start_range(Position::new(0, 5), Some(3), false, false)
        .unwrap();
    b.end_range(Position::new(0, 9)).unwrap();
    assert!(b.finish().is_err());
}

#[test]
fn words_refuse_what_is_no_tree() {
    let counts = MapCounts {
        names: 3,
        sources: 2,
    };
    let s = decode(b"BAAA,BAAA,CAA,CAA,A,EAA,EAA,FA,FA", counts, Mode::Strict).unwrap();
    let words = s.to_words();
    assert_eq!(Scopes::from_words(&words).unwrap(), s);
    let bytes = s.to_le_bytes();
    assert_eq!(bytes.len(), words.len() * 4);
    assert_eq!(bytes[..8], [1, 0, 0, 0, 2, 0, 0, 0]); // the format, 2 sources
    assert!(Scopes::from_words(&words[..words.len() - 1]).is_err());
    let mut bad = words.clone();
    bad[0] = 2; // the format
    assert!(Scopes::from_words(&bad).is_err());
    let mut bad = words.clone();
    bad[8 + 2 + 10 + 4] = 5; // the second scope's parent
    assert!(Scopes::from_words(&bad).is_err());
    let mut bad = words;
    bad[8] = 1; // sources naming the second scope as a root
    assert!(Scopes::from_words(&bad).is_err());
}

// --- random scopes --------------------------------------------------------------------

/// Choices read from proptest's values (0 once they run out: shrinking makes the scopes
/// smaller).
struct Choices<'a> {
    values: &'a [u32],
    at: usize,
}

impl Choices<'_> {
    fn below(&mut self, n: u32) -> u32 {
        let value = self.values.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        if n == 0 {
            0
        } else {
            value % n
        }
    }

    fn chance(&mut self, percent: u32) -> bool {
        self.below(100) < percent
    }

    /// A position in `[from, to]`, or after `from` when `to` is `None`.
    fn position(&mut self, from: Position, to: Option<Position>) -> Position {
        let Some(to) = to else {
            let big = self.chance(5);
            return if self.chance(40) {
                let far = if big { 1 << 30 } else { 4 };
                Position::new(
                    from.line + 1 + self.below(far),
                    self.below(if big { 1 << 31 } else { 80 }),
                )
            } else {
                Position::new(
                    from.line,
                    from.column + self.below(if big { 1 << 30 } else { 60 }),
                )
            };
        };
        let line = from.line + self.below(to.line - from.line + 1);
        let (low, high) = match (line == from.line, line == to.line) {
            (true, true) => (from.column, to.column),
            (true, false) => (from.column, from.column + 100),
            (false, true) => (0, to.column),
            (false, false) => (0, 100),
        };
        Position::new(line, low + self.below(high - low + 1))
    }

    /// `count` sorted positions in `[from, to]`.
    fn positions(&mut self, from: Position, to: Position, count: usize) -> Vec<Position> {
        let mut out: Vec<Position> = (0..count).map(|_| self.position(from, Some(to))).collect();
        out.sort();
        out
    }
}

struct Generator<'a> {
    c: Choices<'a>,
    b: Builder,
    names: u32,
    sources: u32,
    /// Per scope: (variables, is stack frame).
    scopes: Vec<(u32, bool)>,
}

impl Generator<'_> {
    fn scope(&mut self, start: Position, end: Position, depth: u32) {
        let name = self.c.chance(50).then(|| self.c.below(self.names));
        let kind = self.c.chance(50).then(|| self.c.below(self.names));
        let frame = self.c.chance(40);
        let count = self.c.below(4);
        let variables: Vec<u32> = (0..count).map(|_| self.c.below(self.names)).collect();
        self.b
            .start_scope(start, name, kind, frame, &variables)
            .unwrap();
        self.scopes.push((count, frame));
        let children = if depth > 4 {
            0
        } else {
            self.c.below(4) as usize
        };
        let bounds = self.c.positions(start, end, children * 2);
        for pair in bounds.chunks_exact(2) {
            self.scope(pair[0], pair[1], depth + 1);
        }
        self.b.end_scope(end).unwrap();
    }

    fn range(&mut self, start: Position, end: Position, depth: u32) {
        let count = self.scopes.len() as u32;
        let definition = (count > 0 && self.c.chance(80)).then(|| self.c.below(count));
        let frame = self.c.chance(40);
        let hidden = frame && self.c.chance(30);
        self.b
            .start_range(start, definition, frame, hidden)
            .unwrap();
        if let Some(d) = definition {
            let (variables, def_frame) = self.scopes[d as usize];
            let mut value_count = 0;
            if variables > 0 && self.c.chance(80) {
                value_count = variables;
                let values: Vec<Option<u32>> = (0..variables)
                    .map(|_| self.c.chance(70).then(|| self.c.below(self.names)))
                    .collect();
                self.b.set_values(&values).unwrap();
            }
            if def_frame && !frame && self.c.chance(40) {
                let site = OriginalPosition {
                    source: self.c.below(self.sources),
                    line: self.c.below(1 << 31),
                    column: self.c.below(100),
                };
                self.b.set_call_site(site).unwrap();
            }
            {
                for variable in 0..value_count {
                    if !self.c.chance(30) {
                        continue;
                    }
                    let n = 1 + self.c.below(3) as usize;
                    let mut froms = self.c.positions(start, end, n);
                    froms.dedup();
                    froms.retain(|&p| start < p && p < end);
                    if froms.is_empty() {
                        continue;
                    }
                    let bindings: Vec<BindingFrom> = froms
                        .into_iter()
                        .map(|from| BindingFrom {
                            from,
                            expression: self.c.chance(70).then(|| self.c.below(self.names)),
                        })
                        .collect();
                    self.b.add_sub_range_binding(variable, &bindings).unwrap();
                }
            }
        }
        let children = if depth > 4 {
            0
        } else {
            self.c.below(4) as usize
        };
        let bounds = self.c.positions(start, end, children * 2);
        for pair in bounds.chunks_exact(2) {
            self.range(pair[0], pair[1], depth + 1);
        }
        self.b.end_range(end).unwrap();
    }
}

/// Random valid scopes (strictly valid: every rule of strict mode holds) and the counts
/// of the map they fit.
fn random_scopes(values: &[u32]) -> (Scopes, MapCounts) {
    let mut c = Choices { values, at: 0 };
    let names = 1 + c.below(30);
    let sources = c.below(4);
    let mut g = Generator {
        c,
        b: Builder::new(),
        names,
        sources,
        scopes: Vec::new(),
    };
    for _ in 0..sources {
        if g.c.chance(20) {
            g.b.empty_source();
            continue;
        }
        let start = g.c.position(Position::default(), None);
        let end = g.c.position(start, None);
        g.scope(start, end, 0);
    }
    let mut at = Position::default();
    for _ in 0..g.c.below(3) {
        let start = g.c.position(at, None);
        let end = g.c.position(start, None);
        g.range(start, end, 0);
        at = end;
    }
    let counts = MapCounts {
        names: names as usize,
        sources: sources as usize,
    };
    (g.b.finish().unwrap(), counts)
}

/// Random bytes of the `scopes` alphabet (and a little else).
fn noise() -> impl Strategy<Value = u8> {
    prop_oneof![
        8 => prop::sample::select(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".to_vec()),
        2 => Just(b','),
        1 => any::<u8>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn decode_of_encode_is_identity(values in prop::collection::vec(any::<u32>(), 0..600)) {
        let (scopes, counts) = random_scopes(&values);
        let text = encode(&scopes).unwrap();
        prop_assert_eq!(&decode(text.as_bytes(), counts, Mode::Strict).unwrap(), &scopes);
        prop_assert_eq!(&decode(text.as_bytes(), counts, Mode::Lenient).unwrap(), &scopes);
        prop_assert_eq!(&Scopes::from_words(&scopes.to_words()).unwrap(), &scopes);
    }

    #[test]
    fn mutated_text_is_an_answer_never_a_panic(
        values in prop::collection::vec(any::<u32>(), 0..300),
        edits in prop::collection::vec((any::<prop::sample::Index>(), noise(), 0..3u8), 1..6),
    ) {
        let (scopes, counts) = random_scopes(&values);
        let mut text = encode(&scopes).unwrap().into_bytes();
        for (at, byte, how) in edits {
            match how {
                0 if !text.is_empty() => { let i = at.index(text.len()); text[i] = byte; }
                1 => { let i = at.index(text.len() + 1); text.insert(i, byte); }
                _ if !text.is_empty() => { let i = at.index(text.len()); text.remove(i); }
                _ => {}
            }
        }
        let strict = decode(&text, counts, Mode::Strict);
        let lenient = decode(&text, counts, Mode::Lenient);
        if let Ok(strict) = &strict {
            prop_assert_eq!(lenient.as_ref().ok(), Some(strict));
        }
        if let Ok(read) = lenient {
            // What reads leniently has a text, which reads back the same.
            let again = encode(&read).unwrap();
            let back = decode(again.as_bytes(), counts, Mode::Lenient).unwrap();
            let names: Vec<String> = (0..counts.names).map(|i| i.to_string()).collect();
            prop_assert_eq!(model(&back, &names), model(&read, &names));
        }
    }

    #[test]
    fn innermost_range_is_the_deepest_containing_one(
        values in prop::collection::vec(any::<u32>(), 0..600),
        line in 0..40u32,
        column in 0..40u32,
    ) {
        // The naive answer: every range containing the position, the deepest of them.
        let (scopes, _) = random_scopes(&values);
        let at = Position::new(line, column);
        let depth = |mut i: u32| {
            let mut d = 0;
            while let Some(p) = scopes.ranges[i as usize].parent() {
                (i, d) = (p, d + 1);
            }
            d
        };
        let naive = (0..scopes.ranges.len() as u32)
            .filter(|&i| scopes.ranges[i as usize].start <= at && at < scopes.ranges[i as usize].end)
            .max_by_key(|&i| depth(i));
        prop_assert_eq!(scopes.innermost_range(at), naive);
    }

    #[test]
    fn random_text_is_an_answer_never_a_panic(text in prop::collection::vec(noise(), 0..200), names in 0..20usize) {
        let counts = MapCounts { names, sources: names / 4 };
        let _ = decode(&text, counts, Mode::Strict);
        if let Ok(read) = decode(&text, counts, Mode::Lenient) {
            prop_assert!(encode(&read).is_ok());
        }
    }
}

/// The random scopes have every item of the encoding (else the round trip proves less
/// than it seems to).
#[test]
fn random_scopes_have_every_item() {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut seen = std::collections::BTreeMap::<char, usize>::new();
    for _ in 0..300 {
        let values: Vec<u32> = (0..600)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u32
            })
            .collect();
        let (scopes, _) = random_scopes(&values);
        let text = encode(&scopes).unwrap();
        for item in text.split(',').filter(|item| !item.is_empty()) {
            *seen.entry(item.as_bytes()[0] as char).or_default() += 1;
        }
        let hidden = scopes.ranges.iter().filter(|r| r.is_hidden).count();
        *seen.entry('h').or_default() += hidden;
    }
    for tag in "ABCDEFGHIh".chars() {
        assert!(seen.get(&tag).copied().unwrap_or(0) > 10, "{tag}: {seen:?}");
    }
}
