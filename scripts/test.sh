#!/usr/bin/env bash
# The whole test suite against real services. The launcher installs what is missing
# (cached under ~/.cache/murmur/), the tests start what they need through it, and
# everything the run started is stopped at the end, pass or fail.
set -euo pipefail
cd "$(dirname "$0")/.."

.venv/bin/python -m stack install
trap '.venv/bin/python -m stack down >/dev/null 2>&1 || true' EXIT
.venv/bin/python -m pytest "$@"
