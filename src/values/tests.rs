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
        (
            "one.yaml",
            "a: 1\nm:\n  x: 1\n  w: 1\norder: one\nlist: [1, 2, 3]\n",
        ),
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
        row(
            "nested",
            set(&["outer.inner=v"]),
            r#"{"outer":{"inner":"v"}}"#,
        ),
        row(
            "list holes are null",
            set(&["a[0]=x,a[2]=z"]),
            r#"{"a":["x",null,"z"]}"#,
        ),
        row(
            "map in list",
            set(&["m.n[1].o=p"]),
            r#"{"m":{"n":[null,{"o":"p"}]}}"#,
        ),
        row("nested lists", set(&["l[1][0]=a"]), r#"{"l":[null,["a"]]}"#),
        row(
            "brace list untrimmed",
            set(&["b={x, y ,z}"]),
            r#"{"b":["x"," y ","z"]}"#,
        ),
        row("{} is one empty string", set(&["x={}"]), r#"{"x":[""]}"#),
        row("[] is a string", set(&["c=[]"]), r#"{"c":"[]"}"#),
        row(
            "null any case",
            set(&["d=null,e=NULL"]),
            r#"{"d":null,"e":null}"#,
        ),
        row(
            "escaped dot in key",
            set(&[r"k\.dotted=v"]),
            r#"{"k.dotted":"v"}"#,
        ),
        row(
            "escaped comma in value",
            set(&[r"l=a\,b"]),
            r#"{"l":"a,b"}"#,
        ),
        row("escaped equals", set(&[r"e=a\=b"]), r#"{"e":"a=b"}"#),
        row("empty value", set(&["q="]), r#"{"q":""}"#),
        row(
            "typing",
            set(&[
                "t=true,f=False,z=0,n=42,neg=-3,lead=0123,fl=1.5,exp=1e3,big=9223372036854775808",
            ]),
            r#"{"t":true,"f":false,"z":0,"n":42,"neg":-3,"lead":"0123","fl":"1.5","exp":"1e3","big":"9223372036854775808"}"#,
        ),
        row("max nesting 30", set(&[deep_ok]), ""),
        row(
            "--set-string",
            ValueOptions {
                set_string: strings(&["a=true,b=1,c=null"]),
                ..Default::default()
            },
            r#"{"a":"true","b":"1","c":"null"}"#,
        ),
        doc_row(
            "--set-json key=value",
            ValueOptions {
                set_json: strings(&[r#"a={"b":[1,2.5]},c="s""#, "e="]),
                ..Default::default()
            },
            r#"{"a":{"b":[1,2.5]},"c":"s","e":null}"#,
        ),
        doc_row(
            "--set-json object",
            ValueOptions {
                set_json: strings(&[r#" {"top":{"x":1}}"#]),
                ..Default::default()
            },
            r#"{"top":{"x":1}}"#,
        ),
        doc_row(
            "--set-json list index",
            ValueOptions {
                set_json: strings(&[r#"l[1]={"a":1}"#]),
                ..Default::default()
            },
            r#"{"l":[null,{"a":1}]}"#,
        ),
        row(
            "--set-file",
            ValueOptions {
                set_file: strings(&["k=content.txt"]),
                ..Default::default()
            },
            r#"{"k":"file content\n"}"#,
        ),
        row(
            "--set-literal keeps everything",
            ValueOptions {
                set_literal: strings(&[r"sl=a,b=c\d"]),
                ..Default::default()
            },
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
            ValueOptions {
                values_files: strings(&["one.yaml", "two.yaml"]),
                ..Default::default()
            },
            r#"{"a":1,"m":{"x":1,"w":2},"order":"two","list":[1,2,3],"nulled":null}"#,
        ),
        doc_row(
            "-f entry split on commas",
            ValueOptions {
                values_files: strings(&["one.yaml,two.yaml"]),
                ..Default::default()
            },
            r#"{"a":1,"m":{"x":1,"w":2},"order":"two","list":[1,2,3],"nulled":null}"#,
        ),
        doc_row(
            "multi-document values file",
            ValueOptions {
                values_files: strings(&["multi.yaml"]),
                ..Default::default()
            },
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
        err_row(
            "comma after key",
            set(&["a,b=c"]),
            r#"key "a" has no value (cannot end with ,)"#,
        ),
        err_row(
            "unterminated list",
            set(&["a={x,y"]),
            "list must terminate with '}'",
        ),
        err_row(
            "data after index",
            set(&["a[0]x=1"]),
            "unexpected data at end of array index: ['x']",
        ),
        err_row(
            "negative index",
            set(&["a[-1]=x"]),
            "negative -1 index not allowed",
        ),
        err_row(
            "max index",
            set(&["a[65537]=x"]),
            "index of 65537 is greater than maximum supported index of 65536",
        ),
        err_row(
            "bad index",
            set(&["a[x]=1"]),
            r#"error parsing index: strconv.Atoi: parsing "x": invalid syntax"#,
        ),
        err_row(
            "nesting over 30",
            set(&[deep_bad]),
            "value name nested level is greater than maximum supported nested level of 30",
        ),
        err_row(
            "scalar from -f used as map",
            ValueOptions {
                values_files: strings(&["one.yaml"]),
                set: strings(&["a.b=1"]),
                ..Default::default()
            },
            "interface {} is float64, not map[string]interface {}",
        ),
        err_row(
            "--set-json bad JSON names the flag",
            ValueOptions {
                set_json: strings(&["a={nope"]),
                ..Default::default()
            },
            "failed parsing --set-json data a={nope (",
        ),
        err_row(
            "values file YAML error names the file",
            ValueOptions {
                values_files: strings(&["bad.yaml"]),
                ..Default::default()
            },
            "failed to parse bad.yaml: ",
        ),
        err_row(
            "values file must be a map",
            ValueOptions {
                values_files: strings(&["list.yaml"]),
                ..Default::default()
            },
            "failed to parse list.yaml: cannot unmarshal yaml document",
        ),
        err_row(
            "missing file",
            ValueOptions {
                values_files: strings(&["nope.yaml"]),
                ..Default::default()
            },
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
    assert_eq!(
        d.message,
        r#"failed parsing --set data: key "b" has no value"#
    );
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
            warning: Some(
                "warning: destination for p.a.b is a table. Ignoring non-table value (x)",
            ),
        },
        CoalesceRow {
            rule: "subchart: user > parent section > subchart defaults",
            chart: with_sub(
                r#"{"sub":{"a":"parent","b":"parent"}}"#,
                r#"{"a":"sub","b":"sub","c":"sub"}"#,
            ),
            user: r#"{"sub":{"a":"user"}}"#,
            checks: vec![
                ("sub.a", r#""user""#),
                ("sub.b", r#""parent""#),
                ("sub.c", r#""sub""#),
            ],
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
                failures.push(format!(
                    "{}: {path}: want {want}, got {got:?} in {v:?}",
                    r.rule
                ));
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
    let names = c
        .dependencies
        .iter()
        .map(|d| d.name().to_string())
        .collect();
    (names, warnings)
}

/// helm.md §2.3: conditions, tags, aliases, undeclared subcharts, import-values.
#[test]
fn dependencies_table() {
    let cond =
        |c: &'static str| move |_: &str, d: &mut Dependency| d.condition = Some(c.to_string());
    type Row = (&'static str, Chart, &'static str, &'static [&'static str]);
    let rows: Vec<Row> = vec![
        (
            "no conditions: all enabled",
            deps_chart("{}", |_, _| {}),
            "{}",
            &["a", "b"],
        ),
        (
            "condition from chart defaults",
            deps_chart(r#"{"a":{"enabled":false}}"#, |n, d| {
                d.condition = Some(format!("{n}.enabled"))
            }),
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
    assert!(
        warnings.iter().any(|w| w.contains("non-bool")),
        "{warnings:?}"
    );
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
    assert_eq!(
        v.get_path("imported"),
        Some(&json(r#"{"b":"parent","a":1}"#))
    );
    assert_eq!(
        p.metadata.dependencies[0].import_values[0],
        ImportValue::Path {
            child: "exports.data".into(),
            parent: ".".into()
        }
    );
}

/// A chart to write to disk for helm and to build in memory for us.
struct Spec {
    name: &'static str,
    values: &'static str,
    deps: Vec<Dependency>,
    subs: Vec<Spec>,
}

fn dep(name: &str, f: impl FnOnce(&mut Dependency)) -> Dependency {
    let mut d = Dependency {
        name: name.to_string(),
        version: Some("0.1.0".to_string()),
        ..Default::default()
    };
    f(&mut d);
    d
}

fn chart_yaml(spec: &Spec) -> String {
    let mut out = format!("apiVersion: v2\nname: {}\nversion: 0.1.0\n", spec.name);
    if !spec.deps.is_empty() {
        out.push_str("dependencies:\n");
    }
    for d in &spec.deps {
        out.push_str(&format!("- name: {}\n  version: 0.1.0\n", d.name));
        if let Some(a) = &d.alias {
            out.push_str(&format!("  alias: {a}\n"));
        }
        if let Some(c) = &d.condition {
            out.push_str(&format!("  condition: {c}\n"));
        }
        if !d.tags.is_empty() {
            out.push_str(&format!("  tags: [{}]\n", d.tags.join(", ")));
        }
        if !d.import_values.is_empty() {
            out.push_str("  import-values:\n");
            for iv in &d.import_values {
                match iv {
                    ImportValue::Exports(s) => out.push_str(&format!("  - {s}\n")),
                    ImportValue::Path { child, parent } => {
                        out.push_str(&format!("  - child: {child}\n    parent: {parent}\n"))
                    }
                }
            }
        }
    }
    out
}

/// Writes the chart (and its subcharts under `charts/`) below `dir`.
fn write_spec(spec: &Spec, dir: &std::path::Path, top: bool) {
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::write(dir.join("Chart.yaml"), chart_yaml(spec)).unwrap();
    std::fs::write(dir.join("values.yaml"), spec.values).unwrap();
    if top {
        std::fs::write(dir.join("templates/out.yaml"), "{{ toJson .Values }}\n").unwrap();
    }
    for sub in &spec.subs {
        write_spec(sub, &dir.join("charts").join(sub.name), false);
    }
}

fn build_spec(spec: &Spec) -> Chart {
    let mut c = chart(spec.name, crate::yaml::parse_document(spec.values).unwrap());
    if c.values.is_null() {
        c.values = Value::new_map();
    }
    c.metadata.dependencies = spec.deps.clone();
    c.dependencies = spec.subs.iter().map(build_spec).collect();
    c
}

/// Compares two JSON trees with every number as f64; returns the first difference.
fn json_diff(path: &str, a: &serde_json::Value, b: &serde_json::Value) -> Option<String> {
    use serde_json::Value as J;
    match (a, b) {
        (J::Number(x), J::Number(y)) if x.as_f64() == y.as_f64() => None,
        (J::Array(x), J::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (x, y))| json_diff(&format!("{path}[{i}]"), x, y)),
        (J::Object(x), J::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter().find_map(|k| match (x.get(k), y.get(k)) {
                (Some(x), Some(y)) => json_diff(&format!("{path}.{k}"), x, y),
                (x, y) => Some(format!("{path}.{k}: helm {x:?}, skiff {y:?}")),
            })
        }
        (x, y) if x == y => None,
        (x, y) => Some(format!("{path}: helm {x}, skiff {y}")),
    }
}

/// Runs `helm template` on a chart printing `toJson .Values` for several
/// flag combinations and compares with merge + dependencies + coalesce.
#[test]
fn differential_against_helm() {
    let Ok(helm) = std::env::var("HELM_REF") else {
        eprintln!("skipped: HELM_REF is not set (differential test against helm)");
        return;
    };
    let spec = Spec {
        name: "p",
        values: "big: 1000000\nfloat: 1.5\ntilde: ~\ndefaults: {drop: 1, keep: 2}\nlist: [1, 2, 3]\n\
                 nested: {a: {b: {c: 1}}}\nglobal: {region: eu, deep: {a: {x: 1}}}\n\
                 sub: {fromParent: p, nulled: null, y: parent}\nlib2: {enabled: false}\n\
                 own: parent\nimported: {b: parent}\n",
        deps: vec![
            dep("sub", |d| {
                d.condition = Some("sub.enabled".into());
                d.import_values = vec![
                    ImportValue::Exports("data".into()),
                    ImportValue::Path {
                        child: "stuff".into(),
                        parent: "imported".into(),
                    },
                ];
            }),
            dep("lib", |d| {
                d.alias = Some("lib1".into());
                d.condition = Some("lib1.enabled".into());
            }),
            dep("lib", |d| {
                d.alias = Some("lib2".into());
                d.condition = Some("lib2.enabled".into());
            }),
            dep("tagged", |d| d.tags = strings(&["t1"])),
        ],
        subs: vec![
            Spec {
                name: "sub",
                values: "x: 1\ny: 2\nnulled: 5\nkept: ~\n\
                         global: {region: sub-default, subonly: 1, deep: {a: {y: 2}}}\n\
                         exports: {data: {exportedKey: 1, own: child}}\nstuff: {a: 1}\n",
                deps: vec![],
                subs: vec![],
            },
            Spec {
                name: "lib",
                values: "l: 1\ninner: {on: false}\n",
                deps: vec![dep("inner", |d| d.condition = Some("inner.on".into()))],
                subs: vec![Spec {
                    name: "inner",
                    values: "i: 1\n",
                    deps: vec![],
                    subs: vec![],
                }],
            },
            Spec {
                name: "tagged",
                values: "t: 1\n",
                deps: vec![],
                subs: vec![],
            },
            Spec {
                name: "undeclared",
                values: "u: 1\n",
                deps: vec![],
                subs: vec![],
            },
        ],
    };
    let dir = tempfile::tempdir().unwrap();
    let chart_dir = dir.path().join("p");
    write_spec(&spec, &chart_dir, true);
    let user_file = dir.path().join("user.yaml");
    std::fs::write(
        &user_file,
        "defaults: {keep: null}\nm: {a: 1}\nsub: {y: null, enabled: true}\nlib1: {inner: {on: true}}\n",
    )
    .unwrap();
    let user_file = user_file.to_string_lossy().to_string();
    let opt = |f: &[&str], set: &[&str]| ValueOptions {
        values_files: f.iter().map(|s| s.to_string()).collect(),
        set: strings(set),
        ..Default::default()
    };
    let cases: Vec<ValueOptions> = vec![
        opt(&[], &[]),
        opt(
            &[],
            &["defaults.drop=null,d=null,n=1000000,list[5]=x,float=2.5"],
        ),
        opt(&[&user_file], &["m.b=2"]),
        ValueOptions {
            values_files: vec![user_file.clone()],
            set_string: strings(&["s=true"]),
            set_json: strings(&[r#"j={"n":1,"f":1.5,"z":null}"#, r#"{"top":{"a":[1,2]}}"#]),
            set_literal: strings(&["lit=a,b"]),
            ..Default::default()
        },
        opt(
            &[],
            &["tags.t1=false", "sub.enabled=false", "lib2.enabled=true"],
        ),
        opt(&[], &["sub.x=null,global.region=us,global.deep.a.z=3"]),
        opt(&[], &["nested.a.b=scalar,sub.nulled=7"]),
        opt(&[], &["own=user,imported.a=5"]),
        opt(
            &[],
            &[
                "sub=null,x={},c=[],e=",
                "global.deep=flat,lib1.global.extra=1",
            ],
        ),
        opt(&[], &["list={a,b},nested=null,tilde=set"]),
        // Helm fails on these; so must we.
        opt(&[], &["sub=1"]),
        opt(&[], &["big.a=1"]),
    ];
    let mut failures = Vec::new();
    for opts in &cases {
        let mut cmd = std::process::Command::new(&helm);
        cmd.arg("template").arg("rel").arg(&chart_dir);
        for f in &opts.values_files {
            cmd.args(["-f", f]);
        }
        for (flag, values) in [
            ("--set", &opts.set),
            ("--set-string", &opts.set_string),
            ("--set-json", &opts.set_json),
            ("--set-literal", &opts.set_literal),
        ] {
            for v in values {
                cmd.args([flag, v]);
            }
        }
        let out = cmd.output().unwrap();
        if !out.status.success() {
            let ours = opts.merge_values().and_then(|user| {
                let mut c = build_spec(&spec);
                process_dependencies(&mut c, &user)?;
                coalesce_values(&c, &user)
            });
            if ours.is_ok() {
                failures.push(format!(
                    "{opts:?}: helm failed ({}) but skiff succeeded",
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            }
            continue;
        }
        let stdout = String::from_utf8_lossy(&out.stdout);
        let line = stdout
            .lines()
            .skip_while(|l| !l.starts_with("# Source: p/templates/out.yaml"))
            .nth(1)
            .unwrap_or_else(|| panic!("no output in {stdout}"));
        let helm_json: serde_json::Value = serde_json::from_str(line).unwrap();

        let user = opts.merge_values().unwrap();
        let mut c = build_spec(&spec);
        process_dependencies(&mut c, &user).unwrap();
        let ours = coalesce_values(&c, &user).unwrap().to_json();
        if let Some(d) = json_diff("", &helm_json, &ours) {
            failures.push(format!(
                "{opts:?}:\n  {d}\n  helm:  {helm_json}\n  skiff: {ours}"
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
    eprintln!("differential: {} flag combinations match helm", cases.len());
}

/// Schema outcomes (pass/fail) and the violated paths agree with helm.
#[test]
fn schema_differential_against_helm() {
    let Ok(helm) = std::env::var("HELM_REF") else {
        eprintln!("skipped: HELM_REF is not set (schema differential test against helm)");
        return;
    };
    let schema = r#"{"type":"object","required":["a"],"properties":{
        "a":{"type":"integer","minimum":0},
        "name":{"type":"string","pattern":"^[a-z]+$"},
        "l":{"type":"array","prefixItems":[{"type":"integer"}]},
        "closed":{"type":"object","additionalProperties":false,"properties":{"ok":{}}}}}"#;
    let cases: &[&[&str]] = &[
        &["a=1"],
        &["a=-1"],
        &["name=UPPER"],
        &["a=1,l[0]=x"],
        &["a=1,closed.extra=1"],
        &["a=1.5"],
        &["b=1"],
    ];
    let dir = tempfile::tempdir().unwrap();
    let chart_dir = dir.path().join("er");
    std::fs::create_dir_all(chart_dir.join("templates")).unwrap();
    std::fs::write(
        chart_dir.join("Chart.yaml"),
        "apiVersion: v2\nname: er\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(chart_dir.join("values.yaml"), "a: 5.0\n").unwrap();
    std::fs::write(chart_dir.join("values.schema.json"), schema).unwrap();
    std::fs::write(chart_dir.join("templates/cm.yaml"), "x: 1\n").unwrap();
    let mut c = chart("er", json(r#"{"a":5.0}"#));
    c.schema = Some(serde_json::from_str(schema).unwrap());
    let mut failures = Vec::new();
    for flags in cases {
        let mut cmd = std::process::Command::new(&helm);
        cmd.arg("template").arg("rel").arg(&chart_dir);
        for f in *flags {
            cmd.args(["--set", f]);
        }
        let out = cmd.output().unwrap();
        let helm_err = String::from_utf8_lossy(&out.stderr).to_string();
        let ours = merge(&set(flags))
            .and_then(|user| coalesce_values(&c, &user))
            .and_then(|v| validate_schemas(&c, &v));
        match (out.status.success(), &ours) {
            (true, Ok(())) => {}
            (false, Err(e)) => {
                // Every `- at '<path>'` helm names, we name too.
                let text = e.to_string();
                for l in helm_err.lines().filter(|l| l.starts_with("- at '")) {
                    let at = &l[..l.find("':").map_or(l.len(), |i| i + 2)];
                    if !text.contains(at) {
                        failures.push(format!("{flags:?}: helm {l:?} not in ours:\n{text}"));
                    }
                }
            }
            (h, o) => failures.push(format!("{flags:?}: helm ok={h} ({helm_err}), skiff {o:?}")),
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
