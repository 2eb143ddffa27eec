#!/usr/bin/env bash
# The AWS CLI against a running sfn-local: awscli_suite.sh ENDPOINT_URL
#
# Prints one line per check and exits non-zero at the first failure. Needs `aws` (v1 from PyPI
# or v2) and python3 (standard library, for comparing JSON) on PATH, and credentials and a
# region in the environment (any values: sfn-local checks no signature).
#
# StartSyncExecution and TestState: the CLI, like every SDK, sends them to `sync-<host>` (the
# model's host prefix), which does not resolve for 127.0.0.1. The CLI has no command-line
# option for it; the shared setting turns it off:
#   AWS_DISABLE_HOST_PREFIX_INJECTION=true            (environment), or
#   disable_host_prefix_injection = true              (in ~/.aws/config, under the profile)
# (botocore's shared setting; the pinned awscli 1.46.3 / botocore 1.44.5 honour both). This
# suite sets the variable for those two calls only.
#
# Checks marked SERVER BUG assert AWS's behaviour where sfn-local does not match it yet; they
# run last, so that everything else is checked first.
set -uo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 ENDPOINT_URL" >&2
    exit 2
fi
ENDPOINT="$1"
ROLE="arn:aws:iam::123456789012:role/sfn-local-tests"
SUFFIX="$(python3 -c 'import uuid; print(uuid.uuid4().hex[:8])')"
DEADLINE=30
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

PASS='{"StartAt":"P","States":{"P":{"Type":"Pass","Result":"done","ResultPath":"$.result","End":true}}}'
TWO_PASSES='{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","End":true}}}'
LONG_WAIT='{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":300,"End":true}}}'
FAILS='{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Boom","Cause":"on purpose"}}}'

ok() { echo "ok   $*"; }
fail() {
    echo "FAIL $*"
    exit 1
}

# sfn OP ARGS...: runs `aws stepfunctions`, its stdout in $OUT; a failure ends the suite.
sfn() {
    local op="$1"
    if ! OUT="$(aws --endpoint-url "$ENDPOINT" --output json stepfunctions "$@" 2>"$TMP/err")"; then
        fail "aws stepfunctions $op: $(cat "$TMP/err")"
    fi
}

# text OP ARGS... --query Q: like sfn, with text output (for one value).
text() {
    sfn "$@" --output text
}

# sfn_sync OP ARGS...: for the operations that carry the `sync-` host prefix.
sfn_sync() {
    AWS_DISABLE_HOST_PREFIX_INJECTION=true sfn "$@"
}

# expect_error LABEL CODE OP ARGS...: the call must fail with AWS error CODE.
expect_error() {
    local label="$1" code="$2"
    shift 2
    if aws --endpoint-url "$ENDPOINT" --output json stepfunctions "$@" >"$TMP/out" 2>"$TMP/err"; then
        fail "$label: expected $code, the call succeeded: $(cat "$TMP/out")"
    fi
    if ! grep -q "An error occurred ($code)" "$TMP/err"; then
        fail "$label: expected $code, got: $(cat "$TMP/err")"
    fi
    ok "$label  ($(tr -d '\n' <"$TMP/err" | sed 's/^.*operation: //' | cut -c1-160))"
}

# equal LABEL ACTUAL EXPECTED
equal() {
    if [ "$2" != "$3" ]; then
        fail "$1: expected '$3', got '$2'"
    fi
    ok "$1"
}

# json_equal LABEL ACTUAL_JSON EXPECTED_JSON: compares parsed JSON.
json_equal() {
    if ! python3 -c 'import json,sys; sys.exit(json.loads(sys.argv[1]) != json.loads(sys.argv[2]))' "$2" "$3" 2>/dev/null; then
        fail "$1: expected $3, got $2"
    fi
    ok "$1"
}

create() { # create BASE DEFINITION [more args]: ARN in $ARN
    local base="$1" def="$2"
    shift 2
    text create-state-machine --name "$base-$SUFFIX" --definition "$def" --role-arn "$ROLE" "$@" \
        --query stateMachineArn
    ARN="$OUT"
}

wait_closed() { # wait_closed EXECUTION_ARN: status in $STATUS
    local start=$SECONDS
    while :; do
        text describe-execution --execution-arn "$1" --query status
        STATUS="$OUT"
        [ "$STATUS" != "RUNNING" ] && return
        [ $((SECONDS - start)) -gt $DEADLINE ] && fail "$1 still RUNNING after $DEADLINE s"
        sleep 0.1
    done
}

# --- state machines -----------------------------------------------------------------------
create cli-pass "$PASS"
SM="$ARN"
equal "create-state-machine" "$SM" "arn:aws:states:us-east-1:123456789012:stateMachine:cli-pass-$SUFFIX"
expect_error "create-state-machine, same name, other definition" StateMachineAlreadyExists \
    create-state-machine --name "cli-pass-$SUFFIX" --definition "$TWO_PASSES" --role-arn "$ROLE"
sfn describe-state-machine --state-machine-arn "$SM" --query '[definition,type,status]'
json_equal "describe-state-machine" "$OUT" "$(python3 -c 'import json,sys; print(json.dumps([sys.argv[1],"STANDARD","ACTIVE"]))' "$PASS")"
text list-state-machines --query "length(stateMachines[?stateMachineArn=='$SM'])"
equal "list-state-machines" "$OUT" "1"
text update-state-machine --state-machine-arn "$SM" --definition "$TWO_PASSES" --query revisionId
text describe-state-machine --state-machine-arn "$SM" --query definition
equal "update-state-machine" "$OUT" "$TWO_PASSES"
sfn update-state-machine --state-machine-arn "$SM" --definition "$PASS"

sfn tag-resource --resource-arn "$SM" --tags key=team,value=core key=env,value=test
text list-tags-for-resource --resource-arn "$SM" --query 'sort_by(tags,&key)[].key'
equal "tag-resource + list-tags-for-resource" "$OUT" "$(printf 'env\tteam')"
sfn untag-resource --resource-arn "$SM" --tag-keys team
text list-tags-for-resource --resource-arn "$SM" --query 'tags[].key'
equal "untag-resource" "$OUT" "env"

text validate-state-machine-definition --definition "$PASS" --query result
equal "validate-state-machine-definition OK" "$OUT" "OK"
text validate-state-machine-definition \
    --definition '{"StartAt":"Nowhere","States":{"P":{"Type":"Pass","End":true}}}' \
    --query '[result, diagnostics[0].severity]'
equal "validate-state-machine-definition FAIL" "$OUT" "$(printf 'FAIL\tERROR')"

# --- executions ---------------------------------------------------------------------------
text start-execution --state-machine-arn "$SM" --name "run-$SUFFIX" --input '{"n":1}' --query executionArn
RUN="$OUT"
equal "start-execution --name" "$RUN" "arn:aws:states:us-east-1:123456789012:execution:cli-pass-$SUFFIX:run-$SUFFIX"
wait_closed "$RUN"
equal "describe-execution status" "$STATUS" "SUCCEEDED"
text describe-execution --execution-arn "$RUN" --query output
json_equal "describe-execution output" "$OUT" '{"n":1,"result":"done"}'
expect_error "start-execution reusing a closed execution's name" ExecutionAlreadyExists \
    start-execution --state-machine-arn "$SM" --name "run-$SUFFIX" --input '{"n":1}'

create cli-wait "$LONG_WAIT"
WAITS="$ARN"
text start-execution --state-machine-arn "$WAITS" --name long --input '{"a":1}' --query executionArn
LONG="$OUT"
text start-execution --state-machine-arn "$WAITS" --name long --input '{"a":1}' --query executionArn
equal "start-execution is idempotent while running" "$OUT" "$LONG"
expect_error "start-execution, same name, other input" ExecutionAlreadyExists \
    start-execution --state-machine-arn "$WAITS" --name long --input '{"a":2}'
text list-executions --state-machine-arn "$WAITS" --status-filter RUNNING --query 'executions[].executionArn'
equal "list-executions --status-filter RUNNING" "$OUT" "$LONG"
sfn stop-execution --execution-arn "$LONG" --error Operator.Stop --cause "by the CLI"
wait_closed "$LONG"
text describe-execution --execution-arn "$LONG" --query '[status,error,cause]'
equal "stop-execution -> ABORTED" "$OUT" "$(printf 'ABORTED\tOperator.Stop\tby the CLI')"
text get-execution-history --execution-arn "$LONG" --reverse-order --query 'events[0].type'
equal "ExecutionAborted event" "$OUT" "ExecutionAborted"

for _ in 1 2 3 4; do
    text start-execution --state-machine-arn "$SM" --query executionArn
    wait_closed "$OUT" # (wait_closed overwrites $OUT)
done
text list-executions --state-machine-arn "$SM" --max-results 2 --query '[length(executions), nextToken != null]'
equal "list-executions --max-results 2 (one page, nextToken)" "$OUT" "$(printf '2\tTrue')"
# The CLI follows nextToken itself with --page-size (text output: one line per page).
text list-executions --state-machine-arn "$SM" --page-size 2 --query 'executions[].executionArn'
equal "list-executions, all pages of 2" "$(echo "$OUT" | wc -w)" "5"

# --- history ------------------------------------------------------------------------------
create cli-history "$TWO_PASSES"
text start-execution --state-machine-arn "$ARN" --input '{"secret":1}' --query executionArn
HIST="$OUT"
wait_closed "$HIST"
text get-execution-history --execution-arn "$HIST" --query 'events[].type'
equal "get-execution-history" "$OUT" "$(printf 'ExecutionStarted\tPassStateEntered\tPassStateExited\tPassStateEntered\tPassStateExited\tExecutionSucceeded')"
text get-execution-history --execution-arn "$HIST" --reverse-order --query 'events[].id'
equal "get-execution-history --reverse-order" "$OUT" "$(printf '6\t5\t4\t3\t2\t1')"
text get-execution-history --execution-arn "$HIST" --max-results 4 --query nextToken
TOKEN="$OUT"
text get-execution-history --execution-arn "$HIST" --max-results 4 --next-token "$TOKEN" --query 'events[].id'
equal "get-execution-history --next-token" "$OUT" "$(printf '5\t6')"
text get-execution-history --execution-arn "$HIST" --no-include-execution-data \
    --query 'events[0].executionStartedEventDetails.input'
equal "get-execution-history --no-include-execution-data" "$OUT" "None"

# --- express, synchronously -----------------------------------------------------------------
create cli-express "$PASS" --type EXPRESS
EXPRESS="$ARN"
sfn_sync start-sync-execution --state-machine-arn "$EXPRESS" --input '{"x":true}' --output text --query '[status]'
equal "start-sync-execution (AWS_DISABLE_HOST_PREFIX_INJECTION=true)" "$OUT" "SUCCEEDED"
sfn_sync start-sync-execution --state-machine-arn "$EXPRESS" --input '{"x":true}' --output text --query output
json_equal "start-sync-execution output" "$OUT" '{"x":true,"result":"done"}'
AWS_DISABLE_HOST_PREFIX_INJECTION=true expect_error "start-sync-execution on STANDARD" \
    StateMachineTypeNotSupported start-sync-execution --state-machine-arn "$SM"

# --- activities and callbacks ---------------------------------------------------------------
text create-activity --name "cli-activity-$SUFFIX" --query activityArn
ACTIVITY="$OUT"
text describe-activity --activity-arn "$ACTIVITY" --query name
equal "create-activity + describe-activity" "$OUT" "cli-activity-$SUFFIX"
create cli-activity "{\"StartAt\":\"Work\",\"States\":{\"Work\":{\"Type\":\"Task\",\"Resource\":\"$ACTIVITY\",\"HeartbeatSeconds\":60,\"End\":true}}}"
WORKFLOW="$ARN"

next_task() { # next_task: polls until a task arrives; token in $TASK_TOKEN, input in $TASK_INPUT
    local start=$SECONDS
    while :; do
        sfn get-activity-task --activity-arn "$ACTIVITY" --worker-name cli-worker
        TASK_TOKEN="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get("taskToken",""))' "$OUT")"
        TASK_INPUT="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get("input",""))' "$OUT")"
        [ -n "$TASK_TOKEN" ] && return
        [ $((SECONDS - start)) -gt $DEADLINE ] && fail "no activity task in $DEADLINE s"
    done
}

text start-execution --state-machine-arn "$WORKFLOW" --input '{"job":7}' --query executionArn
JOB="$OUT"
next_task
json_equal "get-activity-task input" "$TASK_INPUT" '{"job":7}'
sfn send-task-heartbeat --task-token "$TASK_TOKEN"
ok "send-task-heartbeat"
sfn send-task-success --task-token "$TASK_TOKEN" --task-output '{"done":true}'
CLOSED_TOKEN="$TASK_TOKEN"
wait_closed "$JOB"
equal "send-task-success -> SUCCEEDED" "$STATUS" "SUCCEEDED"
text describe-execution --execution-arn "$JOB" --query output
json_equal "execution output is the task output" "$OUT" '{"done":true}'

text start-execution --state-machine-arn "$WORKFLOW" --input '{"job":8}' --query executionArn
JOB="$OUT"
next_task
sfn send-task-failure --task-token "$TASK_TOKEN" --error Worker.Crashed --cause "disk full"
wait_closed "$JOB"
text describe-execution --execution-arn "$JOB" --query '[status,error,cause]'
equal "send-task-failure -> FAILED" "$OUT" "$(printf 'FAILED\tWorker.Crashed\tdisk full')"
expect_error "send-task-success with a token never issued" InvalidToken \
    send-task-success --task-token not-a-token --task-output '{}'

# --- versions and aliases -------------------------------------------------------------------
create cli-versioned "$PASS" --publish --version-description first
VSM="$ARN"
V1="$VSM:1"
text list-state-machine-versions --state-machine-arn "$VSM" --query 'stateMachineVersions[].stateMachineVersionArn'
equal "create-state-machine --publish" "$OUT" "$V1"
text update-state-machine --state-machine-arn "$VSM" --definition "$TWO_PASSES" --query revisionId
REV="$OUT"
expect_error "publish-state-machine-version with a stale revision" ConflictException \
    publish-state-machine-version --state-machine-arn "$VSM" --revision-id 00000000-0000-0000-0000-000000000000
text publish-state-machine-version --state-machine-arn "$VSM" --revision-id "$REV" --query stateMachineVersionArn
V2="$OUT"
equal "publish-state-machine-version" "$V2" "$VSM:2"
text list-state-machine-versions --state-machine-arn "$VSM" --query 'stateMachineVersions[].stateMachineVersionArn'
equal "list-state-machine-versions, newest first" "$OUT" "$(printf '%s\t%s' "$V2" "$V1")"
text describe-state-machine --state-machine-arn "$V1" --query description
equal "describe-state-machine on a version" "$OUT" "first"
text start-execution --state-machine-arn "$V1" --query executionArn
ON_VERSION="$OUT"
wait_closed "$ON_VERSION"
text describe-execution --execution-arn "$ON_VERSION" --query '[status,stateMachineVersionArn]'
equal "start-execution on a version" "$OUT" "$(printf 'SUCCEEDED\t%s' "$V1")"

text create-state-machine-alias --name prod \
    --routing-configuration "[{\"stateMachineVersionArn\":\"$V1\",\"weight\":80},{\"stateMachineVersionArn\":\"$V2\",\"weight\":20}]" \
    --query stateMachineAliasArn
ALIAS="$OUT"
equal "create-state-machine-alias" "$ALIAS" "$VSM:prod"
text describe-state-machine-alias --state-machine-alias-arn "$ALIAS" --query 'routingConfiguration[].weight'
equal "describe-state-machine-alias" "$OUT" "$(printf '80\t20')"
text list-state-machine-aliases --state-machine-arn "$VSM" --query 'stateMachineAliases[].stateMachineAliasArn'
equal "list-state-machine-aliases" "$OUT" "$ALIAS"
sfn update-state-machine-alias --state-machine-alias-arn "$ALIAS" \
    --routing-configuration "[{\"stateMachineVersionArn\":\"$V2\",\"weight\":100}]"
text start-execution --state-machine-arn "$ALIAS" --query executionArn
ON_ALIAS="$OUT"
wait_closed "$ON_ALIAS"
text describe-execution --execution-arn "$ON_ALIAS" --query '[status,stateMachineAliasArn,stateMachineVersionArn]'
equal "update-state-machine-alias + start-execution on the alias" "$OUT" "$(printf 'SUCCEEDED\t%s\t%s' "$ALIAS" "$V2")"
expect_error "delete-state-machine-version referenced by an alias" ConflictException \
    delete-state-machine-version --state-machine-version-arn "$V2"
sfn delete-state-machine-alias --state-machine-alias-arn "$ALIAS"
expect_error "describe-state-machine-alias after delete" ResourceNotFound \
    describe-state-machine-alias --state-machine-alias-arn "$ALIAS"

# --- TestState ------------------------------------------------------------------------------
# Not implemented in every sfn-local build yet: any AWS-shaped answer is accepted, and shown.
if AWS_DISABLE_HOST_PREFIX_INJECTION=true aws --endpoint-url "$ENDPOINT" --output json stepfunctions test-state \
    --definition '{"Type":"Pass","Result":{"ok":true},"End":true}' --role-arn "$ROLE" --input '{}' \
    >"$TMP/out" 2>"$TMP/err"; then
    echo "     test-state answered: $(tr -d '\n' <"$TMP/out")"
    json_equal "test-state output" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("output","null"))' "$TMP/out")" '{"ok":true}'
else
    echo "     test-state answered: $(cat "$TMP/err")"
    grep -q "An error occurred (" "$TMP/err" || fail "test-state: not an AWS error: $(cat "$TMP/err")"
    ok "test-state error shape"
fi

# --- redrive --------------------------------------------------------------------------------
create cli-fails "$FAILS"
text start-execution --state-machine-arn "$ARN" --query executionArn
FAILED_RUN="$OUT"
wait_closed "$FAILED_RUN"
equal "Fail state -> FAILED" "$STATUS" "FAILED"
aws --endpoint-url "$ENDPOINT" --output json stepfunctions redrive-execution \
    --execution-arn "$FAILED_RUN" >"$TMP/out" 2>"$TMP/err" ||
    fail "redrive-execution on FAILED: $(cat "$TMP/err")"
grep -q redriveDate "$TMP/out" || fail "redrive-execution: no redriveDate: $(cat "$TMP/out")"
ok "redrive-execution on FAILED"
wait_closed "$FAILED_RUN"
equal "redriven execution fails again at its Fail state" "$STATUS" "FAILED"
expect_error "redrive-execution on SUCCEEDED" ExecutionNotRedrivable redrive-execution --execution-arn "$RUN"

# --- bad input ------------------------------------------------------------------------------
expect_error "InvalidArn" InvalidArn describe-state-machine --state-machine-arn not-an-arn
expect_error "InvalidName" InvalidName create-state-machine --name "has space" --definition "$PASS" --role-arn "$ROLE"
expect_error "InvalidDefinition" InvalidDefinition \
    create-state-machine --name "bad-def-$SUFFIX" --definition '{"StartAt":"X","States":{}}' --role-arn "$ROLE"
expect_error "StateMachineDoesNotExist" StateMachineDoesNotExist \
    describe-state-machine --state-machine-arn "arn:aws:states:us-east-1:123456789012:stateMachine:missing-$SUFFIX"
expect_error "ExecutionDoesNotExist" ExecutionDoesNotExist \
    describe-execution --execution-arn "arn:aws:states:us-east-1:123456789012:execution:missing:x"
expect_error "InvalidExecutionInput" InvalidExecutionInput \
    start-execution --state-machine-arn "$SM" --input '{ not json'
# Over 256 KiB: from a file, as one argument that long is over Linux's limit for one argument.
python3 -c 'import json; print(json.dumps({"a": "x" * (256 * 1024)}), end="")' >"$TMP/big.json"
expect_error "input over 256 KiB" ValidationException \
    start-execution --state-machine-arn "$SM" --input "file://$TMP/big.json"

# --- AWS behaviours sfn-local gets wrong today (see the report) ------------------------------
# SERVER BUG: roleArn is "" in executionStartedEventDetails; AWS gives the state machine's role.
text get-execution-history --execution-arn "$HIST" --query 'events[0].executionStartedEventDetails.roleArn'
equal "ExecutionStarted roleArn" "$OUT" "$ROLE"
# SERVER BUG: a closed task's token answers TaskDoesNotExist; AWS answers TaskTimedOut.
expect_error "send-task-success on a closed task" TaskTimedOut \
    send-task-success --task-token "$CLOSED_TOKEN" --task-output '{}'

echo "AWS CLI suite: all checks passed"
