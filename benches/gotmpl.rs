//! Go template engine throughput: parsing a Helm-like template, and
//! executing a template whose output is about 1 MB (the issue asks for
//! well under 10 ms).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use skiff::engine::gotmpl::{GoValue, Template};
use std::collections::BTreeMap;
use std::hint::black_box;

/// A chart-like template: defines, conditionals, ranges, pipelines.
fn template_text() -> String {
    let mut s = String::new();
    for i in 0..50 {
        s.push_str(&format!(
            "{{{{- define \"t{i}.name\" -}}}}{{{{ .name | printf \"%s-{i}\" }}}}{{{{- end }}}}\n\
             apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{{{ template \"t{i}.name\" . }}}}\n\
             {{{{- if .labels }}}}\n  labels:\n{{{{- range $k, $v := .labels }}}}\n    {{{{ $k }}}}: {{{{ $v | printf \"%q\" }}}}\n{{{{- end }}}}\n{{{{- end }}}}\n\
             data:\n  size: {{{{ len .items }}}}\n  first: {{{{ index .items 0 }}}}\n---\n"
        ));
    }
    s
}

/// Data whose `items` list makes the row template print about 1 MB.
fn data(rows: usize) -> GoValue {
    let mut labels = BTreeMap::new();
    labels.insert("app".to_string(), GoValue::str("web"));
    labels.insert("tier".to_string(), GoValue::str("frontend"));
    let items: Vec<GoValue> = (0..rows)
        .map(|i| {
            let mut m = BTreeMap::new();
            m.insert("name".to_string(), GoValue::str(&format!("item-{i}")));
            m.insert("value".to_string(), GoValue::Int(i as i64));
            m.insert("enabled".to_string(), GoValue::Bool(i % 3 != 0));
            GoValue::map(m)
        })
        .collect();
    let mut d = BTreeMap::new();
    d.insert("name".to_string(), GoValue::str("release"));
    d.insert("labels".to_string(), GoValue::map(labels));
    d.insert("items".to_string(), GoValue::list(items));
    GoValue::map(d)
}

fn bench(c: &mut Criterion) {
    let text = template_text();
    let mut g = c.benchmark_group("gotmpl");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("parse chart-like template", |b| {
        b.iter(|| {
            let mut t = Template::new("bench");
            t.parse(black_box(&text)).expect("parses");
            t
        })
    });

    let rows = "{{range $i, $e := .items}}- name: {{$e.name}}\n  value: {{$e.value}}\n  {{if $e.enabled}}enabled: true{{else}}enabled: false{{end}}\n  labels: {{$.labels.app}}/{{$.labels.tier}}\n{{end}}";
    let mut t = Template::new("rows");
    t.parse(rows).expect("parses");
    let d = data(15_000);
    let mut out = String::new();
    t.execute(&mut out, &d).expect("executes");
    g.throughput(Throughput::Bytes(out.len() as u64));
    g.bench_function(format!("execute {} KB output", out.len() / 1024), |b| {
        b.iter(|| {
            let mut out = String::with_capacity(1 << 20);
            t.execute(&mut out, black_box(&d)).expect("executes");
            out
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
