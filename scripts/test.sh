#!/usr/bin/env bash
# The whole test suite against real services. The launcher installs what is missing
# (cached under ~/.cache/murmur/), the tests start what they need through it, and the
# test stack is stopped at the end, pass or fail.
#
# The tests get a stack of their own (folder var/test-stack and a port block of its own),
# so a development stack started with `make stack-up` is neither used nor stopped.
set -euo pipefail
cd "$(dirname "$0")/.."

export MURMUR_STACK_DIR="${MURMUR_TEST_STACK_DIR:-$PWD/var/test-stack}"
export MURMUR_STACK_MARIADB_PORT="${MURMUR_TEST_MARIADB_PORT:-23307}"
export MURMUR_STACK_KAFKA_PORT="${MURMUR_TEST_KAFKA_PORT:-29192}"
export MURMUR_STACK_KAFKA_CONTROLLER_PORT="${MURMUR_TEST_KAFKA_CONTROLLER_PORT:-29193}"
export MURMUR_STACK_S3_PORT="${MURMUR_TEST_S3_PORT:-29100}"
export MURMUR_STACK_S3_INTERNAL_PORT="${MURMUR_TEST_S3_INTERNAL_PORT:-29102}"
export MURMUR_STACK_WEB_1_PORT="${MURMUR_TEST_WEB_1_PORT:-28001}"
export MURMUR_STACK_WEB_2_PORT="${MURMUR_TEST_WEB_2_PORT:-28002}"
export MURMUR_STACK_ENCODER_1_PORT="${MURMUR_TEST_ENCODER_1_PORT:-28011}"
export MURMUR_STACK_ENCODER_2_PORT="${MURMUR_TEST_ENCODER_2_PORT:-28012}"
export MURMUR_STACK_NGINX_PORT="${MURMUR_TEST_NGINX_PORT:-28080}"

.venv/bin/python -m stack install
trap '.venv/bin/python -m stack down >/dev/null 2>&1 || true' EXIT
.venv/bin/python -m pytest "$@"
