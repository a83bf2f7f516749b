#!/usr/bin/env bash
# Measures, in one run, the start-up-bound commands against a JVM hello-world baseline (and
# podman, where installed): rkt version, rkt status and rkt list (50 pods, journal agent up),
# rkt run of /bin/true under stage1 fly (image in the store), and the first command after a cold
# start (no agent). Prints medians in ms and ratios to the baseline. Run as root after building.
# Usage: bench/startup.sh [RUNS]   (default 15)
set -euo pipefail
root=$(dirname "$(dirname "$(readlink -f "$0")")")
rkt=$root/bin/rkt
runs=${1:-15}
work=$(mktemp -d /tmp/rktj-bench.XXXXXX)
data=$work/data
ms() { echo $(( $(date +%s%N) / 1000000 )); }
# median of the timings of "$@" over $runs runs, in ms
median() {
    local t=() i s
    for ((i = 0; i < runs; i++)); do
        s=$(ms); "$@" >/dev/null 2>&1 || true; t+=($(( $(ms) - s )))
    done
    printf '%s\n' "${t[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}
kill_agent() {
    pkill -f -- "--dir=$data journal-agent" 2>/dev/null || true
    for _ in $(seq 50); do pgrep -f -- "--dir=$data journal-agent" >/dev/null || return 0; sleep 0.1; done
}
# the agent goes before the directory: one still starting could bring a deleted queue directory back
cleanup() {
    "$rkt" --dir="$data" gc --grace-period=0 --expire-prepared=0 >/dev/null 2>&1 || true
    kill_agent
    grep -q " $work" /proc/self/mountinfo || rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/hello"
cat > "$work/hello/Hello.java" <<'JAVA'
public class Hello { public static void main(String[] a) { System.out.println("hello"); } }
JAVA
javac -d "$work/hello" "$work/hello/Hello.java"
"$root/examples/hello/make-aci.sh" "$work/hello.aci" >/dev/null
# an image whose app is /bin/true
mkdir -p "$work/true/rootfs/bin"
cp /bin/true "$work/true/rootfs/bin/"
for lib in $(ldd /bin/true | grep -o '/[^ ]*'); do mkdir -p "$work/true/rootfs$(dirname "$lib")"; cp -L "$lib" "$work/true/rootfs$lib"; done
printf '{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/true","labels":[{"name":"os","value":"linux"}],"app":{"exec":["/bin/true"],"user":"0","group":"0"}}' > "$work/true/manifest"
tar -C "$work/true" -cf "$work/true.aci" manifest rootfs

"$rkt" --dir="$data" --insecure-options=image fetch "$work/true.aci" >/dev/null
for i in $(seq 50); do "$rkt" --dir="$data" --insecure-options=image prepare "$work/true.aci" >/dev/null; done
uuid=$("$rkt" --dir="$data" list --full --no-legend | head -1 | cut -f1)

baseline=$(median java -Xshare:auto -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$work/hello" Hello)
"$rkt" --dir="$data" list >/dev/null   # the agent is up from here on
sleep 1
version=$(median "$rkt" --dir="$data" version)
status=$(median "$rkt" --dir="$data" status "$uuid")
list=$(median "$rkt" --dir="$data" list)
run=$(median "$rkt" --dir="$data" run --stage1-name=fly --insecure-options=image --pull-policy=never example.com/true)
cold_t=()
for ((i = 0; i < 5; i++)); do
    kill_agent
    s=$(ms); "$rkt" --dir="$data" list >/dev/null 2>&1; cold_t+=($(( $(ms) - s )))
done
cold=$(printf '%s\n' "${cold_t[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
podman=
if command -v podman >/dev/null 2>&1; then
    podman=$(median podman run --rm --network=none --rootfs "$work/true/rootfs" /bin/true)
fi

ratio() { awk -v a="$1" -v b="$baseline" 'BEGIN { printf "%.1f", a / b }'; }
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1); runs per row: $runs (median)"
printf '%-44s %8s %10s\n' "command" "ms" "x hello"
printf '%-44s %8s %10s\n' "java Hello (baseline)" "$baseline" "1.0"
printf '%-44s %8s %10s\n' "rkt version" "$version" "$(ratio "$version")"
printf '%-44s %8s %10s\n' "rkt status UUID (agent up)" "$status" "$(ratio "$status")"
printf '%-44s %8s %10s\n' "rkt list, 50 pods (agent up)" "$list" "$(ratio "$list")"
printf '%-44s %8s %10s\n' "rkt run fly /bin/true (image in store)" "$run" "$(ratio "$run")"
printf '%-44s %8s %10s\n' "rkt list, cold start (no agent; median of 5)" "$cold" "$(ratio "$cold")"
if [ -n "$podman" ]; then
    printf '%-44s %8s %10s\n' "podman run --rm --network=none /bin/true" "$podman" "$(ratio "$podman")"
else
    echo "podman: not installed, row skipped"
fi
kill_agent
