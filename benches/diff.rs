//! `skiff diff` speed: two 5,000-resource streams (Deployments, ConfigMaps
//! and Services; one in fifty changed, a few added, removed and renamed)
//! parsed and compared, and the comparison alone.

use criterion::{Criterion, criterion_group, criterion_main};
use skiff::diff::{
    DiffOptions, OutputFormat, RenderStyle, diff_objects, parse_stream, render_report,
};
use std::hint::black_box;
use std::path::Path;

/// A stream of `n` resources; `version` changes every fiftieth image and
/// shifts the ConfigMap hash suffixes of every hundredth.
fn stream(n: usize, version: u32) -> String {
    let mut out = String::new();
    for i in 0..n {
        let image = if i % 50 == 0 { version } else { 1 };
        match i % 3 {
            0 => out.push_str(&format!(
                "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\n  namespace: ns-{ns}\n  labels:\n    app: app-{i}\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: app-{i}\n  template:\n    metadata:\n      labels:\n        app: app-{i}\n    spec:\n      containers:\n      - name: main\n        image: registry.example.com/app:{image}.0\n        env:\n        - name: INDEX\n          value: \"{i}\"\n        ports:\n        - containerPort: 8080\n          name: http\n",
                ns = i % 20
            )),
            1 => {
                let suffix = if i % 100 == 1 { version } else { 1 };
                out.push_str(&format!(
                    "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: conf-{i}-h{suffix}\n  namespace: ns-{ns}\ndata:\n  app.properties: |\n    index={i}\n    mode=prod\n    threads=8\n    timeout=30\n",
                    ns = i % 20
                ))
            }
            _ => out.push_str(&format!(
                "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: svc-{i}\n  namespace: ns-{ns}\nspec:\n  ports:\n  - port: 80\n    targetPort: {image}\n",
                ns = i % 20
            )),
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let old_text = stream(5000, 1);
    let new_text = stream(5000, 2);
    let old = parse_stream(&old_text, Path::new("old.yaml")).unwrap();
    let new = parse_stream(&new_text, Path::new("new.yaml")).unwrap();
    let opts = DiffOptions::default();
    c.bench_function("diff 5000 x 5000 (compare only)", |b| {
        b.iter(|| diff_objects(black_box(old.clone()), black_box(new.clone()), &opts))
    });
    c.bench_function("diff 5000 x 5000 (parse + compare + text)", |b| {
        b.iter(|| {
            let old = parse_stream(black_box(&old_text), Path::new("old.yaml")).unwrap();
            let new = parse_stream(black_box(&new_text), Path::new("new.yaml")).unwrap();
            let report = diff_objects(old, new, &opts);
            render_report(&report, OutputFormat::Text, RenderStyle::default())
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
