#!/bin/sh
# monitor_rss.sh: resident memory of a detached container's monitor (goal: under 2 MiB, as
# conmon), with a terminal and without.
set -eu
here="$(cd "$(dirname "$0")/.." && pwd)"
engine="${ENGINE:-$here/build/core/engine}"
root=/run/engine-bench-rss
bundle="$(mktemp -d /tmp/engine-rss-XXXXXX)"
trap 'rm -rf "$bundle"' EXIT
ENGINE="$engine" "$here/scripts/make-bundle.sh" "$bundle" >/dev/null
for terminal in true false; do
  python3 - "$bundle/config.json" "$terminal" <<'PY'
import json, sys
p = sys.argv[1]; c = json.load(open(p))
c["process"]["terminal"] = sys.argv[2] == "true"; c["process"]["args"] = ["sleep", "30"]
json.dump(c, open(p, "w"))
PY
  id="rss-$terminal-$$"
  "$engine" --root "$root" run -d --bundle "$bundle" "$id"
  sleep 0.3
  pid=$(pgrep -f "engine-monitor --root $root --id $id" | head -1)
  printf 'terminal=%-5s monitor pid %-7s ' "$terminal" "$pid"
  grep -E '^(VmRSS|RssAnon|RssFile)' "/proc/$pid/status" | tr -s ' \t' ' ' | tr '\n' ' '
  echo
  "$engine" --root "$root" delete -f "$id"
done
