#!/bin/sh
# stage1 nspawn, host side: mounts each app's rootfs in the pod's own mount namespace, then
# becomes systemd-nspawn, whose container runs supervisor.sh as its init.
#
# Started by NspawnStage1 as
#   flock -x LOCK unshare --mount --propagation private /bin/sh nspawn-run.sh \
#       HOST_MNT_NS POD_DIR COUNT [APP TREE APP_DIR MEMORY_LIMIT|- CPU_QUOTA|- CPU_SHARES|-]... \
#       -- [NAME=VALUE]... NSPAWN [OPTION...]
# (CPU_QUOTA in microseconds per 100 ms; the NAME=VALUE words go to systemd-nspawn's environment).
# The container is started as
#   NSPAWN OPTION... [--bind=CGROUP:/rkt/cgroup/memory] [--bind=CGROUP:/rkt/cgroup/cpu] -- /bin/sh /rkt/supervisor.sh APP...
# Every mount made here dies with the namespace; nothing is unmounted or removed by hand.
#
# Exit status: systemd-nspawn's (the supervisor's); 254 when the pod could not be set up.

PATH=/usr/sbin:/usr/bin:/sbin:/bin

fail() {
    echo "stage1 nspawn: $*" >&2
    exit 254
}

[ "$#" -ge 4 ] || fail "usage: nspawn-run.sh HOST_MNT_NS POD_DIR COUNT [APP TREE APP_DIR MEMORY CPU_QUOTA CPU_SHARES]... -- NSPAWN..."
host_ns=$1 pod_dir=$2 count=$3
shift 3

# As fly: never mount in the host's namespace, nor where mounts would propagate back to it.
own_ns=$(readlink "/proc/$$/ns/mnt") || fail "cannot read this process's mount namespace"
[ "$own_ns" != "$host_ns" ] || fail "not in a private mount namespace; refusing to mount"
if grep -q -e ' shared:' -e ' master:' "/proc/$$/mountinfo"; then
    fail "mount propagation is not private; refusing to mount"
fi

# The pod's cgroup for one controller (memory, cpu), below this process's own, holding one per
# limited app: cgroup v1's hierarchy of that controller, or v2's where the controller can be
# delegated (then every controller shares it). Its path is kept in the pod dir (CONTROLLER-cgroup)
# so that gc removes it once the pod is gone. Usage: pod_cgroup CONTROLLER V1_FILE ISOLATOR; sets
# $cgroup, and $v2 on cgroup v2.
pod_cgroup() {
    own=$(sed -n "s/^[0-9]*:\([^:]*,\)\{0,1\}$1\(,[^:]*\)\{0,1\}://p" "/proc/$$/cgroup")
    if [ -n "$own" ] && [ -f "/sys/fs/cgroup/$1${own%/}/$2" ]; then
        cgroup=/sys/fs/cgroup/$1${own%/}/rkt-${pod_dir##*/}
        v2=
        mkdir "$cgroup" || fail "cannot create the $1 cgroup $cgroup"
    else
        own=$(sed -n 's/^0:://p' "/proc/$$/cgroup")
        parent=/sys/fs/cgroup${own%/}
        grep -qw "$1" "$parent/cgroup.controllers" 2>/dev/null \
            || fail "this host has no $1 cgroup controller for $parent: $3 cannot be enforced"
        cgroup=$parent/rkt-${pod_dir##*/}
        v2=1
        { echo "+$1" > "$parent/cgroup.subtree_control"; } 2>/dev/null \
            || fail "cannot delegate the $1 controller below $parent (cgroup v2 allows it only where no process is): $3 cannot be enforced"
        { [ -d "$cgroup" ] || mkdir "$cgroup"; } && echo "+$1" > "$cgroup/cgroup.subtree_control" \
            || fail "cannot create the $1 cgroup $cgroup"
    fi
    printf '%s' "$cgroup" > "$pod_dir/$1-cgroup" || fail "cannot write $pod_dir/$1-cgroup"
}

apps=
memory_cgroup=
cpu_cgroup=
i=0
while [ "$i" -lt "$count" ]; do
    [ "$#" -ge 6 ] || fail "missing arguments for app $((i + 1)) of $count"
    app=$1 tree=$2 app_dir=$3 memory=$4 quota=$5 shares=$6
    shift 6
    root=$app_dir/rootfs
    mkdir -p "$app_dir/upper" "$app_dir/work" "$root" || fail "cannot create $app_dir"
    mount -t overlay overlay -o "lowerdir=$tree,upperdir=$app_dir/upper,workdir=$app_dir/work" "$root" \
        || fail "cannot mount the overlay of app $app on $root"
    # The supervisor mounts the container's /dev, /proc, /sys and a /tmp here; a symlink could
    # point those mounts outside the rootfs.
    for dir in dev proc sys tmp; do
        [ ! -L "$root/$dir" ] || fail "the image of app $app has a symlink at /$dir; refusing to mount over it"
    done
    mkdir -p "$root/dev" "$root/proc" "$root/sys" "$root/tmp" \
        || fail "cannot create /dev, /proc, /sys or /tmp in the rootfs of app $app"
    if [ "$memory" != - ]; then
        if [ -z "$memory_cgroup" ]; then
            pod_cgroup memory memory.limit_in_bytes resource/memory
            memory_cgroup=$cgroup memory_v2=$v2
        fi
        { [ -d "$memory_cgroup/$app" ] || mkdir "$memory_cgroup/$app"; } \
            && if [ -n "$memory_v2" ]; then
                printf '%s' "$memory" > "$memory_cgroup/$app/memory.max"
            else
                printf '%s' "$memory" > "$memory_cgroup/$app/memory.limit_in_bytes"
            fi || fail "cannot limit the memory of app $app in $memory_cgroup/$app"
        if [ -f "$memory_cgroup/$app/memory.memsw.limit_in_bytes" ]; then
            # swap counts too, or the limit only moves the app's memory to swap
            printf '%s' "$memory" > "$memory_cgroup/$app/memory.memsw.limit_in_bytes" \
                || fail "cannot limit the memory and swap of app $app"
        fi
    fi
    if [ "$quota" != - ] || [ "$shares" != - ]; then
        if [ -z "$cpu_cgroup" ]; then
            pod_cgroup cpu cpu.cfs_quota_us resource/cpu
            cpu_cgroup=$cgroup cpu_v2=$v2
        fi
        dir=$cpu_cgroup/$app
        { [ -d "$dir" ] || mkdir "$dir"; } && if [ -n "$cpu_v2" ]; then
            { [ "$quota" = - ] || printf '%s 100000' "$quota" > "$dir/cpu.max"; } \
                && { [ "$shares" = - ] || printf '%s' $((1 + (shares - 2) * 9999 / 262142)) > "$dir/cpu.weight"; }
        else
            { [ "$quota" = - ] || { printf 100000 > "$dir/cpu.cfs_period_us" && printf '%s' "$quota" > "$dir/cpu.cfs_quota_us"; }; } \
                && { [ "$shares" = - ] || printf '%s' "$shares" > "$dir/cpu.shares"; }
        fi || fail "cannot limit the CPU of app $app in $dir"
    fi
    apps="$apps $app"
    i=$((i + 1))
done
[ "$1" = "--" ] || fail "expected -- before the systemd-nspawn command"
shift
while [ "$#" -gt 0 ]; do
    case $1 in
        *=*) export "$1"; shift ;;
        *) break ;;
    esac
done

# systemd-nspawn keeps its propagation directory under /run/systemd/nspawn and, where /run is no
# tmpfs, warns at exit that it cannot remove it and leaves it behind: a tmpfs of this namespace's
# own takes both away from the host.
mkdir -p /run/systemd/nspawn && mount -t tmpfs -o mode=0755,nosuid,nodev,size=1m tmpfs /run/systemd/nspawn \
    || fail "cannot mount a tmpfs on /run/systemd/nspawn"

if [ -n "$memory_cgroup" ]; then
    set -- "$@" "--bind=$memory_cgroup:/rkt/cgroup/memory"
fi
if [ -n "$cpu_cgroup" ]; then
    set -- "$@" "--bind=$cpu_cgroup:/rkt/cgroup/cpu"
fi

# rkt's ppid: systemd-nspawn (this process, once exec'd) has one child, the container's init.
printf '%s' "$$" > "$pod_dir/ppid.tmp.$$" && mv -f "$pod_dir/ppid.tmp.$$" "$pod_dir/ppid" \
    || fail "cannot write $pod_dir/ppid"
# shellcheck disable=SC2086 # app names are AC names: no blanks, no globs
exec "$@" -- /bin/sh /rkt/supervisor.sh $apps
