#!/usr/bin/env python3
"""Which pages a durable W5 execution writes, by table and index, and in how many commits.

Runs N executions (StartExecution + DescribeExecution until done, the AWS SDK for Rust's
`api_load` example) against a fresh durable store under `strace -f`, reads each WAL frame's
header as SQLite writes it (the page number, and the commit flag that closes a transaction),
then maps the page numbers to tables and indexes with SQLite's `dbstat` on the store the run
left. Prints, per thread, the commits and the pages written per execution by owner, and the
commonest commits' page sets. Counts, not times: they barely move with the machine's load
(which writes share a commit moves a little with the threads' timing).

    cargo build --release -p sfn-local-server -p sfn-local-tests --examples
    python3 sfn-local-server/benches/wal_pages.py target/release/sfn-local 1000

Needs strace, and a Python whose sqlite3 has dbstat (Debian's has).
"""

import collections
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

FRAME = re.compile(r'^(\d+)\s+pwrite64\(\d+, "((?:\\x[0-9a-f]{2}){24})", 24, \d+\) = 24$')


def main() -> None:
    binary = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    load = os.environ.get("LOAD", os.path.join(os.path.dirname(binary), "examples", "api_load"))
    port = os.environ.get("PORT", "18097")
    work = tempfile.mkdtemp(prefix="sfn-local-wal-pages-")
    trace = os.path.join(work, "strace.txt")
    data = os.path.join(work, "data")
    try:
        server = subprocess.Popen(
            ["strace", "-f", "-qq", "-xx", "-s", "24", "-e", "trace=pwrite64", "-o", trace,
             binary, "serve", "--port", port, "--data-dir", data],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.5)
        subprocess.run([load, f"http://127.0.0.1:{port}", str(n)], check=True,
                       stdout=subprocess.DEVNULL)
        # SIGINT to the server (strace passes it on): it stops as it would under Ctrl-C.
        subprocess.run(["pkill", "-INT", "-f", f"serve --port {port}"], check=False)
        server.wait(timeout=30)
        report(os.path.join(data, "sfn-local.db"), trace, n)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report(db_path: str, trace: str, n: int) -> None:
    db = sqlite3.connect(db_path)
    owner = {page: name for name, page in db.execute("SELECT name, pageno FROM dbstat")}
    owner[1] = "(database header)"
    pending = collections.defaultdict(list)
    commits = collections.Counter()
    pages = collections.Counter()
    shapes = collections.Counter()
    for line in open(trace):
        m = FRAME.match(line)
        if not m:
            continue
        thread = m.group(1)
        header = bytes(int(h, 16) for h in m.group(2).split("\\x")[1:])
        page = int.from_bytes(header[0:4], "big")
        pending[thread].append(page)
        if int.from_bytes(header[4:8], "big"):  # the database size: a commit frame
            written = pending.pop(thread)
            commits[thread] += 1
            for p in written:
                pages[(thread, owner.get(p, "?"))] += 1
            shapes[(thread, tuple(sorted(owner.get(p, "?") for p in written)))] += 1
    busy = [t for t, c in commits.items() if c >= n / 10]
    total = sum(c for (t, _), c in pages.items() if t in busy)
    print(f"WAL frames per execution: {total / n:.1f} (threads with at least {n // 10} commits)")
    for t in sorted(busy, key=lambda t: -commits[t]):
        print(f"thread {t}: {commits[t] / n:.2f} commits per execution")
        for (thread, name), c in sorted(pages.items(), key=lambda x: -x[1]):
            if thread == t and c >= n / 20:
                print(f"    {c / n:5.2f}  {name}")
    print("commonest commits (count, thread, pages):")
    for (t, shape), c in shapes.most_common(8):
        if t in busy:
            print(f"    {c:6d}  {t}  {', '.join(shape)}")


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    main()
