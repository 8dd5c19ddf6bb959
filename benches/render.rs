//! Renders every example chart through the library pipeline (load, values,
//! schema, minijinja, sort, print) — the work `skiff template` does.

use criterion::{Criterion, criterion_group, criterion_main};
use skiff::render::{RenderOptions, render_to_string};
use std::hint::black_box;
use std::path::PathBuf;

fn examples(c: &mut Criterion) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("charts-examples");
    let opts = RenderOptions::default();
    for name in [
        "kafka",
        "spark",
        "airflow",
        "trino",
        "minio",
        "data-platform",
    ] {
        let chart = root.join(name);
        c.bench_function(&format!("template {name}"), |b| {
            b.iter(|| render_to_string(black_box(&chart), &opts).expect("example renders"))
        });
    }
}

criterion_group!(benches, examples);
criterion_main!(benches);
