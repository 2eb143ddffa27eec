#!/usr/bin/env python3
"""Does `sfn-local serve` give memory back after a burst? Starts the server (in memory, on
127.0.0.1), reads its idle RSS, runs a burst (JSONata evaluations that build ~100 MB values,
and Express executions of a 2,000-item inline Map, which keep nothing), then reads RSS again after the burst and after a
few idle seconds.

    python3 fuzz/http/memory_burst.py [--binary target/release/sfn-local] [--rounds 3]
"""
import argparse, http.client, json, os, subprocess, sys, time, threading

def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0

def call(port, op, body):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    c.request("POST", "/", json.dumps(body), {"X-Amz-Target": f"AWSStepFunctions.{op}",
              "Content-Type": "application/x-amz-json-1.0"})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, json.loads(data or b"{}")

def main():
    ap = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--binary", default=os.path.join(here, "../../target/release/sfn-local"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--idle", type=float, default=5.0)
    ap.add_argument("--only", choices=["jsonata", "map"], default=None)
    a = ap.parse_args()
    p = subprocess.Popen([a.binary, "serve", "--in-memory", "--port", "0"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    port = int(p.stdout.readline().strip().rsplit(":", 1)[1])
    try:
        time.sleep(0.5)
        idle = rss_kb(p.pid)
        big = {"QueryLanguage": "JSONata", "StartAt": "B", "States": {"B": {"Type": "Pass",
               "Output": "{% $count($map([1..900000], function($i){ 'abcdefghabcdefgh' & $string($i) })) %}",
               "End": True}}}
        mapper = {"StartAt": "M", "States": {"M": {"Type": "Map", "ItemsPath": "$.items",
                  "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": True}}},
                  "End": True}}}
        role = "arn:aws:iam::123456789012:role/r"
        call(port, "CreateStateMachine", {"name": "big", "definition": json.dumps(big), "roleArn": role, "type": "EXPRESS"})
        # Express: nothing of it is kept, so what stays after the burst is what the process keeps.
        call(port, "CreateStateMachine", {"name": "mapper", "definition": json.dumps(mapper), "roleArn": role, "type": "EXPRESS"})
        arn = lambda n: f"arn:aws:states:us-east-1:123456789012:stateMachine:{n}"
        peak = idle
        for r in range(a.rounds):
            def bigs():
                for _ in range(4):
                    call(port, "StartSyncExecution", {"stateMachineArn": arn("big")})
            ts = [threading.Thread(target=bigs) for _ in range(2 if a.only != "map" else 0)]
            for t in ts: t.start()
            items = json.dumps({"items": list(range(2000))})
            def maps():
                for i in range(25):
                    call(port, "StartSyncExecution", {"stateMachineArn": arn("mapper"), "input": items})
            ms = [threading.Thread(target=maps) for _ in range(2 if a.only != "jsonata" else 0)]
            for t in ms: t.start()
            for t in ts + ms: t.join()
            peak = max(peak, rss_kb(p.pid))
        after = rss_kb(p.pid)
        time.sleep(a.idle)
        settled = rss_kb(p.pid)
        print(json.dumps({"idle_kb": idle, "peak_kb": peak, "after_burst_kb": after,
                          f"after_{a.idle:g}s_idle_kb": settled}))
    finally:
        p.kill()

if __name__ == "__main__":
    main()
