//! Name references: after renames, fields that hold another resource's
//! name are rewritten to its final name (kustomize's
//! `api/filters/nameref`, run once at the top level by FixBackReferences).

use super::fieldspec::{FieldSpec, NameBackRef};
use super::resource::{Gvk, ResId, ResourceList, scalar_text, str_field};
use crate::hashing::HashMap;
use crate::value::Value;

/// What the sieves need to know about a possible referral target; taken
/// before any referrer is edited (references never change names).
struct Candidate {
    cur: ResId,
    prev: Vec<ResId>,
    org_ns: String,
    prefixes: Vec<String>,
    suffixes: Vec<String>,
}

/// Rewrites every name reference in the list.
pub fn fix_name_references(
    list: &mut ResourceList,
    backrefs: &[NameBackRef],
) -> Result<(), String> {
    let cands: Vec<Candidate> = list
        .items
        .iter()
        .map(|r| {
            let org = r.org_id();
            Candidate {
                cur: r.cur_id(),
                prev: r.prev_res_ids(),
                org_ns: org.effective_namespace().to_string(),
                prefixes: r.prefixes.clone(),
                suffixes: r.suffixes.clone(),
            }
        })
        .collect();
    // Index by previous name: the first sieve, so lookups stay linear.
    let mut by_prev_name: HashMap<&str, Vec<usize>> = HashMap::default();
    for (i, c) in cands.iter().enumerate() {
        let mut names: Vec<&str> = c.prev.iter().map(|p| p.name.as_str()).collect();
        names.dedup();
        for n in names {
            let v = by_prev_name.entry(n).or_default();
            if v.last() != Some(&i) {
                v.push(i);
            }
        }
    }
    for ri in 0..list.items.len() {
        let org_gvk = list.items[ri].org_id().gvk;
        let referrer = &cands[ri];
        let role_ref = {
            let v = &list.items[ri].value;
            v.as_map().and_then(|m| m.get("roleRef")).map(|rr| Gvk {
                group: str_field(rr, "apiGroup").to_string(),
                version: String::new(),
                kind: str_field(rr, "kind").to_string(),
            })
        };
        let rb_namespaces: Vec<String> = if list.items[ri].kind() == "RoleBinding" {
            list.items[ri]
                .value
                .as_map()
                .and_then(|m| m.get("subjects"))
                .map(|s| match s {
                    Value::Seq(items) => items
                        .iter()
                        .filter(|s| str_field(s, "kind") == "ServiceAccount")
                        .filter_map(|s| s.as_map().and_then(|m| m.get("namespace")))
                        .map(|ns| match ns {
                            Value::String(s) => Ok(s.clone()),
                            _ => Err(format!(
                                "Invalid Input: namespace is blank for resource {:?}",
                                cands[ri].cur.to_string()
                            )),
                        })
                        .collect::<Result<Vec<String>, String>>(),
                    _ => Ok(Vec::new()),
                })
                .transpose()?
                .unwrap_or_default()
        } else {
            Vec::new()
        };
        let ctx = Ctx {
            cands: &cands,
            by_prev_name: &by_prev_name,
            referrer,
            role_ref,
            rb_namespaces,
        };
        for br in backrefs {
            for spec in &br.referrers {
                if !spec.selects(&org_gvk) {
                    continue;
                }
                // kustomize re-targets the spec at the referrer's current
                // gvk before applying it; applying ignores the gvk, so the
                // spec is used as it is.
                let is_role_ref = spec.path.ends_with("roleRef/name");
                let value = &mut list.items[ri].value;
                spec_apply(spec, value, &mut |node| ctx.set(node, &br.gvk, is_role_ref)).map_err(
                    |e| {
                        format!(
                            "updating name reference in '{}' field of '{}': {e}",
                            spec.path, referrer.cur
                        )
                    },
                )?;
            }
        }
    }
    Ok(())
}

fn spec_apply(
    spec: &FieldSpec,
    value: &mut Value,
    set: &mut dyn FnMut(&mut Value) -> Result<(), String>,
) -> Result<(), String> {
    spec.apply(value, None, set)
}

struct Ctx<'a> {
    cands: &'a [Candidate],
    by_prev_name: &'a HashMap<&'a str, Vec<usize>>,
    referrer: &'a Candidate,
    role_ref: Option<Gvk>,
    rb_namespaces: Vec<String>,
}

impl Ctx<'_> {
    fn set(&self, node: &mut Value, target: &Gvk, is_role_ref: bool) -> Result<(), String> {
        match node {
            Value::Null => Ok(()),
            Value::Map(_) => self.set_map(node, target, is_role_ref),
            Value::Seq(items) => {
                for item in items {
                    match item {
                        Value::Map(_) => self.set_map(item, target, is_role_ref)?,
                        Value::Seq(_) => {}
                        _ => self.set_scalar(item, target, is_role_ref)?,
                    }
                }
                Ok(())
            }
            _ => self.set_scalar(node, target, is_role_ref),
        }
    }

    /// The subset of resources the referrer could refer to
    /// (`SubsetThatCouldBeReferencedByResource`), restricted to those
    /// with a previous name `name`.
    fn candidates(&self, name: &str) -> Vec<usize> {
        let Some(idx) = self.by_prev_name.get(name) else {
            return Vec::new();
        };
        let r = &self.referrer.cur;
        idx.iter()
            .copied()
            .filter(|&i| {
                let c = &self.cands[i].cur;
                r.gvk.is_cluster_scoped()
                    || c.gvk.is_cluster_scoped()
                    || c.effective_namespace() == r.effective_namespace()
                    || self.rb_namespaces.contains(&c.namespace)
            })
            .collect()
    }

    fn select(
        &self,
        name: &str,
        mut cs: Vec<usize>,
        target: &Gvk,
        is_role_ref: bool,
        identical_ns: bool,
    ) -> Result<Option<usize>, String> {
        let sel = |id: &ResId, g: &Gvk| id.gvk.is_selected_by(&g.group, &g.version, &g.kind);
        cs.retain(|&i| self.cands[i].prev.iter().any(|p| p.name == name));
        cs.retain(|&i| self.cands[i].prev.iter().any(|p| sel(p, target)));
        if is_role_ref && let Some(rr) = &self.role_ref {
            cs.retain(|&i| self.cands[i].prev.iter().any(|p| sel(p, rr)));
        }
        let rcur = &self.referrer.cur;
        if !rcur.gvk.is_cluster_scoped() {
            cs.retain(|&i| {
                let c = &self.cands[i].cur;
                c.gvk.is_cluster_scoped()
                    || c.gvk.kind == "ServiceAccount"
                    || c.effective_namespace() == rcur.effective_namespace()
            });
        }
        if cs.len() == 1 {
            return Ok(Some(cs[0]));
        }
        cs.retain(|&i| self.affixes_equal(i, true));
        if cs.len() > 1 {
            cs.retain(|&i| self.affixes_equal(i, false));
        }
        match cs.len() {
            0 => Ok(None),
            1 => Ok(Some(cs[0])),
            _ => {
                let first = &self.cands[cs[0]].cur;
                let same = cs.iter().all(|&i| {
                    let c = &self.cands[i].cur;
                    c.name == first.name && (!identical_ns || c.namespace == first.namespace)
                });
                if same {
                    Ok(Some(cs[0]))
                } else {
                    let ids: Vec<String> =
                        cs.iter().map(|&i| self.cands[i].cur.to_string()).collect();
                    Err(format!(
                        "found multiple possible referrals: {}",
                        ids.join(", ")
                    ))
                }
            }
        }
    }

    fn affixes_equal(&self, i: usize, allow_empty: bool) -> bool {
        let c = &self.cands[i];
        let r = self.referrer;
        if allow_empty {
            (c.prefixes.is_empty()
                || r.prefixes.is_empty()
                || same_ending(&c.prefixes, &r.prefixes))
                && (c.suffixes.is_empty()
                    || r.suffixes.is_empty()
                    || same_ending(&c.suffixes, &r.suffixes))
        } else {
            same_ending(&c.prefixes, &r.prefixes) && same_ending(&c.suffixes, &r.suffixes)
        }
    }

    fn set_scalar(&self, node: &mut Value, target: &Gvk, is_role_ref: bool) -> Result<(), String> {
        let old = scalar_text(node);
        let cs = self.candidates(&old);
        if let Some(i) = self.select(&old, cs, target, is_role_ref, false)? {
            let new = &self.cands[i].cur.name;
            if *new != old {
                *node = Value::String(new.clone());
            }
        }
        Ok(())
    }

    fn set_map(&self, node: &mut Value, target: &Gvk, is_role_ref: bool) -> Result<(), String> {
        let Some(m) = node.as_map_mut() else {
            return Ok(());
        };
        let Some(name_v) = m.get("name") else {
            return Err("path config error; no 'name' field in node".to_string());
        };
        let old = scalar_text(name_v);
        let mut cs = self.candidates(&old);
        if let Some(ns_v) = m.get("namespace") {
            let ns = scalar_text(ns_v);
            let by_org: Vec<usize> = cs
                .iter()
                .copied()
                .filter(|&i| {
                    self.cands[i].org_ns == ns && !self.cands[i].cur.gvk.is_cluster_scoped()
                })
                .collect();
            cs = if by_org.is_empty() {
                cs.into_iter()
                    .filter(|&i| self.cands[i].cur.effective_namespace() == ns)
                    .collect()
            } else {
                by_org
            };
        }
        if let Some(i) = self.select(&old, cs, target, is_role_ref, true)? {
            let c = &self.cands[i].cur;
            if c.name == old && c.namespace.is_empty() {
                return Ok(());
            }
            m.insert("name".to_string(), Value::String(c.name.clone()));
            if !c.namespace.is_empty() {
                m.insert("namespace".to_string(), Value::String(c.namespace.clone()));
            }
        }
        Ok(())
    }
}

/// kustomize's `SameEndingSubSlice`: the shorter list is the tail of the
/// longer; an empty list only matches an empty one.
fn same_ending(a: &[String], b: &[String]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if short.is_empty() {
        return long.is_empty();
    }
    long.ends_with(short)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::overlay::fieldspec::TransformerConfig;
    use crate::overlay::resource::Resource;

    fn res(text: &str) -> Resource {
        Resource::new(crate::yaml::parse_document(text).unwrap(), "")
    }

    #[test]
    fn renamed_configmap_is_followed_only_in_its_namespace() {
        let mut cm = res("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: a}\n");
        cm.store_previous_id();
        cm.set_name("cfg-123");
        let pod_a = res(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: a}\nspec:\n  volumes:\n  - name: v\n    configMap: {name: cfg}\n",
        );
        let pod_b = res(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: b}\nspec:\n  volumes:\n  - name: v\n    configMap: {name: cfg}\n",
        );
        let mut list = ResourceList {
            items: vec![cm, pod_a, pod_b],
        };
        let tc = TransformerConfig::builtin();
        fix_name_references(&mut list, &tc.name_reference).unwrap();
        let name = |i: usize| {
            list.items[i]
                .value
                .get_path("spec.volumes")
                .and_then(|v| match v {
                    Value::Seq(items) => items[0].get_path("configMap.name").cloned(),
                    _ => None,
                })
                .unwrap()
        };
        assert_eq!(name(1), Value::String("cfg-123".into()));
        assert_eq!(
            name(2),
            Value::String("cfg".into()),
            "other namespace untouched"
        );
    }

    #[test]
    fn same_ending_matches_tails() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert!(same_ending(&v(&["a", "b", "c"]), &v(&["b", "c"])));
        assert!(!same_ending(&v(&["a", "b", "c"]), &v(&["a", "b"])));
        assert!(!same_ending(&v(&[]), &v(&["a"])));
        assert!(same_ending(&v(&[]), &v(&[])));
    }
}
