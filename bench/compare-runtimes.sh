#!/bin/sh
# compare-runtimes.sh [BUILD_DIR] [-- compare_runtimes options]: engine, runc, crun and no
# container at all, interleaved in one run on one busybox bundle (scripts/make-bundle.sh):
# `run` of /bin/true, peak RSS, exec, state, delete, terminal echo round trip, terminal CPU,
# `engine ps` over 1000 containers. Prints a markdown table (docs/performance.md). As root.
#   bench/compare-runtimes.sh build -- --runs 50 --only run,exec
#   bench/compare-runtimes.sh build -- --only echo,cpu --engine-before /tmp/old/core/engine
#     (a before and after in one sitting: another build, its plugins in ../plugins, as a runtime)
set -eu
here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$here/build}"
[ $# -gt 0 ] && shift
[ "${1:-}" = "--" ] && shift
cmake --build "$build" --target compare_runtimes >/dev/null
work="$(mktemp -d /tmp/engine-compare-XXXXXX)"
trap 'rm -rf "$work"' EXIT
ENGINE="$build/core/engine" "$here/scripts/make-bundle.sh" "$work/bundle" >/dev/null
"$build/bench/compare_runtimes" --bundle "$work/bundle" --engine "$build/core/engine" "$@"
