#!/bin/sh
# stage1 nspawn, inside the container: the pod's init (PID 1). Gives each app the container's
# /dev, /proc and /sys and a /tmp of its own (/rkt/fstab), runs the apps side by side (each: pre-start
# handler, app, status file, post-stop handler), stops the others when one fails (rkt's rule),
# forwards a stop to the apps, reaps, and exits with the first failed app's code (in pod order).
#
# Started by systemd-nspawn as  /bin/sh /rkt/supervisor.sh APP...
# For each APP, /rkt/apps/APP holds `start` (a script that becomes the app), optionally
# `pre-start` and `post-stop` (scripts that run the handlers the same way) and `read-only`.
# Exit status: the first failed app's, else 0; 254 when the pod could not be set up.
#
# As PID 1, this shell receives only the signals it traps; the apps run in asynchronous
# subshells, and dash's `wait` reaps every child, orphans of the apps included.

PATH=/usr/sbin:/usr/bin:/sbin:/bin
status_dir=/rkt/status

fail() {
    echo "stage1 nspawn: $*" >&2
    exit 254
}

[ "$#" -ge 1 ] || fail "usage: supervisor.sh APP..."

# /rkt/fstab holds every app's mounts: the container's /dev, /proc and /sys, a /tmp of its own and
# (unless --insecure-options=paths) rkt's read-only and hidden kernel paths. One mount(8) for all.
mount --all --fstab /rkt/fstab || fail "cannot mount /dev, /proc, /sys and /tmp in the apps' rootfs"
for app; do
    if [ -e "/rkt/apps/$app/read-only" ]; then
        # this mount only: /dev, /proc, /sys and /tmp stay as they are
        mount -o remount,bind,ro "/opt/stage2/$app/rootfs" || fail "cannot make the rootfs of app $app read-only"
    fi
done

record() {
    printf '%s' "$2" > "$status_dir/$1.tmp" && mv -f "$status_dir/$1.tmp" "$status_dir/$1" \
        || echo "stage1 nspawn: cannot write the exit status of app $1" >&4
}

# One app's life, in an asynchronous subshell: its stdin is fd 3 (an asynchronous list gets
# /dev/null), and the app's own start script restores SIGINT and SIGQUIT, which such a list ignores.
# Its own stderr is parked on /dev/null, or the shell would add "Terminated" to the user's output
# when an app dies of a signal; the scripts get the real one (fd 4).
run_app() {
    app=$1
    dir=/rkt/apps/$app
    exec 4>&2 2>/dev/null
    if [ -f "$dir/pre-start" ]; then
        /bin/sh "$dir/pre-start" <&3 3<&- 2>&4 4>&-
        rc=$?
        if [ "$rc" -ne 0 ]; then
            echo "stage1 nspawn: the pre-start handler of app $app exited with $rc; the app was not started" >&4
            record "$app" "$rc"
            kill -USR1 1
            return
        fi
    fi
    /bin/sh "$dir/start" <&3 3<&- 2>&4 4>&-
    rc=$?
    rm -f "$dir/pid"
    record "$app" "$rc"
    if [ -f "$dir/post-stop" ]; then
        /bin/sh "$dir/post-stop" </dev/null 3<&- 2>&4 4>&-
    fi
    if [ "$rc" -ne 0 ]; then
        kill -USR1 1
    fi
}

# The marker first: an app whose start script has not written its pid yet sees it and does not start.
stop_apps() {
    : > /rkt/stopping
    for app in $apps; do
        pid=$(cat "/rkt/apps/$app/pid" 2>/dev/null) && kill -TERM "$pid" 2>/dev/null
    done
}

apps=$*
exec 3<&0
# TERM: rkt stop or systemd-nspawn's --kill-signal; USR1: an app failed, which stops the pod
trap stop_apps TERM INT HUP USR1
for app; do
    run_app "$app" &
done
exec 0</dev/null
# wait returns above 128 when a trapped signal interrupts it, 0 once every app's subshell ended
until wait; do :; done

code=
for app; do
    if c=$(cat "$status_dir/$app" 2>/dev/null); then
        [ -n "$code" ] || code=0
        if [ "$c" != 0 ]; then
            code=$c
            break
        fi
    fi
done
exit "${code:-254}"
