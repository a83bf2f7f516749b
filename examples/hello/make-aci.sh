#!/bin/sh
# Builds hello.aci: an App Container Image whose app prints "hello", made from the host's own
# /bin/echo and the libraries it links, so it needs nothing from the network.
# Usage: make-aci.sh OUT.aci
set -eu
out=${1:?usage: make-aci.sh OUT.aci}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/rootfs/bin" "$work/rootfs/tmp" "$work/rootfs/etc"
cp /bin/echo "$work/rootfs/bin/echo"
for lib in $(ldd /bin/echo | grep -o '/[^ ]*'); do
    mkdir -p "$work/rootfs$(dirname "$lib")"
    cp -L "$lib" "$work/rootfs$lib"
done
echo 'root:x:0:0:root:/:/bin/sh' > "$work/rootfs/etc/passwd"
echo 'root:x:0:' > "$work/rootfs/etc/group"
case $(uname -m) in x86_64) arch=amd64 ;; aarch64) arch=aarch64 ;; *) arch=$(uname -m) ;; esac
cat > "$work/manifest" <<JSON
{
  "acKind": "ImageManifest",
  "acVersion": "0.8.11",
  "name": "example.com/hello",
  "labels": [
    {"name": "version", "value": "1.0"},
    {"name": "os", "value": "linux"},
    {"name": "arch", "value": "$arch"}
  ],
  "app": {
    "exec": ["/bin/echo", "hello"],
    "user": "0",
    "group": "0"
  }
}
JSON
tar -C "$work" -czf "$out" manifest rootfs
