#!/bin/sh
# stage1 fly: sets up one app's rootfs and runs the app, as rkt's fly does.
#
# Started by FlyStage1 as
#   flock -x LOCK unshare --mount --propagation private /bin/sh fly-run.sh \
#       HOST_MNT_NS TREE APP_DIR ro|rw POD_DIR STATUS_DIR APP -- COMMAND...
# with STATUS_DIR already created.
# so every mount below lives in the pod's own mount namespace and disappears with its last
# process; nothing is ever unmounted or removed by hand.
#
# Exit status: the app's; 254 when the pod could not be set up (then no status file is written).

PATH=/usr/sbin:/usr/bin:/sbin:/bin

fail() {
    echo "stage1 fly: $*" >&2
    exit 254
}

[ "$#" -ge 9 ] || fail "usage: fly-run.sh HOST_MNT_NS TREE APP_DIR ro|rw POD_DIR STATUS_DIR APP -- COMMAND..."
host_ns=$1 tree=$2 app_dir=$3 mode=$4 pod_dir=$5 status_dir=$6 app=$7
shift 7
[ "$1" = "--" ] || fail "expected -- before the command"
shift

# A mount made in the host's namespace would outlive the pod and show on the host: refuse to
# mount anything unless this shell is in a namespace of its own whose mounts do not propagate.
own_ns=$(readlink "/proc/$$/ns/mnt") || fail "cannot read this process's mount namespace"
[ "$own_ns" != "$host_ns" ] || fail "not in a private mount namespace; refusing to mount"
if grep -q -e ' shared:' -e ' master:' "/proc/$$/mountinfo"; then
    fail "mount propagation is not private; refusing to mount"
fi

root=$app_dir/rootfs
mkdir -p "$app_dir/upper" "$app_dir/work" "$root" || fail "cannot create $app_dir"
mount -t overlay overlay -o "lowerdir=$tree,upperdir=$app_dir/upper,workdir=$app_dir/work" "$root" \
    || fail "cannot mount the app's overlay on $root"

# A symlink at one of these paths could point mkdir and mount outside the rootfs.
for dir in dev proc sys tmp; do
    [ ! -L "$root/$dir" ] || fail "the image has a symlink at /$dir; refusing to mount over it"
done
# one mkdir for the four: every program started here is on the path of `rkt run`
mkdir -p "$root/dev" "$root/proc" "$root/sys" "$root/tmp" || fail "cannot create /dev, /proc, /sys or /tmp in the app's rootfs"

for dir in dev proc sys; do
    mount --rbind "/$dir" "$root/$dir" || fail "cannot bind /$dir into the app's rootfs"
done
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$root/tmp" || fail "cannot mount a tmpfs on /tmp"
if [ "$mode" = ro ]; then
    # per mount, so /dev, /proc, /sys and /tmp stay as they are
    mount -o remount,bind,ro "$root" || fail "cannot make the app's rootfs read-only"
fi

write_atomically() {
    printf '%s' "$2" > "$1.tmp.$$" && mv -f "$1.tmp.$$" "$1"
}

# rkt's ppid: this shell's only child is the app.
write_atomically "$pod_dir/ppid" "$$" || fail "cannot write $pod_dir/ppid"

# Signals from the terminal reach the app too; this shell only waits for it, so it must outlive
# them to record the exit status. Caught signals are reset to default in the app.
trap ':' HUP INT QUIT TERM

# An interactive pod on a terminal: fly-tty.pl relays the user's terminal through a pseudo-terminal
# of the pod's own; the app leads a session whose controlling terminal it is, so ^C and ^Z reach
# the app and not this chain.
if [ -n "$RKTJ_FLY_TTY" ] && [ -t 0 ]; then
    set -- setsid --ctty "$@"
fi

# In the foreground: an interactive app keeps the terminal and stdin. This shell's stderr is
# parked meanwhile, or it would add "Killed" to the user's terminal when the app dies of a
# signal; the app gets the real one back in a subshell that exec's it, so it is still this
# shell's only child.
exec 3>&2 2>/dev/null
(exec "$@" 2>&3 3>&-)
rc=$?
exec 2>&3 3>&-

write_atomically "$status_dir/$app" "$rc" \
    || echo "stage1 fly: cannot write the exit status of $app to $status_dir" >&2
exit "$rc"
