#!/bin/sh
# stage1 nspawn, host side: mounts each app's rootfs in the pod's own mount namespace, then
# becomes systemd-nspawn, whose container runs supervisor.sh as its init.
#
# Started by NspawnStage1 as
#   flock -x LOCK unshare --mount --propagation private /bin/sh nspawn-run.sh \
#       HOST_MNT_NS POD_DIR COUNT [APP TREE APP_DIR MEMORY_LIMIT|-]... -- NSPAWN [OPTION...]
# The container is started as  NSPAWN OPTION... [--bind=CGROUP:/rkt/cgroup/memory] -- /bin/sh /rkt/supervisor.sh APP...
# Every mount made here dies with the namespace; nothing is unmounted or removed by hand.
#
# Exit status: systemd-nspawn's (the supervisor's); 254 when the pod could not be set up.

PATH=/usr/sbin:/usr/bin:/sbin:/bin

fail() {
    echo "stage1 nspawn: $*" >&2
    exit 254
}

[ "$#" -ge 4 ] || fail "usage: nspawn-run.sh HOST_MNT_NS POD_DIR COUNT [APP TREE APP_DIR MEMORY]... -- NSPAWN..."
host_ns=$1 pod_dir=$2 count=$3
shift 3

# As fly: never mount in the host's namespace, nor where mounts would propagate back to it.
own_ns=$(readlink "/proc/$$/ns/mnt") || fail "cannot read this process's mount namespace"
[ "$own_ns" != "$host_ns" ] || fail "not in a private mount namespace; refusing to mount"
if grep -q -e ' shared:' -e ' master:' "/proc/$$/mountinfo"; then
    fail "mount propagation is not private; refusing to mount"
fi

# A memory cgroup for the pod below this process's own, holding one per limited app: cgroup v1's
# memory hierarchy, or v2 where the memory controller can be delegated. Its path is kept in the
# pod dir so that gc removes it once the pod is gone.
create_memory_cgroup() {
    own=$(sed -n 's/^[0-9]*:memory://p' "/proc/$$/cgroup")
    if [ -n "$own" ] && [ -f "/sys/fs/cgroup/memory${own%/}/memory.limit_in_bytes" ]; then
        memory_cgroup=/sys/fs/cgroup/memory${own%/}/rkt-${pod_dir##*/}
        limit_file=memory.limit_in_bytes
        mkdir "$memory_cgroup" || fail "cannot create the memory cgroup $memory_cgroup"
    else
        own=$(sed -n 's/^0:://p' "/proc/$$/cgroup")
        parent=/sys/fs/cgroup${own%/}
        grep -qw memory "$parent/cgroup.controllers" 2>/dev/null \
            || fail "this host has no memory cgroup controller for $parent: resource/memory cannot be enforced"
        memory_cgroup=$parent/rkt-${pod_dir##*/}
        limit_file=memory.max
        { echo +memory > "$parent/cgroup.subtree_control"; } 2>/dev/null \
            || fail "cannot delegate the memory controller below $parent (cgroup v2 allows it only where no process is): resource/memory cannot be enforced"
        mkdir "$memory_cgroup" && echo +memory > "$memory_cgroup/cgroup.subtree_control" \
            || fail "cannot create the memory cgroup $memory_cgroup"
    fi
    printf '%s' "$memory_cgroup" > "$pod_dir/memory-cgroup" || fail "cannot write $pod_dir/memory-cgroup"
}

apps=
memory_cgroup=
i=0
while [ "$i" -lt "$count" ]; do
    [ "$#" -ge 4 ] || fail "missing arguments for app $((i + 1)) of $count"
    app=$1 tree=$2 app_dir=$3 memory=$4
    shift 4
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
        [ -n "$memory_cgroup" ] || create_memory_cgroup
        mkdir "$memory_cgroup/$app" && printf '%s' "$memory" > "$memory_cgroup/$app/$limit_file" \
            || fail "cannot limit the memory of app $app in $memory_cgroup/$app"
        if [ -f "$memory_cgroup/$app/memory.memsw.limit_in_bytes" ]; then
            # swap counts too, or the limit only moves the app's memory to swap
            printf '%s' "$memory" > "$memory_cgroup/$app/memory.memsw.limit_in_bytes" \
                || fail "cannot limit the memory and swap of app $app"
        fi
    fi
    apps="$apps $app"
    i=$((i + 1))
done
[ "$1" = "--" ] || fail "expected -- before the systemd-nspawn command"
shift

# systemd-nspawn keeps its propagation directory under /run/systemd/nspawn and, where /run is no
# tmpfs, warns at exit that it cannot remove it and leaves it behind: a tmpfs of this namespace's
# own takes both away from the host.
mkdir -p /run/systemd/nspawn && mount -t tmpfs -o mode=0755,nosuid,nodev,size=1m tmpfs /run/systemd/nspawn \
    || fail "cannot mount a tmpfs on /run/systemd/nspawn"

if [ -n "$memory_cgroup" ]; then
    set -- "$@" "--bind=$memory_cgroup:/rkt/cgroup/memory"
fi

# rkt's ppid: systemd-nspawn (this process, once exec'd) has one child, the container's init.
printf '%s' "$$" > "$pod_dir/ppid.tmp.$$" && mv -f "$pod_dir/ppid.tmp.$$" "$pod_dir/ppid" \
    || fail "cannot write $pod_dir/ppid"
# shellcheck disable=SC2086 # app names are AC names: no blanks, no globs
exec "$@" -- /bin/sh /rkt/supervisor.sh $apps
