#!/usr/bin/env python3
"""Writes mock_shapes.json beside this file: the response shapes of the APIs TestState checks a
mocked result against (see mock_shapes.rs), from botocore's service models.

    python3 -m venv /tmp/bcvenv && /tmp/bcvenv/bin/pip install botocore
    /tmp/bcvenv/bin/python sfn-local-server/src/api/test_state/mock_shapes.py

(the client venv of tests/clients/setup_venv.sh has botocore too).

For each service in SERVICES (its name in `aws-sdk:NAME:action`, its botocore model), every
operation's output shape, keyed by the `aws-sdk` action (the operation's name with a lowercase
first letter). Member names are PascalCase, as Step Functions gives them in an `aws-sdk`
result whatever the service's own case (Step Functions' `executionArn` is `ExecutionArn`).
Kept per shape: a one-letter type (s string, n number, b boolean, t timestamp, a any: blobs and
documents, l list, m map, o structure), `req` (required members), `enum`, and the member,
list-entry and map-value shapes. Shapes are named by an index, per service.
"""

import gzip
import json
import os
import sys

# aws-sdk service name -> botocore model directory.
SERVICES = {
    "dynamodb": "dynamodb",
    "ecs": "ecs",
    "eventbridge": "events",
    "kinesis": "kinesis",
    "lambda": "lambda",
    "s3": "s3",
    "secretsmanager": "secretsmanager",
    "sfn": "stepfunctions",
    "sns": "sns",
    "sqs": "sqs",
    "ssm": "ssm",
}

TYPES = {
    "string": "s",
    "integer": "n",
    "long": "n",
    "float": "n",
    "double": "n",
    "boolean": "b",
    "timestamp": "t",
    "blob": "a",
    "list": "l",
    "map": "m",
    "structure": "o",
    "union": "o",
}


def load(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def model_of(botocore_dir, name):
    base = os.path.join(botocore_dir, "data", name)
    version = sorted(os.listdir(base))[-1]
    for file in ("service-2.json", "service-2.json.gz"):
        p = os.path.join(base, version, file)
        if os.path.exists(p):
            return load(p)
    sys.exit(f"no service-2.json under {base}/{version}")


def pascal(name):
    return name[:1].upper() + name[1:]


def service(model):
    shapes = model["shapes"]
    index = {}
    out = []

    def walk(name):
        if name in index:
            return index[name]
        s = shapes[name]
        i = len(out)
        index[name] = i
        t = {"t": TYPES[s["type"]]}
        if s.get("document"):
            t["t"] = "a"
        out.append(t)
        if t["t"] == "s" and "enum" in s:
            t["enum"] = s["enum"]
        elif t["t"] == "o":
            members = {}
            for m, v in s.get("members", {}).items():
                members[pascal(m)] = walk(v["shape"])
            t["members"] = members
            req = [pascal(m) for m in s.get("required", []) if m in s.get("members", {})]
            if req:
                t["req"] = req
        elif t["t"] == "l":
            t["member"] = walk(s["member"]["shape"])
        elif t["t"] == "m":
            t["value"] = walk(s["value"]["shape"])
        return i

    operations = {}
    for op in sorted(model["operations"]):
        o = model["operations"][op]
        if "output" in o:
            operations[op[:1].lower() + op[1:]] = walk(o["output"]["shape"])
    return {"operations": operations, "shapes": out}


def main():
    import botocore

    botocore_dir = os.path.dirname(botocore.__file__)
    services = {}
    for sdk_name, dir_name in sorted(SERVICES.items()):
        services[sdk_name] = service(model_of(botocore_dir, dir_name))
    lines = ["{", f'  "source": {json.dumps("botocore " + botocore.__version__)},']
    lines.append('  "services": {')
    rows = []
    for name, s in services.items():
        rows.append(
            f"    {json.dumps(name)}: {{\n"
            f"      \"operations\": {json.dumps(s['operations'], separators=(',', ':'))},\n"
            "      \"shapes\": [\n"
            + ",\n".join(
                f"        {json.dumps(x, separators=(',', ':'))}" for x in s["shapes"]
            )
            + "\n      ]\n    }"
        )
    lines.append(",\n".join(rows))
    lines.append("  }")
    lines.append("}")
    target = os.path.join(os.path.dirname(os.path.abspath(__file__)), "mock_shapes.json")
    with open(target, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    n_ops = sum(len(s["operations"]) for s in services.values())
    n_shapes = sum(len(s["shapes"]) for s in services.values())
    print(f"{target}: {len(services)} services, {n_ops} operations, {n_shapes} shapes")


if __name__ == "__main__":
    main()
