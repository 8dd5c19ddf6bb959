//! Template-level tests of the collections family: table tests with
//! expectations taken from Sprig's semantics (its own tests and the Go
//! library behaviour it relies on), and a differential test against real
//! Helm when `HELM_REF` points at a helm binary.

use super::register;
use crate::engine::gotmpl::Template;
use crate::engine::gotmpl::funcs::FuncMap;
use crate::engine::gotmpl::value::{GoValue, NumberMode};

/// Values every test template sees as `.Values` (Helm numbers: float64).
const VALUES: &str =
    "list: [1, 2, 3]\nstrs: [b, a]\nnum: 3\nzero: 0\nstr: abc\nnested:\n  a:\n    b: deep\n";

fn data() -> GoValue {
    let values = crate::yaml::parse_document(VALUES).unwrap();
    let mut top = std::collections::BTreeMap::new();
    top.insert(
        "Values".to_string(),
        GoValue::from_value(&values, NumberMode::Helm),
    );
    GoValue::map(top)
}

/// Executes `src` with this family's functions; errors as their message.
fn run(src: &str) -> Result<String, String> {
    let mut funcs = FuncMap::default();
    register(&mut funcs);
    let mut t = Template::new("t");
    t.funcs(funcs.into_iter().map(|(k, f)| (k, (*f).clone())));
    t.parse(src).map_err(|e| e.to_string())?;
    let mut out = String::new();
    t.execute(&mut out, &data()).map_err(|e| e.message)?;
    Ok(out)
}

fn check(cases: &[(&str, &str)]) {
    let mut failures = Vec::new();
    for (src, want) in cases {
        match run(src) {
            Ok(got) if got == *want => {}
            other => failures.push(format!("{src}\n   want {want:?}\n   got  {other:?}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn check_err(cases: &[(&str, &str)]) {
    let mut failures = Vec::new();
    for (src, want) in cases {
        match run(src) {
            Err(e) if e.contains(want) => {}
            other => failures.push(format!(
                "{src}\n   want error containing {want:?}\n   got  {other:?}"
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn cast_conversions() {
    use super::{to_float64, to_int64};
    let s = GoValue::str;
    let ints = [
        (s("010"), 8),
        (s("0x1F"), 31),
        (s("-0b11"), -3),
        (s("1_000"), 1000),
        (s("10.00"), 10),
        (s("1.5"), 0),
        (s("1e3"), 0),
        (s(" 5"), 0),
        (s("_1"), 0),
        (s("9223372036854775808"), 0),
        (s("-9223372036854775808"), i64::MIN),
        (GoValue::Float(-3.9), -3),
        (GoValue::Float(f64::NAN), i64::MIN),
        (GoValue::Bool(true), 1),
        (GoValue::Nil, 0),
        (GoValue::list(vec![]), 0),
    ];
    for (v, want) in ints {
        assert_eq!(to_int64(&v), want, "{v:?}");
    }
    let floats = [
        (s("1e3"), 1000.0),
        (s("0x1.8p1"), 3.0),
        (s("-0x1p-2"), -0.25),
        (s("0x10"), 0.0),
        (s("1_0.5"), 10.5),
        (s("1e400"), 0.0),
        (s("-Inf"), f64::NEG_INFINITY),
        (GoValue::Int64(7), 7.0),
        (GoValue::Bool(true), 1.0),
        (GoValue::Missing, 0.0),
    ];
    for (v, want) in floats {
        assert_eq!(to_float64(&v), want, "{v:?}");
    }
}

#[test]
fn lists() {
    check(&[
        ("{{ list 1 \"a\" nil }}", "[1 a <nil>]"),
        ("{{ tuple }}", "[]"),
        ("{{ append (list 1 2) 3 }}", "[1 2 3]"),
        ("{{ push .Values.strs \"c\" | typeOf }}", "[]interface {}"),
        ("{{ prepend (list 1 2) 0 }}", "[0 1 2]"),
        ("{{ first (list 1 2) }} {{ last (list 1 2) }}", "1 2"),
        ("{{ first (list) }}", "<no value>"),
        (
            "{{ rest (list 1 2 3) }} {{ initial (list 1 2 3) }}",
            "[2 3] [1 2]",
        ),
        ("{{ rest (list) }} {{ initial (list) }}", "[] []"),
        ("{{ reverse (list 1 2 3) }}", "[3 2 1]"),
        (
            "{{ compact (list 0 1 \"\" nil false (list) \"x\") }}",
            "[1 x]",
        ),
        ("{{ uniq (list 1 1 \"1\" 2 1) }}", "[1 1 2]"),
        ("{{ without (list 1 2 3 1) 1 3 }}", "[2]"),
        (
            "{{ has 2 (list 1 2) }} {{ has 2 .Values.list }} {{ has 2.0 .Values.list }}",
            "true false true",
        ),
        ("{{ has 1 nil }}", "false"),
        (
            "{{ slice (list 1 2 3) 1 }} {{ slice (list 1 2 3) 0 2 }} {{ slice (list 1 2 3) }}",
            "[2 3] [1 2] [1 2 3]",
        ),
        ("{{ slice .Values.list \"1\" 2.9 }}", "[2]"),
        ("{{ slice (list) }}", "<no value>"),
        ("{{ concat (list 1) (list 2 3) (list) }}", "[1 2 3]"),
        ("{{ chunk 2 (list 1 2 3 4 5) }}", "[[1 2] [3 4] [5]]"),
        ("{{ chunk 2 (list 1 2) | typeOf }}", "[][]interface {}"),
        ("{{ sortAlpha (list \"b\" 10 nil \"a\") }}", "[10 a b]"),
        (
            "{{ sortAlpha \"x\" }} {{ sortAlpha .Values.strs | typeOf }}",
            "[x] []string",
        ),
        (
            "{{ until 3 }} {{ until -2 }} {{ until 0 }}",
            "[0 1 2] [0 -1] []",
        ),
        (
            "{{ untilStep 1 8 3 }} {{ untilStep 5 0 -2 }}",
            "[1 4 7] [5 3 1]",
        ),
        ("{{ until 2 | typeOf }}", "[]int"),
        (
            "{{ seq 3 }}|{{ seq 2 -1 }}|{{ seq 0 3 9 }}|{{ seq }}",
            "1 2 3|2 1 0 -1|0 3 6 9|",
        ),
        (
            "{{ mustFirst (list 9) }} {{ mustLast (list 9 8) }} {{ mustAppend (list) 1 }}",
            "9 8 [1]",
        ),
    ]);
}

#[test]
fn list_errors() {
    check_err(&[
        (
            "{{ first nil }}",
            "error calling first: runtime error: invalid memory address or nil pointer dereference",
        ),
        (
            "{{ first \"abc\" }}",
            "error calling first: Cannot find first on type string",
        ),
        (
            "{{ mustLast 3 }}",
            "error calling mustLast: Cannot find last on type int",
        ),
        (
            "{{ append (dict) 1 }}",
            "error calling append: Cannot push on type map",
        ),
        ("{{ prepend 1.5 1 }}", "Cannot prepend on type float64"),
        (
            "{{ without \"x\" 1 }}",
            "Cannot find without on type string",
        ),
        ("{{ has 1 \"abc\" }}", "Cannot find has on type string"),
        (
            "{{ concat (list 1) \"x\" }}",
            "error calling concat: Cannot concat type string as list",
        ),
        (
            "{{ slice \"abc\" 1 }}",
            "list should be type of slice or array but string",
        ),
        (
            "{{ slice (list 1 2 3) 2 1 }}",
            "reflect.Value.Slice: slice index out of bounds",
        ),
        (
            "{{ slice (list 1 2 3) 1 5 }}",
            "reflect.Value.Slice: slice index out of bounds",
        ),
        (
            "{{ chunk 0 (list 1 2) }}",
            "runtime error: makeslice: len out of range",
        ),
        (
            "{{ until .Values.list }}",
            "wrong type for value; expected int; got []interface {}",
        ),
    ]);
}

#[test]
fn dicts() {
    check(&[
        ("{{ dict \"a\" 1 \"b\" }}", "map[a:1 b:]"),
        ("{{ dict 1 2 nil 3 }}", "map[1:2 <nil>:3]"),
        (
            "{{ get (dict \"a\" 1) \"a\" }}|{{ get (dict) \"x\" }}|{{ get nil \"x\" }}",
            "1||",
        ),
        ("{{ set (dict \"a\" 1) \"b\" 2 }}", "map[a:1 b:2]"),
        ("{{ unset (dict \"a\" 1 \"b\" 2) \"a\" }}", "map[b:2]"),
        (
            "{{ hasKey (dict \"a\" nil) \"a\" }} {{ hasKey (dict) \"a\" }} {{ hasKey nil \"a\" }}",
            "true false false",
        ),
        (
            "{{ pluck \"a\" (dict \"a\" 1) (dict \"b\" 2) (dict \"a\" 3) }}",
            "[1 3]",
        ),
        (
            "{{ keys (dict \"b\" 1 \"a\" 2) }} {{ keys (dict \"a\" 1) | typeOf }}",
            "[a b] []string",
        ),
        ("{{ values (dict \"b\" 1 \"a\" 2) }}", "[2 1]"),
        (
            "{{ pick (dict \"a\" 1 \"b\" 2 \"c\" 3) \"a\" \"c\" \"z\" }}",
            "map[a:1 c:3]",
        ),
        (
            "{{ omit (dict \"a\" 1 \"b\" 2 \"c\" 3) \"a\" \"c\" \"z\" }}",
            "map[b:2]",
        ),
        (
            "{{ merge (dict \"a\" 1 \"e\" \"\") (dict \"a\" 2 \"b\" 3 \"e\" 4) }}",
            "map[a:1 b:3 e:4]",
        ),
        (
            "{{ mergeOverwrite (dict \"a\" 1 \"c\" 5) (dict \"a\" 0 \"b\" nil) }}",
            "map[a:0 b:<nil> c:5]",
        ),
        (
            "{{ merge (dict \"n\" (dict \"x\" 1)) (dict \"n\" (dict \"x\" 2 \"y\" 3)) }}",
            "map[n:map[x:1 y:3]]",
        ),
        (
            "{{ mergeOverwrite (dict \"n\" (dict \"x\" 1 \"z\" 0)) (dict \"n\" (dict \"x\" 2)) (dict \"n\" (dict \"y\" 3)) }}",
            "map[n:map[x:2 y:3 z:0]]",
        ),
        (
            "{{ merge (dict \"l\" (list 1)) (dict \"l\" (list 2)) }}",
            "map[l:[1]]",
        ),
        (
            "{{ mergeOverwrite (dict \"s\" \"x\") (dict \"s\" (dict \"b\" 1)) }}",
            "map[s:map[b:1]]",
        ),
        ("{{ merge nil (dict \"a\" 1) }}", "map[a:1]"),
        (
            "{{ deepCopy (dict \"a\" (list 1)) }} {{ deepCopy nil }}",
            "map[a:[1]] <no value>",
        ),
        (
            "{{ dig \"nested\" \"a\" \"b\" \"none\" (dict \"nested\" .Values.nested) }}",
            "deep",
        ),
        (
            "{{ dig \"nested\" \"x\" \"b\" \"none\" (dict \"nested\" .Values.nested) }}",
            "none",
        ),
        (
            "{{ dig \"a\" \"b\" \"dflt\" (dict \"a\" (dict \"b\" nil)) }}",
            "<no value>",
        ),
    ]);
}

/// Go maps are references: `set`, `unset`, `merge` and `mergeOverwrite`
/// change the map they are given, and everything holding it sees that.
#[test]
fn dicts_mutate_in_place() {
    check(&[
        // The Bitnami idiom: the result is discarded, the side effect kept.
        (
            "{{ $d := dict \"a\" 1 }}{{ $_ := set $d \"b\" 2 }}{{ $d }}",
            "map[a:1 b:2]",
        ),
        (
            "{{ $d := dict \"a\" 1 \"b\" 2 }}{{ $_ := unset $d \"a\" }}{{ $d }}",
            "map[b:2]",
        ),
        // One map reached through two variables.
        (
            "{{ $a := dict }}{{ $b := $a }}{{ $_ := set $b \"k\" \"v\" }}{{ $a.k }} {{ len $a }}",
            "v 1",
        ),
        // A nested map shared between a dict and `.`.
        (
            "{{ $w := dict \"n\" .Values.nested }}{{ $_ := set $w.n \"added\" 1 }}{{ .Values.nested.added }}",
            "1",
        ),
        ("{{ $_ := set .Values \"num\" 9 }}{{ .Values.num }}", "9"),
        (
            "{{ $dst := dict \"own\" 1 }}{{ $_ := merge $dst (dict \"added\" 2) }}{{ $dst }}",
            "map[added:2 own:1]",
        ),
        (
            "{{ $dst := dict \"a\" 1 }}{{ $_ := mergeOverwrite $dst (dict \"a\" 2) (dict \"b\" 3) }}{{ $dst }}",
            "map[a:2 b:3]",
        ),
        // merge into `.Values`' nested map changes it for later readers.
        (
            "{{ $_ := merge .Values.nested (dict \"a\" (dict \"c\" 1)) }}{{ .Values.nested.a }}",
            "map[b:deep c:1]",
        ),
        // A missing key receives the source's own map: shared afterwards.
        (
            "{{ $src := dict \"n\" (dict \"x\" 1) }}{{ $dst := merge (dict) $src }}{{ $_ := set $src.n \"y\" 2 }}{{ $dst }}",
            "map[n:map[x:1 y:2]]",
        ),
        // deepCopy shares nothing; dict, pick and omit build new maps.
        (
            "{{ $c := deepCopy .Values.nested }}{{ $_ := set $c.a \"b\" \"copy\" }}{{ .Values.nested.a.b }} {{ $c.a.b }}",
            "deep copy",
        ),
        (
            "{{ $l := deepCopy (list (dict \"a\" 1)) }}{{ $_ := set (first $l) \"a\" 2 }}{{ $l }}",
            "[map[a:2]]",
        ),
        (
            "{{ $p := pick .Values \"num\" }}{{ $_ := set $p \"num\" 0 }}{{ .Values.num }}",
            "3",
        ),
        // range sees the entries as they were when it started.
        (
            "{{ $d := dict \"a\" 1 \"b\" 2 }}{{ range $k, $v := $d }}{{ $_ := unset $d \"b\" }}{{ $k }}={{ $v }} {{ end }}{{ $d }}",
            "a=1 b=2 map[a:1]",
        ),
        (
            "{{ deepEqual (dict \"a\" (dict)) (dict \"a\" (dict)) }}",
            "true",
        ),
    ]);
}

/// A map stored into itself: Go overflows its stack (helm crashes); skiff
/// reports an error instead, and what does not walk the value still works.
#[test]
fn dict_cycles_end_in_errors() {
    check(&[
        (
            "{{ $d := dict }}{{ $_ := set $d \"self\" $d }}{{ len $d }} {{ hasKey $d.self.self \"self\" }}",
            "1 true",
        ),
        (
            "{{ $d := dict }}{{ $_ := set $d \"self\" $d }}[{{ toPrettyJson $d }}]",
            "[]",
        ),
        (
            "{{ $d := dict }}{{ $_ := set $d \"self\" $d }}{{ deepEqual $d $d }} {{ deepEqual $d $d.self }}",
            "true true",
        ),
    ]);
    check_err(&[
        (
            "{{ $d := dict }}{{ $_ := set $d \"self\" $d }}{{ $d }}",
            "the value contains itself",
        ),
        (
            "{{ $d := dict }}{{ $_ := set $d \"l\" (list $d) }}{{ $d }}",
            "the value contains itself",
        ),
        (
            "{{ $d := dict }}{{ $_ := set $d \"self\" $d }}{{ mustToRawJson $d }}",
            "json: unsupported value: encountered a cycle via map[string]interface {}",
        ),
        (
            "{{ $d := dict }}{{ $_ := set $d \"self\" $d }}{{ mustDeepCopy $d }}",
            "encountered a cycle",
        ),
    ]);
}

#[test]
fn dict_errors() {
    check_err(&[
        (
            "{{ get \"x\" \"a\" }}",
            "can't handle \"x\" for arg of type map[string]interface {}",
        ),
        (
            "{{ merge (dict) 1 }}",
            "can't handle 1 for arg of type map[string]interface {}",
        ),
        (
            "{{ set .Values.str \"a\" 1 }}",
            "wrong type for value; expected map[string]interface {}; got string",
        ),
        (
            "{{ get .Values.str \"a\" }}",
            "wrong type for value; expected map[string]interface {}; got string",
        ),
        (
            "{{ get (list 1) \"a\" }}",
            "expected map[string]interface {}; got []interface {}",
        ),
        ("{{ set nil \"a\" 1 }}", "assignment to entry in nil map"),
        (
            "{{ dig \"a\" (dict) }}",
            "error calling dig: dig needs at least three arguments",
        ),
        (
            "{{ dig \"str\" \"x\" \"d\" (dict \"str\" .Values.str) }}",
            "interface conversion: interface {} is string, not map[string]interface {}",
        ),
        (
            "{{ dig \"a\" \"d\" nil }}",
            "interface conversion: interface {} is nil, not map[string]interface {}",
        ),
        (
            "{{ dig 1 \"d\" (dict) }}",
            "interface conversion: interface {} is int, not string",
        ),
    ]);
}

#[test]
fn math() {
    check(&[
        (
            "{{ add 1 2 3 }} {{ add }} {{ add 1 1.5 }} {{ add \"010\" \"0x10\" \"1.0\" \"1.5\" true }}",
            "6 0 2 26",
        ),
        (
            "{{ add 1 2 | typeOf }} {{ add1 .Values.num }} {{ add1 \"4\" }}",
            "int64 4 5",
        ),
        (
            "{{ sub 10 .Values.num }} {{ mul 2 3 4 }} {{ mul 1.5 }}",
            "7 24 1",
        ),
        (
            "{{ div 7 2 }} {{ div -7 2 }} {{ mod 7 -3 }} {{ mod -7 3 }}",
            "3 -3 1 -1",
        ),
        (
            "{{ max 1 \"5\" 3.9 }} {{ biggest 3 9 }} {{ min 2 -1 }} {{ min 4 }}",
            "5 9 -1 4",
        ),
        (
            "{{ maxf 1 2.5 }} {{ minf 1 2.5 \"-3\" }} {{ maxf 1 | typeOf }}",
            "2.5 -3 float64",
        ),
        (
            "{{ floor 3.7 }} {{ floor \"-3.2\" }} {{ ceil 1.2 }} {{ ceil nil }}",
            "3 -4 2 0",
        ),
        (
            "{{ round 2.555 2 }} {{ round -2.5 0 }} {{ round 1.4 0 0.4 }} {{ round 1234.5678 -2 }}",
            "2.56 -3 1 1200",
        ),
        (
            "{{ addf 0.1 0.2 }} {{ addf }} {{ add1f 1.5 }} {{ subf 1 0.9 }} {{ subf 5 }}",
            "0.3 0 2.5 0.1 5",
        ),
        (
            "{{ mulf 1.1 3 }} {{ divf 1 3 }} {{ divf 10 4 2 }} {{ addf \"1_0\" \"0x10\" }}",
            "3.3 0.3333333333333333 1.25 10",
        ),
    ]);
    check_err(&[
        (
            "{{ div 1 0 }}",
            "error calling div: runtime error: integer divide by zero",
        ),
        (
            "{{ mod 1 \"x\" }}",
            "error calling mod: runtime error: integer divide by zero",
        ),
        (
            "{{ divf 1 0 }}",
            "error calling divf: decimal division by 0",
        ),
        (
            "{{ minf }}",
            "wrong number of args for minf: want at least 1 got 0",
        ),
    ]);
}

#[test]
fn defaults_and_reflection() {
    check(&[
        (
            "{{ default 5 .Values.nope }} {{ default 5 false }} {{ default 5 0.0 }} {{ default 5 \"x\" }}",
            "5 5 5 x",
        ),
        (
            "{{ default \"d\" }} {{ default \"d\" (list) }} {{ default \"d\" (dict \"a\" 1) }}",
            "d d map[a:1]",
        ),
        ("{{ .Values.nope | default \"piped\" }}", "piped"),
        (
            "{{ empty 0.0 }} {{ empty .Values.zero }} {{ empty \"\" }} {{ empty (dict) }} {{ empty nil }} {{ empty 1 }}",
            "true true true true true false",
        ),
        (
            "{{ coalesce \"\" 0 nil \"x\" }} {{ coalesce .Values.nope .Values.num }} {{ coalesce }}",
            "x 3 <no value>",
        ),
        (
            "{{ all 1 \"a\" }} {{ all 1 \"\" }} {{ all }} {{ any 0 \"\" }} {{ any 0 \"a\" }} {{ any }}",
            "true false true false true false",
        ),
        (
            "{{ ternary \"a\" \"b\" true }} {{ ternary \"a\" \"b\" false }} {{ ternary 1 2 (empty 0) }}",
            "a b 1",
        ),
        (
            "{{ typeOf 1 }} {{ typeOf .Values.num }} {{ typeOf \"s\" }} {{ typeOf nil }} {{ typeOf .Values }}",
            "int float64 string <nil> map[string]interface {}",
        ),
        (
            "{{ typeIs \"int\" 1 }} {{ typeIs \"int64\" 1 }} {{ typeIsLike \"int\" 1 }}",
            "true false true",
        ),
        (
            "{{ kindOf (list) }} {{ kindOf (dict) }} {{ kindOf nil }} {{ kindOf (add 1 1) }} {{ kindIs \"slice\" .Values.list }}",
            "slice map invalid int64 true",
        ),
        (
            "{{ deepEqual 1 1.0 }} {{ deepEqual (list 1) (list 1) }} {{ deepEqual nil nil }} {{ deepEqual (dict \"a\" (list 1)) (dict \"a\" (list 1)) }}",
            "false true true true",
        ),
        (
            "{{ toRawJson (dict \"a\" \"<&>\" \"b\" nil \"c\" (list 1 2.5)) }}",
            "{\"a\":\"<&>\",\"b\":null,\"c\":[1,2.5]}",
        ),
        (
            "{{ toPrettyJson (dict \"a\" (list \"<x>\") \"b\" (dict)) }}",
            "{\n  \"a\": [\n    \"\\u003cx\\u003e\"\n  ],\n  \"b\": {}\n}",
        ),
        (
            "{{ toPrettyJson .Values.list }}|{{ mustToRawJson 1e21 }}|{{ mustToPrettyJson \"\" }}",
            "[\n  1,\n  2,\n  3\n]|1e+21|\"\"",
        ),
    ]);
    check_err(&[
        ("{{ ternary 1 2 \"x\" }}", "expected bool; found \"x\""),
        (
            "{{ ternary 1 2 .Values.str }}",
            "wrong type for value; expected bool; got string",
        ),
    ]);
}

/// Runs each template through real Helm (`$HELM_REF`) and through skiff,
/// comparing outputs (Helm drops `<no value>` from rendered text).
#[test]
fn differential_against_helm() {
    let Ok(helm) = std::env::var("HELM_REF") else {
        eprintln!("skipped: HELM_REF is not set");
        return;
    };
    // No map-order dependent output (Go ranges maps randomly in `keys`,
    // `values`), and no reliance on in-place map mutation.
    let cases = [
        "{{ list 1 \"a\" nil 2.5 }}",
        "{{ append .Values.strs \"c\" }}|{{ prepend .Values.list 0 }}",
        "{{ first .Values.list }}|{{ last .Values.strs }}|{{ first (list) }}",
        "{{ rest .Values.list }}|{{ initial .Values.list }}|{{ reverse .Values.strs }}",
        "{{ compact (list 0 1 \"\" nil false \"x\") }}|{{ uniq (list 1 1 \"1\" 2.0 2.0) }}",
        "{{ without .Values.list 1.0 }}|{{ has 1 .Values.list }}|{{ has 1.0 .Values.list }}",
        "{{ slice .Values.list 1 }}|{{ slice .Values.strs 0 1 | typeOf }}|{{ slice (list) 0 0 }}",
        "{{ concat .Values.list .Values.strs (list nil) }}",
        "{{ chunk 2 .Values.list }}|{{ chunk 5 (list) }}|{{ typeOf (chunk 1 (list 1)) }}",
        "{{ sortAlpha (list \"b\" 10 nil \"a\" 2.5) }}|{{ sortAlpha 3 }}",
        "{{ until 4 }}|{{ until -3 }}|{{ untilStep 10 0 -3 }}|{{ untilStep 1 2 0 }}",
        "{{ seq 4 }}|{{ seq -2 }}|{{ seq 3 -1 }}|{{ seq 2 2 9 }}|{{ seq 9 -3 0 }}|{{ seq 1 2 3 4 }}",
        "{{ dict \"a\" 1 \"b\" }}|{{ dict 1 2 true 3 }}",
        "{{ get .Values.nested \"a\" }}|{{ get .Values.nested \"zz\" }}",
        "{{ set (dict \"a\" 1) \"b\" (list 2) }}|{{ unset (dict \"a\" 1 \"b\" 2) \"b\" }}",
        "{{ hasKey .Values \"num\" }}|{{ hasKey .Values \"nope\" }}|{{ hasKey nil \"x\" }}",
        "{{ pluck \"a\" (dict \"a\" 1) (dict \"a\" 2) (dict \"b\" 3) }}",
        "{{ pick .Values \"num\" \"str\" }}|{{ omit .Values \"list\" \"strs\" \"nested\" }}",
        "{{ merge (dict \"a\" 1 \"e\" \"\" \"z\" 0) (dict \"a\" 2 \"b\" 3 \"e\" 4 \"z\" 5) }}",
        "{{ mergeOverwrite (dict \"a\" 1 \"c\" 5) (dict \"a\" 0 \"b\" nil) }}",
        "{{ merge (dict \"n\" (dict \"x\" 1)) (dict \"n\" (dict \"x\" 2 \"y\" 3)) (dict \"l\" (list 1)) }}",
        "{{ mergeOverwrite (dict \"n\" (dict \"x\" 1 \"z\" 0) \"l\" (list 1)) (dict \"n\" (dict \"x\" 2) \"l\" (list)) }}",
        "{{ merge (dict \"s\" \"x\" \"t\" \"\") (dict \"s\" (dict \"b\" 1) \"t\" (dict \"c\" 2)) }}",
        "{{ deepCopy .Values.nested }}|{{ dig \"nested\" \"a\" \"b\" \"none\" .Values.nested }}",
        "{{ dig \"a\" \"b\" \"none\" .Values.nested }}|{{ dig \"a\" \"x\" \"none\" .Values.nested }}",
        "{{ add 1 2.9 \"3\" }}|{{ add \"010\" \"0x10\" \"1.0\" \"1.5\" \"1e3\" true \"1_000\" }}|{{ add1 .Values.num }}",
        "{{ sub 1 .Values.num }}|{{ mul .Values.num 2.5 }}|{{ div 7 -2 }}|{{ mod -7 3 }}",
        "{{ max 1 \"5\" 3.9 }}|{{ min -1 .Values.num }}|{{ biggest 2 }}",
        "{{ maxf 1 2.5 }}|{{ minf \"-0.5\" 2 }}|{{ floor -1.5 }}|{{ ceil \"2.1\" }}",
        "{{ round 2.555 2 }}|{{ round -2.5 0 }}|{{ round 1.4 0 0.4 }}|{{ round 1234.5678 -2 }}",
        "{{ addf 0.1 0.2 }}|{{ subf 1 0.9 }}|{{ mulf 1.1 3 }}|{{ divf 2 3 }}|{{ divf -2 3 }}|{{ add1f 0.1 }}",
        "{{ addf 1e300 1e-300 }}|{{ mulf 1e-10 1e-10 }}|{{ divf 1e-20 3 }}|{{ addf \"1_0\" \"0x10\" }}",
        "{{ addf \"0x1p4\" \"-0x1.8p1\" \" 1\" \"1e400\" }}|{{ add \"-0b11\" \"0o17\" \"0_7\" \"9223372036854775808\" }}",
        "{{ default 5 .Values.nope }}|{{ default 5 .Values.zero }}|{{ default \"d\" .Values.str }}",
        "{{ empty .Values.list }}|{{ empty (list) }}|{{ coalesce .Values.zero \"\" .Values.num }}",
        "{{ all 1 \"a\" (list 1) }}|{{ any 0 (dict) }}|{{ ternary \"y\" \"n\" (empty 0) }}",
        "{{ typeOf .Values.num }}|{{ typeOf (list) }}|{{ typeOf (until 2) }}|{{ typeOf (keys (dict)) }}",
        "{{ kindOf .Values.list }}|{{ kindOf 1.5 }}|{{ kindIs \"map\" .Values.nested }}|{{ typeIsLike \"float64\" 1.0 }}",
        "{{ deepEqual 1 1.0 }}|{{ deepEqual .Values.list (list 1.0 2.0 3.0) }}|{{ deepEqual .Values.list (list 1 2 3) }}",
        "{{ toRawJson .Values }}|{{ toRawJson (list \"<&>\" \"\\u2028\" \"\\t\\x01\\b\") }}",
        "{{ toPrettyJson .Values }}",
        "{{ toPrettyJson (dict \"a\" (list) \"b\" (dict) \"c\" 1e21 \"d\" 0.000001 \"e\" 1e-7) }}",
    ];
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("x");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: x\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(chart.join("values.yaml"), VALUES).unwrap();
    for (i, case) in cases.iter().enumerate() {
        // Each case's output is turned into YAML comment lines so any text
        // survives Helm's manifest parsing.
        let src = format!(
            "{{{{- define \"c{i}\" }}}}{case}{{{{ end }}}}# {{{{ include \"c{i}\" . | replace \"\\n\" \"\\n# \" }}}}"
        );
        std::fs::write(chart.join("templates").join(format!("c{i:03}.yaml")), src).unwrap();
    }
    let out = std::process::Command::new(&helm)
        .arg("template")
        .arg("x")
        .arg(&chart)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "helm failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let marker = format!("# Source: x/templates/c{i:03}.yaml\n");
        let start = text.find(&marker).map(|p| p + marker.len()).unwrap();
        let rest = &text[start..];
        let end = rest.find("\n---").unwrap_or(rest.len());
        let helm_out: Vec<&str> = rest[..end]
            .lines()
            .map(|l| l.strip_prefix("# ").unwrap_or(l.trim_start_matches('#')))
            .collect();
        let helm_out = helm_out.join("\n");
        let ours = run(case).map(|s| s.replace("<no value>", "").trim_end().to_string());
        if ours.as_deref() != Ok(helm_out.trim_end()) {
            failures.push(format!("{case}\n   helm  {helm_out:?}\n   skiff {ours:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Runs failing templates through real Helm (`$HELM_REF`), one chart each,
/// and checks skiff reports the same `error calling NAME: message` text.
#[test]
fn differential_errors_against_helm() {
    let Ok(helm) = std::env::var("HELM_REF") else {
        eprintln!("skipped: HELM_REF is not set");
        return;
    };
    let cases = [
        "{{ first nil }}",
        "{{ rest 1.5 }}",
        "{{ append .Values.str 1 }}",
        "{{ chunk 0 (list 1) }}",
        "{{ concat (list 1) (dict) }}",
        "{{ slice .Values.list 2 1 }}",
        "{{ dig \"a\" \"b\" \"c\" \"d\" .Values.nested }}",
        "{{ dig 1 \"d\" (dict) }}",
        "{{ div 1 (sub 2 2) }}",
        "{{ mod 3 \"0\" }}",
        "{{ divf 1 0 }}",
        "{{ addf 1 \"-Inf\" }}",
        "{{ mulf \"nan\" 1 }}",
        "{{ toRawJson (divf 1 0.0) }}",
        "{{ get \"x\" \"a\" }}",
        "{{ merge (dict) 1 }}",
        "{{ set .Values.str \"a\" 1 }}",
        "{{ set nil \"a\" 1 }}",
        "{{ keys (dict) .Values.list }}",
    ];
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("x");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: x\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(chart.join("values.yaml"), VALUES).unwrap();
    let mut failures = Vec::new();
    for case in cases {
        std::fs::write(chart.join("templates").join("t.yaml"), case).unwrap();
        let out = std::process::Command::new(&helm)
            .arg("template")
            .arg("x")
            .arg(&chart)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        // The message after Go's "at <…>: " prefix, without the location
        // text that differs between the two (file names).
        // Helm v4 puts the message of an argument-check error (no "error
        // calling") on the line after the `executing … at <…>:` line.
        let tail = |s: &str| -> Option<String> {
            let mut lines = s.lines().skip_while(|l| !l.contains("executing"));
            let line = lines.next()?;
            match line.find(">: ") {
                Some(p) => Some(line[p + 3..].trim().to_string()),
                None if line.trim_end().ends_with(">:") => Some(lines.next()?.trim().to_string()),
                None => None,
            }
        };
        let helm_msg = tail(&stderr);
        let ours = run(case).err();
        let ours_msg = ours.as_deref().and_then(tail);
        if helm_msg.is_none() || helm_msg != ours_msg {
            failures.push(format!(
                "{case}\n   helm  {helm_msg:?}\n   skiff {ours_msg:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The map-mutation idioms through real Helm (`$HELM_REF`), one chart per
/// case so a change to `.Values` cannot leak into the next case: skiff's
/// output for the same data (Helm number mode) must be Helm's.
#[test]
fn differential_mutation_against_helm() {
    let Ok(helm) = std::env::var("HELM_REF") else {
        eprintln!("skipped: HELM_REF is not set");
        return;
    };
    let cases = [
        "{{ $d := dict \"a\" 1 }}{{ $_ := set $d \"b\" 2 }}{{ $d }}",
        "{{ $d := dict \"a\" 1 \"b\" 2 }}{{ $_ := unset $d \"a\" }}{{ $d }}|{{ unset nil \"a\" }}",
        "{{ $a := dict }}{{ $b := $a }}{{ $_ := set $b \"k\" \"v\" }}{{ $a }} {{ len $a }}",
        "{{ $w := dict \"n\" .Values.nested }}{{ $_ := set $w.n \"added\" 1 }}{{ .Values.nested }}",
        "{{ $_ := set .Values \"num\" 9 }}{{ .Values.num }}|{{ $_ := unset .Values \"list\" }}{{ keys .Values | sortAlpha }}",
        "{{ $dst := dict \"own\" 1 }}{{ $_ := merge $dst (dict \"added\" 2) }}{{ $dst }}",
        "{{ $dst := dict \"a\" 1 }}{{ $_ := mergeOverwrite $dst (dict \"a\" 2) (dict \"b\" 3) }}{{ $dst }}",
        "{{ $_ := merge .Values.nested (dict \"a\" (dict \"c\" 1)) }}{{ .Values.nested }}",
        "{{ $_ := mergeOverwrite .Values (dict \"nested\" (dict \"a\" (dict \"b\" 2))) }}{{ .Values.nested }}",
        "{{ $src := dict \"n\" (dict \"x\" 1) }}{{ $dst := merge (dict) $src }}{{ $_ := set $src.n \"y\" 2 }}{{ $dst }}",
        "{{ $e := dict }}{{ $dst := dict \"n\" $e \"k\" 1 }}{{ $_ := merge $dst (dict \"n\" (dict \"x\" 1)) }}{{ $e }}",
        "{{ $dst := dict \"n\" (dict) \"k\" 1 }}{{ $s := dict }}{{ $_ := merge $dst (dict \"n\" $s) }}{{ $_ := set $s \"z\" 1 }}{{ $dst }}",
        "{{ $c := deepCopy .Values.nested }}{{ $_ := set $c.a \"b\" \"copy\" }}{{ .Values.nested.a.b }} {{ $c.a.b }}",
        "{{ $l := deepCopy (list (dict \"a\" 1)) }}{{ $_ := set (first $l) \"a\" 2 }}{{ $l }}",
        "{{ $p := pick .Values \"num\" }}{{ $_ := set $p \"num\" 0 }}{{ .Values.num }} {{ $p }}",
        "{{ $d := dict \"a\" 1 \"b\" 2 }}{{ range $k, $v := $d }}{{ $_ := unset $d \"b\" }}{{ $k }}={{ $v }} {{ end }}{{ $d }}",
        "{{ $d := dict \"x\" (dict) }}{{ range $k, $v := $d }}{{ $_ := set $v \"seen\" $k }}{{ end }}{{ $d }}",
        "{{ $d := dict }}{{ $_ := set $d \"self\" $d }}{{ len $d }} {{ hasKey $d.self.self \"self\" }} [{{ toPrettyJson $d }}]",
        // As in tests/helm-charts/sprig-dicts: merging into a fresh dict
        // shares the first source's nested maps, which later sources then
        // change in place.
        "{{ $o := dict \"a\" (dict \"c\" 1) }}{{ $_ := merge (dict) $o .Values.nested }}{{ $o }}|{{ .Values.nested }}",
        "{{ $o := dict \"a\" (dict \"b\" 1) }}{{ $_ := mergeOverwrite (dict) .Values.nested $o }}{{ .Values.nested }}|{{ $o }}",
        "{{ $d := set (dict) \"l\" (list 1) }}{{ $_ := merge $d (dict \"l\" (list 2) \"m\" (list)) }}{{ $d }}",
    ];
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("x");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: x\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(chart.join("values.yaml"), VALUES).unwrap();
    let mut failures = Vec::new();
    for case in cases {
        // The output becomes a YAML comment so any text survives Helm's
        // manifest parsing.
        let src =
            format!("{{{{- define \"c\" }}}}{case}{{{{ end }}}}# out: {{{{ include \"c\" . }}}}");
        std::fs::write(chart.join("templates").join("t.yaml"), src).unwrap();
        let out = std::process::Command::new(&helm)
            .arg("template")
            .arg("x")
            .arg(&chart)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "helm failed on {case}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        let helm_out = text
            .lines()
            .find_map(|l| l.strip_prefix("# out: "))
            .unwrap_or_default()
            .to_string();
        let ours = run(case);
        if ours.as_deref() != Ok(helm_out.as_str()) {
            failures.push(format!("{case}\n   helm  {helm_out:?}\n   skiff {ours:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
