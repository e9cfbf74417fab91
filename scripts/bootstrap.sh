#!/usr/bin/env bash
# Idempotent set-up every command relies on: ffmpeg, a pinned uv, and the project's
# virtualenv synced from uv.lock. Silent when everything is already in place.
set -euo pipefail

UV_VERSION="0.13.8"
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${MURMUR_CACHE_DIR:-$HOME/.cache/murmur}"
TOOLS="$CACHE/tools"
UV="$TOOLS/bin/uv"

export UV_CACHE_DIR="$CACHE/uv"
export UV_PYTHON_DOWNLOADS=never

say() { echo "bootstrap: $*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if ! command -v ffmpeg > /dev/null || ! command -v ffprobe > /dev/null; then
    say "installing ffmpeg"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg > /dev/null
fi

# `uv --version` prints "uv 0.13.8 (x86_64-unknown-linux-gnu)".
if [ "$("$UV" --version 2> /dev/null | cut -d' ' -f2)" != "$UV_VERSION" ]; then
    say "installing uv $UV_VERSION into $TOOLS"
    python3 -m venv "$TOOLS"
    "$TOOLS/bin/pip" install --quiet --disable-pip-version-check "uv==$UV_VERSION"
fi

# --inexact keeps packages someone added by hand with `uv pip install` until they are in
# pyproject.toml; everything uv.lock names is still installed at its locked version.
cd "$REPO"
"$UV" sync --frozen --inexact --quiet
