#!/bin/sh
# Installs, builds and drops you into an interactive shell in a busybox container.
set -eu
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "shell.sh: run as root (containers need it)" >&2; exit 1; }
scripts/install-deps.sh
scripts/build.sh
bundle="${BUNDLE:-/tmp/engine-busybox}"
[ -f "$bundle/config.json" ] || scripts/make-bundle.sh "$bundle"
exec build/core/engine run --bundle "$bundle" "busybox-$$"
