#!/bin/sh
# monitor_cpu.sh [ROUNDS]: CPU of a detached container's monitor while the container writes
# 64 MiB to its terminal (the monitor reads the pty master and hands it to the log driver):
# utime + stime from /proc/PID/stat, before the container starts and once its output is done.
#   ENGINE=/other/build/core/engine bench/monitor_cpu.sh 8    (another build, for a before/after)
set -eu
. "$(dirname "$0")/bundle.sh"
rounds="${1:-6}"
root=/run/engine-bench-moncpu
python3 - "$bundle/config.json" <<'PY'
import json, sys
p = sys.argv[1]; c = json.load(open(p))
c["process"]["terminal"] = True
c["process"]["args"] = ["sh", "-c", "head -c 64m /dev/zero; touch /done; sleep 30"]
c["root"]["readonly"] = False
json.dump(c, open(p, "w"))
PY
rootfs="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["root"]["path"])' "$bundle/config.json")"
case "$rootfs" in /*) ;; *) rootfs="$bundle/$rootfs" ;; esac

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }  # after a command name without spaces
hz="$(getconf CLK_TCK)"
for i in $(seq 1 "$rounds"); do
  id="moncpu-$$-$i"
  rm -f "$rootfs/done"
  "$engine" --root "$root" create --bundle "$bundle" "$id"
  mon="$(pgrep -f "engine-monitor --root $root --id $id " | head -1)"
  before="$(ticks "$mon")"
  "$engine" --root "$root" start "$id"
  while [ ! -e "$rootfs/done" ]; do sleep 0.05; done
  sleep 0.3  # what the pty still held
  after="$(ticks "$mon")"
  "$engine" --root "$root" delete -f "$id"
  echo $(( (after - before) * 1000 / hz ))
done | sort -n | tr '\n' ' ' | sed 's/^/monitor CPU for 64 MiB of terminal output, ms, sorted: /'
echo
