#!/usr/bin/env python3
"""HTTP fuzzer for `sfn-local serve` (AWS JSON 1.0, the Step Functions API).

Standard library only. It starts the server itself (on 127.0.0.1 only, under a 4 GiB
address-space cap, stderr to a log file), creates a few real resources (state machines, a
version, an alias, an activity, executions, a task token, a map run), then sends a seeded,
reproducible stream of requests over all 37 operations: valid-looking bodies built from the
service model (service-model.json beside this file, a trimmed copy of botocore's), and
mutations of them (members dropped, wrong types, huge/empty/unicode strings, numbers out of
range, deep nesting, bad ARNs of every kind, hostile definitions and JSONata/intrinsic bombs,
whole-body and header mutations).

Every answer is checked: the process is alive, the status is 200 or 4xx, error bodies are
JSON objects with a string `__type` and `message`, the Content-Type is
application/x-amz-json-1.0, and the latency is under the stall timeout. A crash is recorded
under /tmp/fuzz-crashes/ (the request, its whole body, the server's stderr tail) and the
server is restarted.

    python3 fuzz/http/fuzz_api.py --requests 300 --seed 1          # short, deterministic
    python3 fuzz/http/fuzz_api.py --duration 600 --seed 7 --json   # a campaign
    python3 fuzz/http/fuzz_api.py --sweep --timeout 20              # each hostile item once, fresh server
    python3 fuzz/http/fuzz_api.py --replay /tmp/fuzz-crashes/<run>/<finding>/request.json

Exit code: 0 when nothing failed, 1 when there was a crash, a 5xx, a non-AWS-shaped answer,
a dropped connection or a panic in the server's log, 2 on a usage/setup error.
"""

import argparse
import base64
import http.client
import json
import os
import random
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_BINARY = os.path.join(HERE, "..", "..", "target", "release", "sfn-local")
CONTENT_TYPE = "application/x-amz-json-1.0"
REGION = "us-east-1"
ACCOUNT = "123456789012"
ROLE = "arn:aws:iam::%s:role/fuzz-role" % ACCOUNT
MEM_CAP = 4 << 30

# Errors AWS's JSON protocol front returns for any operation, besides the modeled ones.
COMMON_ERRORS = {
    "AccessDeniedException", "IncompleteSignature", "InternalFailure", "InvalidAction",
    "InvalidClientTokenId", "InvalidParameterCombination", "InvalidParameterValue",
    "InvalidQueryParameter", "MalformedQueryString", "MissingAction",
    "MissingAuthenticationToken", "MissingParameter", "NotAuthorized", "OptInRequired",
    "RequestExpired", "ServiceUnavailable", "ThrottlingException", "ValidationError",
    "SerializationException", "UnknownOperationException", "UnrecognizedClientException",
    "InvalidSignatureException", "RequestEntityTooLargeException", "ValidationException",
}
THROTTLE_ERRORS = {"ServiceUnavailable", "ThrottlingException", "InternalFailure"}


class Raw(str):
    """A JSON token written as is (deep nesting, -0, 1e400, NaN...)."""


def enc(v, ascii_only=True):
    """JSON text of v; Raw values go in verbatim. Our own trees are shallow."""
    if isinstance(v, Raw):
        return str(v)
    if isinstance(v, dict):
        return "{" + ",".join(json.dumps(k, ensure_ascii=ascii_only) + ":" + enc(x, ascii_only)
                              for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ",".join(enc(x, ascii_only) for x in v) + "]"
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=ascii_only)
    return json.dumps(v)


def dumps(v):
    return json.dumps(v, separators=(",", ":"))


def pct(values, p):
    if not values:
        return 0.0
    s = sorted(values)
    k = min(len(s) - 1, max(0, int(round(p / 100.0 * (len(s) - 1)))))
    return s[k]


# --------------------------------------------------------------------------------------------
# The server


class Server:
    def __init__(self, binary, log_path, data_dir=None, extra_args=()):
        self.src_binary = binary
        self.binary = "/tmp/sfn-local-fuzz-bin"
        self.log_path = log_path
        self.data_dir = data_dir
        self.extra_args = list(extra_args)
        self.proc = None
        self.port = None
        self.max_hwm_kb = 0
        self.starts = 0
        self.log_offset = 0
        self.help = ""

    def prepare(self):
        """Copies the binary (others rebuild target/release from time to time)."""
        tmp = self.binary + ".tmp"
        shutil.copy2(self.src_binary, tmp)
        os.replace(tmp, self.binary)
        try:
            self.help = subprocess.run([self.binary, "serve", "--help"], capture_output=True,
                                       text=True, timeout=20).stdout
        except Exception:  # noqa: BLE001
            self.help = ""

    def start(self):
        env = {k: v for k, v in os.environ.items()
               if not (k.startswith("SFN_") or k.startswith("AWS_") or k in (
                   "LAMBDA_ENDPOINT", "WAIT_TIME_SCALE", "RUST_LOG"))}
        env["RUST_BACKTRACE"] = "1"
        args = [self.binary, "serve", "--host", "127.0.0.1"]
        if self.data_dir:
            args += ["--data-dir", self.data_dir]
        else:
            args += ["--in-memory"]
        if "--activity-poll-seconds" in self.help:
            args += ["--activity-poll-seconds", "1"]
        args += self.extra_args

        def limit():
            resource.setrlimit(resource.RLIMIT_AS, (MEM_CAP, MEM_CAP))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            os.setsid()

        log = open(self.log_path, "ab")
        log.write(("\n===== fuzz_api: server start #%d %s =====\n"
                   % (self.starts + 1, time.strftime("%H:%M:%S"))).encode())
        log.flush()
        self.log_offset = log.tell()
        zero_port = True
        port_arg = ["--port", "0"]
        if "--port" not in self.help:
            zero_port = False
        if not zero_port:
            port_arg = ["--port", str(free_port())]
        self.proc = subprocess.Popen(args + port_arg, stdout=subprocess.PIPE, stderr=log,
                                     stdin=subprocess.DEVNULL, preexec_fn=limit, env=env)
        log.close()
        self.starts += 1
        deadline = time.time() + 30
        port = None
        # The server prints "sfn-local listening on http://127.0.0.1:PORT" once bound.
        os.set_blocking(self.proc.stdout.fileno(), False)
        buf = b""
        while time.time() < deadline and port is None:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited at start with %s; see %s"
                                   % (self.proc.returncode, self.log_path))
            try:
                chunk = self.proc.stdout.read()
            except (BlockingIOError, TypeError):
                chunk = None
            if chunk:
                buf += chunk
                m = re.search(rb"listening on http://[^:]+:(\d+)", buf)
                if m:
                    port = int(m.group(1))
                    break
            if not zero_port:
                p = int(port_arg[1])
                try:
                    socket.create_connection(("127.0.0.1", p), timeout=0.5).close()
                    port = p
                    break
                except OSError:
                    pass
            time.sleep(0.02)
        if port is None:
            self.stop()
            raise RuntimeError("server did not start listening in 30 s; see %s" % self.log_path)
        self.port = port

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def sample_memory(self):
        if not self.alive():
            return
        try:
            with open("/proc/%d/status" % self.proc.pid) as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        self.max_hwm_kb = max(self.max_hwm_kb, int(line.split()[1]))
        except OSError:
            pass

    def new_log(self):
        """New stderr text since the last call."""
        try:
            with open(self.log_path, "rb") as f:
                f.seek(self.log_offset)
                data = f.read()
                self.log_offset = f.tell()
            return data.decode("utf-8", "replace")
        except OSError:
            return ""

    def log_tail(self, n=6000):
        try:
            with open(self.log_path, "rb") as f:
                f.seek(0, 2)
                size = f.tell()
                f.seek(max(0, size - n))
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def exit_description(self):
        rc = self.proc.returncode if self.proc else None
        if rc is None:
            return "running"
        if rc < 0:
            try:
                return "killed by %s" % signal.Signals(-rc).name
            except ValueError:
                return "killed by signal %d" % -rc
        return "exit code %d" % rc

    def stop(self):
        if self.proc is None:
            return
        self.sample_memory()
        if self.proc.poll() is None:
            try:
                self.proc.terminate()
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        try:
            self.proc.stdout.close()
        except Exception:  # noqa: BLE001
            pass


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


# --------------------------------------------------------------------------------------------
# Requests and answers


class Req:
    def __init__(self, op, body=b"", label="valid", method="POST", path="/", headers=None,
                 target=None, content_type=CONTENT_TYPE, framing=False, chunked=None,
                 shutdown_write=False, timeout=None):
        self.op = op
        self.body = body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass")
        self.label = label
        self.method = method
        self.path = path
        self.target = ("AWSStepFunctions." + op) if target is None else target
        self.content_type = content_type
        self.extra_headers = headers or []
        self.framing = framing          # deliberately broken HTTP framing
        self.chunked = chunked          # list of raw chunk byte strings (already framed)
        self.shutdown_write = shutdown_write
        self.timeout = timeout
        self.headers_override = None    # full header list (for header mutations)

    def header_list(self, port):
        if self.headers_override is not None:
            return [(k, v.replace("{port}", str(port)) if isinstance(v, str) else v)
                    for k, v in self.headers_override]
        h = [("Host", "127.0.0.1:%d" % port)]
        if self.target is not False:
            h.append(("X-Amz-Target", self.target))
        if self.content_type is not None:
            h.append(("Content-Type", self.content_type))
        h += self.extra_headers
        names = {k.lower() for k, _ in h}
        if self.chunked is not None:
            if "transfer-encoding" not in names:
                h.append(("Transfer-Encoding", "chunked"))
        elif "content-length" not in names:
            h.append(("Content-Length", str(len(self.body))))
        return h

    def describe(self, port=0):
        return {
            "operation": self.op,
            "mutation": self.label,
            "method": self.method,
            "path": self.path,
            "headers": [[k, v if isinstance(v, str) else repr(v)] for k, v in self.header_list(port)],
            "body_len": len(self.body),
            "body_head": self.body[:2048].decode("utf-8", "backslashreplace"),
            "chunked": None if self.chunked is None else [c[:200].decode("latin-1") for c in self.chunked[:5]],
            "shutdown_write": self.shutdown_write,
        }


class Answer:
    def __init__(self):
        self.status = None
        self.headers = {}
        self.body = b""
        self.error = None        # "timeout" | "dropped: ..." | "refused: ..."
        self.latency = 0.0
        self.json = None


def send(port, req, timeout):
    a = Answer()
    t0 = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=req.timeout or timeout)
    send_error = None
    try:
        conn.putrequest(req.method, req.path, skip_host=True, skip_accept_encoding=True)
        for k, v in req.header_list(port):
            conn.putheader(k, v)
        try:
            conn.endheaders()
            if req.chunked is not None:
                for c in req.chunked:
                    conn.send(c)
            elif req.body:
                conn.send(req.body)
            if req.shutdown_write:
                conn.sock.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError) as e:
            # The server may have answered early (a body over its limit): read what it sent.
            send_error = e
        if send_error is not None and conn.sock is None:
            raise send_error
        r = conn.getresponse()
        a.status = r.status
        a.headers = {k.lower(): v for k, v in r.getheaders()}
        a.body = r.read() if req.method != "HEAD" else b""
    except socket.timeout:
        a.error = "timeout"
    except ConnectionRefusedError as e:
        a.error = "refused: %s" % e
    except (http.client.HTTPException, OSError) as e:
        if a.status is not None:
            a.error = "body cut: %s: %s" % (type(e).__name__, e)
        else:
            a.error = "dropped: %s: %s%s" % (type(e).__name__, e,
                                             " (while sending: %s)" % send_error if send_error else "")
    finally:
        a.latency = time.monotonic() - t0
        try:
            conn.close()
        except Exception:  # noqa: BLE001
            pass
    if a.body:
        try:
            a.json = json.loads(a.body)
        except ValueError:
            a.json = None
    return a


# --------------------------------------------------------------------------------------------
# Definitions: small valid ones, and hostile ones


def machine(states, start=None, ql=None, extra=None):
    d = {}
    if ql:
        d["QueryLanguage"] = ql
    d["StartAt"] = start or next(iter(states))
    d["States"] = states
    if extra:
        d.update(extra)
    return dumps(d)


DEF_PASS = machine({"P": {"Type": "Pass", "Result": {"ok": True}, "Next": "S"},
                    "S": {"Type": "Succeed"}})
DEF_JSONATA = machine({"P": {"Type": "Pass", "Output": "{% {'n': $count([1,2,3]), 'in': $states.input} %}",
                             "End": True}}, ql="JSONata")
DEF_WAIT = machine({"W": {"Type": "Wait", "Seconds": 3600, "End": True}})
DEF_FAIL = machine({"F": {"Type": "Fail", "Error": "Fuzz.Error", "Cause": "on purpose"}})
DEF_MAP = machine({"M": {"Type": "Map", "ItemsPath": "$.items",
                         "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                                           "StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}},
                         "Label": "fuzzmap", "End": True}})
DEF_CHOICE = machine({"C": {"Type": "Choice", "Choices": [
    {"Variable": "$.x", "NumericGreaterThan": 1, "Next": "A"}], "Default": "B"},
    "A": {"Type": "Succeed"}, "B": {"Type": "Fail", "Error": "E"}})
DEF_PARALLEL = machine({"P": {"Type": "Parallel", "Branches": [
    {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}},
    {"StartAt": "B", "States": {"B": {"Type": "Pass", "Result": 2, "End": True}}}], "End": True}})
DEF_INTRINSICS = machine({"P": {"Type": "Pass", "Parameters": {
    "u.$": "States.UUID()", "r.$": "States.ArrayRange(1, 5, 1)", "f.$": "States.Format('x{}', $.a)"},
    "End": True}})
DEF_VARS = machine({"P": {"Type": "Pass", "Assign": {"v": "{% $states.input %}"}, "Next": "Q"},
                    "Q": {"Type": "Pass", "Output": "{% $v %}", "End": True}}, ql="JSONata")


def def_activity(activity_arn):
    return machine({"T": {"Type": "Task", "Resource": activity_arn, "TimeoutSeconds": 3600, "End": True}})


VALID_DEFS = [DEF_PASS, DEF_JSONATA, DEF_WAIT, DEF_FAIL, DEF_CHOICE, DEF_PARALLEL, DEF_INTRINSICS, DEF_VARS]

VALID_STATES = [
    {"Type": "Pass", "End": True},
    {"Type": "Pass", "Result": {"a": 1}, "ResultPath": "$.r", "End": True},
    {"Type": "Pass", "QueryLanguage": "JSONata", "Output": "{% $states.input %}", "End": True},
    {"Type": "Choice", "Choices": [{"Variable": "$.x", "NumericEquals": 1, "Next": "A"}], "Default": "B"},
    {"Type": "Wait", "Seconds": 5, "End": True},
    {"Type": "Fail", "Error": "E", "Cause": "C"},
    {"Type": "Succeed"},
    {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
     "Parameters": {"FunctionName": "f", "Payload.$": "$"}, "End": True},
    {"Type": "Map", "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}},
     "End": True},
    {"Type": "Parallel", "Branches": [{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}],
     "End": True},
]


def nest_text(depth, kind):
    if kind == "array":
        return "[" * depth + "]" * depth
    if kind == "object":
        return '{"a":' * depth + "1" + "}" * depth
    return '{"a":[' * (depth // 2) + "1" + "]}" * (depth // 2)


def jsonata_pass(expr, ql_machine=True):
    st = {"Type": "Pass", "Output": "{% " + expr + " %}", "End": True}
    if not ql_machine:
        st["QueryLanguage"] = "JSONata"
    return st


JSONATA_BOMBS = [
    "[1..100000000]",
    "$count([1..100000000])",
    "$count([1..10000000])",
    "$sum([1..10000000])",
    "(function($f){$f($f)})(function($f){$f($f)})",
    "($f := function($x){$f($x+1)}; $f(0))",
    "($f := function($x){ $x > 0 ? 1 + $f($x - 1) : 0 }; $f(1000000))",
    "$reduce([1..40], function($acc, $v){ $acc & $acc }, 'x')",
    "$reduce([1..64], function($acc, $v){ $append($acc, $acc) }, [1])",
    "(" * 5000 + "1" + ")" * 5000,
    "[" * 5000 + "1" + "]" * 5000,
    "{'a':" * 3000 + "1" + "}" * 3000,
    "-" * 10000 + "1",
    "1" + "+1" * 50000,
    "$" + ".a" * 5000,
    "$pad('x', 1000000000)",
    "$pad('x', -1000000000)",
    "$pad('x', 9007199254740993, 'ab')",
    "$substring('abc', 9007199254740991, 9007199254740991)",
    "$substring('\U0001F600\U0001F600', 1, 1)",
    "$substring('\u00e9\u00e9', -1)",
    "$join($map([1..1000000], function($v){$string($v)}), '')",
    "$sort([1..200000], function($a,$b){$a<$b})",
    "$formatNumber(1e308, '#,##0.00')",
    "$formatNumber(1, '#' & $join($map([1..100000], function($v){'0'}), ''))",
    "$formatBase(9007199254740993, 36)",
    "$formatBase(10, 1)",
    "$formatInteger(1e21, 'w')",
    "$formatInteger(123, '" + "#" * 10000 + "0')",
    "$power(10, 1000)",
    "$power(-8, 1/3)",
    "1/0",
    "$sqrt(-1)",
    "$fromMillis(8.64e15 + 1)",
    "$fromMillis(1e300, '[Y]')",
    "$fromMillis(-1e300)",
    "$toMillis('99999-01-01T00:00:00Z')",
    "$toMillis('2020-13-45T99:99:99Z', '[Y]-[M]-[D]')",
    "$now('[Y' & $join($map([1..100000], function($v){'0'}), '') & ']')",
    "$match($join($map([1..20000], function($v){'a'}), '') & '!', /(a+)+$/)",
    "$replace('abc', /(?:)/, 'x')",
    "$split('abc', /(?:)/)",
    "$match('x', /a{1000000}/)",
    "$match('x', /" + "(" * 1000 + "a" + ")" * 1000 + "/)",
    "$match('x', /(/)",
    "$contains('\U0001F600', '')",
    "$split('a\U0001F600b', '')",
    "$uppercase('\u00df\ufb03\u0130')",
    "$length('\U0001F600')",
    "$pad('\U0001F600', 5, '\U0001F600')",
    "'\\ud800'",
    "$encodeUrl('\\ud800')",
    "$encodeUrlComponent('\\udc00x')",
    "$decodeUrl('%')",
    "$decodeUrlComponent('%E0%A4%A')",
    "$base64decode('%%%%')",
    "$base64decode('\\u0000')",
    "$number('1e400')",
    "$number('-0')",
    "$abs(-9223372036854775808)",
    "$floor(1e308)",
    "$round(1.5e308, 10)",
    "$round(2.5, 400)",
    "$round(2.5, -400)",
    "$string(1e-7)",
    "$average([])",
    "$max([])",
    "$error()",
    "$error('boom')",
    "$assert(false, 'x')",
    "$eval('[1..100000000]')",
    "$eval($join($map([1..3000], function($v){'('}), '') & '1' & $join($map([1..3000], function($v){')'}), ''))",
    "$zip([1..5000000], [1..5000000])",
    "$distinct([1..1000000])",
    "$single([1..1000000], function($v){$v=5})",
    "$lookup($states.input, '" + "a" * 100000 + "')",
    "$partition([1,2,3], 0)",
    "$partition([1..100], -1)",
    "$partition([1..100], 1.5)",
    "$range(0, 100000000, 1)",
    "$range(0, 10, 0)",
    "$range(10, 0, 1)",
    "$range(0, 9007199254740993, 9007199254740990)",
    "$hash('x', 'NOPE')",
    "$hash($join($map([1..2000000], function($v){'a'}), ''), 'SHA-512')",
    "$random(-1)",
    "$uuid(1)",
    "$parse('" + "[" * 10000 + "')",
    "$parse($join($map([1..10000], function($v){'['}), '') & $join($map([1..10000], function($v){']'}), ''))",
    "$string($parse($join($map([1..100000], function($v){'['}), '') & $join($map([1..100000], function($v){']'}), '')))",
    "$states.context.Execution.Input",
    "$states.result",
    "$states.errorOutput",
    "$sift($states.input, function($v,$k,$o){$o})",
    "$each($states.input, function($v,$k){$k})",
    "$spread($states.input)",
    "$merge([1..1000000].{'k': $string($)})",
    "[1..1000][[1..1000]]",
    "[1..2000].[1..2000]",
    "$states.input" + ".*" * 50,
    "$states.input" + "**" * 20,
]

INTRINSIC_BOMBS = [
    "States.ArrayRange(1, 100000000, 1)",
    "States.ArrayRange(1, 10, 0)",
    "States.ArrayRange(10, 1, 1)",
    "States.ArrayRange(1, 2147483648, 1)",
    "States.ArrayRange(-9223372036854775808, 9223372036854775807, 1)",
    "States.ArrayRange(1, 1e308, 1)",
    "States.ArrayPartition(States.Array(1,2,3), 0)",
    "States.ArrayPartition(States.Array(1,2,3), -1)",
    "States.ArrayPartition(States.Array(1,2,3), 9223372036854775807)",
    "States.MathRandom(10, 1)",
    "States.MathRandom(-9223372036854775808, 9223372036854775807)",
    "States.MathRandom(1, 1)",
    "States.MathRandom(1, 2, -1)",
    "States.MathAdd(2147483647, 1)",
    "States.MathAdd(9223372036854775807, 1)",
    "States.MathAdd(-9223372036854775808, -1)",
    "States.MathAdd(1.5, 1)",
    "States.MathAdd(1e308, 1e308)",
    "States.StringSplit($.s, '')",
    "States.StringSplit('', '')",
    "States.StringSplit('\U0001F600\U0001F600', '\U0001F600')",
    "States.Format('{}{}{}', 1)",
    "States.Format('\\\\{}', 1)",
    "States.Format('" + "{}" * 10000 + "', 1)",
    "States.Format('{}', " + ",".join(["1"] * 20000) + ")",
    "States.Base64Decode('%%%')",
    "States.Base64Decode('" + "A" * 5 + "')",
    "States.Base64Encode($.s)",
    "States.Hash('x', 'SHA-999')",
    "States.Hash($.s, 'MD5')",
    "States.Hash('\U0001F600', 'SHA-256')",
    "States.StringToJson($.deep)",
    "States.StringToJson('[[[[')",
    "States.StringToJson('1e400')",
    "States.JsonMerge($.a, $.b, true)",
    "States.JsonMerge($.deepobj, $.deepobj, false)",
    "States.ArrayGetItem(States.Array(1), -1)",
    "States.ArrayGetItem(States.Array(1), 99999999999)",
    "States.ArrayGetItem(States.Array(1), 9223372036854775808)",
    "States.ArrayGetItem(States.Array(1), 1.5)",
    "States.ArrayLength(1)",
    "States.ArrayContains(1, 1)",
    "States.ArrayUnique($.big)",
    "States.ArrayLength(" * 3000 + "States.Array()" + ")" * 3000,
    "States.MathAdd(" * 3000 + "1, 1" + ")" * 3000,
    "States.Array(" + ",".join(["1"] * 100000) + ")",
    "States.UUID(1)",
    "States.Format('{}', States.UUID())",
    "States.JsonToString($)",
    "States.StringToJson(States.JsonToString($))",
    "States.Format('\\u0000{}', '\\ud800')",
]

JSONPATH_BOMBS = [
    "$..*", "$..*..*..*..*", "$[::0]", "$.a[::0]", "$.a[0:9223372036854775807]",
    "$.a[-9223372036854775808]", "$.a[9223372036854775808]", "$.a[-1:-9223372036854775808:-1]",
    "$[?(@.a)]", "$.a[?(@ > 1)]", "$.a[?(@.x =~ /(a+)+$/)]", "$['" + "a" * 100000 + "']",
    "$" + ".a" * 5000, "$[", "$.", "$..", "$.a[*][*][*][*][*]", "$.a[" + ",".join(["0"] * 10000) + "]",
    "$.a[?(@.length > 1)]", "$.big[?(@ == $.big[0])]", "$.\U0001F600", "$['\\ud800']",
]

BIG_INPUT = {"s": "a" * 40, "a": {"x": [1, 2]}, "b": {"x": [3]}, "big": list(range(1000)),
             "deep": nest_text(10000, "array")}


def hostile_machine(rng):
    """(label, definition text, input text, runnable): a hostile machine definition."""
    k = rng.randrange(20)
    inp = dumps(BIG_INPUT)
    if k == 0:
        d = rng.choice([100, 1000, 10000])
        kind = rng.choice(["array", "object", "mixed"])
        text = '{"StartAt":"P","States":{"P":{"Type":"Pass","Result":%s,"End":true}}}' % nest_text(d, kind)
        return "def-deep-result-%d-%s" % (d, kind), text, inp, True
    if k == 1:
        d = rng.choice([50, 200, 1000, 3000])
        inner = '{"StartAt":"L","States":{"L":{"Type":"Pass","End":true}}}'
        for _ in range(d):
            inner = '{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[%s],"End":true}}}' % inner
        return "def-deep-parallel-%d" % d, inner, inp, True
    if k == 2:
        d = rng.choice([50, 200, 1000, 3000])
        inner = '{"StartAt":"L","States":{"L":{"Type":"Pass","End":true}}}'
        for _ in range(d):
            inner = '{"StartAt":"M","States":{"M":{"Type":"Map","ItemProcessor":%s,"End":true}}}' % inner
        return "def-deep-map-%d" % d, inner, dumps([1, 2]), True
    if k == 3:
        n = rng.choice([1000, 10000])
        states = ",".join('"S%d":{"Type":"Pass","Next":"S%d"}' % (i, i + 1) for i in range(n - 1))
        text = '{"StartAt":"S0","States":{%s,"S%d":{"Type":"Pass","End":true}}}' % (states, n - 1)
        return "def-chain-%d" % n, text, "{}", True
    if k == 4:
        n = 10000
        states = ",".join('"S%d":{"Type":"Pass","Next":"S%d"}' % (i, (i + 1) % n) for i in range(n))
        return "def-cycle-%d" % n, '{"StartAt":"S0","States":{%s}}' % states, "{}", True
    if k in (5, 6, 7):
        e = rng.choice(JSONATA_BOMBS)
        st = jsonata_pass(e)
        return "def-jsonata-bomb", dumps({"QueryLanguage": "JSONata", "StartAt": "P", "States": {"P": st}}), inp, True
    if k in (8, 9):
        e = rng.choice(INTRINSIC_BOMBS)
        st = {"Type": "Pass", "Parameters": {"r.$": e}, "End": True}
        return "def-intrinsic-bomb", dumps({"StartAt": "P", "States": {"P": st}}), inp, True
    if k == 10:
        p = rng.choice(JSONPATH_BOMBS)
        field = rng.choice(["InputPath", "OutputPath", "ResultPath", "ItemsPath", "Parameters"])
        if field == "Parameters":
            st = {"Type": "Pass", "Parameters": {"r.$": p}, "End": True}
        elif field == "ItemsPath":
            st = {"Type": "Map", "ItemsPath": p, "ItemProcessor": {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}, "End": True}
        else:
            st = {"Type": "Pass", field: p, "End": True}
        return "def-jsonpath-bomb-" + field, dumps({"StartAt": "P", "States": {"P": st}}), inp, True
    if k == 11:
        pat = rng.choice(["*a" * 30 + "b", "*" * 1000 + "b", "\\" * 1001, "*\\*" * 500, "\U0001F600*\U0001F600"])
        st = {"Type": "Choice", "Choices": [{"Variable": "$.s", "StringMatches": pat, "Next": "A"}], "Default": "A"}
        return "def-choice-stringmatches", dumps({"StartAt": "C", "States": {"C": st, "A": {"Type": "Succeed"}}}), \
            dumps({"s": "a" * rng.choice([40, 5000])}), True
    if k == 12:
        v = rng.choice([Raw("9223372036854775807"), Raw("9223372036854775808"), Raw("1e308"), -1, Raw("-0"),
                        Raw("1.5"), 99999999999])
        f = rng.choice(["Seconds", "Timestamp", "SecondsPath", "TimestampPath"])
        if f == "Timestamp":
            v = rng.choice(["+275760-09-13T00:00:00Z", "0000-00-00T00:00:00Z", "9999-12-31T23:59:59.999999999Z",
                            "-9999-01-01T00:00:00Z", "2020-02-30T00:00:00Z", ""])
        if f.endswith("Path"):
            st = {"Type": "Wait", f: "$.v", "End": True}
            inp = enc({"v": v})
        else:
            st = {"Type": "Wait", f: v, "End": True}
        return "def-wait-" + f, enc({"StartAt": "W", "States": {"W": st}}), inp, True
    if k == 13:
        retry = {"ErrorEquals": ["States.ALL"],
                 "IntervalSeconds": rng.choice([1, 99999999, Raw("2147483647")]),
                 "MaxAttempts": rng.choice([3, 99999999, Raw("2147483647")]),
                 "BackoffRate": rng.choice([Raw("1e308"), Raw("1.0"), 99999999, Raw("1.7976931348623157e308")])}
        if rng.random() < 0.5:
            retry["MaxDelaySeconds"] = rng.choice([1, 31622400, Raw("2147483647")])
            retry["JitterStrategy"] = "FULL"
        st = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
              "Parameters": {"FunctionName": "no-such-function"}, "Retry": [retry], "End": True}
        return "def-retry-overflow", enc({"StartAt": "T", "States": {"T": st}}), "{}", True
    if k == 14:
        f = rng.choice(["TimeoutSeconds", "HeartbeatSeconds"])
        v = rng.choice([Raw("9223372036854775807"), Raw("99999999999"), 0, -1, Raw("1e308"), Raw("2147483647")])
        st = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
              "Parameters": {"FunctionName": "f"}, f: v, "End": True}
        top = {"StartAt": "T", "States": {"T": st}}
        if rng.random() < 0.5:
            top["TimeoutSeconds"] = v
        return "def-timeout-" + f, enc(top), "{}", True
    if k == 15:
        levels = rng.choice([2, 3])
        inner = {"StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}
        for _ in range(levels):
            inner = {"StartAt": "M", "States": {"M": {
                "Type": "Map", "ItemsPath": "$.r", "MaxConcurrency": 0,
                "ItemSelector": {"r.$": "States.ArrayRange(1, 1000, 1)"},
                "ItemProcessor": inner, "End": True}}}
        inner["States"]["M"]["ItemsPath"] = "$.r"
        return "def-map-bomb-%d" % levels, dumps(inner), dumps({"r": list(range(1000))}), True
    if k == 16:
        n = rng.choice([1000, 5000])
        br = [{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": True}}}] * n
        return "def-parallel-%d" % n, dumps({"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": br, "End": True}}}), "{}", True
    if k == 17:
        st = {"Type": "Map", "ItemReader": {"Resource": "arn:aws:states:::s3:getObject",
                                            "ReaderConfig": {"InputType": rng.choice(["JSON", "CSV", "JSONL", "MANIFEST", "X"]),
                                                             "MaxItems": rng.choice([0, -1, Raw("1e308"), 100000000])},
                                            "Parameters": {"Bucket": "no-such-bucket", "Key": "k"}},
              "ItemBatcher": {"MaxItemsPerBatch": rng.choice([0, -1, Raw("9223372036854775808")])},
              "MaxConcurrency": rng.choice([0, Raw("2147483648"), -1]),
              "ToleratedFailurePercentage": rng.choice([Raw("1e308"), -1, 101, Raw("-0")]),
              "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                                "StartAt": "I", "States": {"I": {"Type": "Pass", "End": True}}}, "End": True}
        return "def-distributed-map-bounds", enc({"StartAt": "M", "States": {"M": st}}), "{}", True
    if k == 18:
        names = [rng.choice(["", "a" * 81, "a" * 100000, "\ud800", "\u0000", "\u202e", "\U0001F600" * 30, "$", "."])]
        nm = names[0]
        text = enc({"StartAt": nm, "States": {nm: {"Type": "Pass", "End": True}}})
        return "def-weird-state-name", text, "{}", True
    # k == 19: textual oddities
    variants = [
        ("def-dup-keys", '{"StartAt":"P","StartAt":"Q","States":{"P":{"Type":"Pass","End":true},"P":{"Type":"Fail"}}}'),
        ("def-not-json", "StartAt: P\nStates: {}"),
        ("def-truncated", DEF_PASS[: len(DEF_PASS) // 2]),
        ("def-array", "[]"),
        ("def-null", "null"),
        ("def-bom", "\ufeff" + DEF_PASS),
        ("def-trailing", DEF_PASS + "}}}"),
        ("def-comment", "/*x*/" + DEF_PASS),
        ("def-nan", '{"StartAt":"P","States":{"P":{"Type":"Pass","Result":NaN,"End":true}}}'),
        ("def-huge-number", '{"StartAt":"P","States":{"P":{"Type":"Pass","Result":1%s,"End":true}}}' % ("0" * 100000)),
        ("def-1e400", '{"StartAt":"P","States":{"P":{"Type":"Pass","Result":1e400,"End":true}}}'),
        ("def-many-states", enc({"StartAt": "S0", "States": {("S%d" % i): {"Type": "Succeed"} for i in range(20000)}})),
        ("def-nul", '{"StartAt":"P\\u0000","States":{"P\\u0000":{"Type":"Pass","End":true}}}'),
        ("def-surrogate", '{"StartAt":"P","Comment":"\\ud800","States":{"P":{"Type":"Pass","End":true}}}'),
        ("def-1mb", '{"StartAt":"P","Comment":"%s","States":{"P":{"Type":"Pass","End":true}}}' % ("x" * 1048500)),
        ("def-over-1mb-multibyte", '{"StartAt":"P","Comment":"%s","States":{"P":{"Type":"Pass","End":true}}}' % ("\u00e9" * 524300)),
    ]
    lab, text = rng.choice(variants)
    return lab, text, "{}", lab not in ("def-not-json", "def-truncated", "def-array", "def-null")


def hostile_state(rng):
    """(label, state definition text, input text) for TestState."""
    k = rng.randrange(8)
    inp = dumps(BIG_INPUT)
    if k in (0, 1, 2):
        e = rng.choice(JSONATA_BOMBS)
        return "state-jsonata-bomb", dumps(jsonata_pass(e, ql_machine=False)), inp
    if k in (3, 4):
        e = rng.choice(INTRINSIC_BOMBS)
        return "state-intrinsic-bomb", dumps({"Type": "Pass", "Parameters": {"r.$": e}, "End": True}), inp
    if k == 5:
        p = rng.choice(JSONPATH_BOMBS)
        return "state-jsonpath-bomb", dumps({"Type": "Pass", "InputPath": p, "End": True}), inp
    if k == 6:
        lab, text, inp2, _ = hostile_machine(rng)
        try:
            d = json.loads(text)
            st = d["States"][d["StartAt"]]
            return "state-from-" + lab, dumps(st), inp2
        except Exception:  # noqa: BLE001
            return "state-" + lab, text, inp2
    d = rng.choice([1000, 10000])
    return "state-deep-%d" % d, '{"Type":"Pass","Result":%s,"End":true}' % nest_text(d, "mixed"), inp


# --------------------------------------------------------------------------------------------
# Strings, numbers, ARNs


UNICODE = [
    "\ud800", "\udc00", "\ud800\ud800", "\udbff\udfff", "\u0000", "a\u0000b", "\u202eevil", "\u200f\u200e",
    "\U0001F600", "\U0001F468\u200d\U0001F469\u200d\U0001F467", "\ufeff", "\uffff", "\ufffe", "e\u0301" * 500,
    "\u0130", "\u00df" * 100, "\ufb03", "\u2028\u2029", "\x7f\x1b[31m", "\u0085", "\U0010ffff",
    "\u00e9" * 40, "\u00e9" * 41, "a" + "\u00e9" * 40, "\u00e9" * 128, "a" + "\u00e9" * 128,
    "\U0001F600" * 64, "a" + "\U0001F600" * 64, "%00", "%s%s%n", "{}", "${jndi:x}", "'\"\\",
    "\u0000" * 100, " ", "\t\n\r",
]


def boundary_string(rng):
    """Strings whose byte and char lengths straddle the usual limits."""
    limit = rng.choice([80, 128, 256, 1024, 2000, 2048, 3096, 32768, 262144])
    ch = rng.choice(["a", "\u00e9", "\u20ac", "\U0001F600"])
    n = limit + rng.choice([-1, 0, 1]) if ch == "a" else (limit // len(ch.encode())) + rng.choice([-1, 0, 1])
    pad = rng.choice(["", "a"])
    return pad + ch * max(0, n)


def huge_string(rng):
    n = rng.choice([65536, 300000, 1 << 20, (1 << 20) + 1, 3 << 20])
    return rng.choice(["a", "\u00e9", "\\", '"', "\U0001F600", "{"]) * (n // 4 if rng.random() < 0.2 else n)


BAD_NUMBERS = [-1, 0, Raw("-0"), Raw("-0.0"), Raw("1e308"), Raw("-1e308"), Raw("1e309"), Raw("9223372036854775807"),
               Raw("9223372036854775808"), Raw("18446744073709551616"), Raw("-9223372036854775809"),
               Raw("1.5"), Raw("1e-400"), Raw("1" + "0" * 400), Raw("2147483648"), Raw("-2147483649"),
               Raw("NaN"), Raw("Infinity"), Raw("-Infinity"), Raw("1E2"), Raw("0x10"), Raw("01"),
               Raw("4294967296"), 100, 1000, 1001, 101, Raw("100.0"), Raw("1.0e2")]


def arn(kind, name="x", extra=""):
    return "arn:aws:states:%s:%s:%s:%s%s" % (REGION, ACCOUNT, kind, name, extra)


def bad_arn(rng, pool):
    base = rng.choice([
        pool.pick(rng, "sm") or arn("stateMachine", "m"),
        pool.pick(rng, "version") or arn("stateMachine", "m", ":1"),
        pool.pick(rng, "alias") or arn("stateMachine", "m", ":live"),
        pool.pick(rng, "execution") or arn("execution", "m", ":e"),
        pool.pick(rng, "activity") or arn("activity", "a"),
        pool.pick(rng, "mapRun") or arn("mapRun", "m/label", ":00000000-0000-0000-0000-000000000000"),
        arn("express", "m", ":e:f"),
        arn("stateMachine", "m/label"),
        ROLE,
    ])
    parts = base.split(":")
    k = rng.randrange(34)
    if k == 0:
        parts[1] = rng.choice(["aws-cn", "", "x" * 300, "AWS"])
    elif k == 1:
        parts[2] = rng.choice(["lambda", "", "STATES", "states "])
    elif k == 2:
        parts[3] = rng.choice(["", "us-east-1\u0000", "eu-west-1", "\U0001F600"])
    elif k == 3:
        parts[4] = rng.choice(["abc", "1234", "", "1234567890123", "-123456789012"])
    elif k == 4 and len(parts) > 5:
        parts[5] = rng.choice(["statemachine", "stateMachines", "", "execution", "activity", "mapRun", "express",
                               "stateMachine/x", "\U0001F600"])
    elif k == 5 and len(parts) > 6:
        parts[6] = rng.choice(["", " ", "a" * 81, "a" * 300, "\U0001F600", "a/b/c", "..", "%2F", "*", "$LATEST"])
    elif k == 6:
        parts.append(rng.choice(["0", "-1", "1.5", "99999999999999999999999", "00001", "$LATEST", "LIVE!!", "",
                                 "a" * 100, "\ud800"]))
    elif k == 7:
        parts = parts[: rng.randrange(1, len(parts))]
    elif k == 8:
        return base + rng.choice(["/", "#", "#TestCase", "#" + "x" * 1000, "/label", "/a/b", "::", ":x:y:z:w"])
    elif k == 9:
        return rng.choice(["arn", "arn:", "arn:aws:states:::::::::::::::", ":" * 300, "", " ", "arn:aws:states"])
    elif k == 10:
        return " " + base + rng.choice([" ", "\n", "\t", "\u0000"])
    elif k == 11:
        return base.upper()
    elif k == 12:
        return base + "a" * rng.choice([256 - len(base), 257 - len(base), 2000 - len(base), 2001 - len(base), 100000])
    elif k == 13:
        return base + "\u00e9" * rng.choice([100, 101, 1000])
    elif k == 14:
        return arn("execution", "m", ":" + rng.choice(["", ":", "e:extra", "e/x", "\U0001F600"]))
    elif k == 15:
        return arn("mapRun", rng.choice(["", "m", "m/", "m/l", "/l"]), ":" + rng.choice(["", "x", "not-a-uuid", "0" * 36]))
    elif k == 16:
        return "arn:aws:states:%s:%s:stateMachine:%s:%s" % (REGION, ACCOUNT, parts[6] if len(parts) > 6 else "m",
                                                          rng.choice(["0", "4294967296", "18446744073709551616", "-0"]))
    elif k == 17:
        return arn("activity", rng.choice(["", "a:b", "a" * 81, "\u202e"]))
    elif k == 18:
        return "arn:aws:iam::%s:role/%s" % (ACCOUNT, rng.choice(["", "r" * 300, "\U0001F600"]))
    elif k == 19:
        return base.replace(":", "%3A")
    elif k == 20:
        # one ARN kind where another is expected
        return rng.choice([pool.pick(rng, k2) for k2 in ("sm", "version", "alias", "execution", "activity", "mapRun",
                                                         "token")] + [ROLE]) or base
    elif k == 21:
        return base + rng.choice(["\\", '"', "'", "\u0085", "\u2028"])
    elif k == 22:
        return "arn:aws:states:%s:%s:stateMachine:%s" % (REGION, ACCOUNT, "\u00e9" * rng.choice([79, 80, 81, 127, 128, 129]))
    else:
        i = rng.randrange(len(base)) if base else 0
        return base[:i] + rng.choice([":", "", "\u00e9", "\U0001F600", "\u0000"]) + base[i + 1:]
    return ":".join(parts)


# --------------------------------------------------------------------------------------------
# The pool of real resources


class Pool:
    CAP = 60

    def __init__(self):
        self.items = {k: [] for k in ("sm", "express", "version", "alias", "activity", "execution", "mapRun",
                                      "token", "running")}

    def add(self, kind, value):
        if not value or not isinstance(value, str):
            return
        lst = self.items[kind]
        if value in lst:
            return
        lst.append(value)
        if len(lst) > self.CAP:
            del lst[8]  # keep the set-up ones at the front

    def pick(self, rng, kind):
        lst = self.items.get(kind) or []
        return rng.choice(lst) if lst else None

    def learn(self, op, body, answer):
        """Adds the ARNs a successful answer names."""
        j = answer.json if isinstance(answer.json, dict) else {}
        if answer.status != 200:
            return
        if op == "CreateStateMachine":
            kind = "express" if body.get("type") == "EXPRESS" else "sm"
            self.add(kind, j.get("stateMachineArn"))
            self.add("version", j.get("stateMachineVersionArn"))
        elif op in ("UpdateStateMachine", "PublishStateMachineVersion"):
            self.add("version", j.get("stateMachineVersionArn"))
        elif op == "CreateStateMachineAlias":
            self.add("alias", j.get("stateMachineAliasArn"))
        elif op == "CreateActivity":
            self.add("activity", j.get("activityArn"))
        elif op in ("StartExecution", "StartSyncExecution", "RedriveExecution"):
            self.add("execution", j.get("executionArn"))
        elif op == "GetActivityTask":
            self.add("token", j.get("taskToken"))
        elif op == "ListMapRuns":
            for m in j.get("mapRuns") or []:
                if isinstance(m, dict):
                    self.add("mapRun", m.get("mapRunArn"))


# --------------------------------------------------------------------------------------------
# Valid bodies from the service model


class Model:
    def __init__(self, path):
        with open(path) as f:
            m = json.load(f)
        self.ops = m["operations"]
        self.shapes = m["shapes"]
        self.exceptions = set(m["exceptions"])

    def input_shape(self, op):
        return self.shapes[self.ops[op]["input"]]


class Gen:
    def __init__(self, model, pool):
        self.model = model
        self.pool = pool

    def name(self, rng):
        return "fz%d" % rng.randrange(10 ** 9)

    def json_text(self, rng):
        return rng.choice(['{}', '{"a":1}', dumps({"x": rng.randrange(5), "items": [1, 2, 3], "s": "abc"}), '[]',
                           '"s"', '1', 'null', '{"b":[true,null]}'])

    def machine_arn(self, rng):
        r = rng.random()
        kind = "sm" if r < 0.55 else "version" if r < 0.7 else "alias" if r < 0.85 else "express"
        return self.pool.pick(rng, kind) or self.pool.pick(rng, "sm") or arn("stateMachine", "missing")

    def member(self, rng, op, name, shape_name, depth=0):
        s = self.model.shapes[shape_name]
        p = self.pool
        if name == "stateMachineArn":
            if op in ("DeleteStateMachine", "UpdateStateMachine", "PublishStateMachineVersion",
                      "ListStateMachineVersions", "ListStateMachineAliases"):
                return p.pick(rng, "sm") or arn("stateMachine", "missing")
            if op == "StartSyncExecution":
                return p.pick(rng, "express") or arn("stateMachine", "missing")
            return self.machine_arn(rng)
        if name == "stateMachineVersionArn":
            return p.pick(rng, "version") or arn("stateMachine", "missing", ":1")
        if name == "stateMachineAliasArn":
            return p.pick(rng, "alias") or arn("stateMachine", "missing", ":a")
        if name == "executionArn":
            return p.pick(rng, "execution") or arn("execution", "missing", ":e")
        if name == "activityArn":
            return p.pick(rng, "activity") or arn("activity", "missing")
        if name == "mapRunArn":
            return p.pick(rng, "mapRun") or arn("mapRun", "m/l", ":00000000-0000-0000-0000-000000000000")
        if name == "taskToken":
            return p.pick(rng, "token") or base64.b64encode(b"missing-token").decode()
        if name == "resourceArn":
            return p.pick(rng, rng.choice(["sm", "activity", "alias", "version", "execution", "express"])) or \
                arn("stateMachine", "missing")
        if name == "roleArn":
            return ROLE
        if name == "logGroupArn":
            return "arn:aws:logs:%s:%s:log-group:fuzz:*" % (REGION, ACCOUNT)
        if name == "kmsKeyId":
            return "arn:aws:kms:%s:%s:key/00000000-0000-0000-0000-000000000000" % (REGION, ACCOUNT)
        if name == "definition":
            if op == "TestState":
                if rng.random() < 0.7:
                    return dumps(rng.choice(VALID_STATES))
                return rng.choice(VALID_DEFS)
            return rng.choice(VALID_DEFS)
        if name == "stateName":
            return rng.choice(["P", "W", "F", "C", "A", "Q"])
        if name in ("input", "output", "variables", "context", "result", "mapItemReaderData"):
            return self.json_text(rng)
        if name == "name":
            if op == "CreateStateMachineAlias":
                return "al%d" % rng.randrange(10 ** 6)
            return self.name(rng)
        if name == "routingConfiguration":
            v1 = p.pick(rng, "version") or arn("stateMachine", "missing", ":1")
            v2 = p.pick(rng, "version") or v1
            if rng.random() < 0.5 or v1 == v2:
                return [{"stateMachineVersionArn": v1, "weight": 100}]
            w = rng.randrange(101)
            return [{"stateMachineVersionArn": v1, "weight": w}, {"stateMachineVersionArn": v2, "weight": 100 - w}]
        if name == "tags":
            return [{"key": "k%d" % rng.randrange(60), "value": "v%d" % rng.randrange(9)} for _ in range(rng.randrange(4))]
        if name == "tagKeys":
            return ["k%d" % rng.randrange(60) for _ in range(rng.randrange(4))]
        if name == "nextToken":
            return rng.choice(["x", "MA==", "AAAA", "eyJvIjoxfQ==", "1", "-1"])
        if name == "clientToken":
            return "ct%d" % rng.randrange(10 ** 9)
        if name == "traceHeader":
            return "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"
        if name == "revisionId":
            return rng.choice(["00000000-0000-0000-0000-000000000000", "x"])
        if name == "workerName":
            return "w%d" % rng.randrange(100)
        t = s["type"]
        if "enum" in s:
            return rng.choice(s["enum"])
        if t == "string":
            lo, hi = s.get("min", 0), min(s.get("max", 40), 40)
            return "".join(rng.choice("abcdefgh") for _ in range(max(lo, rng.randrange(1, max(2, hi)))))
        if t in ("integer", "long"):
            lo, hi = s.get("min", 0), s.get("max", 1000)
            return rng.randint(lo, hi)
        if t == "float":
            return round(rng.uniform(s.get("min", 0), s.get("max", 100)), 2)
        if t == "boolean":
            return rng.random() < 0.5
        if t == "list":
            return [self.member(rng, op, name, s["member"]["shape"], depth + 1) for _ in range(rng.randrange(3))]
        if t == "map":
            return {"k%d" % i: self.member(rng, op, name, s["value"]["shape"], depth + 1) for i in range(rng.randrange(3))}
        if t == "structure":
            return self.structure(rng, op, shape_name, depth + 1)
        return "x"

    def structure(self, rng, op, shape_name, depth=0):
        s = self.model.shapes[shape_name]
        req = set(s.get("required", []))
        out = {}
        for m, d in s.get("members", {}).items():
            if m in req or rng.random() < (0.5 if depth == 0 else 0.3):
                out[m] = self.member(rng, op, m, d["shape"], depth)
        return out

    def valid(self, rng, op):
        body = self.structure(rng, op, self.model.ops[op]["input"])
        if op == "TestState" and "definition" in body:
            d = body["definition"]
            if '"StartAt"' in d:
                try:
                    body["stateName"] = rng.choice(list(json.loads(d)["States"]))
                except Exception:  # noqa: BLE001
                    pass
            else:
                body.pop("stateName", None)
            if "mock" in body and "Task" not in d:
                body.pop("mock")
        if op == "UpdateStateMachineAlias" and "routingConfiguration" not in body and "description" not in body:
            body["description"] = "d"
        if op == "UpdateStateMachine" and not any(k in body for k in ("definition", "roleArn", "loggingConfiguration",
                                                                     "tracingConfiguration", "encryptionConfiguration")):
            body["definition"] = DEF_PASS
        if op == "StartExecution":
            body.pop("name", None) if rng.random() < 0.3 else None
        return body


# --------------------------------------------------------------------------------------------
# Mutations


def paths(v, prefix=()):
    """Every member path in a body: tuples of keys / indexes."""
    out = []
    if isinstance(v, dict):
        for k, x in v.items():
            out.append(prefix + (k,))
            out += paths(x, prefix + (k,))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            out.append(prefix + (i,))
            out += paths(x, prefix + (i,))
    return out


def get_at(v, path):
    for p in path:
        v = v[p]
    return v


def set_at(v, path, value):
    get_at(v, path[:-1])[path[-1]] = value


def del_at(v, path):
    del get_at(v, path[:-1])[path[-1]]


def wrong_type(rng, current):
    choices = [None, True, 0, 1.5, "s", [], {}, ["a"], {"a": 1}, Raw("null"), [[["x"]]], [None]]
    choices = [c for c in choices if type(c) is not type(current)]
    return rng.choice(choices)


ARN_FIELDS = {"stateMachineArn", "stateMachineVersionArn", "stateMachineAliasArn", "executionArn", "activityArn",
              "mapRunArn", "resourceArn", "roleArn", "logGroupArn", "kmsKeyId"}
TEXT_JSON_FIELDS = {"input", "output", "variables", "context", "result", "mapItemReaderData"}


def member_mutation(rng, gen, op, body):
    """Mutates one member of a valid body; returns (label, body text)."""
    all_paths = paths(body)
    k = rng.randrange(12)
    ascii_only = rng.random() < 0.7
    if k == 0:
        if not all_paths:
            return "add-unknown-member", enc({"unknownMember": 1, "Input": "x"})
        p = rng.choice(all_paths)
        del_at(body, p)
        return "drop-" + "/".join(map(str, p)), enc(body)
    if not all_paths:
        # nothing to mutate: add modeled members with bad values
        body = {m: None for m in gen.model.input_shape(op).get("members", {})}
        all_paths = paths(body)
        if not all_paths:
            return "extra-members", enc({"a" * 1000: [1] * 1000})
    p = rng.choice(all_paths)
    leaf = str(p[-1])
    cur = get_at(body, p)
    if k == 1:
        set_at(body, p, wrong_type(rng, cur))
        lab = "wrong-type"
    elif k == 2:
        set_at(body, p, huge_string(rng))
        lab = "huge-string"
    elif k == 3:
        set_at(body, p, "")
        lab = "empty-string"
    elif k == 4:
        u = rng.choice(UNICODE)
        set_at(body, p, rng.choice([u, u * rng.choice([2, 50]), (cur if isinstance(cur, str) else "x") + u]))
        lab = "unicode" + ("" if ascii_only else "-raw")
    elif k == 5:
        set_at(body, p, rng.choice(BAD_NUMBERS))
        lab = "number"
    elif k == 6:
        d = rng.choice([129, 1000, 10000])
        set_at(body, p, Raw(nest_text(d, rng.choice(["array", "object", "mixed"]))))
        lab = "deep-nesting-%d" % d
    elif k == 7:
        arn_paths = [q for q in all_paths if str(q[-1]) in ARN_FIELDS] or [p]
        p = rng.choice(arn_paths)
        set_at(body, p, bad_arn(rng, gen.pool))
        lab = "bad-arn"
    elif k == 8:
        set_at(body, p, boundary_string(rng))
        lab = "boundary-string"
    elif k == 9:
        tj = [q for q in all_paths if str(q[-1]) in TEXT_JSON_FIELDS]
        if tj:
            p = rng.choice(tj)
            set_at(body, p, rng.choice([nest_text(rng.choice([129, 1000, 10000, 100000]), "mixed"), "{", "{\"a\":1}x",
                                        "\ud800", "1e400", "[" + "1," * 70000 + "1]", "a" * 262145,
                                        '{"a":"' + "\u00e9" * 131072 + '"}', "NaN", "", " ", "\ufeff{}",
                                        '{"a":1,"a":2}', "null"]))
            lab = "bad-json-text"
        else:
            set_at(body, p, [cur] * rng.choice([2, 100, 10000]))
            lab = "repeated-list"
    elif k == 10:
        body[rng.choice(["unknownMember", "StateMachineArn", "", "\u0000", "__type", "Input"])] = \
            rng.choice([1, "x", None, {"a": [1]}, huge_string(rng)[:1000]])
        lab = "extra-member"
    else:
        if leaf in ("tags", "tagKeys", "routingConfiguration") or isinstance(cur, list):
            set_at(body, p, [cur[0] if isinstance(cur, list) and cur else {"key": "k", "value": "v"}]
                   * rng.choice([0, 2, 51, 1000, 100000]))
            lab = "list-size"
        else:
            set_at(body, p, rng.choice([None, Raw("null")]))
            lab = "null-member"
    return lab + ":" + "/".join(map(str, p)), enc(body, ascii_only)


def body_mutation(rng, body_text):
    k = rng.randrange(17)
    b = body_text.encode("utf-8", "surrogatepass")
    if k == 0:
        return "body-not-json", rng.choice([b"hello", b"<xml/>", b"{'a':1}", b"{a:1}", b"}", b"\x00\x01\x02"])
    if k == 1:
        return "body-truncated", b[: rng.randrange(max(1, len(b)))]
    if k == 2:
        return "body-array", rng.choice([b"[]", b"[" + b + b"]", b"[{}]"])
    if k == 3:
        n = rng.choice([9 << 20, (8 << 20) + 1, 8 << 20])
        return "body-%dB" % n, b'{"name":"' + b"a" * (n - 12) + b'"}'
    if k == 4:
        return "body-empty", rng.choice([b"", b" ", b"\n\t"])
    if k == 5:
        return "body-bom", b"\xef\xbb\xbf" + b
    if k == 6:
        return "body-invalid-utf8", rng.choice([b'{"name":"\xff\xfe"}', b'{"name":"\xc3"}', b'{"\xed\xa0\x80":1}',
                                                b'{"name":"\xf4\x90\x80\x80"}', b[:-2] + b"\x80}" if len(b) > 2 else b"\x80"])
    if k == 7:
        return "body-scalar", rng.choice([b"null", b"1", b'"s"', b"true", b"1e400", b"-0"])
    if k == 8:
        return "body-trailing", b + rng.choice([b"x", b"{}", b"\x00", b"}"])
    if k == 9:
        return "body-dup-keys", b"{" + b",".join([b'"name":"a"'] * rng.choice([2, 1000, 100000])) + b"}"
    if k == 10:
        return "body-nan", b'{"maxResults":NaN,"name":Infinity}'
    if k == 11:
        d = rng.choice([129, 10000, 1000000])
        return "body-deep-%d" % d, ("[" * d + "]" * d).encode() if rng.random() < 0.5 else \
            ('{"a":' * d + "1" + "}" * d).encode()
    if k == 12:
        return "body-wide", ("{" + ",".join('"k%d":%d' % (i, i) for i in range(rng.choice([1000, 200000]))) + "}").encode()
    if k == 13:
        return "body-long-key", b'{"' + b"k" * (4 << 20) + b'":1}'
    if k == 14:
        return "body-utf16", body_text.encode("utf-16")
    if k == 15:
        return "body-escaped-keys", b'{"\\u006eame":"x","\\u0000":1}'
    return "body-comment", b"/* c */" + b


def header_mutation(rng, op, body):
    """A request whose headers/method/path/framing is odd."""
    k = rng.randrange(24)
    if k == 0:
        return Req(op, body, "hdr-no-target", target=False)
    if k == 1:
        t = rng.choice(["", "AWSStepFunctions.", "AWSStepFunctions", "AWSStepFunctions" + op, "awsstepfunctions." + op.lower(),
                        "AWSStepFunctions.." + op, " AWSStepFunctions." + op, "AWSStepFunctions." + op + " ",
                        "AWSStepFunctions." + op + "\t", "Other." + op, "AWSStepFunctions." + op + ".x",
                        "AWSStepFunctions.NoSuchOperation", "AWSStepFunctions." + "A" * 10000,
                        "AWSStepFunctions.__proto__", "AWSStepFunctions.dispatch", "AWSStepFunctions.%s" % op.upper()])
        return Req(op, body, "hdr-target-garbled", target=t)
    if k == 2:
        return Req(op, body, "hdr-target-bytes", target=rng.choice([
            b"AWSStepFunctions.\xff\xfe", b"AWSStepFunctions.\xc3\xa9", ("AWSStepFunctions." + op).encode() + b"\x80"]))
    if k == 3:
        ct = rng.choice([None, "text/plain", "application/json", "application/x-amz-json-1.1", "", "application/x-amz-json-1.0; charset=utf-8",
                         "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "*/*", "\u00e9"])
        return Req(op, body, "hdr-content-type", content_type=ct)
    if k == 4:
        return Req(op, body, "hdr-method", method=rng.choice(["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE",
                                                             "CONNECT", "FOO"]))
    if k == 5:
        return Req(op, body, "hdr-path", path=rng.choice(["/x", "/?Action=" + op, "//", "/%00", "/" + "a" * 10000, "/..",
                                                         "/../../etc/passwd", "*"]))
    if k == 6:
        r = Req(op, body, "hdr-long-header", headers=[("X-Long", "a" * rng.choice([8000, 65536, 1 << 20]))])
        return r
    if k == 7:
        return Req(op, body, "hdr-many-headers", headers=[("X-H%d" % i, "v") for i in range(rng.choice([50, 101, 1000]))])
    if k == 8:
        r = Req(op, body, "hdr-cl-short", headers=[("Content-Length", str(max(0, len(body) - rng.randrange(1, 5))))], framing=True)
        return r
    if k == 9:
        r = Req(op, body, "hdr-cl-long", headers=[("Content-Length", str(len(body) + rng.choice([1, 1000])))], framing=True,
                shutdown_write=True)
        return r
    if k == 10:
        return Req(op, body, "hdr-cl-garbage", headers=[("Content-Length", rng.choice(["abc", "-1", "99999999999999999999",
                                                                                       "1,1", " 5", "+5", "0x10"]))], framing=True,
                   shutdown_write=True)
    if k == 11:
        return Req(op, body, "hdr-cl-twice", headers=[("Content-Length", str(len(body))), ("Content-Length", str(len(body) + 1))],
                   framing=True, shutdown_write=True)
    if k == 12:
        n = max(1, len(body) // rng.choice([1, 3, 10]))
        chunks = [body[i:i + n] for i in range(0, len(body), n)]
        framed = [b"%x\r\n%s\r\n" % (len(c), c) for c in chunks] + [b"0\r\n\r\n"]
        return Req(op, body, "hdr-chunked", chunked=framed)
    if k == 13:
        framed = rng.choice([[b"zz\r\n" + body + b"\r\n0\r\n\r\n"], [b"%x\r\n" % (len(body) + 10) + body + b"\r\n0\r\n\r\n"],
                             [b"ffffffffffffffffff\r\n" + body], [b"%x\r\n" % len(body) + body]])
        return Req(op, body, "hdr-chunked-bad", chunked=framed, framing=True, shutdown_write=True)
    if k == 14:
        framed = [b"%x\r\n%s\r\n" % (len(body), body), b"0\r\n\r\n"]
        return Req(op, body, "hdr-chunked-and-cl", chunked=framed, headers=[("Content-Length", "3")], framing=True,
                   shutdown_write=True)
    if k == 15:
        return Req(op, body, "hdr-expect-100", headers=[("Expect", "100-continue")])
    if k == 16:
        return Req(op, body, "hdr-unknown-op", target="AWSStepFunctions." + rng.choice(
            ["DescribeStateMachines", "CreateActivities", "ListTags", "GetExecution", "X", "createActivity", "\u00e9"]
        ).encode("utf-8").decode("latin-1"))
    if k == 17:
        r = Req(op, body, "hdr-no-host")
        r.headers_override = [("X-Amz-Target", "AWSStepFunctions." + op), ("Content-Type", CONTENT_TYPE),
                              ("Content-Length", str(len(body)))]
        return r
    if k == 18:
        r = Req(op, body, "hdr-host-odd")
        r.headers_override = [("Host", rng.choice(["sync-127.0.0.1:{port}", "", "a" * 5000, "[::1", "x:y:z"])),
                              ("X-Amz-Target", "AWSStepFunctions." + op), ("Content-Type", CONTENT_TYPE),
                              ("Content-Length", str(len(body)))]
        return r
    if k == 19:
        return Req(op, body, "hdr-sigv4-garbage", headers=[
            ("Authorization", rng.choice(["AWS4-HMAC-SHA256 Credential=", "garbage", "\u00e9".encode().decode("latin-1"), "x" * 50000])),
            ("X-Amz-Date", rng.choice(["", "99999999T999999Z", "x"])), ("X-Amz-Security-Token", "t" * 2000)])
    if k == 20:
        return Req(op, body, "hdr-target-twice", headers=[("X-Amz-Target", "AWSStepFunctions.ListActivities")])
    if k == 21:
        return Req(op, body, "hdr-content-encoding", headers=[("Content-Encoding", rng.choice(["gzip", "br", "identity", "x"]))])
    if k == 22:
        return Req(op, body, "hdr-te-identity", headers=[("Transfer-Encoding", rng.choice(["identity", "gzip, chunked", "x"]))],
                   framing=True, shutdown_write=True)
    return Req(op, body, "hdr-connection", headers=[("Connection", rng.choice(["close", "upgrade", "keep-alive, Upgrade"])),
                                                    ("Upgrade", "websocket")])


# --------------------------------------------------------------------------------------------
# The checker


class Finding:
    def __init__(self, cls, sig, req, answer, detail):
        self.cls = cls
        self.sig = sig
        self.req = req
        self.answer = answer
        self.detail = detail
        self.count = 1
        self.first_index = None
        self.saved = None


class Fuzzer:
    def __init__(self, args):
        self.args = args
        self.model = Model(args.model)
        self.pool = Pool()
        self.gen = Gen(self.model, self.pool)
        self.run_id = "%s-seed%d" % (time.strftime("%Y%m%d-%H%M%S"), args.seed)
        self.out_dir = os.path.join(args.crash_dir, self.run_id)
        self.log_path = args.log or os.path.join("/tmp", "fuzz-api-%s.log" % self.run_id)
        data_dir = None
        if args.data_dir:
            data_dir = args.data_dir
        self.server = Server(args.binary, self.log_path, data_dir)
        self.sent = 0
        self.per_op = {}
        self.status_counts = {}
        self.latencies = []
        self.findings = {}      # sig -> Finding
        self.counts = {"crash": 0, "5xx": 0, "5xx-throttle": 0, "non-aws": 0, "dropped": 0, "stall": 0,
                       "panic": 0, "http-reject": 0, "wedged": 0}
        self.info = {}          # undeclared error types etc.
        self.recent = []
        self.consecutive_stalls = 0
        self.slowest = []
        self.setup_gen = 0
        self.deadline = None
        self.sweeping = False

    # ---- server life

    def start_server(self):
        if self.server.starts >= self.args.max_restarts:
            raise RuntimeError("the server was started %d times; giving up" % self.server.starts)
        self.server.start()
        self.pool.__init__()
        self.setup()

    def restart(self, why):
        self.server.stop()
        self.server.new_log()
        if not self.args.quiet:
            print("fuzz_api: restarting the server (%s)" % why, file=sys.stderr)
        self.start_server()

    def call(self, op, body, label="setup", check=True, timeout=None):
        req = Req(op, enc(body), label)
        a = self.exchange(req, timeout=timeout)
        if isinstance(body, dict):
            self.pool.learn(op, body, a)
        return a

    def setup(self):
        self.setup_gen += 1
        g = "fz%d-%d" % (self.args.seed, self.setup_gen)
        c = self.call
        a = c("CreateActivity", {"name": g + "-act"})
        act = (a.json or {}).get("activityArn") if isinstance(a.json, dict) else None
        a = c("CreateStateMachine", {"name": g + "-sm", "definition": DEF_PASS, "roleArn": ROLE, "publish": True})
        j = a.json if isinstance(a.json, dict) else {}
        ver = j.get("stateMachineVersionArn")
        if ver:
            c("CreateStateMachineAlias", {"name": g.replace("-", "_") + "live", "routingConfiguration": [
                {"stateMachineVersionArn": ver, "weight": 100}]})
        c("CreateStateMachine", {"name": g + "-ex", "definition": DEF_JSONATA, "roleArn": ROLE, "type": "EXPRESS",
                                 "publish": True})
        arns = {}
        for suffix, d in (("wait", DEF_WAIT), ("fail", DEF_FAIL), ("map", DEF_MAP)) + \
                ((("act", def_activity(act)),) if act else ()):
            a = c("CreateStateMachine", {"name": "%s-%s" % (g, suffix), "definition": d, "roleArn": ROLE})
            if isinstance(a.json, dict) and a.json.get("stateMachineArn"):
                arns[suffix] = a.json["stateMachineArn"]
        if j.get("stateMachineArn"):
            c("StartExecution", {"stateMachineArn": j["stateMachineArn"], "name": g + "-e1", "input": '{"a":1}'})
        execs = {}
        for suffix, inp in (("wait", "{}"), ("fail", "{}"), ("map", '{"items":[1,2,3]}'), ("act", '{"t":1}')):
            if suffix in arns:
                a = c("StartExecution", {"stateMachineArn": arns[suffix], "name": "%s-%s-e" % (g, suffix), "input": inp})
                if isinstance(a.json, dict):
                    execs[suffix] = a.json.get("executionArn")
        if act:
            c("GetActivityTask", {"activityArn": act, "workerName": "fuzz"}, timeout=70)
        if execs.get("map"):
            for _ in range(10):
                a = c("ListMapRuns", {"executionArn": execs["map"]})
                if isinstance(a.json, dict) and a.json.get("mapRuns"):
                    break
                time.sleep(0.1)

    # ---- checking

    def record(self, cls, req, answer, detail, sigparts):
        self.counts[cls] = self.counts.get(cls, 0) + 1
        sig = (cls,) + tuple(sigparts)
        f = self.findings.get(sig)
        if f:
            f.count += 1
            # keep the smallest reproducer
            if len(req.body) < len(f.req.body) and cls != "crash":
                f.req, f.answer, f.detail = req, answer, detail
                f.saved = self.save(f)
            return f
        f = Finding(cls, sig, req, answer, detail)
        f.first_index = self.sent
        self.findings[sig] = f
        f.saved = self.save(f)
        if not self.args.quiet:
            print("fuzz_api: [%s] %s %s: %s" % (cls, req.op, req.label, detail[:300]), file=sys.stderr)
        return f

    def save(self, f):
        try:
            d = os.path.join(self.out_dir, "%s-%03d" % (f.cls, list(self.findings).index(f.sig)))
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, "body.bin"), "wb") as fh:
                fh.write(f.req.body)
            info = f.req.describe(self.server.port or 0)
            info.update({
                "class": f.cls, "detail": f.detail, "seed": self.args.seed, "request_index": f.first_index,
                "status": f.answer.status if f.answer else None,
                "answer_headers": f.answer.headers if f.answer else None,
                "answer_body_head": f.answer.body[:2048].decode("utf-8", "backslashreplace") if f.answer else None,
                "answer_error": f.answer.error if f.answer else None,
                "latency_s": round(f.answer.latency, 3) if f.answer else None,
                "recent_requests": list(self.recent[-10:]),
                "server_log_tail": self.server.log_tail(8000) if f.cls in ("crash", "panic", "wedged") else None,
                "body_file": os.path.join(d, "body.bin"),
                "chunked_raw": [c.decode("latin-1") for c in f.req.chunked] if f.req.chunked and
                sum(map(len, f.req.chunked)) < 1 << 20 else None,
                "replay": "python3 %s --replay %s" % (os.path.relpath(__file__), os.path.join(d, "request.json")),
            })
            with open(os.path.join(d, "request.json"), "w") as fh:
                json.dump(info, fh, indent=1)
            return d
        except OSError as e:
            return "unsaved: %s" % e

    def exchange(self, req, timeout=None):
        """Sends one request, checks the answer, handles crashes."""
        if not self.server.alive():
            self.restart("found dead before a request")
        a = send(self.server.port, req, timeout or self.args.timeout)
        self.sent += 1
        self.per_op[req.op] = self.per_op.get(req.op, 0) + 1
        self.latencies.append(a.latency)
        self.slowest.append((a.latency, req.op, req.label))
        if len(self.slowest) > 50:
            self.slowest.sort(reverse=True)
            del self.slowest[10:]
        self.status_counts[str(a.status)] = self.status_counts.get(str(a.status), 0) + 1
        self.recent.append({"request": "%s %s %dB -> %s%s" % (req.op, req.label, len(req.body), a.status,
                                                              (" " + a.error) if a.error else ""),
                            "body_head": req.body[:1024].decode("utf-8", "backslashreplace")})
        del self.recent[:-20]
        if self.sent % 10 == 0:
            self.server.sample_memory()
        self.check(req, a)
        return a

    def check(self, req, a):
        srv = self.server
        # a panic in the log?
        log = srv.new_log()
        if "panicked at" in log or "overflowed its stack" in log or "memory allocation of" in log:
            m = re.search(r"(thread '[^']*' (?:\(\d+\) )?panicked at [^\n]*\n[^\n]*|thread '[^']*' has overflowed its stack"
                          r"|memory allocation of \d+ bytes failed)", log)
            msg = m.group(1) if m else log[-300:]
            where = re.sub(r"\d+", "N", msg.split("\n")[0])
            self.record("panic", req, a, msg.strip(), (where,))
        dead = False
        if a.error or a.status is None:
            for _ in range(20):
                if not srv.alive():
                    dead = True
                    break
                time.sleep(0.01)
        elif not srv.alive():
            dead = True
        if dead:
            srv.sample_memory()
            detail = "server %s; answer: %s" % (srv.exit_description(), a.error or a.status)
            tail = srv.log_tail(4000)
            m = re.search(r"(thread '[^']*' (?:\(\d+\) )?panicked at [^\n]*\n[^\n]*|thread '[^']*' has overflowed its stack"
                          r"|memory allocation of \d+ bytes failed)", tail)
            if m:
                detail += "; " + m.group(1).replace("\n", " ")
            self.record("crash", req, a, detail, (req.op, req.label.split(":")[0], srv.exit_description(),
                                                  re.sub(r"\d+", "N", m.group(1).split("\n")[0]) if m else ""))
            if not self.sweeping:
                self.restart("crash: " + srv.exit_description())
            self.consecutive_stalls = 0
            return
        if a.error == "timeout":
            self.consecutive_stalls += 1
            self.record("stall", req, a, "no answer in %.0f s" % (req.timeout or self.args.timeout),
                        (req.op, req.label.split(":")[0]))
            if not self.sweeping and not self.healthy():
                self.record("wedged", req, a, "server stopped answering ListActivities after this request",
                            (req.op, req.label.split(":")[0]))
                self.restart("wedged")
                self.consecutive_stalls = 0
            return
        self.consecutive_stalls = 0
        if a.error:
            if req.framing:
                self.counts["http-reject"] += 1
                return
            self.record("dropped", req, a, a.error, (req.op if not req.label.startswith(("hdr", "body")) else "*",
                                                     req.label.split(":")[0], a.error.split(":")[0]))
            return
        if a.latency > self.args.slow:
            self.info.setdefault("slow", []).append("%s %s %.1fs" % (req.op, req.label, a.latency))
        st = a.status
        problems = []
        typ = None
        if st >= 500:
            t = a.json.get("__type") if isinstance(a.json, dict) else None
            short = str(t).split("#")[-1] if t else None
            cls = "5xx-throttle" if short in THROTTLE_ERRORS and st == 503 else "5xx"
            msg = (a.json or {}).get("message") if isinstance(a.json, dict) else a.body[:200]
            self.record(cls, req, a, "HTTP %d %s: %s" % (st, short, str(msg)[:500]),
                        (req.op, req.label.split(":")[0], st, short))
            return
        if st != 200 and not (400 <= st < 500):
            problems.append("status %d" % st)
        ct = a.headers.get("content-type")
        if req.method != "HEAD" and ct != CONTENT_TYPE:
            problems.append("content-type %r" % ct)
        if req.method != "HEAD":
            if not isinstance(a.json, dict):
                problems.append("body is not a JSON object: %r" % a.body[:120])
            elif st != 200:
                typ = a.json.get("__type")
                msg = a.json.get("message", a.json.get("Message"))
                if not isinstance(typ, str) or not typ:
                    problems.append("__type missing or not a string")
                if not isinstance(msg, str):
                    problems.append("message missing or not a string")
        if problems:
            if req.framing and st == 400:
                self.counts["http-reject"] += 1
                return
            self.record("non-aws", req, a, "HTTP %s: %s" % (st, "; ".join(problems)),
                        (req.op if not req.label.startswith(("hdr", "body")) else "*", req.label.split(":")[0], st,
                         problems[0].split(":")[0]))
            return
        if typ:
            short = typ.split("#")[-1]
            declared = set(self.model.ops.get(req.op, {}).get("errors", []))
            if short not in declared and short not in COMMON_ERRORS:
                key = "%s -> %s" % (req.op, short)
                u = self.info.setdefault("undeclared_error_types", {})
                u[key] = u.get(key, 0) + 1

    def healthy(self):
        for _ in range(3):
            if not self.server.alive():
                return False
            a = send(self.server.port, Req("ListActivities", b"{}"), 5)
            if a.status == 200:
                return True
        return False

    # ---- generation

    def one(self, rng, op):
        """Generates and sends the requests of one step (1 to 4 requests)."""
        body = self.gen.valid(rng, op)
        r = rng.random()
        if r < 0.18:
            self.exchange(Req(op, enc(body), "valid"))
            return
        if r < 0.55:
            lab, text = member_mutation(rng, self.gen, op, body)
            self.exchange(Req(op, text, lab))
            return
        if r < 0.70:
            self.hostile(rng, op, body)
            return
        if r < 0.84:
            lab, b = body_mutation(rng, enc(body))
            self.exchange(Req(op, b, lab))
            return
        self.exchange(header_mutation(rng, op, enc(body).encode("utf-8", "surrogatepass")))

    def hostile(self, rng, op, body):
        """Hostile definitions: through TestState, ValidateStateMachineDefinition, or created and run."""
        if op == "TestState" or (op not in ("CreateStateMachine", "UpdateStateMachine", "ValidateStateMachineDefinition",
                                            "StartExecution", "StartSyncExecution") and rng.random() < 0.35):
            op = "TestState"
            lab, st, inp = hostile_state(rng)
            b = {"definition": st, "input": inp, "roleArn": ROLE}
            if rng.random() < 0.3:
                b["inspectionLevel"] = rng.choice(["INFO", "DEBUG", "TRACE"])
            if rng.random() < 0.2:
                b["stateConfiguration"] = {"retrierRetryCount": rng.choice([0, 1, 2147483647, Raw("9223372036854775807")])}
            if rng.random() < 0.2 and '"Task"' in st:
                b["mock"] = {"errorOutput": {"error": "States.ALL", "cause": "c"}}
            self.exchange(Req(op, enc(b), "hostile-" + lab))
            return
        lab, text, inp, runnable = hostile_machine(rng)
        if op == "ValidateStateMachineDefinition" or rng.random() < 0.2:
            self.exchange(Req("ValidateStateMachineDefinition", enc({"definition": text}), "hostile-" + lab))
            return
        express = op == "StartSyncExecution" or rng.random() < 0.4
        if "wait" in lab or "retry" in lab or "timeout" in lab or "distributed" in lab or "map-bomb" in lab:
            express = express and rng.random() < 0.3
        name = self.gen.name(rng)
        b = {"name": name, "definition": text, "roleArn": ROLE}
        if express:
            b["type"] = "EXPRESS"
        if op == "UpdateStateMachine":
            a = self.exchange(Req("CreateStateMachine", enc({"name": name, "definition": DEF_PASS, "roleArn": ROLE}),
                                  "hostile-setup"))
            sm = a.json.get("stateMachineArn") if isinstance(a.json, dict) else None
            if not sm:
                return
            a = self.exchange(Req("UpdateStateMachine", enc({"stateMachineArn": sm, "definition": text}), "hostile-" + lab))
            if a.status != 200 or express:
                return
        else:
            a = self.exchange(Req("CreateStateMachine", enc(b), "hostile-" + lab))
            sm = a.json.get("stateMachineArn") if isinstance(a.json, dict) else None
            if a.status != 200 or not sm or not runnable:
                return
        if express:
            self.exchange(Req("StartSyncExecution", enc({"stateMachineArn": sm, "input": inp}), "hostile-run-" + lab))
            return
        a = self.exchange(Req("StartExecution", enc({"stateMachineArn": sm, "input": inp}), "hostile-run-" + lab))
        ex = a.json.get("executionArn") if isinstance(a.json, dict) else None
        if not ex:
            return
        time.sleep(rng.choice([0, 0.05, 0.3]))
        self.exchange(Req(rng.choice(["DescribeExecution", "GetExecutionHistory"]),
                          enc({"executionArn": ex}), "hostile-observe-" + lab))
        self.exchange(Req("StopExecution", enc({"executionArn": ex}), "hostile-stop-" + lab))

    # ---- main loop

    def deadline_passed(self, t0):
        return (self.args.duration is not None and time.monotonic() - t0 >= self.args.duration) or \
            (self.args.requests is not None and self.sent >= self.args.requests)

    def budget_left(self):
        if self.args.requests is not None and self.sent >= self.args.requests:
            return False
        if self.deadline is not None and time.monotonic() >= self.deadline:
            return False
        return True

    def run(self):
        a = self.args
        self.server.prepare()
        if a.duration is not None:
            self.deadline = time.monotonic() + a.duration
        os.makedirs(self.out_dir, exist_ok=True)
        t0 = time.monotonic()
        self.start_server()
        ops = sorted(self.model.ops)
        step = 0
        order = []
        try:
            while self.budget_left():
                if not order:
                    order = list(ops)
                    random.Random("%d:order:%d" % (a.seed, step)).shuffle(order)
                op = order.pop()
                rng = random.Random("%d:%d" % (a.seed, step))
                step += 1
                self.one(rng, op)
                if step % 400 == 0:
                    self.setup()
        except KeyboardInterrupt:
            pass
        finally:
            self.server.sample_memory()
            self.server.stop()
            self.server.new_log()
        return self.summary(time.monotonic() - t0)

    def summary(self, elapsed):
        lat = self.latencies
        failures = [f for f in self.findings.values() if f.cls in ("crash", "5xx", "non-aws", "dropped", "panic")]
        s = {
            "seed": self.args.seed,
            "elapsed_s": round(elapsed, 1),
            "requests": self.sent,
            "per_operation": dict(sorted(self.per_op.items())),
            "statuses": dict(sorted(self.status_counts.items())),
            "crashes": self.counts["crash"],
            "5xx": self.counts["5xx"],
            "5xx_throttle": self.counts["5xx-throttle"],
            "non_aws_shaped": self.counts["non-aws"],
            "dropped_connections": self.counts["dropped"],
            "panics_in_log": self.counts["panic"],
            "stalls": self.counts["stall"],
            "wedged": self.counts["wedged"],
            "http_framing_rejects": self.counts["http-reject"],
            "server_starts": self.server.starts,
            "max_rss_kb": self.server.max_hwm_kb,
            "latency_p50_ms": round(pct(lat, 50) * 1000, 1),
            "latency_p99_ms": round(pct(lat, 99) * 1000, 1),
            "latency_max_ms": round(max(lat) * 1000, 1) if lat else 0,
            "slowest": ["%.2fs %s %s" % x for x in sorted(self.slowest, reverse=True)[:5]],
            "findings": [{
                "class": f.cls, "count": f.count, "operation": f.req.op, "mutation": f.req.label,
                "status": f.answer.status if f.answer else None, "detail": f.detail[:1000],
                "body_len": len(f.req.body), "body_head": f.req.body[:300].decode("utf-8", "backslashreplace"),
                "saved": f.saved,
            } for f in sorted(self.findings.values(), key=lambda f: (f.cls, -f.count))],
            "info": self.info,
            "server_log": self.log_path,
            "findings_dir": self.out_dir,
        }
        s["failed"] = bool(failures)
        return s


def print_summary(s, as_json):
    if as_json:
        print(json.dumps(s, indent=1))
        return
    for f in s["findings"]:
        print("  [%s x%d] %s (%s) -> %s: %s\n      body %dB: %s\n      saved: %s" % (
            f["class"], f["count"], f["operation"], f["mutation"][:120], f["status"], f["detail"][:400],
            f["body_len"], f["body_head"][:200].replace("\n", "\\n"), f["saved"]))
    und = s["info"].get("undeclared_error_types")
    if und:
        print("  info: error types not declared for the operation: " +
              ", ".join("%s x%d" % kv for kv in sorted(und.items())))
    print("fuzz_api: seed=%d requests=%d elapsed=%.0fs crashes=%d 5xx=%d non_aws=%d dropped=%d panics=%d stalls=%d "
          "wedged=%d throttle_5xx=%d framing_rejects=%d server_starts=%d max_rss_kb=%d p50_ms=%.1f p99_ms=%.1f "
          "per_op=%s" % (
              s["seed"], s["requests"], s["elapsed_s"], s["crashes"], s["5xx"], s["non_aws_shaped"],
              s["dropped_connections"], s["panics_in_log"], s["stalls"], s["wedged"], s["5xx_throttle"],
              s["http_framing_rejects"], s["server_starts"], s["max_rss_kb"], s["latency_p50_ms"],
              s["latency_p99_ms"], json.dumps(s["per_operation"], separators=(",", ":"))))


def sweep_items():
    """Every hostile expression and definition, one request (or create + run) each."""
    items = []
    inp = dumps(BIG_INPUT)
    for e in JSONATA_BOMBS:
        items.append(("jsonata", e, [("TestState", {"definition": dumps(jsonata_pass(e, ql_machine=False)),
                                                    "input": inp, "roleArn": ROLE})]))
    for e in INTRINSIC_BOMBS:
        items.append(("intrinsic", e, [("TestState", {"definition": dumps({"Type": "Pass", "Parameters": {"r.$": e},
                                                                           "End": True}), "input": inp, "roleArn": ROLE})]))
    for e in JSONPATH_BOMBS:
        for field in ("InputPath", "Parameters"):
            st = {"Type": "Pass", "Parameters": {"r.$": e}, "End": True} if field == "Parameters" else \
                {"Type": "Pass", field: e, "End": True}
            items.append(("jsonpath-" + field, e, [("TestState", {"definition": dumps(st), "input": inp, "roleArn": ROLE})]))
    texts = []
    for ch in ("{", "[", '{"a":', "[{\"a\":"):
        for n in (1000, 10000, 100000, 262144):
            texts.append(("definition %r * %d" % (ch, n), ch * n))
    seen = set()
    for i in range(3000):
        lab, text, dinp, runnable = hostile_machine(random.Random("sweep:%d" % i))
        key = lab if lab not in ("def-jsonata-bomb", "def-intrinsic-bomb") else None
        if key is None or key in seen:
            continue
        seen.add(key)
        texts.append((lab, text, dinp, runnable))
    for t in texts:
        lab, text = t[0], t[1]
        dinp, runnable = (t[2], t[3]) if len(t) > 2 else ("{}", False)
        items.append(("validate", lab, [("ValidateStateMachineDefinition", {"definition": text})]))
        items.append(("create+sync", lab, [("CreateStateMachine", {"name": "sw", "definition": text, "roleArn": ROLE,
                                                                   "type": "EXPRESS"}),
                                           ("StartSyncExecution", {"input": dinp})] if runnable else
                      [("CreateStateMachine", {"name": "sw", "definition": text, "roleArn": ROLE, "type": "EXPRESS"})]))
        if runnable:
            items.append(("create+start", lab, [("CreateStateMachine", {"name": "sw", "definition": text, "roleArn": ROLE}),
                                                ("StartExecution", {"input": dinp}), ("sleep", 1.0),
                                                ("DescribeExecution", {}), ("StopExecution", {})]))
    return items


def sweep(args):
    """Each hostile expression/definition against a fresh server: what it does, one line each."""
    items = sweep_items()
    if args.sweep_filter:
        items = [it for it in items if re.search(args.sweep_filter, it[0] + " " + it[1])]
    fz = Fuzzer(args)
    fz.sweeping = True
    fz.server.prepare()
    os.makedirs(fz.out_dir, exist_ok=True)
    rows = []
    t0 = time.monotonic()
    for kind, lab, steps in items:
        if fz.deadline_passed(t0):
            break
        fz.server.start()
        sm = ex = None
        outcome = []
        for op, body in steps:
            if op == "sleep":
                time.sleep(body)
                continue
            body = dict(body)
            if op in ("StartSyncExecution", "StartExecution"):
                if not sm:
                    break
                body["stateMachineArn"] = sm
            if op in ("DescribeExecution", "StopExecution"):
                if not ex:
                    break
                body["executionArn"] = ex
            req = Req(op, enc(body), "sweep-%s:%s" % (kind, lab[:80]))
            a = fz.exchange(req)
            j = a.json if isinstance(a.json, dict) else {}
            sm = sm or j.get("stateMachineArn")
            ex = ex or j.get("executionArn")
            res = a.error or ("%s %s" % (a.status, str(j.get("__type", "")).split("#")[-1] or
                                         j.get("status", "")))
            if op == "DescribeExecution":
                res += " " + str(j.get("status", ""))
            outcome.append("%s=%s (%.2fs)" % (op.replace("StateMachine", "SM"), res.strip(), a.latency))
            if not fz.server.alive():
                break
        fz.server.sample_memory()
        hwm = 0
        try:
            with open("/proc/%d/status" % fz.server.proc.pid) as f:
                hwm = int(re.search(r"VmHWM:\s+(\d+)", f.read()).group(1))
        except (OSError, AttributeError):
            pass
        alive = fz.server.alive()
        fz.server.stop()
        fz.server.new_log()
        rows.append({"kind": kind, "item": lab[:160], "outcome": outcome, "server": "alive" if alive else
                     fz.server.exit_description(), "hwm_mb": hwm // 1024})
        if not args.quiet:
            print("%-16s %-60s %s | %s | %d MB" % (kind, lab[:60].replace("\n", " "), "; ".join(outcome),
                                                   rows[-1]["server"], hwm // 1024), file=sys.stderr, flush=True)
    s = fz.summary(time.monotonic() - t0)
    s["sweep"] = rows
    return s


def replay(args):
    """Sends one saved request to a fresh server and prints what happened."""
    with open(args.replay) as f:
        info = json.load(f)
    with open(info["body_file"], "rb") as f:
        body = f.read()
    fz = Fuzzer(args)
    fz.server.prepare()
    os.makedirs(fz.out_dir, exist_ok=True)
    fz.start_server()
    req = Req(info["operation"], body, "replay:" + info["mutation"], method=info["method"], path=info["path"])
    req.headers_override = [(k, v) for k, v in info["headers"]]
    hdr = {k.lower() for k, _ in req.headers_override}
    if "host" in hdr:
        req.headers_override = [(k, "127.0.0.1:{port}" if k.lower() == "host" and v.startswith("127.0.0.1:") else v)
                                for k, v in req.headers_override]
    if info.get("chunked_raw"):
        req.chunked = [c.encode("latin-1") for c in info["chunked_raw"]]
    req.shutdown_write = info.get("shutdown_write", False)
    a = send(fz.server.port, req, args.timeout)
    for _ in range(30):
        if not fz.server.alive():
            break
        time.sleep(0.1)
    print("status:", a.status, "error:", a.error, "latency: %.3fs" % a.latency)
    print("headers:", a.headers)
    print("body:", a.body[:2000])
    print("server:", fz.server.exit_description())
    log = fz.server.new_log()
    if log.strip():
        print("server log (new):\n" + log[-4000:])
    fz.server.stop()
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--binary", default=os.environ.get("SFN_LOCAL_BIN", DEFAULT_BINARY),
                    help="the sfn-local binary (copied to /tmp/sfn-local-fuzz-bin before starting)")
    ap.add_argument("--model", default=os.path.join(HERE, "service-model.json"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--requests", type=int, default=None, help="stop after N requests")
    ap.add_argument("--duration", type=float, default=None, help="stop after SECONDS")
    ap.add_argument("--timeout", type=float, default=30.0, help="per-request stall timeout (s)")
    ap.add_argument("--slow", type=float, default=5.0, help="answers slower than this are listed as info")
    ap.add_argument("--data-dir", default=None, help="use a SQLite data dir instead of --in-memory")
    ap.add_argument("--crash-dir", default="/tmp/fuzz-crashes")
    ap.add_argument("--log", default=None, help="server stderr log (default /tmp/fuzz-api-<run>.log)")
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    ap.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    ap.add_argument("--max-restarts", type=int, default=300)
    ap.add_argument("--sweep", action="store_true",
                    help="send every hostile expression/definition once, each to a fresh server, one line each")
    ap.add_argument("--sweep-filter", default=None, help="only sweep items matching this regex")
    ap.add_argument("--replay", default=None, help="replay one saved request.json against a fresh server")
    args = ap.parse_args()
    if args.requests is None and args.duration is None and not args.replay and not args.sweep:
        args.requests = 300
    if not os.path.exists(args.binary):
        print("fuzz_api: no binary at %s (build it: cargo build --release -p sfn-local-server)" % args.binary,
              file=sys.stderr)
        return 2
    if args.replay:
        return replay(args)
    if args.sweep:
        s = sweep(args)
        print_summary(s, args.json)
        return 1 if s["failed"] else 0
    fz = Fuzzer(args)
    try:
        s = fz.run()
    except RuntimeError as e:
        print("fuzz_api: %s" % e, file=sys.stderr)
        return 2
    print_summary(s, args.json)
    return 1 if s["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
