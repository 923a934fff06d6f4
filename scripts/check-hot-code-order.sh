#!/bin/sh
# check-hot-code-order.sh ENGINE ORDER: every function core/hot-code.order names is in the
# built CLI. The link ignores names it does not find, so a hot function that was renamed or
# given another signature silently falls out of the hot region, and `run` maps a page more
# (peak RSS rose from 3.14 to 3.22 MiB that way). Fix the name by hand (nm ENGINE) or
# regenerate the order with scripts/order-hot-code.sh.
set -eu
engine="$1"
order="$2"
defined="$(mktemp)"
trap 'rm -f "$defined"' EXIT
nm --defined-only "$engine" | awk '{print $NF}' | sort -u > "$defined"
missing="$(grep -vxFf "$defined" "$order" || true)"
if [ -n "$missing" ]; then
  echo "$order: $(echo "$missing" | wc -l) functions not in $engine (renamed, or a new signature):" >&2
  echo "$missing" | c++filt >&2
  exit 1
fi
echo "$order: all $(wc -l < "$order") functions are in the CLI"
