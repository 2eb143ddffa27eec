#!/usr/bin/env bash
# Makes the Python venv that the client suites run in: boto3 and the AWS CLI (v1, the one on
# PyPI), pinned, under the Cargo target directory ($CARGO_TARGET_DIR, else <workspace>/target)
# as client-venv/. Idempotent: a venv that already has these pins is left alone, so only the
# first run needs PyPI. Prints the venv's bin directory on stdout (all else goes to stderr).
#
# Needs python3 with the venv module (Debian: python3-venv) or at least pip.
# PYTHON overrides the interpreter used to create the venv.
set -euo pipefail

# botocore is pinned through both: awscli 1.46.3 and boto3 1.44.5 both need botocore 1.44.5.
# moto_server stands in for DynamoDB, SQS and EventBridge in the service-endpoint tests.
PINS=(boto3==1.44.5 awscli==1.46.3 "moto[server]==5.2.5")

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
workspace="$(cd "$here/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$workspace/target}"
case "$target" in /*) ;; *) target="$workspace/$target" ;; esac
venv="$target/client-venv"
stamp="$venv/.sfn-local-pins"
python="${PYTHON:-python3}"

if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "${PINS[*]}" ]; then
    echo "$venv/bin"
    exit 0
fi

say() { echo "setup_venv: $*" >&2; }
command -v "$python" >/dev/null || { say "no $python on PATH: install Python 3"; exit 1; }
mkdir -p "$target"
say "creating $venv with ${PINS[*]}"
rm -rf "$venv"
if ! "$python" -m venv "$venv" >&2; then
    # Debian's python3 without python3-venv has no ensurepip: make the venv bare and install
    # pip into it with the system's pip.
    say "python3 -m venv failed; trying a venv without pip plus the system pip"
    rm -rf "$venv"
    "$python" -m venv --without-pip "$venv" >&2 || {
        say "cannot create a venv: install python3-venv (Debian/Ubuntu) or a full Python 3"
        exit 1
    }
    "$python" -m pip --python "$venv/bin/python" install --quiet pip >&2 || {
        say "no pip to bootstrap the venv: install python3-venv or python3-pip"
        exit 1
    }
fi
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
"$venv/bin/python" -m pip install --quiet "${PINS[@]}" >&2 || {
    say "pip install ${PINS[*]} failed (is PyPI reachable?)"
    exit 1
}
"$venv/bin/python" -c "import boto3" >&2
"$venv/bin/aws" --version >&2
echo "${PINS[*]}" > "$stamp"
echo "$venv/bin"
