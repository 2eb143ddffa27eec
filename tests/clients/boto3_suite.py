#!/usr/bin/env python3
"""boto3 against a running sfn-local: python3 boto3_suite.py ENDPOINT_URL

Prints one line per check and exits non-zero at the first failure. Uses only the standard
library and boto3. Names carry a random suffix, so the suite can run again on the same server.

StartSyncExecution and TestState: boto3 sends them to `sync-<host>` (the model's host prefix),
which does not resolve for 127.0.0.1; a client made with Config(inject_host_prefix=False) sends
them to the endpoint as given (as does AWS_DISABLE_HOST_PREFIX_INJECTION=true).

Checks marked SERVER BUG assert AWS's behaviour where sfn-local does not match it yet; they run
last, so that everything else is checked first.
"""

import json
import sys
import threading
import time
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

ROLE = "arn:aws:iam::123456789012:role/sfn-local-tests"
DEADLINE = 30.0
PASS = json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": "done",
                                                      "ResultPath": "$.result", "End": True}}})
TWO_PASSES = json.dumps({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"},
                                                    "B": {"Type": "Pass", "End": True}}})
LONG_WAIT = json.dumps({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 300,
                                                         "End": True}}})
FAILS = json.dumps({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Boom",
                                                     "Cause": "on purpose"}}})

SUFFIX = uuid.uuid4().hex[:8]


class CheckFailed(Exception):
    pass


def ok(name, detail=""):
    print(f"ok   {name}" + (f"  ({detail})" if detail else ""), flush=True)


def check(name, condition, detail=""):
    if not condition:
        raise CheckFailed(f"{name}: {detail}")
    ok(name)


def equal(name, actual, expected):
    if actual != expected:
        raise CheckFailed(f"{name}: expected {expected!r}, got {actual!r}")
    ok(name)


def expect_error(label, code, call, /, **kwargs):
    """The call must fail with AWS error `code`, HTTP 400 and a message."""
    try:
        result = call(**kwargs)
    except ClientError as e:
        err = e.response.get("Error", {})
        status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if err.get("Code") != code:
            raise CheckFailed(f"{label}: expected {code}, got {err.get('Code')}: {err}")
        if status != 400:
            raise CheckFailed(f"{label}: {code} with HTTP {status}, expected 400")
        if not err.get("Message"):
            raise CheckFailed(f"{label}: {code} without a message")
        ok(label, f"{code}: {err['Message']}")
        return err
    raise CheckFailed(f"{label}: expected {code}, the call succeeded: {result}")


def shape_problems(shape, value, path):
    """Where `value` (a parsed JSON response) departs from the service model's `shape`."""
    t = shape.type_name
    if t == "structure":
        if not isinstance(value, dict):
            return [f"{path}: expected an object, got {value!r:.80}"]
        problems = [f"{path}.{k}: not in the model ({shape.name})" for k in value
                    if k not in shape.members]
        problems += [f"{path}.{k}: required by the model, missing" for k in shape.required_members
                     if k not in value]
        for k, v in value.items():
            if k in shape.members:
                problems += shape_problems(shape.members[k], v, f"{path}.{k}")
        return problems
    if t == "list":
        if not isinstance(value, list):
            return [f"{path}: expected a list, got {value!r:.80}"]
        return [p for i, v in enumerate(value) for p in shape_problems(shape.member, v, f"{path}[{i}]")]
    if t == "map":
        return [] if isinstance(value, dict) else [f"{path}: expected a map"]
    if t == "string":
        if not isinstance(value, str):
            return [f"{path}: expected a string, got {value!r:.80}"]
        if shape.enum and value not in shape.enum:
            return [f"{path}: {value!r} is not one of {shape.enum}"]
        return []
    if t in ("integer", "long"):
        ok_type = isinstance(value, int) and not isinstance(value, bool)
        return [] if ok_type else [f"{path}: expected an integer, got {value!r:.80}"]
    if t in ("float", "double", "timestamp"):
        ok_type = isinstance(value, (int, float)) and not isinstance(value, bool)
        return [] if ok_type else [f"{path}: expected a number, got {value!r:.80}"]
    if t == "boolean":
        return [] if isinstance(value, bool) else [f"{path}: expected a boolean, got {value!r:.80}"]
    return []


def watch_responses(client, problems):
    """Checks every successful response's raw JSON against the operation's output shape."""
    def check_response(http_response, model, **_):
        if http_response.status_code != 200 or model.output_shape is None:
            return
        try:
            body = json.loads(http_response.content or b"{}")
        except ValueError as e:
            problems.append(f"{model.name}: response is not JSON: {e}")
            return
        problems.extend(f"{model.name}: {p}" for p in shape_problems(model.output_shape, body, "$"))
    client.meta.events.register("after-call.*", check_response)


def name(base):
    return f"{base}-{SUFFIX}"


def create(sfn, base, definition, kind="STANDARD", **extra):
    return sfn.create_state_machine(name=name(base), definition=definition, roleArn=ROLE,
                                    type=kind, **extra)


def wait_closed(sfn, execution_arn):
    start = time.monotonic()
    while True:
        d = sfn.describe_execution(executionArn=execution_arn)
        if d["status"] != "RUNNING":
            return d
        if time.monotonic() - start > DEADLINE:
            raise CheckFailed(f"{execution_arn} still RUNNING after {DEADLINE} s")
        time.sleep(0.05)


def history(sfn, execution_arn, **kwargs):
    return sfn.get_execution_history(executionArn=execution_arn, **kwargs)["events"]


def state_machines(sfn):
    sm = create(sfn, "boto3-pass", PASS)["stateMachineArn"]
    check("CreateStateMachine returns the ARN", sm.endswith(f":stateMachine:{name('boto3-pass')}"), sm)
    again = create(sfn, "boto3-pass", PASS)["stateMachineArn"]
    equal("CreateStateMachine is idempotent for the same definition", again, sm)
    expect_error("CreateStateMachine with the same name, another definition",
                 "StateMachineAlreadyExists", create, sfn=sfn, base="boto3-pass",
                 definition=TWO_PASSES)
    d = sfn.describe_state_machine(stateMachineArn=sm)
    equal("DescribeStateMachine definition", d["definition"], PASS)
    equal("DescribeStateMachine type", d["type"], "STANDARD")
    equal("DescribeStateMachine status", d["status"], "ACTIVE")
    listed = [m["stateMachineArn"] for m in sfn.list_state_machines()["stateMachines"]]
    check("ListStateMachines lists it", sm in listed, listed)
    # As on AWS, a state machine has no revisionId until its first update.
    check("DescribeStateMachine has no revisionId before an update", "revisionId" not in d, d)
    up = sfn.update_state_machine(stateMachineArn=sm, definition=TWO_PASSES)
    check("UpdateStateMachine gives a revision", bool(up.get("revisionId")), up)
    equal("DescribeStateMachine revisionId after update",
          sfn.describe_state_machine(stateMachineArn=sm).get("revisionId"), up["revisionId"])
    equal("DescribeStateMachine after update",
          sfn.describe_state_machine(stateMachineArn=sm)["definition"], TWO_PASSES)
    sfn.update_state_machine(stateMachineArn=sm, definition=PASS)

    sfn.tag_resource(resourceArn=sm, tags=[{"key": "team", "value": "core"},
                                           {"key": "env", "value": "test"}])
    tags = sfn.list_tags_for_resource(resourceArn=sm)["tags"]
    equal("TagResource + ListTagsForResource",
          sorted((t["key"], t["value"]) for t in tags), [("env", "test"), ("team", "core")])
    sfn.untag_resource(resourceArn=sm, tagKeys=["team"])
    tags = sfn.list_tags_for_resource(resourceArn=sm)["tags"]
    equal("UntagResource", [t["key"] for t in tags], ["env"])

    v = sfn.validate_state_machine_definition(definition=PASS)
    equal("ValidateStateMachineDefinition OK", (v["result"], v["diagnostics"]), ("OK", []))
    v = sfn.validate_state_machine_definition(
        definition=json.dumps({"StartAt": "Nowhere", "States": {"P": {"Type": "Pass", "End": True}}}))
    equal("ValidateStateMachineDefinition FAIL", v["result"], "FAIL")
    diag = v["diagnostics"][0] if v["diagnostics"] else {}
    check("ValidateStateMachineDefinition diagnostic",
          diag.get("severity") == "ERROR" and diag.get("code") and diag.get("message"), v)

    gone = create(sfn, "boto3-delete-me", PASS)["stateMachineArn"]
    sfn.delete_state_machine(stateMachineArn=gone)
    try:
        status = sfn.describe_state_machine(stateMachineArn=gone)["status"]
        equal("DeleteStateMachine (DELETING)", status, "DELETING")
    except ClientError as e:
        equal("DeleteStateMachine (gone)", e.response["Error"]["Code"], "StateMachineDoesNotExist")
    return sm


def executions(sfn, sm):
    arn = sfn.start_execution(stateMachineArn=sm, name=name("run"), input='{"n": 1}')["executionArn"]
    check("StartExecution with a name", arn.endswith(f":execution:{name('boto3-pass')}:{name('run')}"), arn)
    d = wait_closed(sfn, arn)
    equal("DescribeExecution status", d["status"], "SUCCEEDED")
    equal("DescribeExecution input", d["input"], '{"n": 1}')
    equal("DescribeExecution output", json.loads(d["output"]), {"n": 1, "result": "done"})
    expect_error("StartExecution reusing a closed execution's name", "ExecutionAlreadyExists",
                 sfn.start_execution, stateMachineArn=sm, name=name("run"), input='{"n": 1}')

    waits = create(sfn, "boto3-wait", LONG_WAIT)["stateMachineArn"]
    long = sfn.start_execution(stateMachineArn=waits, name="long", input='{"a": 1}')["executionArn"]
    again = sfn.start_execution(stateMachineArn=waits, name="long", input='{"a": 1}')["executionArn"]
    equal("StartExecution is idempotent while running, same input", again, long)
    expect_error("StartExecution same name, other input", "ExecutionAlreadyExists",
                 sfn.start_execution, stateMachineArn=waits, name="long", input='{"a": 2}')
    running = sfn.list_executions(stateMachineArn=waits, statusFilter="RUNNING")["executions"]
    equal("ListExecutions statusFilter=RUNNING", [e["executionArn"] for e in running], [long])
    sfn.stop_execution(executionArn=long, error="Operator.Stop", cause="by boto3")
    d = wait_closed(sfn, long)
    equal("StopExecution -> ABORTED", (d["status"], d.get("error"), d.get("cause")),
          ("ABORTED", "Operator.Stop", "by boto3"))
    last = history(sfn, long, reverseOrder=True)[0]
    equal("ExecutionAborted event", (last["type"], last["executionAbortedEventDetails"]),
          ("ExecutionAborted", {"error": "Operator.Stop", "cause": "by boto3"}))
    aborted = sfn.list_executions(stateMachineArn=waits, statusFilter="ABORTED")["executions"]
    equal("ListExecutions statusFilter=ABORTED", len(aborted), 1)

    many = [sfn.start_execution(stateMachineArn=sm, input="{}")["executionArn"] for _ in range(4)]
    for a in many:
        wait_closed(sfn, a)
    first = sfn.list_executions(stateMachineArn=sm, maxResults=2)
    check("ListExecutions maxResults=2 gives a nextToken",
          len(first["executions"]) == 2 and first.get("nextToken"), first)
    seen = []
    for page in sfn.get_paginator("list_executions").paginate(
            stateMachineArn=sm, PaginationConfig={"PageSize": 2}):
        seen += [e["executionArn"] for e in page["executions"]]
    equal("ListExecutions paginated", sorted(seen), sorted(many + [arn]))


def execution_history(sfn):
    sm = create(sfn, "boto3-history", TWO_PASSES)["stateMachineArn"]
    arn = sfn.start_execution(stateMachineArn=sm, input='{"secret": 1}')["executionArn"]
    wait_closed(sfn, arn)
    events = history(sfn, arn)
    equal("GetExecutionHistory types", [e["type"] for e in events],
          ["ExecutionStarted", "PassStateEntered", "PassStateExited", "PassStateEntered",
           "PassStateExited", "ExecutionSucceeded"])
    equal("GetExecutionHistory ids", [(e["id"], e["previousEventId"]) for e in events],
          [(1, 0), (2, 0), (3, 2), (4, 3), (5, 4), (6, 5)])
    equal("GetExecutionHistory reverseOrder", [e["id"] for e in history(sfn, arn, reverseOrder=True)],
          [6, 5, 4, 3, 2, 1])
    page = sfn.get_execution_history(executionArn=arn, maxResults=4)
    rest = sfn.get_execution_history(executionArn=arn, maxResults=4, nextToken=page["nextToken"])
    equal("GetExecutionHistory pages", ([e["id"] for e in page["events"]], [e["id"] for e in rest["events"]],
                                        "nextToken" in rest), ([1, 2, 3, 4], [5, 6], False))
    bare = history(sfn, arn, includeExecutionData=False)
    check("GetExecutionHistory includeExecutionData=false",
          "input" not in bare[0]["executionStartedEventDetails"]
          and "output" not in bare[-1]["executionSucceededEventDetails"], bare)
    return events


def sync_executions(sfn, sync):
    express = create(sfn, "boto3-express", PASS, kind="EXPRESS")["stateMachineArn"]
    out = sync.start_sync_execution(stateMachineArn=express, input='{"x": true}')
    equal("StartSyncExecution (inject_host_prefix=False)", (out["status"], json.loads(out["output"])),
          ("SUCCEEDED", {"x": True, "result": "done"}))
    failing = create(sfn, "boto3-express-fails", FAILS, kind="EXPRESS")["stateMachineArn"]
    out = sync.start_sync_execution(stateMachineArn=failing)
    equal("StartSyncExecution FAILED", (out["status"], out.get("error"), out.get("cause")),
          ("FAILED", "Boom", "on purpose"))
    standard = create(sfn, "boto3-standard", PASS)["stateMachineArn"]
    expect_error("StartSyncExecution on STANDARD", "StateMachineTypeNotSupported",
                 sync.start_sync_execution, stateMachineArn=standard)


def activity_worker(sfn, activity, answer, result):
    """A worker thread: polls until it gets a task, heartbeats, answers."""
    try:
        start = time.monotonic()
        while time.monotonic() - start < DEADLINE:
            task = sfn.get_activity_task(activityArn=activity, workerName="boto3-worker")
            if task.get("taskToken"):
                result["input"] = task["input"]
                result["token"] = task["taskToken"]
                sfn.send_task_heartbeat(taskToken=task["taskToken"])
                answer(task["taskToken"])
                return
        result["error"] = f"no activity task in {DEADLINE} s"
    except Exception as e:  # reported by the main thread
        result["error"] = repr(e)


def run_activity(sfn, activity, sm, answer):
    result = {}
    worker = threading.Thread(target=activity_worker, args=(sfn, activity, answer, result))
    worker.start()
    arn = sfn.start_execution(stateMachineArn=sm, input='{"job": 7}')["executionArn"]
    worker.join(DEADLINE + 5)
    if "error" in result:
        raise CheckFailed(f"activity worker: {result['error']}")
    equal("GetActivityTask input", json.loads(result["input"]), {"job": 7})
    return arn, wait_closed(sfn, arn), result["token"]


def callbacks(sfn):
    activity = sfn.create_activity(name=name("boto3-activity"))["activityArn"]
    equal("DescribeActivity", sfn.describe_activity(activityArn=activity)["name"],
          name("boto3-activity"))
    check("ListActivities", activity in [a["activityArn"] for a in sfn.list_activities()["activities"]])
    definition = json.dumps({"StartAt": "Work", "States": {"Work": {
        "Type": "Task", "Resource": activity, "HeartbeatSeconds": 60, "End": True}}})
    sm = create(sfn, "boto3-activity", definition)["stateMachineArn"]

    arn, d, token = run_activity(
        sfn, activity, sm, lambda t: sfn.send_task_success(taskToken=t, output='{"done": true}'))
    equal("SendTaskSuccess -> SUCCEEDED", (d["status"], json.loads(d.get("output", "null"))),
          ("SUCCEEDED", {"done": True}))
    types = [e["type"] for e in history(sfn, arn)]
    check("Activity events in the history",
          all(t in types for t in ["ActivityScheduled", "ActivityStarted", "ActivitySucceeded"]), types)

    _, d, _ = run_activity(
        sfn, activity, sm,
        lambda t: sfn.send_task_failure(taskToken=t, error="Worker.Crashed", cause="disk full"))
    equal("SendTaskFailure -> FAILED", (d["status"], d.get("error"), d.get("cause")),
          ("FAILED", "Worker.Crashed", "disk full"))
    expect_error("SendTaskSuccess with a token never issued", "InvalidToken",
                 sfn.send_task_success, taskToken="not-a-token", output="{}")
    return activity, token


def versions_and_aliases(sfn):
    created = create(sfn, "boto3-versioned", PASS, publish=True, versionDescription="first")
    sm, v1 = created["stateMachineArn"], created["stateMachineVersionArn"]
    equal("CreateStateMachine publish=true", v1, f"{sm}:1")
    rev = sfn.update_state_machine(stateMachineArn=sm, definition=TWO_PASSES)["revisionId"]
    expect_error("PublishStateMachineVersion with a stale revision", "ConflictException",
                 sfn.publish_state_machine_version, stateMachineArn=sm,
                 revisionId="00000000-0000-0000-0000-000000000000")
    v2 = sfn.publish_state_machine_version(stateMachineArn=sm, revisionId=rev)["stateMachineVersionArn"]
    equal("PublishStateMachineVersion", v2, f"{sm}:2")
    listed = sfn.list_state_machine_versions(stateMachineArn=sm)["stateMachineVersions"]
    equal("ListStateMachineVersions newest first", [v["stateMachineVersionArn"] for v in listed], [v2, v1])
    d = sfn.describe_state_machine(stateMachineArn=v1)
    equal("DescribeStateMachine on a version", (d["definition"], d.get("description")), (PASS, "first"))
    e = sfn.start_execution(stateMachineArn=v1, input="{}")["executionArn"]
    d = wait_closed(sfn, e)
    equal("StartExecution on a version", (d["status"], d.get("stateMachineVersionArn")), ("SUCCEEDED", v1))

    alias = sfn.create_state_machine_alias(
        name="prod", description="canary",
        routingConfiguration=[{"stateMachineVersionArn": v1, "weight": 80},
                              {"stateMachineVersionArn": v2, "weight": 20}])["stateMachineAliasArn"]
    equal("CreateStateMachineAlias", alias, f"{sm}:prod")
    d = sfn.describe_state_machine_alias(stateMachineAliasArn=alias)
    equal("DescribeStateMachineAlias routing",
          [(r["stateMachineVersionArn"], r["weight"]) for r in d["routingConfiguration"]],
          [(v1, 80), (v2, 20)])
    listed = sfn.list_state_machine_aliases(stateMachineArn=sm)["stateMachineAliases"]
    equal("ListStateMachineAliases", [a["stateMachineAliasArn"] for a in listed], [alias])
    expect_error("UpdateStateMachineAlias with weights not adding to 100", "ValidationException",
                 sfn.update_state_machine_alias, stateMachineAliasArn=alias,
                 routingConfiguration=[{"stateMachineVersionArn": v2, "weight": 50}])
    sfn.update_state_machine_alias(stateMachineAliasArn=alias,
                                   routingConfiguration=[{"stateMachineVersionArn": v2, "weight": 100}])
    e = sfn.start_execution(stateMachineArn=alias, input="{}")["executionArn"]
    d = wait_closed(sfn, e)
    equal("StartExecution on an alias",
          (d["status"], d.get("stateMachineAliasArn"), d.get("stateMachineVersionArn")),
          ("SUCCEEDED", alias, v2))
    expect_error("DeleteStateMachineVersion referenced by an alias", "ConflictException",
                 sfn.delete_state_machine_version, stateMachineVersionArn=v2)
    sfn.delete_state_machine_alias(stateMachineAliasArn=alias)
    expect_error("DescribeStateMachineAlias after delete", "ResourceNotFound",
                 sfn.describe_state_machine_alias, stateMachineAliasArn=alias)
    sfn.delete_state_machine_version(stateMachineVersionArn=v2)
    ok("DeleteStateMachineVersion once unreferenced")


def test_state(sync):
    try:
        out = sync.test_state(definition=json.dumps({"Type": "Pass", "Result": {"ok": True}, "End": True}),
                              roleArn=ROLE, input="{}")
        out.pop("ResponseMetadata", None)
        print(f"     TestState answered: {json.dumps(out)}")
        equal("TestState output", json.loads(out.get("output", "null")), {"ok": True})
    except ClientError as e:
        # Not implemented in every sfn-local build yet: an AWS-shaped error is accepted.
        err = e.response.get("Error", {})
        print(f"     TestState answered an error: {err}")
        check("TestState error shape", err.get("Code") and err.get("Message") is not None, err)


def redrive(sfn):
    sm = create(sfn, "boto3-fails", FAILS)["stateMachineArn"]
    arn = sfn.start_execution(stateMachineArn=sm)["executionArn"]
    equal("Fail state -> FAILED", wait_closed(sfn, arn)["status"], "FAILED")
    out = sfn.redrive_execution(executionArn=arn)
    check("RedriveExecution on FAILED", "redriveDate" in out, out)
    again = wait_closed(sfn, arn)
    # The Fail state fails again; the execution counts one redrive.
    equal("redriven execution", (again["status"], again.get("redriveCount")), ("FAILED", 1))
    ok_sm = create(sfn, "boto3-redrive-ok", PASS)["stateMachineArn"]
    done = sfn.start_execution(stateMachineArn=ok_sm)["executionArn"]
    wait_closed(sfn, done)
    expect_error("RedriveExecution on SUCCEEDED", "ExecutionNotRedrivable",
                 sfn.redrive_execution, executionArn=done)


def bad_input(sfn, sm):
    expect_error("InvalidArn", "InvalidArn", sfn.describe_state_machine, stateMachineArn="not-an-arn")
    expect_error("InvalidName", "InvalidName", sfn.create_state_machine, name="has space",
                 definition=PASS, roleArn=ROLE)
    expect_error("name over 80 characters", "ValidationException", sfn.create_state_machine,
                 name="x" * 81, definition=PASS, roleArn=ROLE)
    expect_error("not a role ARN", "InvalidArn", sfn.create_state_machine, name=name("role"),
                 definition=PASS, roleArn="arn:aws:iam::123456789012:policy/not-a-role")
    expect_error("InvalidDefinition", "InvalidDefinition", sfn.create_state_machine,
                 name=name("bad-def"), definition='{"StartAt": "X", "States": {}}', roleArn=ROLE)
    expect_error("InvalidDefinition (not JSON)", "InvalidDefinition", sfn.create_state_machine,
                 name=name("bad-json"), definition="{ nope", roleArn=ROLE)
    missing = "arn:aws:states:us-east-1:123456789012:stateMachine:missing-" + SUFFIX
    expect_error("StateMachineDoesNotExist", "StateMachineDoesNotExist",
                 sfn.describe_state_machine, stateMachineArn=missing)
    expect_error("StartExecution on a missing machine", "StateMachineDoesNotExist",
                 sfn.start_execution, stateMachineArn=missing)
    expect_error("ExecutionDoesNotExist", "ExecutionDoesNotExist", sfn.describe_execution,
                 executionArn="arn:aws:states:us-east-1:123456789012:execution:missing:x")
    expect_error("InvalidExecutionInput", "InvalidExecutionInput", sfn.start_execution,
                 stateMachineArn=sm, input="{ not json")
    big = json.dumps({"a": "x" * (256 * 1024)})
    expect_error("Input over 256 KiB", "ValidationException", sfn.start_execution,
                 stateMachineArn=sm, input=big)


def regions(common, config):
    """Two regions of two partitions: each request is answered in the region it is signed for,
    with that region's partition, and each region lists its own state machines."""
    clients = {}
    for region in ("us-west-2", "cn-northwest-1"):
        clients[region] = boto3.client("stepfunctions", config=config,
                                       **dict(common, region_name=region))
    base = name("boto3-region")
    arns = {}
    for region, partition in (("us-west-2", "aws"), ("cn-northwest-1", "aws-cn")):
        sfn = clients[region]
        sm = sfn.create_state_machine(name=base, definition=PASS, roleArn=ROLE)["stateMachineArn"]
        equal(f"state machine ARN in {region}", sm,
              f"arn:{partition}:states:{region}:123456789012:stateMachine:{base}")
        ex = sfn.start_execution(stateMachineArn=sm, name="run")["executionArn"]
        equal(f"execution ARN in {region}", ex,
              f"arn:{partition}:states:{region}:123456789012:execution:{base}:run")
        equal(f"execution in {region}", wait_closed(sfn, ex)["status"], "SUCCEEDED")
        arns[region] = sm
    for region, sfn in clients.items():
        listed = [m["stateMachineArn"] for page in
                  sfn.get_paginator("list_state_machines").paginate()
                  for m in page["stateMachines"] if m["name"] == base]
        equal(f"{region} lists its own state machine", listed, [arns[region]])
    for region, sfn in clients.items():
        sfn.delete_state_machine(stateMachineArn=arns[region])


def known_server_bugs(sfn, history_events, token):
    """AWS behaviours sfn-local gets wrong today (see the report); last so the rest runs."""
    # SERVER BUG: roleArn is "" in executionStartedEventDetails; AWS gives the machine's role.
    equal("ExecutionStarted roleArn", history_events[0]["executionStartedEventDetails"].get("roleArn"), ROLE)
    # SERVER BUG: a closed task's token answers TaskDoesNotExist; AWS answers TaskTimedOut.
    expect_error("SendTaskSuccess on a closed task", "TaskTimedOut",
                 sfn.send_task_success, taskToken=token, output="{}")


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    endpoint = sys.argv[1]
    config = Config(retries={"max_attempts": 1, "mode": "standard"}, read_timeout=90,
                    connect_timeout=10)
    common = dict(endpoint_url=endpoint, region_name="us-east-1",
                  aws_access_key_id="AKIDSFNLOCALTESTS", aws_secret_access_key="secret")
    sfn = boto3.client("stepfunctions", config=config, **common)
    sync = boto3.client("stepfunctions", config=config.merge(Config(inject_host_prefix=False)),
                        **common)
    problems = []
    watch_responses(sfn, problems)
    watch_responses(sync, problems)
    try:
        sm = state_machines(sfn)
        executions(sfn, sm)
        events = execution_history(sfn)
        sync_executions(sfn, sync)
        _, token = callbacks(sfn)
        versions_and_aliases(sfn)
        test_state(sync)
        redrive(sfn)
        bad_input(sfn, sm)
        regions(common, config)
        check("every response matches the service model", not problems, "\n  ".join(problems))
        known_server_bugs(sfn, events, token)
    except CheckFailed as e:
        print(f"FAIL {e}", flush=True)
        return 1
    except ClientError as e:
        print(f"FAIL unexpected error from sfn-local: {e.response.get('Error')} "
              f"(operation {e.operation_name})", flush=True)
        return 1
    print("boto3 suite: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
