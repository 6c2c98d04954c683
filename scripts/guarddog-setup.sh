#!/usr/bin/env bash
# Install GuardDog into its own virtualenv, for the side-by-side evaluation
# (see BENCHMARKS.md). Idempotent: reuses the venv if the pinned version is there.
#
#   PALISADE_GUARDDOG_VENV  where the venv lives (default ~/.cache/palisade-guarddog)
#   PYTHON                  interpreter to build the venv with (default python3)
set -euo pipefail

GUARDDOG_VERSION="3.2.0"
VENV="${PALISADE_GUARDDOG_VENV:-$HOME/.cache/palisade-guarddog}"
PYTHON="${PYTHON:-python3}"

if [ -x "$VENV/bin/guarddog" ] && "$VENV/bin/pip" show guarddog 2>/dev/null | grep -qx "Version: $GUARDDOG_VERSION"; then
  echo "guarddog $GUARDDOG_VERSION already installed in $VENV" >&2
  exit 0
fi

"$PYTHON" -m venv "$VENV"
"$VENV/bin/pip" install --quiet --upgrade pip
"$VENV/bin/pip" install --quiet "guarddog==$GUARDDOG_VERSION"
"$VENV/bin/guarddog" --version >&2 || true
echo "guarddog $GUARDDOG_VERSION installed in $VENV (binary: $VENV/bin/guarddog)" >&2
