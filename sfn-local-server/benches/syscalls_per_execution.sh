#!/bin/bash
# What one durable W5 execution costs in system calls: runs N executions (StartExecution +
# DescribeExecution until done, the AWS SDK for Rust's `api_load` example) against a fresh
# durable store under `strace -f -c`, and prints the WAL's page writes (`pwrite64`: a frame is
# a 24-byte header and a page), its locks (`fcntl`), thread wake-ups (`futex`) and `write`s
# per execution. Counts, not times: they do not move with the machine's load.
#
#   cargo build --release -p sfn-local-server -p sfn-local-tests --examples
#   sfn-local-server/benches/syscalls_per_execution.sh target/release/sfn-local 3000
set -euo pipefail
BIN=${1:?the sfn-local binary}
N=${2:-3000}
LOAD=${LOAD:-$(dirname "$BIN")/examples/api_load}
PORT=${PORT:-18098}
DIR=$(mktemp -d)
OUT=$(mktemp)
trap 'rm -rf "$DIR" "$OUT"' EXIT
strace -f -c -e trace=pwrite64,fcntl,futex,write -o "$OUT" \
    "$BIN" serve --port "$PORT" --data-dir "$DIR" > /dev/null 2>&1 &
sleep 1.5
"$LOAD" "http://127.0.0.1:$PORT" "$N" > /dev/null
pkill -INT -f "serve --port $PORT" || true
sleep 1.5
awk -v n="$N" '/pwrite64|fcntl|futex|write$/ {printf "%-9s %6.1f per execution\n", $NF, $4 / n}' "$OUT"
