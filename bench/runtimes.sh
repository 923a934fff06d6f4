#!/bin/sh
# runtimes.sh [N]: `run` of /bin/true, N times per runtime, interleaved: engine, runc, crun
# (Debian packages) on the same busybox bundle; prints medians, spreads and ratios.
# crun refuses this hybrid cgroup host unless /sys/fs/cgroup/unified is hidden: it runs in a
# private mount namespace with a tmpfs there, which vanishes with it.
set -eu
n="${1:-100}"
here="$(cd "$(dirname "$0")/.." && pwd)"
engine="${ENGINE:-$here/build/core/engine}"
bundle="$(mktemp -d /tmp/engine-bench-XXXXXX)"
trap 'rm -rf "$bundle"' EXIT
ENGINE="$engine" "$here/scripts/make-bundle.sh" "$bundle" >/dev/null
python3 - "$bundle/config.json" <<'PY'
import json, sys
p = sys.argv[1]; c = json.load(open(p))
c["process"]["terminal"] = False; c["process"]["args"] = ["/bin/true"]
json.dump(c, open(p, "w"))
PY
crun_wrapped() { unshare -m sh -c 'mount -t tmpfs none /sys/fs/cgroup/unified; exec crun "$@"' crun "$@"; }
ns() { date +%s%N; }
for rt in engine runc crun; do : > "$bundle/$rt.times"; done
i=0
while [ "$i" -lt "$n" ]; do
  i=$((i + 1))
  t0=$(ns); "$engine" --root /run/engine-bench run --bundle "$bundle" "b$i" >/dev/null; t1=$(ns)
  echo $((t1 - t0)) >> "$bundle/engine.times"
  if command -v runc >/dev/null; then
    t0=$(ns); runc --root /run/runc-bench run --bundle "$bundle" "b$i" >/dev/null; t1=$(ns)
    echo $((t1 - t0)) >> "$bundle/runc.times"
  fi
  if command -v crun >/dev/null; then
    t0=$(ns); crun_wrapped --root /run/crun-bench run --bundle "$bundle" "b$i" >/dev/null; t1=$(ns)
    echo $((t1 - t0)) >> "$bundle/crun.times"
  fi
done
python3 - "$bundle" <<'PY'
import statistics, sys, os
d = sys.argv[1]; med = {}
print(f"{'runtime':8} {'median ms':>10} {'p10 ms':>8} {'p90 ms':>8}")
for rt in ("engine", "runc", "crun"):
    p = os.path.join(d, rt + ".times")
    xs = sorted(int(x) / 1e6 for x in open(p) if x.strip()) if os.path.exists(p) else []
    if not xs: continue
    med[rt] = statistics.median(xs)
    print(f"{rt:8} {med[rt]:10.2f} {xs[len(xs)//10]:8.2f} {xs[len(xs)*9//10]:8.2f}")
for other in ("runc", "crun"):
    if other in med: print(f"engine / {other} = {med['engine'] / med[other]:.2f}")
PY
