#!/bin/sh
# monitor_rss.sh: resident memory of a detached container's monitor (goal: under 2 MiB, as
# conmon), with a terminal and without; and of conmon (with runc) when it is installed, on the
# same bundle, measured the same way.
set -eu
. "$(dirname "$0")/bundle.sh"
root=/run/engine-bench-rss

set_process() {  # terminal args...
  python3 - "$bundle/config.json" "$@" <<'PY'
import json, sys
p = sys.argv[1]; c = json.load(open(p))
c["process"]["terminal"] = sys.argv[2] == "true"; c["process"]["args"] = sys.argv[3:]
json.dump(c, open(p, "w"))
PY
}

report() {  # label pid
  kib() { awk -v k="$1" '$1 == k":" {print $2}' "/proc/$2/$3"; }
  printf '%-24s VmRSS %5s KiB  RssAnon %4s KiB  RssFile %5s KiB  Pss %5s KiB\n' "$1" \
    "$(kib VmRSS "$2" status)" "$(kib RssAnon "$2" status)" "$(kib RssFile "$2" status)" \
    "$(kib Pss "$2" smaps_rollup)"
}

for terminal in true false; do
  set_process "$terminal" sleep 30
  id="rss-$terminal-$$"
  "$engine" --root "$root" run -d --bundle "$bundle" "$id"
  sleep 0.3
  report "engine-monitor tty=$terminal" "$(pgrep -f "engine-monitor --root $root --id $id" | head -1)"
  "$engine" --root "$root" delete -f "$id"
done

if command -v conmon >/dev/null && command -v runc >/dev/null; then
  set_process false sleep 30
  id="rss-conmon-$$"
  mkdir -p "$work/exits" "$work/sock"
  conmon --cid "$id" --cuuid "$id" --name "$id" --runtime "$(command -v runc)" \
    --runtime-arg --root=/run/runc-bench-rss --bundle "$bundle" --exit-dir "$work/exits" \
    --socket-dir-path "$work/sock" --container-pidfile "$work/pid" -l "k8s-file:$work/log" \
    -p "$work/cpid" >/dev/null 2>&1
  i=0
  while [ ! -s "$work/cpid" ] && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
  runc --root /run/runc-bench-rss start "$id"
  sleep 0.3
  report "conmon (runc) tty=false" "$(pgrep -f "conmon --cid $id" | head -1)"
  runc --root /run/runc-bench-rss delete -f "$id"
fi
