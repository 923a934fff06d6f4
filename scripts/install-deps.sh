#!/bin/sh
# Installs everything engine needs to build and test, from Debian 12 packages.
set -eu
export DEBIAN_FRONTEND=noninteractive
packages="cmake g++ make pkg-config libboost-dev libboost-program-options-dev libsqlite3-dev \
  libspdlog-dev nlohmann-json3-dev libgtest-dev libseccomp-dev busybox-static lld-16 tmux"
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends $missing
fi
