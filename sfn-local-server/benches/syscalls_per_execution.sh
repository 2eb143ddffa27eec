#!/bin/bash
# What one durable W5 execution costs in system calls: runs N executions (StartExecution +
# DescribeExecution until done, the AWS SDK for Rust's `api_load` example) against a fresh
# durable store under `strace -f`, and prints per execution the WAL frames written (SQLite
# writes each as a 24-byte header and a page: the headers are counted, so the checkpoints'
# page copies into the database file are not), and the `fcntl` (locks), `futex` (thread
# wake-ups) and `write` calls. Counts, not times: they barely move with the machine's load
# (the lock and wake-up counts move a little with the threads' interleaving).
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
strace -f -qq -e trace=pwrite64,fcntl,futex,write -o "$OUT" \
    "$BIN" serve --port "$PORT" --data-dir "$DIR" > /dev/null 2>&1 &
sleep 1.5
"$LOAD" "http://127.0.0.1:$PORT" "$N" > /dev/null
pkill -INT -f "serve --port $PORT" || true
sleep 1.5
awk -v n="$N" '
    /pwrite64\(.*, 24, [0-9]+\) += 24$/ { frames++ }
    /fcntl\(/ { fcntl++ }
    /futex\(/ { futex++ }
    / write\(/ { write++ }
    END {
        printf "WAL frames %6.1f per execution\n", frames / n
        printf "fcntl      %6.1f per execution\n", fcntl / n
        printf "futex      %6.1f per execution\n", futex / n
        printf "write      %6.1f per execution\n", write / n
    }' "$OUT"
