#!/usr/bin/env bash
# Measures, in one run, `rkt run --stage1-name=nspawn` of a /bin/true image (in the store, journal
# agent up) against bare systemd-nspawn of the same rendered rootfs, and fly for reference.
# Prints medians in ms, the ratio to bare nspawn and the machine's load. Run as root after building.
# Usage: bench/nspawn.sh [RUNS]   (default 15)
set -euo pipefail
root=$(dirname "$(dirname "$(readlink -f "$0")")")
rkt=$root/bin/rkt
runs=${1:-15}
work=$(mktemp -d /tmp/rktj-bench-nspawn.XXXXXX)
data=$work/data
ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() {
    local t=() i s
    for ((i = 0; i < runs; i++)); do
        s=$(ms); "$@" >/dev/null 2>&1 || true; t+=($(( $(ms) - s )))
    done
    printf '%s\n' "${t[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
# the agent of this run's own data dir only, by its pid
stop_agent() {
    local pid
    for pid in $(pgrep -f -- "--dir=$data journal-agent" || true); do kill "$pid" 2>/dev/null || true; done
    for _ in $(seq 50); do pgrep -f -- "--dir=$data journal-agent" >/dev/null || return 0; sleep 0.1; done
}
cleanup() {
    "$rkt" --dir="$data" gc --grace-period=0 --expire-prepared=0 >/dev/null 2>&1 || true
    stop_agent
    grep -q " $work" /proc/self/mountinfo || rm -rf "$work"
}
trap cleanup EXIT

# an image whose app is /bin/true; /usr exists so that bare systemd-nspawn takes the rootfs
mkdir -p "$work/true/rootfs/bin" "$work/true/rootfs/usr"
cp /bin/true "$work/true/rootfs/bin/"
for lib in $(ldd /bin/true | grep -o '/[^ ]*'); do mkdir -p "$work/true/rootfs$(dirname "$lib")"; cp -L "$lib" "$work/true/rootfs$lib"; done
printf '{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/true","labels":[{"name":"os","value":"linux"}],"app":{"exec":["/bin/true"],"user":"0","group":"0"}}' > "$work/true/manifest"
tar -C "$work/true" -cf "$work/true.aci" manifest rootfs
"$rkt" --dir="$data" --insecure-options=image fetch "$work/true.aci" >/dev/null
"$rkt" --dir="$data" image render example.com/true "$work/rendered" >/dev/null
"$rkt" --dir="$data" list >/dev/null   # the agent is up from here on
"$rkt" --dir="$data" run --stage1-name=nspawn --pull-policy=never example.com/true >/dev/null
sleep 1

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# bare: the same private mount namespace and /run/systemd/nspawn tmpfs rktj gives it, so neither leaves anything on the host
bare=$(median unshare --mount --propagation private sh -c \
    'mkdir -p /run/systemd/nspawn && mount -t tmpfs tmpfs /run/systemd/nspawn && exec systemd-nspawn --quiet --register=no --keep-unit --console=pipe -D "$1" /bin/true' \
    - "$work/rendered/rootfs")
nspawn=$(median "$rkt" --dir="$data" run --stage1-name=nspawn --pull-policy=never example.com/true)
fly=$(median "$rkt" --dir="$data" run --stage1-name=fly --pull-policy=never example.com/true)
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

ratio() { awk -v a="$1" -v b="$bare" 'BEGIN { printf "%.2f", a / b }'; }
echo "machine: $(nproc) cores, $(systemd-nspawn --version | head -1), load average $load_before before, $load_after after; runs per row: $runs (median)"
printf '%-52s %8s %12s\n' "command" "ms" "x bare"
printf '%-52s %8s %12s\n' "systemd-nspawn -D ROOTFS /bin/true (bare)" "$bare" "1.00"
printf '%-52s %8s %12s\n' "rkt run --stage1-name=nspawn /bin/true" "$nspawn" "$(ratio "$nspawn")"
printf '%-52s %8s %12s\n' "rkt run --stage1-name=fly /bin/true" "$fly" "$(ratio "$fly")"
awk -v n="$nspawn" 'BEGIN { printf "nspawn against rkt host flavor 2.27 s: %.3fx\n", n / 2270 }'
