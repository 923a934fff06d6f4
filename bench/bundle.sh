# Sourced by the bench scripts: $here (the source tree), $engine (ENGINE, else the build's) and a
# fresh busybox bundle in $bundle, under $work, which is removed on exit.
here="$(cd "$(dirname "$0")/.." && pwd)"
engine="${ENGINE:-$here/build/core/engine}"
work="$(mktemp -d /tmp/engine-bench-XXXXXX)"
bundle="$work/bundle"
trap 'rm -rf "$work"' EXIT
mkdir "$bundle"
ENGINE="$engine" "$here/scripts/make-bundle.sh" "$bundle" >/dev/null
