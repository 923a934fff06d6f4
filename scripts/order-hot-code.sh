#!/bin/sh
# order-hot-code.sh [BUILD_DIR]: regenerates core/hot-code.order, the order in which the linker
# lays out the engine's functions (lld --symbol-ordering-file), from what really runs.
#
# Why: the kernel maps a program's text 64 KiB around every page it faults (fault-around), so a
# short-lived CLI whose hot functions are scattered over 2.6 MiB of text ends up with nearly all
# of it resident. Laid out in the order they first run, the functions of the hot path fill a
# few windows. bench/hot_trace.c single-steps the commands below (as root, 10–25 minutes) and
# every function that executed is listed, in first-run order; the rest follow in the linker's
# own order. A stale list only costs memory: symbols that no longer exist are skipped.
set -eu
here="$(cd "$(dirname "$0")/.." && pwd)"
build="$(cd "${1:-$here/build}" && pwd)"
cmake --build "$build" --target engine engine-monitor logging hot_trace >/dev/null
work="$(mktemp -d /tmp/engine-hot-XXXXXX)"
# A copy is traced, so a rebuild meanwhile cannot mix two layouts; its monitor and plugins are
# found beside it as in the build tree.
mkdir "$work/core"
cp "$build/core/engine" "$work/core/engine"
ln -s "$build/core/engine-monitor" "$work/core/engine-monitor"
ln -s "$build/plugins" "$work/plugins"
engine="$work/core/engine"
cleanup() {
  "$engine" --root "$work/root" delete --force hot-d >/dev/null 2>&1 || true
  "$engine" --root "$work/root" delete --force hot-c >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
ENGINE="$engine" "$here/scripts/make-bundle.sh" "$work/bundle" >/dev/null
sed -i 's/"terminal": true/"terminal": false/; s/"sh"$/"true"/' "$work/bundle/config.json"
mkdir "$work/sleeper"  # the same rootfs, a process that stays
sed "s|\"path\": \"rootfs\"|\"path\": \"$work/bundle/rootfs\"|; s/\"true\"$/\"sleep\", \"3600\"/" \
  "$work/bundle/config.json" > "$work/sleeper/config.json"

# The hot path, in the order a user meets it: run; then a detached container's lifecycle.
cat > "$work/workload.sh" <<WORKLOAD
set -e
e() { "$engine" --root "$work/root" "\$@"; }
e run --bundle "$work/bundle" hot-r
e run -d --bundle "$work/sleeper" hot-d
e exec hot-d true
e state hot-d >/dev/null
e ps >/dev/null
e kill hot-d KILL
e delete --force hot-d
e create --bundle "$work/bundle" hot-c
e start hot-c
e delete --force hot-c
WORKLOAD
offsets="$build/hot-code.offsets"  # kept: mapping them again needs no new trace
"$build/bench/hot_trace" "$offsets" "$engine" sh "$work/workload.sh"

# Offsets to the functions that hold them (a PIE's offsets are its symbols' addresses).
nm -S -t d --defined-only "$engine" | awk '$3 ~ /^[tTwW]$/ && NF == 4' | sort -n > "$work/symbols"
awk -v syms="$work/symbols" '
  BEGIN {
    while ((getline line < syms) > 0) {
      split(line, f, " "); n++; start[n] = f[1] + 0; end[n] = start[n] + f[2]; name[n] = f[4]
    }
  }
  {
    off = $1 + 0; lo = 1; hi = n
    while (lo < hi) { mid = int((lo + hi + 1) / 2); if (start[mid] <= off) lo = mid; else hi = mid - 1 }
    if (start[lo] <= off && off < end[lo] && !(lo in listed)) { listed[lo] = 1; print name[lo] }
  }' "$offsets" > "$here/core/hot-code.order"
echo "core/hot-code.order: $(wc -l < "$here/core/hot-code.order") functions"
