#!/bin/sh
# make-bundle.sh DIR: an OCI bundle whose rootfs is the host's static busybox (no network).
set -eu
dir="$1"
engine="${ENGINE:-$(dirname "$0")/../build/core/engine}"
busybox="$(command -v busybox)"
mkdir -p "$dir/rootfs/bin" "$dir/rootfs/proc" "$dir/rootfs/sys" "$dir/rootfs/dev" \
         "$dir/rootfs/tmp" "$dir/rootfs/etc" "$dir/rootfs/root"
cp "$busybox" "$dir/rootfs/bin/busybox"
for applet in $("$busybox" --list); do
  [ -e "$dir/rootfs/bin/$applet" ] || ln -s busybox "$dir/rootfs/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$dir/rootfs/etc/passwd"
printf 'root:x:0:\ntty:x:5:\n' > "$dir/rootfs/etc/group"
rm -f "$dir/config.json"
"$engine" spec --bundle "$dir"
