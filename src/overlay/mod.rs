//! `skiff build`: kustomize overlays, byte for byte like kustomize v5.7.1.
//!
//! A kustomization tree is accumulated depth-first ([`target`]): resources
//! and nested kustomizations, generators, components, then the builtin
//! transformers in kustomize's order. At the top level the generated
//! names get their content hashes, name references are rewritten, vars are
//! resolved, local-config resources dropped, and the result is sorted and
//! printed the way kustomize prints it (go-yaml v2 through a JSON round
//! trip: keys in natural order, unindented sequences).

mod error;
pub mod fieldspec;
pub mod generators;
mod helm;
pub mod loader;
pub mod nameref;
pub mod patches;
pub mod replacements;
pub mod resource;
pub mod sort;
pub mod target;
pub mod transformers;

pub use error::OverlayError;
pub use loader::LoadRestrictor;
pub use resource::{Gvk, ResId, Resource, ResourceList};

use crate::value::Value;
use crate::yaml::{EmitOptions, to_yaml_with, write_yaml};
use std::path::Path;

/// Output order (`--reorder`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reorder {
    /// Not given: legacy unless the kustomization has `sortOptions`.
    #[default]
    Unspecified,
    /// kustomize's legacy kind order.
    Legacy,
    /// Input (depth-first) order.
    None,
}

/// Options of a build.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// `--load-restrictor`.
    pub load_restrictor: LoadRestrictor,
    /// `--reorder`.
    pub reorder: Reorder,
    /// `--enable-managedby-label`.
    pub managed_by_label: bool,
}

/// The result of a build.
#[derive(Debug, Clone)]
pub struct BuildOutput {
    /// The final resources, in output order.
    pub resources: ResourceList,
    /// Warnings (deprecated fields, …) for stderr.
    pub warnings: Vec<String>,
}

/// The value kustomize v5.7.1 puts in `app.kubernetes.io/managed-by`.
pub const MANAGED_BY_VALUE: &str = "kustomize-v5.7.1";

const LOCAL_CONFIG_ANNOTATION: &str = "config.kubernetes.io/local-config";

/// Builds the kustomization in `dir` into its final resources.
pub fn build_resources(dir: &Path, opts: &BuildOptions) -> Result<BuildOutput, OverlayError> {
    let mut builder = target::Builder::new(opts.load_restrictor);
    let (k, mut ra) = builder.accumulate_dir(dir, false, Path::new(""))?;
    let file = k.file.clone();
    let err = |e: String| OverlayError::build(&file, e);

    // Hash suffixes, only at the top (makeCustomizedResMap).
    for r in &mut ra.list.items {
        if r.needs_hash && matches!(r.kind(), "ConfigMap" | "Secret") {
            let h = generators::content_hash(&r.value);
            r.store_previous_id();
            let name = format!("{}-{h}", r.name());
            r.set_name(&name);
        }
    }
    nameref::fix_name_references(&mut ra.list, &ra.config.name_reference).map_err(err)?;
    replacements::resolve_vars(&mut ra.list, &ra.vars, &ra.config.var_reference).map_err(err)?;
    ra.list.items.retain(|r| {
        !r.meta_map("annotations")
            .iter()
            .any(|(k, _)| k == LOCAL_CONFIG_ANNOTATION)
    });

    // Sort: the kustomization's sortOptions win over the flag.
    let sort_options = k.doc.get("sortOptions").filter(|v| !v.is_null());
    match sort_options {
        Some(so) => {
            let order = resource::str_field(so, "order");
            let legacy_opts = so.as_map().and_then(|m| m.get("legacySortOptions"));
            match order {
                "legacy" => {
                    let list = |key: &str, default: &[&str]| -> Vec<String> {
                        match legacy_opts {
                            Some(l) => l
                                .as_map()
                                .and_then(|m| m.get(key))
                                .map(|v| match v {
                                    Value::Seq(items) => {
                                        items.iter().map(resource::scalar_text).collect()
                                    }
                                    _ => Vec::new(),
                                })
                                .unwrap_or_default(),
                            None => default.iter().map(|s| s.to_string()).collect(),
                        }
                    };
                    let first = list("orderFirst", sort::DEFAULT_ORDER_FIRST);
                    let last = list("orderLast", sort::DEFAULT_ORDER_LAST);
                    sort::legacy_sort(&mut ra.list.items, &first, &last);
                }
                "fifo" => {
                    if legacy_opts.is_some() {
                        return Err(OverlayError::field(
                            &file,
                            "sortOptions",
                            "the field 'sortOptions.legacySortOptions' is set but the selected sort order is 'fifo', not 'legacy'",
                        ));
                    }
                }
                _ => {
                    return Err(OverlayError::field(
                        &file,
                        "sortOptions",
                        "the field 'sortOptions.order' must be one of [fifo, legacy]",
                    ));
                }
            }
        }
        None => {
            if opts.reorder != Reorder::None {
                let first: Vec<String> = sort::DEFAULT_ORDER_FIRST
                    .iter()
                    .map(|s| s.to_string())
                    .collect();
                let last: Vec<String> = sort::DEFAULT_ORDER_LAST
                    .iter()
                    .map(|s| s.to_string())
                    .collect();
                sort::legacy_sort(&mut ra.list.items, &first, &last);
            }
        }
    }

    let build_meta: Vec<String> = k
        .doc
        .get("buildMetadata")
        .map(|v| match v {
            Value::Seq(items) => items.iter().map(resource::scalar_text).collect(),
            _ => Vec::new(),
        })
        .unwrap_or_default();
    let plain = EmitOptions {
        sort_keys: false,
        json_round_trip: false,
        ..EmitOptions::default()
    };
    let want_origin = build_meta.iter().any(|m| m == "originAnnotations");
    let want_transformations = build_meta.iter().any(|m| m == "transformerAnnotations");
    for r in &mut ra.list.items {
        let mut add = Vec::new();
        if want_origin && let Some(origin) = &r.origin {
            add.push(("config.kubernetes.io/origin", to_yaml_with(origin, plain)));
        }
        if want_transformations && !r.transformations.is_empty() {
            let list = Value::Seq(r.transformations.clone());
            add.push((
                "alpha.config.kubernetes.io/transformations",
                to_yaml_with(&list, plain),
            ));
        }
        if add.is_empty() {
            continue;
        }
        if let Some(meta) = r.metadata_mut() {
            let ann = meta
                .entry("annotations".to_string())
                .or_insert_with(Value::new_map);
            if ann.is_null() {
                *ann = Value::new_map();
            }
            if let Some(m) = ann.as_map_mut() {
                for (k, v) in add {
                    m.insert(k.into(), Value::String(v));
                }
            }
        }
    }
    if opts.managed_by_label || build_meta.iter().any(|m| m == "managedByLabel") {
        for r in &mut ra.list.items {
            transformers::set_entries_one(r, "app.kubernetes.io/managed-by", MANAGED_BY_VALUE);
        }
    }
    Ok(BuildOutput {
        resources: ra.list,
        warnings: builder.warnings,
    })
}

/// Prints resources the way kustomize does: each through go-yaml v2 with
/// sorted keys, separated by `---`.
pub fn to_kustomize_yaml(list: &ResourceList) -> String {
    /// Below this many resources a second thread costs more than it saves.
    const MIN_PARALLEL: usize = 256;
    let items = &list.items;
    if items.len() < MIN_PARALLEL || crate::parallel::cores() < 2 {
        return emit_resources(items, items.len());
    }
    // Each resource prints on its own, so halves print side by side and
    // are joined in order: the bytes do not depend on the split.
    let (first, second) = items.split_at(items.len() / 2);
    // The first half's text receives the second's: room for both.
    let (rest, mut out) = crate::parallel::join(
        || emit_resources(second, second.len()),
        || emit_resources(first, items.len()),
    );
    out.push_str("---\n");
    out.push_str(&rest);
    out
}

/// Resources printed one after another, separated by `---`, into a text
/// that will hold `room_for` resources in the end.
fn emit_resources(items: &[resource::Resource], room_for: usize) -> String {
    /// Resources printed before their average size sizes the text.
    const SAMPLE: usize = 8;
    let opts = EmitOptions {
        sort_keys: true,
        json_round_trip: false,
        ..EmitOptions::default()
    };
    let mut out = String::new();
    for (i, r) in items.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        if i == SAMPLE {
            // Growing a large text by doubling touched three times its
            // size in fresh memory (a tenth of a large build's page
            // faults); a quarter of slack covers resources larger than
            // the first ones, and the text still grows if it must.
            let average = out.len() / SAMPLE;
            out.reserve((room_for - SAMPLE) * average / 4 * 5);
        }
        // Values Helm could not marshal are still printed whole, as
        // `to_yaml_with` prints them.
        let _ = write_yaml(&mut out, &r.value, opts);
    }
    out
}

/// Builds `dir` and returns the output text and the warnings.
pub fn build(dir: &Path, opts: &BuildOptions) -> Result<(String, Vec<String>), OverlayError> {
    let out = build_resources(dir, opts)?;
    Ok((to_kustomize_yaml(&out.resources), out.warnings))
}

/// `--output PATH`, as kustomize does it: an existing directory gets one
/// file per resource (`<group>_<version>_<kind>_<name>.yaml`, lower-cased,
/// prefixed with the namespace when namespaced resources span several
/// namespaces); any other path gets the whole stream as one file. Files are
/// staged in a temporary directory next to their destination and renamed
/// into place, so readers never see a half-written file.
pub fn write_output(path: &Path, list: &ResourceList) -> Result<(), OverlayError> {
    let shown = path.display().to_string();
    let io = |e: std::io::Error| OverlayError::Read {
        path: shown.clone(),
        message: e.to_string(),
    };
    let opts = EmitOptions {
        sort_keys: true,
        json_round_trip: false,
        ..EmitOptions::default()
    };
    let mut files: Vec<(String, String)> = Vec::new();
    let target_dir = if path.is_dir() {
        let namespaces: crate::hashing::HashSet<String> = list
            .items
            .iter()
            .map(|r| r.cur_id())
            .filter(|id| !id.gvk.is_cluster_scoped())
            .map(|id| id.effective_namespace().to_string())
            .collect();
        for r in &list.items {
            let id = r.cur_id();
            let gvk = [&id.gvk.group, &id.gvk.version, &id.gvk.kind]
                .iter()
                .filter(|s| !s.is_empty())
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("_");
            let mut name = format!("{}_{}.yaml", gvk.to_lowercase(), id.name.to_lowercase());
            if namespaces.len() > 1 && !id.gvk.is_cluster_scoped() {
                name = format!("{}_{name}", id.effective_namespace().to_lowercase());
            }
            files.push((name.replace('/', "_"), to_yaml_with(&r.value, opts)));
        }
        path.to_path_buf()
    } else {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| OverlayError::build(&shown, "output path has no file name"))?;
        files.push((name, to_kustomize_yaml(list)));
        match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        }
    };
    let staging = tempfile::Builder::new()
        .prefix(".skiff-build-")
        .tempdir_in(&target_dir)
        .map_err(io)?;
    for (name, text) in &files {
        std::fs::write(staging.path().join(name), text).map_err(io)?;
    }
    for (name, _) in &files {
        std::fs::rename(staging.path().join(name), target_dir.join(name)).map_err(io)?;
    }
    Ok(())
}
