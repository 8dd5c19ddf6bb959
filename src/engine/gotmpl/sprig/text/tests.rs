//! Template-level tests: the functions as a template calls them (argument
//! checks, pipelines, printed results), and a differential run against
//! real Helm when `HELM_REF` points at a helm binary.

use super::register;
use crate::engine::gotmpl::funcs::FuncMap;
use crate::engine::gotmpl::template::Template;
use crate::engine::gotmpl::value::GoValue;

fn template(src: &str) -> Result<Template, String> {
    let mut map = FuncMap::default();
    register(&mut map);
    test_collections(&mut map);
    let mut t = Template::new("t");
    t.funcs(map.into_iter().map(|(k, f)| (k, (*f).clone())));
    t.parse(src).map_err(|e| e.to_string())?;
    Ok(t)
}

/// Minimal `list` and `dict` (owned by the collections family) so test
/// expressions can build arguments.
fn test_collections(map: &mut FuncMap) {
    use crate::engine::gotmpl::funcs::{Function, ParamType};
    use std::sync::Arc;
    map.insert(
        "list".into(),
        Arc::new(Function::new(vec![], Some(ParamType::Any), |_, a| {
            Ok(GoValue::list(a))
        })),
    );
    map.insert(
        "dict".into(),
        Arc::new(Function::new(vec![], Some(ParamType::Any), |_, a| {
            let mut m = std::collections::BTreeMap::new();
            for pair in a.chunks(2) {
                let k = pair[0].as_str().unwrap_or_default().to_string();
                m.insert(k, pair.get(1).cloned().unwrap_or(GoValue::Nil));
            }
            Ok(GoValue::map(m))
        })),
    );
}

/// The values both sides see, as `values.yaml` text and as the template
/// data Helm builds from it (document numbers are float64 in Helm).
const VALUES_YAML: &str =
    "n: 3\nf: 1.5\nbig: 1000000\ns: hello\nl: [1, a, 2.5]\nm: {b: 2, a: x}\nt: true\nz: null\n";

fn data() -> GoValue {
    let values = crate::yaml::parse_document(VALUES_YAML).unwrap();
    let values = GoValue::from_value(&values, crate::engine::gotmpl::value::NumberMode::Helm);
    let mut top = std::collections::BTreeMap::new();
    top.insert("Values".to_string(), values);
    GoValue::map(top)
}

fn render(src: &str) -> Result<String, String> {
    let t = template(src)?;
    let mut out = String::new();
    t.execute(&mut out, &data()).map_err(|e| e.to_string())?;
    Ok(out)
}

/// The Go error a function returned, without the executor's location prefix.
fn error_of(src: &str) -> String {
    let e = render(src).expect_err(src);
    match e.split_once("error calling ") {
        Some((_, rest)) => rest
            .split_once(": ")
            .map(|x| x.1)
            .unwrap_or(rest)
            .to_string(),
        None => e,
    }
}

#[test]
fn strings_table() {
    let cases = [
        (r#"{{ quote "a" 1 nil }}"#, r#""a" "1""#),
        (r#"{{ "x" | squote }}"#, "'x'"),
        (r#"{{ "foo.yaml" | trimSuffix ".yaml" }}"#, "foo"),
        (r#"{{ "a-very-long-name" | trunc 6 }}"#, "a-very"),
        (r#"{{ indent 2 "a\nb" }}"#, "  a\n  b"),
        (r#"{{ nindent 2 "a" }}"#, "\n  a"),
        (r#"{{ contains "ell" "hello" }}"#, "true"),
        (r#"{{ toString 1.5 }}"#, "1.5"),
        (r#"{{ join "," (splitList "/" "a/b/c") }}"#, "a,b,c"),
        (r#"{{ upper "abc" }}{{ lower "ABC" }}"#, "ABCabc"),
        (r#"{{ trim "  x \n" }}"#, "x"),
        (r#"{{ replace " " "-" "a b c" }}"#, "a-b-c"),
        (r#"{{ trimAll "$" "$5.00$" }}"#, "5.00"),
        (
            r#"{{ hasSuffix "z" "xyz" }}{{ hasPrefix "z" "xyz" }}"#,
            "truefalse",
        ),
        (r#"{{ substr 1 3 "hello" }}"#, "el"),
        (r#"{{ repeat 3 "ab" }}"#, "ababab"),
        (r#"{{ plural "one" "many" 1 }}"#, "one"),
        (r#"{{ split "," "a,b" }}"#, "map[_0:a _1:b]"),
        (r#"{{ splitn "," 2 "a,b,c" }}"#, "map[_0:a _1:b,c]"),
        (r#"{{ wrapWith 5 "\t" "Hello World" }}"#, "Hello\tWorld"),
        (r#"{{ cat "a" nil "b" 1 }}"#, "a b 1"),
        (r#"{{ camelcase "http_server" }}"#, "HttpServer"),
        (r#"{{ getHostByName "example.com" }}"#, ""),
    ];
    for (src, want) in cases {
        assert_eq!(render(src).unwrap(), want, "{src}");
    }
}

#[test]
fn conversions_and_encodings_table() {
    let cases = [
        (r#"{{ int "42" }}"#, "42"),
        (r#"{{ int64 "0x10" }}"#, "16"),
        (r#"{{ atoi "x" }}"#, "0"),
        (r#"{{ toDecimal "0777" }}"#, "511"),
        (r#"{{ b64enc "hello" }}"#, "aGVsbG8="),
        (r#"{{ b64dec "aGVsbG8=" }}"#, "hello"),
        (r#"{{ b32dec (b32enc "hi") }}"#, "hi"),
        (
            r#"{{ sha1sum "hello" }}"#,
            "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d",
        ),
        (r#"{{ adler32sum "hello" }}"#, "103547413"),
        (
            r#"{{ base "a/b.txt" }}{{ ext "a/b.txt" }}{{ osDir "/a/b" }}"#,
            "b.txt.txt/a",
        ),
    ];
    for (src, want) in cases {
        assert_eq!(render(src).unwrap(), want, "{src}");
    }
}

#[test]
fn regex_and_semver_table() {
    let cases = [
        (r#"{{ regexMatch "^[a-z]+$" "abc" }}"#, "true"),
        (r#"{{ regexMatch "(" "abc" }}"#, "false"),
        (r#"{{ regexFind "[0-9]+" "ab12cd34" }}"#, "12"),
        (
            r#"{{ regexFindAll "[0-9]+" "a1b22c333" -1 }}"#,
            "[1 22 333]",
        ),
        (
            r#"{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }}"#,
            "-W-xxW-",
        ),
        (
            r#"{{ regexReplaceAllLiteral "a(x*)b" "-ab-" "${1}" }}"#,
            "-${1}-",
        ),
        (r#"{{ regexSplit "[,;]" "a,b;c" -1 }}"#, "[a b c]"),
        (r#"{{ regexQuoteMeta "1.2" }}"#, r"1\.2"),
        (r#"{{ semverCompare ">=1.2.0" "1.3.0" }}"#, "true"),
        (
            r#"{{ (semver "1.2.3-beta.1+c0ff33").Prerelease }}"#,
            "beta.1",
        ),
        (
            r#"{{ $v := semver "v2.3" }}{{ $v.Major }}.{{ $v.Minor }} {{ $v }} {{ $v.Original }}"#,
            "2.3 2.3.0 v2.3",
        ),
        (r#"{{ semver "1.2.3" | (semver "1.3.3").Compare }}"#, "1"),
        (
            r#"{{ (semver "1.2.3").LessThan (semver "1.3.0") }}"#,
            "true",
        ),
        (
            r#"{{ urlJoin (urlParse "https://h/p?q#f") }}"#,
            "https://h/p?q#f",
        ),
    ];
    for (src, want) in cases {
        assert_eq!(render(src).unwrap(), want, "{src}");
    }
}

#[test]
fn go_errors_are_reported() {
    assert_eq!(
        error_of(r#"{{ regexFind "(" "x" }}"#),
        "regexp: Compile(`(`): error parsing regexp: missing closing ): `(`"
    );
    assert_eq!(
        error_of(r#"{{ mustRegexFind "a)" "x" }}"#),
        "error parsing regexp: unexpected ): `a)`"
    );
    assert_eq!(
        error_of(r#"{{ semverCompare "1.2.0" "bad" }}"#),
        "invalid semantic version"
    );
    assert_eq!(
        error_of(r#"{{ repeat -1 "a" }}"#),
        "strings: negative Repeat count"
    );
    assert_eq!(
        error_of(r#"{{ urlParse ":x" }}"#),
        "unable to parse url: parse \":x\": missing protocol scheme"
    );
    let e = render(r#"{{ $x := 1 }}{{ upper $x }}"#).unwrap_err();
    assert!(
        e.contains("wrong type for value; expected string; got int"),
        "{e}"
    );
}

/// Expressions rendered by both Helm and us; each result is printed with
/// `print` and base64-encoded so any text survives Helm's YAML handling.
const DIFFERENTIAL: &[&str] = &[
    r#"quote "a\"b" 1 2.5 true"#,
    r#"squote "x" 1.5"#,
    r#"quote "é\u0007\t""#,
    r#""a.yaml" | trimSuffix ".yaml""#,
    r#"trimPrefix "a" "aab""#,
    r#"trunc 3 "héllo""#,
    r#"trunc -2 "hello""#,
    r#"indent 3 "a\n\nb\n""#,
    r#"nindent 1 "x""#,
    r#"contains "" "x""#,
    r#"toString 3.0"#,
    r#"toString (list 1 "a" nil)"#,
    r#"toString 1e21"#,
    r#"int "0x1F""#,
    r#"int "1.0""#,
    r#"int 3.99"#,
    r#"int64 "017""#,
    r#"float64 "1e3""#,
    r#"float64 "1_0""#,
    r#"atoi "12""#,
    r#"toDecimal "0777""#,
    r#"join "-" (list 1 nil "a" 2.5)"#,
    r#"join "," "abc""#,
    r#"toStrings (list 1 "b" nil true)"#,
    r#"sha256sum "hello""#,
    r#"sha1sum "abc""#,
    r#"sha512sum "abc""#,
    r#"adler32sum "Wikipedia""#,
    r#"semverCompare "~1.2" "1.2.9""#,
    r#"semverCompare "^0.2.3" "0.2.9""#,
    r#"upper "straße""#,
    r#"upper "ᾳ ῃ ᾀ ŉ ﬀ ǅ""#,
    r#"lower "İSTANBUL ᾈ""#,
    r#"title "ᾳb ßa ﬀ""#,
    r#"lower "ÀÉ ΣΑΣ""#,
    r#"title "hello wOrld-foo_bar o'neil""#,
    r#"untitle "Hello World""#,
    r#"swapcase "Hello wORLD""#,
    r#"trim "\t x \n""#,
    r#"replace "" "-" "abc""#,
    r#"regexFind "[a-z]+\\d" "ab12""#,
    r#"regexFind "\\d+" "x٣٤12""#,
    r#"regexFind "(?i)HELLO" "say hello""#,
    r#"regexFind "a{" "xa{""#,
    r#"regexFind "[[:alpha:]]+" "12abc3""#,
    r#"regexFind "\\bfoo\\b" "a foo b""#,
    r#"regexFindAll "a*" "baaac" -1"#,
    r#"regexFindAll "." "abc" 2"#,
    r#"regexFindAll "x" "abc" -1"#,
    r#"regexReplaceAll "a*" "baaac" "-""#,
    r#"regexReplaceAll "(?P<first>\\w+) (\\w+)" "hello world" "$2 ${first} $$ $3 $x""#,
    r#"regexReplaceAll "a(x*)b" "-ab-axxb-" "$1W""#,
    r#"regexReplaceAllLiteral "a" "banana" "$0""#,
    r#"regexSplit "a" "banana" -1"#,
    r#"regexSplit "a" "banana" 2"#,
    r#"regexSplit "" "abc" -1"#,
    r#"regexSplit "x*" "axbc" -1"#,
    r#"regexSplit "a" "banana" 0"#,
    r#"regexMatch "^v[0-9]+$" "v12""#,
    r#"regexQuoteMeta "a.b*c[d]""#,
    r#"b64enc "a""#,
    r#"b64dec "YQ""#,
    r#"b64dec "YQ==YQ==""#,
    r#"b64dec "!!!!""#,
    r#"b32enc "hello world""#,
    r#"b32dec "NBSWY3DP""#,
    r#"b32dec "NBSWY3D""#,
    r#"b32dec "ME=====""#,
    r#"base "/a/b/""#,
    r#"dir "a/b/../c""#,
    r#"clean "a//b/./../c/""#,
    r#"ext "a/b.tar.gz""#,
    r#"isAbs "a/b""#,
    r#"osBase "/""#,
    r#"snakecase "FirstName""#,
    r#"snakecase "HTTPServer""#,
    r#"snakecase "http2xx""#,
    r#"snakecase "HTTP20xOK""#,
    r#"snakecase "Duration2m3s""#,
    r#"snakecase "Bld4Floor3rd""#,
    r#"snakecase "a.b-c d__e""#,
    r#"snakecase "ID""#,
    r#"kebabcase "NoHTTPS""#,
    r#"kebabcase "myAPIKey2Go""#,
    r#"camelcase "http_server""#,
    r#"camelcase "GOLANG_IS_GREAT""#,
    r#"camelcase "_complex__case_""#,
    r#"camelcase "some words""#,
    r#"camelcase "fooBar-baz""#,
    r#"camelcase "ABc_DEF""#,
    r#"camelcase "a""#,
    r#"camelcase "__""#,
    r#"abbrev 5 "hello world""#,
    r#"abbrev 20 "hello world""#,
    r#"abbrevboth 5 10 "1234 5678 9123""#,
    r#"abbrevboth 1 7 "abcdefghijklmno""#,
    r#"initials "First  Try again""#,
    r#"nospace " a\tb\n c ""#,
    r#"wrap 5 "Hello World Foo""#,
    r#"wrap 3 "Helloooo World""#,
    r#"wrapWith 3 "|" "Helloooo World""#,
    r#"cat "a" 1 (list 2 3) nil"#,
    r#"plural "one" "many" 0"#,
    r#"substr 0 3 "hello""#,
    r#"substr -1 2 "hello""#,
    r#"substr 2 99 "hello""#,
    r#"splitList "" "abc""#,
    r#"splitList "," """#,
    r#"split "" "ab""#,
    r#"splitn "," 0 "a,b""#,
    r#"splitn "," -1 "a,b,c""#,
    r#"urlParse "https://user:p%40ss@example.com:8443/a%20b/c?x=1&y=2#frag%21""#,
    r#"urlParse "mailto:joe@example.com""#,
    r#"urlParse "/relative/path?q""#,
    r#"urlParse "http://[::1]:80/""#,
    r#"urlJoin (dict "scheme" "https" "host" "h" "path" "/a b" "query" "x=1" "fragment" "f g")"#,
    r#"urlJoin (dict "scheme" "https" "userinfo" "u:p@x" "host" "h")"#,
    r#"urlJoin (dict "path" "a:b")"#,
    r#"semver "1.2.3-alpha.1+build.5""#,
    r#"(semver "v1.2").Original"#,
    r#"(semver "1.2.3").Major"#,
    r#"semver "1.2.3-alpha" | (semver "1.2.3-alpha.1").Compare"#,
    r#"int .Values.n"#,
    r#"int64 .Values.f"#,
    r#"float64 .Values.s"#,
    r#"toString .Values.big"#,
    r#"toString .Values.m"#,
    r#"toString .Values.missing"#,
    r#"toString .Values.z"#,
    r#"quote .Values.n .Values.f .Values.t .Values.l"#,
    r#"quote .Values.missing"#,
    r#"quote .Values.z"#,
    r#"squote .Values.big .Values.missing"#,
    r#"join "," .Values.l"#,
    r#"join "," .Values.m"#,
    r#"toStrings .Values.l"#,
    r#"cat .Values.n .Values.s .Values.missing"#,
    r#"b64enc .Values.s"#,
    r#"toDecimal .Values.n"#,
    r#"atoi (toString .Values.n)"#,
    r#"sha256sum (toString .Values.big)"#,
    r#"regexReplaceAll "[^a-z0-9-]" (lower "My_App.Name") "-""#,
    r#"regexFind "^[0-9]+\\.[0-9]+" "v1.22.3-gke.1""#,
    r#"regexFind "[[:^digit:]]+" "12ab3""#,
    r#"regexFind "\\pL+" "12héllo3""#,
    r#"regexFind "[\\p{Greek}]+" "abc αβγ""#,
    r#"regexFind "\\x41\\x{42}" "xABy""#,
    r#"regexFind "(?s)a.b" "a\nb""#,
    r#"regexFind "(?m)^b$" "a\nb\nc""#,
    r#"regexFind "a+?" "aaa""#,
    r#"regexFind "(?U)a+" "aaa""#,
    r#"regexFind "[a-c-]+" "x-ab-""#,
    r#"regexFindAll "[a-b-d]" "abcd-" -1"#,
    r#"regexFind "\\Qa.b\\E" "axb a.b""#,
    r#"regexFind "x{2,}" "xxxxx""#,
    r#"regexFind "[^\\s]+" " ab c""#,
    r#"regexFind "\\W+" "ab, c""#,
    r#"regexFindAll "\\b\\w" "hi there you" -1"#,
    r#"regexFindAll "" "abc" -1"#,
    r#"regexFindAll "(a)|b" "ab" -1"#,
    r#"regexReplaceAll "" "abc" "-""#,
    r#"regexReplaceAll "b*" "abc" "X""#,
    r#"regexReplaceAll "(a)(b)?" "a ab" "[$2|$1]""#,
    r#"regexReplaceAll "(?P<n>a)" "a" "${n}${0}$00$01x""#,
    r#"regexReplaceAll "." "ab" "$""#,
    r#"regexReplaceAll "." "ab" "${}""#,
    r#"regexSplit "\\s+" "  a b  " -1"#,
    r#"regexSplit "," "a,b,c" 1"#,
    r#"regexSplit "," "" -1"#,
    r#"mustRegexFindAll "[0-9]" "a1b2" 1"#,
    r#"mustRegexReplaceAllLiteral "x" "axb" "$1""#,
    r#"trimAll "ab" "abxba""#,
    r#"trim "\u00a0x\u2003""#,
    r#"nospace "a\u00a0b""#,
    r#"title "ǆemal élan""#,
    r#"swapcase "ǅ ǆx""#,
    r#"kebabcase "αΒγ""#,
    r#"snakecase "Hello世界World""#,
    r#"snakecase "a1B2""#,
    r#"snakecase "already_snake_2x""#,
    r#"kebabcase "--Foo--Bar--""#,
    r#"camelcase "ǆa_ǆb""#,
    r#"initials "ab cd\u00a0ef""#,
    r#"urlParse "HTTP://Example.COM/%7Efoo""#,
    r#"urlParse "//host/p""#,
    r#"urlParse "http://u@h""#,
    r#"urlParse "http://h/a%2Fb?x#""#,
    r#"urlParse "file:///etc/hosts""#,
    r#"urlParse "x?""#,
    r#"urlParse "a:b/c:d""#,
    r#"urlJoin (urlParse "http://u:p%20q@h/a%2Fb?x=1#y z")"#,
    r#"urlJoin (dict "scheme" "file" "path" "/etc")"#,
    r#"urlJoin (dict "host" "h" "path" "p")"#,
    r#"urlJoin (dict "opaque" "x@y" "scheme" "mailto" "fragment" "a!b#c")"#,
    r#"semver "v1.2.3+meta""#,
    r#"semver "01.2.03""#,
    r#"(semver "1.2.3-rc.1").Metadata"#,
    r#"(semver "1.2.3-rc.1").Patch"#,
    r#"(semver "1.0.0").Equal (semver "1.0.0+x")"#,
    r#"semverCompare "1.2.3 || >=2" "2.1""#,
    r#"semverCompare "*" "1.0.0""#,
    r#"regexReplaceAll "(?P<a>x)|(?P<a>y)" "xy" "[$a]""#,
];

/// Cases where Helm fails: we compare the function's error text.
const DIFFERENTIAL_ERRORS: &[&str] = &[
    r#"regexFind "(" "x""#,
    r#"regexFindAll "`(" "x" -1"#,
    r#"mustRegexFind "a**" "x""#,
    r#"mustRegexFind "[z-a]" "x""#,
    r#"mustRegexFind "x{1001}" "x""#,
    r#"mustRegexMatch "\\8" "x""#,
    r#"mustRegexSplit "(?x)a" "x" -1"#,
    r#"semverCompare "1.2.0" "badVersion""#,
    r#"semver "1.2.3-01""#,
    r#"substr 2 1 "abc""#,
    r#"repeat -1 "a""#,
    r#"indent -1 "a""#,
    r#"nindent -2 "a""#,
    r#"urlParse "%zz""#,
    r#"urlParse "http://h:x/""#,
    r#"urlJoin (dict "host" 1)"#,
    r#"urlJoin .Values.s"#,
    r#"mustRegexFind "a{2}{3}" "x""#,
    r#"mustRegexFind "(?i" "x""#,
    r#"mustRegexFind "x\\" "x""#,
    r#"mustRegexFind "[a-\\d]" "x""#,
    r#"mustRegexFind "\\p{Foo}" "x""#,
    r#"mustRegexFind "(?P<>a)" "x""#,
    r#"mustRegexFind "+a" "x""#,
    r#"mustRegexFind "a|*" "x""#,
    r#"mustRegexFind "\\C" "x""#,
    r#"mustRegexFind "\\z\\Z" "x""#,
    r#"mustRegexFind "x**?" "x""#,
    r#"mustRegexFind "((a{2}){2}){300}" "x""#,
    r#"mustRegexFind "(a*){1001}" "x""#,
    r#"semver "1.2.3-a..b""#,
    r#"semver "1.2.3+a_b""#,
    r#"semverCompare ">1.x.y" "1.2.3""#,
    r#"semverCompare "badConstraint" "1.2.3""#,
    r#"semverCompare "" "1.0.0""#,
    r#"semverCompare "1.0 ||" "1.0.0""#,
    r#"substr -1 -1 "abc""#,
    r#"urlParse "http://a b/""#,
    r#"urlParse "http://[::1/""#,
    r#"urlParse "1http:x""#,
    r#"urlParse "http://h/\u0001""#,
];

fn helm_ref() -> Option<String> {
    match std::env::var("HELM_REF") {
        Ok(p) if !p.is_empty() => Some(p),
        _ => {
            eprintln!("sprig text differential test skipped: HELM_REF is not set");
            None
        }
    }
}

fn scratch_chart(templates: &[(String, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("sx");
    std::fs::create_dir_all(root.join("templates")).unwrap();
    std::fs::write(
        root.join("Chart.yaml"),
        "apiVersion: v2\nname: sx\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(root.join("values.yaml"), VALUES_YAML).unwrap();
    for (name, body) in templates {
        std::fs::write(root.join("templates").join(name), body).unwrap();
    }
    dir
}

fn run_helm(helm: &str, dir: &tempfile::TempDir) -> (bool, String) {
    let out = std::process::Command::new(helm)
        .arg("template")
        .arg(dir.path().join("sx"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(if out.status.success() {
        &out.stdout
    } else {
        &out.stderr
    });
    (out.status.success(), text.into_owned())
}

fn wrapped(expr: &str) -> String {
    format!("x: {{{{ print ({expr}) | b64enc }}}}\n")
}

#[test]
fn differential_against_helm() {
    let Some(helm) = helm_ref() else {
        return;
    };
    let templates: Vec<(String, String)> = DIFFERENTIAL
        .iter()
        .enumerate()
        .map(|(i, e)| (format!("t{i:03}.yaml"), wrapped(e)))
        .collect();
    let dir = scratch_chart(&templates);
    let (ok, text) = run_helm(&helm, &dir);
    if !ok {
        // Name the template Helm choked on, to make the report actionable.
        let culprit = templates
            .iter()
            .find(|(name, _)| text.contains(name.as_str()))
            .map(|(_, body)| body.as_str())
            .unwrap_or("?");
        panic!("helm failed: {text}\ntemplate: {culprit}");
    }
    let mut failures = Vec::new();
    for (i, expr) in DIFFERENTIAL.iter().enumerate() {
        let marker = format!("# Source: sx/templates/t{i:03}.yaml\n");
        let helm_out = text
            .split_once(&marker)
            .map(|(_, rest)| {
                rest.split("\n---")
                    .next()
                    .unwrap_or("")
                    .trim_end()
                    .to_string()
            })
            .unwrap_or_default();
        let ours = render(wrapped(expr).trim_end())
            .map(|o| o.trim_end().to_string())
            .unwrap_or_else(|e| format!("ERROR {e}"));
        if ours != helm_out {
            let decode = |s: &str| {
                let b = s.trim_start_matches("x:").trim();
                super::encoding::b64dec(b.as_bytes())
                    .map(|v| String::from_utf8_lossy(&v).into_owned())
                    .unwrap_or_else(|_| s.to_string())
            };
            failures.push(format!(
                "{expr}\n   helm: {:?}\n   ours: {:?}",
                decode(&helm_out),
                decode(&ours)
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

#[test]
fn differential_errors_against_helm() {
    let Some(helm) = helm_ref() else {
        return;
    };
    let mut failures = Vec::new();
    for expr in DIFFERENTIAL_ERRORS {
        let dir = scratch_chart(&[("t.yaml".to_string(), format!("x: {{{{ {expr} }}}}\n"))]);
        let (ok, text) = run_helm(&helm, &dir);
        assert!(!ok, "helm unexpectedly succeeded for {expr}");
        // "error calling NAME: msg" for function errors; for the
        // executor's own checks, the last line before Helm's hint.
        let helm_msg = match text.split_once("error calling ") {
            Some((_, r)) => r.split_once(": ").map(|x| x.1).unwrap_or(r),
            None => text
                .lines()
                .map(str::trim)
                .rfind(|l| !l.is_empty() && !l.starts_with("Use --debug"))
                .unwrap_or(""),
        };
        let helm_msg = helm_msg.lines().next().unwrap_or("").to_string();
        let ours = error_of(&format!("{{{{ {expr} }}}}"));
        if ours != helm_msg && !ours.ends_with(&format!(": {helm_msg}")) {
            failures.push(format!("{expr}\n   helm: {helm_msg}\n   ours: {ours}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn registers_the_whole_family() {
    let mut map = FuncMap::default();
    register(&mut map);
    let family = "abbrev abbrevboth adler32sum atoi b32dec b32enc b64dec b64enc base camelcase cat \
        clean contains dir ext float64 getHostByName hasPrefix hasSuffix hello indent initials int \
        int64 isAbs join kebabcase lower mustRegexFind mustRegexFindAll mustRegexMatch \
        mustRegexReplaceAll mustRegexReplaceAllLiteral mustRegexSplit nindent nospace osBase \
        osClean osDir osExt osIsAbs plural quote regexFind regexFindAll regexMatch regexQuoteMeta \
        regexReplaceAll regexReplaceAllLiteral regexSplit repeat replace semver semverCompare \
        sha1sum sha256sum sha512sum snakecase split splitList splitn squote substr swapcase title \
        toDecimal toString toStrings trim trimAll trimPrefix trimSuffix trimall trunc untitle \
        upper urlJoin urlParse wrap wrapWith";
    let missing: Vec<&str> = family
        .split_whitespace()
        .filter(|n| !map.contains_key(*n))
        .collect();
    assert!(missing.is_empty(), "not registered: {missing:?}");
    assert_eq!(map.len(), family.split_whitespace().count());
}

mod no_panics {
    use super::super::{convert, encoding, semver, strings, url};
    use proptest::prelude::*;

    proptest! {
        /// User-controlled text and numbers never panic the byte-based
        /// helpers, parsers and decoders (cut UTF-8 sequences, huge or
        /// negative counts).
        #[test]
        fn helpers_survive_any_input(
            s in "\\PC{0,12}",
            sep in "[ ,é_-]{0,2}",
            a in -20i64..20,
            b in -20i64..20,
        ) {
            let _ = strings::trunc(a, &s);
            let _ = strings::substr(a, b, &s);
            let _ = strings::abbrev(a, &s);
            let _ = strings::abbrevboth(a, b, &s);
            let _ = strings::wrap_custom(&s, a, &sep, a % 2 == 0);
            let _ = strings::nospace(&s);
            let _ = strings::initials(&s);
            let _ = strings::camelcase(&s);
            let _ = strings::to_lower_case_words(&s, '_');
            let _ = strings::title(&s);
            let _ = strings::swapcase(&s);
            let _ = strings::go_splitn(&s, &sep, a);
            let _ = strings::indent(b, &s);
            let _ = url::url_parse(&s);
            let _ = encoding::b64dec(s.as_bytes());
            let _ = encoding::b32dec(s.as_bytes());
            let _ = semver::Version::parse(&s);
            let _ = semver::semver_compare(&s, "1.0.0");
            let _ = convert::parse_int_base0(&s);
            let _ = convert::parse_float(&s);
        }
    }
}
