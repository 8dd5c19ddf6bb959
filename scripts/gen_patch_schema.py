#!/usr/bin/env python3
"""Generate src/patch/k8s_schema.txt, skiff's compact strategic-merge-patch table.

kustomize v5.7.1 reads merge keys and patch strategies from the Kubernetes
v1.21.2 OpenAPI document it embeds as a gnostic protobuf
(kyaml/openapi/kubernetesapi/v1_21_2/swagger.pb). The facts skiff needs are
small: which apiVersion/kind maps to which definition, and for each
definition the fields that lead (through $ref, arrays and maps) to a list
carrying an `x-kubernetes-patch-strategy`. This script decodes the protobuf
with a minimal wire-format reader and writes only those facts, in skiff's own
line format (documented in src/patch/schema.rs).

Usage: scripts/gen_patch_schema.py SWAGGER_PB > src/patch/k8s_schema.txt
(get SWAGGER_PB with
 git show kustomize/v5.7.1:kyaml/openapi/kubernetesapi/v1_21_2/swagger.pb).
"""
import sys

# gnostic OpenAPIv2 field numbers (Document.definitions, Schema.*).
DOC_DEFINITIONS = 9
SCHEMA_REF, SCHEMA_ADDITIONAL, SCHEMA_TYPE, SCHEMA_ITEMS = 1, 21, 22, 23
SCHEMA_PROPERTIES, SCHEMA_EXTENSION = 25, 31
REF_PREFIX = "#/definitions/"


def varint(b, i):
    r = s = 0
    while True:
        c = b[i]
        i += 1
        r |= (c & 0x7F) << s
        s += 7
        if c < 0x80:
            return r, i


def fields(b):
    """Yields (field number, raw value) of one protobuf message."""
    i = 0
    while i < len(b):
        key, i = varint(b, i)
        num, wire = key >> 3, key & 7
        if wire == 0:
            v, i = varint(b, i)
        elif wire == 2:
            n, i = varint(b, i)
            v, i = b[i:i + n], i + n
        elif wire == 1:
            v, i = b[i:i + 8], i + 8
        elif wire == 5:
            v, i = b[i:i + 4], i + 4
        else:
            raise ValueError(f"wire type {wire}")
        yield num, v


def named(b):
    """A gnostic Named* message: (name, value bytes)."""
    name, value = "", b""
    for num, v in fields(b):
        if num == 1:
            name = v.decode()
        elif num == 2:
            value = v
    return name, value


def schema(b):
    """Decodes the parts of a Schema message that matter for merging."""
    s = {"props": {}, "ext": {}}
    for num, v in fields(b):
        if num == SCHEMA_REF:
            s["ref"] = v.decode()
        elif num == SCHEMA_TYPE:
            s["type"] = [x.decode() for n, x in fields(v) if n == 1]
        elif num == SCHEMA_ITEMS:
            items = [schema(x) for n, x in fields(v) if n == 1]
            if items:
                s["items"] = items[0]
        elif num == SCHEMA_ADDITIONAL:
            for n, x in fields(v):
                if n == 1:
                    s["additional"] = schema(x)
        elif num == SCHEMA_PROPERTIES:
            for n, x in fields(v):
                if n == 1:
                    name, value = named(x)
                    s["props"][name] = schema(value)
        elif num == SCHEMA_EXTENSION:
            name, value = named(v)
            yaml = "".join(x.decode() for n, x in fields(value) if n == 2)
            s["ext"][name] = yaml
    return s


def yaml_list(text):
    """`- a\\n- b\\n` -> ["a", "b"] (the extensions' YAML is this simple)."""
    return [line[2:].strip().strip('"') for line in text.splitlines() if line.startswith("- ")]


def gvks(text):
    """x-kubernetes-group-version-kind YAML -> [(apiVersion, kind)]."""
    out, cur = [], {}
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("- "):
            if cur:
                out.append(cur)
            cur = {}
            line = line[2:]
        if ":" in line:
            k, v = line.split(":", 1)
            cur[k.strip()] = v.strip().strip('"')
    if cur:
        out.append(cur)
    res = []
    for g in out:
        api = g.get("version", "")
        if g.get("group"):
            api = g["group"] + "/" + api
        res.append((api, g.get("kind", "")))
    return res


def main():
    data = open(sys.argv[1], "rb").read()
    doc = dict(fields(data))
    defs = {}
    for num, v in fields(doc[DOC_DEFINITIONS]):
        if num == 1:
            name, value = named(v)
            defs[name] = schema(value)

    def ref_name(s):
        r = s.get("ref", "")
        return r[len(REF_PREFIX):] if r.startswith(REF_PREFIX) else None

    def strategy(s):
        return s["ext"].get("x-kubernetes-patch-strategy", "").strip()

    def is_merge_list(s):
        return s.get("type") == ["array"] and "merge" in strategy(s).split(",")

    # A definition is relevant when a merge list is reachable from it through
    # $refs, maps and the elements of merge lists.
    relevant = set()
    changed = True

    def leads(s):
        if ref_name(s):
            return ref_name(s) in relevant
        if is_merge_list(s):
            return True
        if s.get("type") == ["array"]:
            # Elements of other lists are never walked: kyaml replaces the list.
            return False
        return any(leads(x) for x in [s.get("additional")] if x) or any(
            leads(p) for p in s["props"].values())

    while changed:
        changed = False
        for name, s in defs.items():
            if name not in relevant and any(leads(p) for p in s["props"].values()):
                relevant.add(name)
                changed = True

    def type_expr(s):
        if ref_name(s):
            return "@" + ref_name(s)
        if s.get("type") == ["array"]:
            items = s.get("items")
            return "[" + (type_expr(items) if items else "-") + "]"
        if s.get("additional"):
            return "{" + type_expr(s["additional"]) + "}"
        return "-"

    out = ["# Strategic-merge-patch facts of the Kubernetes v1.21.2 OpenAPI document",
           "# embedded in kustomize v5.7.1; generated by scripts/gen_patch_schema.py.",
           "# Format: see src/patch/schema.rs."]
    for name in sorted(defs):
        for api, kind in gvks(defs[name]["ext"].get("x-kubernetes-group-version-kind", "")):
            if name in relevant:
                out.append(f"kind {api} {kind} {name}")
    for name in sorted(relevant):
        out.append(f"def {name}")
        for fname, p in sorted(defs[name]["props"].items()):
            if not leads(p):
                continue
            line = f"  {fname} {type_expr(p)}"
            if strategy(p):
                line += f" {strategy(p)}"
                ext = p["ext"]
                keys = yaml_list(ext.get("x-kubernetes-list-map-keys", ""))
                if not keys and ext.get("x-kubernetes-patch-merge-key"):
                    keys = [ext["x-kubernetes-patch-merge-key"].strip()]
                if keys:
                    line += " " + ",".join(keys)
            out.append(line)
    print("\n".join(out))


if __name__ == "__main__":
    main()
