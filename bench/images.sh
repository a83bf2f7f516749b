#!/usr/bin/env bash
# Measures the image store against baselines taken in the same run, on the same files:
#   import of a ~100 MB ACI, gzip and plain  vs  `gzip -dc | sha512sum` and `sha512sum`
#   rendering it (first prepare)             vs  `tar -x` of the same tar
#   re-fetching the same file                vs  the first import
#   `rkt image list` with 1,000 images       (agent up; target 150 ms)
# Prints medians in ms and ratios. Run as root after building.
# Usage: bench/images.sh [RUNS]   (default 5)
set -euo pipefail
root=$(dirname "$(dirname "$(readlink -f "$0")")")
rkt=$root/bin/rkt
runs=${1:-5}
work=$(mktemp -d /tmp/rktj-bench-img.XXXXXX)
ms() { echo $(( $(date +%s%N) / 1000000 )); }
med() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# median of the timings of "$@" over $runs runs, in ms; $before runs first each time, untimed
median() {
    local t=() i s
    for ((i = 0; i < runs; i++)); do
        if [ -n "${before:-}" ]; then eval "$before"; fi
        s=$(ms); "$@" >/dev/null 2>&1 || true; t+=($(( $(ms) - s )))
    done
    printf '%s\n' "${t[@]}" | med
}
kill_agents() {
    pkill -f -- "--dir=$work/" 2>/dev/null || true
    for _ in $(seq 50); do pgrep -f -- "--dir=$work/" >/dev/null || return 0; sleep 0.1; done
}
cleanup() {
    for d in "$work"/data*; do
        [ -d "$d" ] && "$rkt" --dir="$d" gc --grace-period=0 --expire-prepared=0 >/dev/null 2>&1 || true
    done
    kill_agents
    grep -q " $work" /proc/self/mountinfo || rm -rf "$work"
}
trap cleanup EXIT

# ~100 MB of real shared libraries, in a fixed order, as the image's rootfs (a file that would take
# it past 100 MiB is skipped: the JDK's 130 MB lib/modules alone would double it)
mkdir -p "$work/big/rootfs/lib"
total=0
limit=$((100 * 1024 * 1024))
for f in $(find /usr/lib/x86_64-linux-gnu /usr/lib/jvm -type f -size +100k 2>/dev/null | sort); do
    [ "$total" -ge $((limit - 1024 * 1024)) ] && break
    size=$(stat -c %s "$f")
    [ $((total + size)) -gt "$limit" ] && continue
    cp "$f" "$work/big/rootfs/lib/$(echo "$f" | tr / _)"
    total=$((total + size))
done
printf '{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/big","labels":[{"name":"os","value":"linux"},{"name":"arch","value":"amd64"}]}' > "$work/big/manifest"
tar -C "$work/big" -cf "$work/big.aci" manifest rootfs
gzip -c "$work/big.aci" > "$work/big.aci.gz"
size_mb=$(( $(stat -c %s "$work/big.aci") / 1024 / 1024 ))

fresh() { kill_agents; rm -rf "$work/data"; mkdir -p "$work/data"; }
version=$(median "$rkt" version)
base_gz=$(median sh -c "gzip -dc '$work/big.aci.gz' | sha512sum")
base_tar=$(median sha512sum "$work/big.aci")
before=fresh
fetch_gz=$(median "$rkt" --dir="$work/data" --insecure-options=image fetch "$work/big.aci.gz")
fetch_tar=$(median "$rkt" --dir="$work/data" --insecure-options=image fetch "$work/big.aci")
# the same imports into a store whose journal agent is up (the fresh-store rows start one each time)
mkdir -p "$work/data-warm"
"$rkt" --dir="$work/data-warm" list >/dev/null
before="'$rkt' --dir='$work/data-warm' image rm example.com/big >/dev/null 2>&1"
warm_gz=$(median "$rkt" --dir="$work/data-warm" --insecure-options=image fetch "$work/big.aci.gz")
warm_tar=$(median "$rkt" --dir="$work/data-warm" --insecure-options=image fetch "$work/big.aci")
before="rm -rf '$work/x'; mkdir -p '$work/x'"
base_x=$(median tar -C "$work/x" -xf "$work/big.aci")
# a fresh store holding the image, its agent up (the fetch starts it): the agent prepares (thin
# prepare), or with RKTJ_THIN=off the command's own JVM does
agent_up() { for _ in $(seq 100); do [ -S "$work/data/journal/agent.sock" ] && return 0; sleep 0.1; done; }
before="fresh; '$rkt' --dir='$work/data' --insecure-options=image fetch '$work/big.aci' >/dev/null 2>&1; agent_up"
render=$(median "$rkt" --dir="$work/data" prepare --insecure-options=image --pull-policy=never example.com/big)
render_own=$(median env RKTJ_THIN=off "$rkt" --dir="$work/data" prepare --insecure-options=image --pull-policy=never example.com/big)
before=
"$rkt" --dir="$work/data" --insecure-options=image fetch "$work/big.aci.gz" >/dev/null 2>&1
refetch=$(median "$rkt" --dir="$work/data" --insecure-options=image fetch "$work/big.aci.gz")

# 1,000 small images, fetched by one command
mkdir -p "$work/many"
for i in $(seq 1000); do
    d=$work/many/$i
    mkdir -p "$d/rootfs"
    echo "$i" > "$d/rootfs/n"
    printf '{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/many-%d","labels":[{"name":"os","value":"linux"}]}' "$i" > "$d/manifest"
    tar -C "$d" -cf "$work/many/$i.aci" manifest rootfs
done
mkdir -p "$work/data-many"
"$rkt" --dir="$work/data-many" --insecure-options=image fetch "$work"/many/*.aci >/dev/null
"$rkt" --dir="$work/data-many" image list >/dev/null   # the agent is up from here on
sleep 1
list=$(median "$rkt" --dir="$work/data-many" image list)
count=$("$rkt" --dir="$work/data-many" image list --no-legend | wc -l)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1); image: $size_mb MB tar; runs per row: $runs (median)"
printf '%-56s %8s %8s\n' "what" "ms" "ratio"
printf '%-56s %8s %8s\n' "rkt version (JVM start-up, in every rkt row)" "$version" ""
printf '%-56s %8s %8s\n' "baseline: gzip -dc | sha512sum" "$base_gz" "1.00"
printf '%-56s %8s %8s\n' "rkt fetch .aci.gz (fresh store)" "$fetch_gz" "$(ratio "$fetch_gz" "$base_gz")"
printf '%-56s %8s %8s\n' "rkt fetch .aci.gz (agent up, image not stored)" "$warm_gz" "$(ratio "$warm_gz" "$base_gz")"
printf '%-56s %8s %8s\n' "baseline: sha512sum of the tar" "$base_tar" "1.00"
printf '%-56s %8s %8s\n' "rkt fetch .aci plain tar (fresh store)" "$fetch_tar" "$(ratio "$fetch_tar" "$base_tar")"
printf '%-56s %8s %8s\n' "rkt fetch .aci plain tar (agent up, image not stored)" "$warm_tar" "$(ratio "$warm_tar" "$base_tar")"
printf '%-56s %8s %8s\n' "baseline: tar -x" "$base_x" "1.00"
printf '%-56s %8s %8s\n' "rkt prepare (renders the tree; agent up)" "$render" "$(ratio "$render" "$base_x")"
printf '%-56s %8s %8s\n' "rkt prepare (renders the tree; own JVM)" "$render_own" "$(ratio "$render_own" "$base_x")"
printf '%-56s %8s %8s\n' "rkt fetch .aci.gz again (image in store)" "$refetch" "$(ratio "$refetch" "$fetch_gz")"
printf '%-56s %8s %8s\n' "rkt image list, $count images (agent up)" "$list" ""
