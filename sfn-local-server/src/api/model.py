#!/usr/bin/env python3
"""Writes model.json beside this file: the input shapes of the Step Functions service model,
trimmed to what request validation reads (see model.rs).

    python3 -m venv /tmp/bcvenv && /tmp/bcvenv/bin/pip install botocore
    /tmp/bcvenv/bin/python sfn-local-server/src/api/model.py

or pass the path of a `service-2.json` (or `.json.gz`) as the only argument.

Kept per shape: `type`, `required`, `min`/`max` (length of strings in characters, of lists and
maps in entries; value of numbers), `pattern`, `enum`, `sensitive`, and the member, key and
value shapes. Shapes reachable only from outputs, errors and documentation are left out.
"""

import gzip
import json
import os
import sys

# Where AWS's message lists an enum's values in another order than the model does (seen in
# AWS's answers), the order AWS answers with.
AWS_ENUM_ORDER = {
    "ExecutionStatus": [
        "SUCCEEDED",
        "TIMED_OUT",
        "PENDING_REDRIVE",
        "ABORTED",
        "FAILED",
        "RUNNING",
    ],
}

KEEP = ("type", "required", "min", "max", "pattern", "enum", "sensitive")


def load(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def botocore_model():
    import botocore

    base = os.path.join(
        os.path.dirname(botocore.__file__), "data", "stepfunctions", "2016-11-23"
    )
    for name in ("service-2.json", "service-2.json.gz"):
        p = os.path.join(base, name)
        if os.path.exists(p):
            return load(p), botocore.__version__
    sys.exit(f"no service-2.json under {base}")


def main():
    if len(sys.argv) > 1:
        model, source = load(sys.argv[1]), os.path.basename(sys.argv[1])
    else:
        model, version = botocore_model()
        source = f"botocore {version}"
    shapes = model["shapes"]
    out_shapes = {}

    def walk(name):
        if name in out_shapes:
            return
        s = shapes[name]
        t = {k: s[k] for k in KEEP if k in s}
        out_shapes[name] = t
        if s["type"] == "structure":
            t["members"] = {m: v["shape"] for m, v in s.get("members", {}).items()}
            for m in t["members"].values():
                walk(m)
        elif s["type"] == "list":
            t["member"] = s["member"]["shape"]
            walk(t["member"])
        elif s["type"] == "map":
            t["key"] = s["key"]["shape"]
            t["value"] = s["value"]["shape"]
            walk(t["key"])
            walk(t["value"])
        if name in AWS_ENUM_ORDER:
            assert sorted(AWS_ENUM_ORDER[name]) == sorted(t["enum"]), name
            t["enum"] = AWS_ENUM_ORDER[name]

    operations = {}
    for op in sorted(model["operations"]):
        o = model["operations"][op]
        if "input" in o:
            operations[op] = o["input"]["shape"]
            walk(o["input"]["shape"])

    # One operation or shape a line: small diffs when the model changes.
    lines = ["{", f'  "source": {json.dumps(source)},', '  "operations": {']
    ops = [f"    {json.dumps(k)}: {json.dumps(v)}" for k, v in operations.items()]
    lines.append(",\n".join(ops))
    lines.append("  },")
    lines.append('  "shapes": {')
    rows = [
        f"    {json.dumps(k)}: {json.dumps(out_shapes[k], separators=(', ', ': '))}"
        for k in sorted(out_shapes)
    ]
    lines.append(",\n".join(rows))
    lines.append("  }")
    lines.append("}")
    target = os.path.join(os.path.dirname(os.path.abspath(__file__)), "model.json")
    with open(target, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{target}: {len(operations)} operations, {len(out_shapes)} shapes ({source})")


if __name__ == "__main__":
    main()
