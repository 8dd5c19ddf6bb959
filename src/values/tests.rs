//! The values-semantics table and the differential test against helm.

use super::*;
use crate::chart::{Chart, Metadata};
use std::path::PathBuf;

/// A chart with the given name and default values, nothing else.
pub(crate) fn chart(name: &str, values: Value) -> Chart {
    Chart {
        metadata: Metadata {
            name: name.to_string(),
            version: "0.1.0".to_string(),
            ..Default::default()
        },
        values,
        raw_values: None,
        schema: None,
        templates: vec![],
        crds: vec![],
        files: vec![],
        dependencies: vec![],
        origin: PathBuf::new(),
    }
}

use crate::chart::{Dependency, ImportValue};
use std::collections::HashMap;

fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("bad test JSON {s}: {e}"))
}

/// `--set` produces Go int64s: the expected JSON's integers become [`Value::Int`].
fn ints(v: Value) -> Value {
    match v {
        Value::DocInt(i) => Value::Int(i),
        Value::Seq(items) => Value::Seq(items.into_iter().map(ints).collect()),
        Value::Map(m) => Value::Map(m.into_iter().map(|(k, v)| (k, ints(v))).collect()),
        other => other,
    }
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// In-memory files for `-f` and `--set-file`.
fn files() -> HashMap<&'static str, &'static str> {
    HashMap::from([
        ("one.yaml", "a: 1\nm:\n  x: 1\n  w: 1\norder: one\nlist: [1, 2, 3]\n"),
        ("two.yaml", "m:\n  w: 2\norder: two\nnulled: null\n"),
        ("multi.yaml", "a: 1\nm: {x: 1}\n---\nm: {w: 2}\nb: 2\n"),
        ("bad.yaml", "a: 1\nb: [\n"),
        ("list.yaml", "- 1\n- 2\n"),
        ("content.txt", "file content\n"),
        ("x.txt", "from file"),
    ])
}

fn merge(opts: &ValueOptions) -> Result<Value, ValuesError> {
    let files = files();
    opts.merge_values_with(&mut |name: &str| {
        files
            .get(name)
            .map(|s| s.as_bytes().to_vec())
            .ok_or_else(|| ValuesError::ReadFile {
                file: name.to_string(),
                message: format!("open {name}: no such file or directory"),
            })
    })
}

fn set(flags: &[&str]) -> ValueOptions {
    ValueOptions {
        set: strings(flags),
        ..Default::default()
    }
}

/// One row of the merge table: flags in, expected user values (or error) out.
struct MergeRow {
    rule: &'static str,
    opts: ValueOptions,
    /// Expected JSON; `int64` says integers are `--set` int64s.
    want: Result<&'static str, &'static str>,
    int64: bool,
}

fn row(rule: &'static str, opts: ValueOptions, want: &'static str) -> MergeRow {
    MergeRow {
        rule,
        opts,
        want: Ok(want),
        int64: true,
    }
}

fn doc_row(rule: &'static str, opts: ValueOptions, want: &'static str) -> MergeRow {
    MergeRow {
        rule,
        opts,
        want: Ok(want),
        int64: false,
    }
}

fn err_row(rule: &'static str, opts: ValueOptions, want: &'static str) -> MergeRow {
    MergeRow {
        rule,
        opts,
        want: Err(want),
        int64: true,
    }
}

/// helm.md §2.2 and §2.4: every `--set`-family and `-f` rule with its
/// Helm-documented (or observed) result.
#[test]
fn merge_values_table() {
    let deep_ok = format!("{}=v", vec!["k"; 31].join("."));
    let deep_bad = format!("{}=v", vec!["k"; 32].join("."));
    let deep_ok: &'static str = Box::leak(deep_ok.into_boxed_str());
    let deep_bad: &'static str = Box::leak(deep_bad.into_boxed_str());
    let rows = vec![
        row("two keys", set(&["a=b,c=d"]), r#"{"a":"b","c":"d"}"#),
        row("trailing comma", set(&["a=b,"]), r#"{"a":"b"}"#),
        row("nested", set(&["outer.inner=v"]), r#"{"outer":{"inner":"v"}}"#),
        row("list holes are null", set(&["a[0]=x,a[2]=z"]), r#"{"a":["x",null,"z"]}"#),
        row("map in list", set(&["m.n[1].o=p"]), r#"{"m":{"n":[null,{"o":"p"}]}}"#),
        row("nested lists", set(&["l[1][0]=a"]), r#"{"l":[null,["a"]]}"#),
        row("brace list untrimmed", set(&["b={x, y ,z}"]), r#"{"b":["x"," y ","z"]}"#),
        row("{} is one empty string", set(&["x={}"]), r#"{"x":[""]}"#),
        row("[] is a string", set(&["c=[]"]), r#"{"c":"[]"}"#),
        row("null any case", set(&["d=null,e=NULL"]), r#"{"d":null,"e":null}"#),
        row("escaped dot in key", set(&[r"k\.dotted=v"]), r#"{"k.dotted":"v"}"#),
        row("escaped comma in value", set(&[r"l=a\,b"]), r#"{"l":"a,b"}"#),
        row("escaped equals", set(&[r"e=a\=b"]), r#"{"e":"a=b"}"#),
        row("empty value", set(&["q="]), r#"{"q":""}"#),
        row(
            "typing",
            set(&["t=true,f=False,z=0,n=42,neg=-3,lead=0123,fl=1.5,exp=1e3,big=9223372036854775808"]),
            r#"{"t":true,"f":false,"z":0,"n":42,"neg":-3,"lead":"0123","fl":"1.5","exp":"1e3","big":"9223372036854775808"}"#,
        ),
        row("max nesting 30", set(&[deep_ok]), ""),
        row(
            "--set-string",
            ValueOptions { set_string: strings(&["a=true,b=1,c=null"]), ..Default::default() },
            r#"{"a":"true","b":"1","c":"null"}"#,
        ),
        doc_row(
            "--set-json key=value",
            ValueOptions { set_json: strings(&[r#"a={"b":[1,2.5]},c="s""#, "e="]), ..Default::default() },
            r#"{"a":{"b":[1,2.5]},"c":"s","e":null}"#,
        ),
        doc_row(
            "--set-json object",
            ValueOptions { set_json: strings(&[r#" {"top":{"x":1}}"#]), ..Default::default() },
            r#"{"top":{"x":1}}"#,
        ),
        doc_row(
            "--set-json list index",
            ValueOptions { set_json: strings(&[r#"l[1]={"a":1}"#]), ..Default::default() },
            r#"{"l":[null,{"a":1}]}"#,
        ),
        row(
            "--set-file",
            ValueOptions { set_file: strings(&["k=content.txt"]), ..Default::default() },
            r#"{"k":"file content\n"}"#,
        ),
        row(
            "--set-literal keeps everything",
            ValueOptions { set_literal: strings(&[r"sl=a,b=c\d"]), ..Default::default() },
            r#"{"sl":"a,b=c\\d"}"#,
        ),
        doc_row(
            "precedence by flag type, not position",
            ValueOptions {
                values_files: strings(&["one.yaml"]),
                set_literal: strings(&["x=lit"]),
                set_file: strings(&["x=x.txt,y=x.txt"]),
                set_string: strings(&["x=str,y=str,z=str"]),
                set: strings(&["x=set,y=set,z=set,w=set,order=fromSet"]),
                set_json: strings(&[r#"x="json",v="json""#]),
            },
            r#"{"a":1,"m":{"x":1,"w":1},"order":"fromSet","list":[1,2,3],"x":"lit","v":"json","y":"from file","z":"str","w":"set"}"#,
        ),
        doc_row(
            "later -f wins, maps merge, nulls kept",
            ValueOptions { values_files: strings(&["one.yaml", "two.yaml"]), ..Default::default() },
            r#"{"a":1,"m":{"x":1,"w":2},"order":"two","list":[1,2,3],"nulled":null}"#,
        ),
        doc_row(
            "-f entry split on commas",
            ValueOptions { values_files: strings(&["one.yaml,two.yaml"]), ..Default::default() },
            r#"{"a":1,"m":{"x":1,"w":2},"order":"two","list":[1,2,3],"nulled":null}"#,
        ),
        doc_row(
            "multi-document values file",
            ValueOptions { values_files: strings(&["multi.yaml"]), ..Default::default() },
            r#"{"a":1,"m":{"x":1,"w":2},"b":2}"#,
        ),
        doc_row(
            "--set index extends a list from -f",
            ValueOptions {
                values_files: strings(&["one.yaml"]),
                set: strings(&["list[4]=x"]),
                ..Default::default()
            },
            r#"{"a":1,"m":{"x":1,"w":1},"order":"one","list":[1,2,3,null,"x"]}"#,
        ),
        err_row("missing value", set(&["a.b"]), r#"key "b" has no value"#),
        err_row("comma after key", set(&["a,b=c"]), r#"key "a" has no value (cannot end with ,)"#),
        err_row("unterminated list", set(&["a={x,y"]), "list must terminate with '}'"),
        err_row("data after index", set(&["a[0]x=1"]), "unexpected data at end of array index: ['x']"),
        err_row("negative index", set(&["a[-1]=x"]), "negative -1 index not allowed"),
        err_row("max index", set(&["a[65537]=x"]), "index of 65537 is greater than maximum supported index of 65536"),
        err_row("bad index", set(&["a[x]=1"]), r#"error parsing index: strconv.Atoi: parsing "x": invalid syntax"#),
        err_row("nesting over 30", set(&[deep_bad]), "value name nested level is greater than maximum supported nested level of 30"),
        err_row(
            "scalar from -f used as map",
            ValueOptions { values_files: strings(&["one.yaml"]), set: strings(&["a.b=1"]), ..Default::default() },
            "interface {} is float64, not map[string]interface {}",
        ),
        err_row(
            "--set-json bad JSON names the flag",
            ValueOptions { set_json: strings(&["a={nope"]), ..Default::default() },
            "failed parsing --set-json data a={nope (",
        ),
        err_row(
            "values file YAML error names the file",
            ValueOptions { values_files: strings(&["bad.yaml"]), ..Default::default() },
            "failed to parse bad.yaml: ",
        ),
        err_row(
            "values file must be a map",
            ValueOptions { values_files: strings(&["list.yaml"]), ..Default::default() },
            "failed to parse list.yaml: cannot unmarshal yaml document",
        ),
        err_row(
            "missing file",
            ValueOptions { values_files: strings(&["nope.yaml"]), ..Default::default() },
            "open nope.yaml: no such file or directory",
        ),
    ];
    let mut failures = Vec::new();
    for r in rows {
        let got = merge(&r.opts);
        match (&r.want, got) {
            (Ok(""), Ok(_)) => {}
            (Ok(want), Ok(got)) => {
                let mut want = json(want);
                if r.int64 {
                    want = ints(want);
                }
                if want != got {
                    failures.push(format!("{}: want {want:?}\n  got {got:?}", r.rule));
                }
            }
            (Err(want), Err(e)) if e.to_string().contains(want) => {}
            (want, got) => failures.push(format!("{}: want {want:?}, got {got:?}", r.rule)),
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn remote_values_files_are_refused() {
    let opts = ValueOptions {
        values_files: strings(&["https://example.com/v.yaml"]),
        ..Default::default()
    };
    let e = opts.merge_values().unwrap_err();
    assert_eq!(
        e.to_string(),
        "remote values files are not supported yet: https://example.com/v.yaml"
    );
}

#[test]
fn errors_become_located_diagnostics() {
    let e = merge(&ValueOptions {
        values_files: strings(&["bad.yaml"]),
        ..Default::default()
    })
    .unwrap_err();
    let d = crate::diag::Diagnostic::from(e);
    let loc = d.location.clone().unwrap();
    assert_eq!(loc.file, "bad.yaml");
    assert!(loc.line.is_some(), "{d:?}");
    let e = merge(&set(&["a=1,b"])).unwrap_err();
    let d = crate::diag::Diagnostic::from(e);
    assert_eq!(d.message, r#"failed parsing --set data: key "b" has no value"#);
    assert_eq!(d.location.unwrap().column, Some(5));
}

/// A subchart declared in `parent`'s Chart.yaml.
fn declare(parent: &mut Chart, sub: Chart, f: impl FnOnce(&mut Dependency)) {
    let mut d = Dependency {
        name: sub.metadata.name.clone(),
        version: Some(sub.metadata.version.clone()),
        ..Default::default()
    };
    f(&mut d);
    parent.metadata.dependencies.push(d);
    parent.dependencies.push(sub);
}

/// One row of the coalescing table.
struct CoalesceRow {
    rule: &'static str,
    chart: Chart,
    user: &'static str,
    /// (dotted path, expected JSON or `"<absent>"`).
    checks: Vec<(&'static str, &'static str)>,
    /// A substring some warning must contain.
    warning: Option<&'static str>,
}

fn with_sub(parent_values: &str, sub_values: &str) -> Chart {
    let mut p = chart("p", json(parent_values));
    declare(&mut p, chart("sub", json(sub_values)), |_| {});
    p
}

/// helm.md §2.2 (chart levels) and §2.3: coalescing rules.
#[test]
fn coalesce_table() {
    let rows = vec![
        CoalesceRow {
            rule: "maps merge, user scalars and lists replace",
            chart: chart("p", json(r#"{"m":{"a":1,"b":2},"l":[1,2,3],"s":"d"}"#)),
            user: r#"{"m":{"b":3},"l":[9],"s":"u"}"#,
            checks: vec![("m", r#"{"a":1,"b":3}"#), ("l", "[9]"), ("s", r#""u""#)],
            warning: None,
        },
        CoalesceRow {
            rule: "user null deletes a default",
            chart: chart("p", json(r#"{"defaults":{"drop":1,"keep":2}}"#)),
            user: r#"{"defaults":{"drop":null}}"#,
            checks: vec![("defaults", r#"{"keep":2}"#)],
            warning: None,
        },
        CoalesceRow {
            rule: "user null without a default stays null",
            chart: chart("p", json(r#"{}"#)),
            user: r#"{"d":null}"#,
            checks: vec![("d", "null")],
            warning: None,
        },
        CoalesceRow {
            rule: "top-level user null deletes",
            chart: chart("p", json(r#"{"t":1}"#)),
            user: r#"{"t":null}"#,
            checks: vec![("t", "<absent>")],
            warning: None,
        },
        CoalesceRow {
            rule: "chart-default nulls stay",
            chart: chart("p", json(r#"{"tilde":null}"#)),
            user: "{}",
            checks: vec![("tilde", "null")],
            warning: None,
        },
        CoalesceRow {
            rule: "nested user scalar over default table: user kept, warned",
            chart: chart("p", json(r#"{"a":{"b":{"c":1}}}"#)),
            user: r#"{"a":{"b":"x"}}"#,
            checks: vec![("a.b", r#""x""#)],
            warning: Some("warning: cannot overwrite table with non table for p.a.b (map[c:1])"),
        },
        CoalesceRow {
            rule: "nested user table over default scalar: user kept, warned",
            chart: chart("p", json(r#"{"a":{"b":"x"}}"#)),
            user: r#"{"a":{"b":{"c":1}}}"#,
            checks: vec![("a.b", r#"{"c":1}"#)],
            warning: Some("warning: destination for p.a.b is a table. Ignoring non-table value (x)"),
        },
        CoalesceRow {
            rule: "subchart: user > parent section > subchart defaults",
            chart: with_sub(r#"{"sub":{"a":"parent","b":"parent"}}"#, r#"{"a":"sub","b":"sub","c":"sub"}"#),
            user: r#"{"sub":{"a":"user"}}"#,
            checks: vec![("sub.a", r#""user""#), ("sub.b", r#""parent""#), ("sub.c", r#""sub""#)],
            warning: None,
        },
        CoalesceRow {
            rule: "user null deletes a subchart default",
            chart: with_sub("{}", r#"{"x":1,"y":2}"#),
            user: r#"{"sub":{"x":null}}"#,
            checks: vec![("sub", r#"{"y":2,"global":{}}"#)],
            warning: None,
        },
        CoalesceRow {
            rule: "parent values.yaml null deletes a subchart default",
            chart: with_sub(r#"{"sub":{"x":null}}"#, r#"{"x":1,"y":2}"#),
            user: "{}",
            checks: vec![("sub.x", "<absent>"), ("sub.y", "2")],
            warning: None,
        },
        CoalesceRow {
            rule: "globals flow down, parent wins, never up",
            chart: with_sub(
                r#"{"global":{"region":"eu"}}"#,
                r#"{"global":{"region":"sub-default","subonly":1}}"#,
            ),
            user: "{}",
            checks: vec![
                ("sub.global", r#"{"region":"eu","subonly":1}"#),
                ("global", r#"{"region":"eu"}"#),
            ],
            warning: None,
        },
        CoalesceRow {
            rule: "user globals reach subcharts",
            chart: with_sub("{}", "{}"),
            user: r#"{"global":{"g":1}}"#,
            checks: vec![("sub.global.g", "1")],
            warning: None,
        },
    ];
    let mut failures = Vec::new();
    for r in rows {
        let (v, warnings) = match coalesce_values_with_warnings(&r.chart, &json(r.user)) {
            Ok(x) => x,
            Err(e) => {
                failures.push(format!("{}: error {e}", r.rule));
                continue;
            }
        };
        for (path, want) in &r.checks {
            let got = v.get_path(path);
            let ok = if *want == "<absent>" {
                got.is_none()
            } else {
                got == Some(&json(want))
            };
            if !ok {
                failures.push(format!("{}: {path}: want {want}, got {got:?} in {v:?}", r.rule));
            }
        }
        if let Some(w) = r.warning
            && !warnings.iter().any(|x| x.contains(w))
        {
            failures.push(format!("{}: no warning {w:?} in {warnings:?}", r.rule));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn subchart_values_must_be_a_table() {
    let p = with_sub("{}", "{}");
    let e = coalesce_values(&p, &ints(json(r#"{"sub":1}"#))).unwrap_err();
    assert_eq!(e.to_string(), "type mismatch on sub: %!t(int64=1)");
}

/// A parent with subcharts `a`, `b` (conditions/tags set by `f`).
fn deps_chart(values: &str, f: impl Fn(&str, &mut Dependency)) -> Chart {
    let mut p = chart("p", json(values));
    for name in ["a", "b"] {
        declare(&mut p, chart(name, json(r#"{"own":1}"#)), |d| f(name, d));
    }
    p
}

fn enabled_after(mut c: Chart, user: &str) -> (Vec<String>, Vec<String>) {
    let warnings = process_dependencies(&mut c, &ints(json(user))).unwrap();
    let names = c.dependencies.iter().map(|d| d.name().to_string()).collect();
    (names, warnings)
}

/// helm.md §2.3: conditions, tags, aliases, undeclared subcharts, import-values.
#[test]
fn dependencies_table() {
    let cond = |c: &'static str| move |_: &str, d: &mut Dependency| d.condition = Some(c.to_string());
    type Row = (&'static str, Chart, &'static str, &'static [&'static str]);
    let rows: Vec<Row> = vec![
        ("no conditions: all enabled", deps_chart("{}", |_, _| {}), "{}", &["a", "b"]),
        (
            "condition from chart defaults",
            deps_chart(r#"{"a":{"enabled":false}}"#, |n, d| d.condition = Some(format!("{n}.enabled"))),
            "{}",
            &["b"],
        ),
        (
            "user beats default in condition",
            deps_chart(r#"{"a":{"enabled":false}}"#, |n, d| {
                if n == "a" {
                    d.condition = Some("a.enabled".into());
                }
            }),
            r#"{"a":{"enabled":true}}"#,
            &["a", "b"],
        ),
        (
            "first resolvable path wins",
            deps_chart("{}", cond("missing.x,flags.off,flags.on")),
            r#"{"flags":{"off":false,"on":true}}"#,
            &[],
        ),
        (
            "tags: any true enables",
            deps_chart("{}", |_, d| d.tags = strings(&["t1", "t2"])),
            r#"{"tags":{"t1":false,"t2":true}}"#,
            &["a", "b"],
        ),
        (
            "tags: all false disables",
            deps_chart("{}", |_, d| d.tags = strings(&["t1", "t2"])),
            r#"{"tags":{"t1":false,"t2":false}}"#,
            &[],
        ),
        (
            "condition overrides tags",
            deps_chart(r#"{"b":{"enabled":false}}"#, |_, d| {
                d.tags = strings(&["t1"]);
                d.condition = Some(format!("{}.enabled", d.name));
            }),
            r#"{"tags":{"t1":true}}"#,
            &["a"],
        ),
    ];
    let mut failures = Vec::new();
    for (rule, c, user, want) in rows {
        let (got, _) = enabled_after(c, user);
        if got != strings(want) {
            failures.push(format!("{rule}: want {want:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));

    // A non-bool condition warns and falls through to the next path.
    let (got, warnings) = enabled_after(
        deps_chart("{}", cond("x.s,x.b")),
        r#"{"x":{"s":"yes","b":false}}"#,
    );
    assert!(got.is_empty(), "{got:?}");
    assert!(warnings.iter().any(|w| w.contains("non-bool")), "{warnings:?}");
}

#[test]
fn aliases_undeclared_and_nested_conditions() {
    let mut p = chart("p", json(r#"{"second":{"enabled":false}}"#));
    let mut lib = chart("lib", json(r#"{"x":1}"#));
    // lib has its own conditional dependency, looked up under `first.`.
    declare(&mut lib, chart("inner", json("{}")), |d| {
        d.condition = Some("inner.on".into())
    });
    for alias in ["first", "second"] {
        let mut d = Dependency {
            name: "lib".into(),
            version: Some("^0.1.0".into()),
            alias: Some(alias.into()),
            condition: Some(format!("{alias}.enabled")),
            ..Default::default()
        };
        if alias == "second" {
            d.tags = strings(&["never"]);
        }
        p.metadata.dependencies.push(d);
    }
    p.dependencies.push(lib);
    p.dependencies.push(chart("undeclared", json("{}")));
    let user = json(r#"{"first":{"inner":{"on":false}}}"#);
    process_dependencies(&mut p, &user).unwrap();
    let names: Vec<&str> = p.dependencies.iter().map(|d| d.name()).collect();
    assert_eq!(names, ["undeclared", "first"]);
    assert!(p.dependencies[1].dependencies.is_empty());
    assert_eq!(p.metadata.dependencies.len(), 1);
    assert_eq!(p.metadata.dependencies[0].name, "first");
    let v = coalesce_values(&p, &user).unwrap();
    assert_eq!(v.get_path("first.x"), Some(&Value::DocInt(1)));
    assert_eq!(v.get_path("second"), Some(&json(r#"{"enabled":false}"#)));
}

#[test]
fn import_values_both_forms() {
    let mut p = chart("p", json(r#"{"own":"parent","imported":{"b":"parent"}}"#));
    let sub = chart(
        "sub",
        json(r#"{"exports":{"data":{"own":"child","exportedKey":1}},"stuff":{"a":1,"b":2}}"#),
    );
    declare(&mut p, sub, |d| {
        d.import_values = vec![
            ImportValue::Exports("data".into()),
            ImportValue::Path {
                child: "stuff".into(),
                parent: "imported".into(),
            },
            ImportValue::Exports("missing".into()),
        ];
    });
    let warnings = process_dependencies(&mut p, &Value::Null).unwrap();
    assert!(
        warnings.iter().any(|w| w.contains("exports.missing")),
        "{warnings:?}"
    );
    let v = coalesce_values(&p, &Value::Null).unwrap();
    assert_eq!(v.get_path("exportedKey"), Some(&Value::DocInt(1)));
    // The parent's own values beat imported ones.
    assert_eq!(v.get_path("own"), Some(&json(r#""parent""#)));
    assert_eq!(v.get_path("imported"), Some(&json(r#"{"b":"parent","a":1}"#)));
    assert_eq!(
        p.metadata.dependencies[0].import_values[0],
        ImportValue::Path {
            child: "exports.data".into(),
            parent: ".".into()
        }
    );
}
