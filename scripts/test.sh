#!/bin/sh
# Installs, builds and runs every test (unit and integration) through ctest.
set -eu
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
cd "${BUILD_DIR:-build}"
ctest --output-on-failure -j1 "$@"
