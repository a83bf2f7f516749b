#!/usr/bin/env bash
# Times, outside any JVM, the two pieces of stage1 nspawn's start chain that the isolator work
# (issue 6) changed, each against what it replaced, interleaved run by run:
#   - the mounts of an app's rootfs: four mount(8) calls per app before; now one
#     `mount --all --fstab` of the pod's /rkt/fstab (rkt's kernel-path protection included);
#   - the end of an app's chain: `setpriv ... nsenter` before; now `setpriv --inh-caps=-all ...
#     perl exec.pl`, which also installs the default system call filter.
# The fstab and the filter are the real ones of a pod run here first. Run as root after building.
# Usage: bench/nspawn-chain.sh [RUNS]   (default 101)
set -euo pipefail
root=$(dirname "$(dirname "$(readlink -f "$0")")")
rkt=$root/bin/rkt
runs=${1:-101}
work=$(mktemp -d /tmp/rktj-bench-chain.XXXXXX)
data=$work/data
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

mkdir -p "$work/true/rootfs/bin"
cp /bin/true "$work/true/rootfs/bin/"
for lib in $(ldd /bin/true | grep -o '/[^ ]*'); do mkdir -p "$work/true/rootfs$(dirname "$lib")"; cp -L "$lib" "$work/true/rootfs$lib"; done
printf '{"acKind":"ImageManifest","acVersion":"0.8.11","name":"example.com/true","labels":[{"name":"os","value":"linux"}],"app":{"exec":["/bin/true"],"user":"0","group":"0"}}' > "$work/true/manifest"
tar -C "$work/true" -cf "$work/true.aci" manifest rootfs
"$rkt" --dir="$data" --insecure-options=image run --uuid-file-save="$work/uuid" "$work/true.aci" >/dev/null
stage1=$data/pods/run/$(cat "$work/uuid")/stage1/rootfs
cp "$stage1/rkt/apps/true/seccomp.bpf" "$work/filter.bpf"
cp "$root/plugins/stage1-nspawn/src/main/resources/dev/rktj/stage1/nspawn/exec.pl" "$work/exec.pl"
touch "$work/inaccessible" && chmod 000 "$work/inaccessible"
mkdir -p "$work/app/dev" "$work/app/proc" "$work/app/sys" "$work/app/tmp"
sed -e "s|/opt/stage2/true/rootfs|$work/app|" -e "s|^/rkt/inaccessible |$work/inaccessible |" "$stage1/rkt/fstab" > "$work/fstab"
a=$work/app
old_mounts=(unshare --mount --propagation private sh -c "mount --rbind /dev $a/dev && mount --rbind /proc $a/proc && mount --rbind /sys $a/sys && mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs $a/tmp")
new_mounts=(unshare --mount --propagation private sh -c "mount --all --fstab $work/fstab")
set_=(setpriv --regid=0 --clear-groups)
bnd=--bounding-set=-all,+audit_write,+chown,+dac_override,+fsetid,+fowner,+kill,+mknod,+net_raw,+net_bind_service,+setuid,+setgid,+setpcap,+setfcap,+sys_chroot
old_chain=(env --default-signal=INT,QUIT -i PATH=/usr/bin:/bin "${set_[@]}" "$bnd" nsenter --root=/ --wd=/ -S 0 -- /bin/true)
new_chain=(env --default-signal=INT,QUIT -i "${set_[@]}" --inh-caps=-all "$bnd" perl "$work/exec.pl" "$(case $(uname -m) in aarch64) echo 167 ;; *) echo 157 ;; esac)" "$work/filter.bpf" / / 0 PATH=/usr/bin:/bin -- /bin/true)

declare -A times
time_it() {  # NAME COMMAND...
    local name=$1 s
    shift
    s=$(date +%s%N); "$@" >/dev/null; times[$name]+="$(( ($(date +%s%N) - s) / 1000 )) "
}
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for ((i = 0; i < runs; i++)); do
    time_it old_mounts "${old_mounts[@]}"; time_it new_mounts "${new_mounts[@]}"
    time_it old_chain "${old_chain[@]}"; time_it new_chain "${new_chain[@]}"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
median() { tr ' ' '\n' <<<"${times[$1]}" | grep . | sort -n | awk '{a[NR]=$1} END {printf "%.2f", a[int((NR+1)/2)] / 1000}'; }
echo "machine: $(nproc) cores, load average $load_before before, $load_after after; $runs runs each, interleaved (median ms)"
row() { printf '%-58s %8s\n' "$1" "$2"; }
row "rootfs mounts, before: four mount(8) per app" "$(median old_mounts)"
row "rootfs mounts, now: one mount --all, $(wc -l < "$work/fstab") fstab lines" "$(median new_mounts)"
row "end of an app's chain, before: env setpriv nsenter" "$(median old_chain)"
row "end of an app's chain, now: env setpriv perl exec.pl" "$(median new_chain)"
