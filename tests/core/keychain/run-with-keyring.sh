#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs a test binary against a REAL Secret Service: a private D-Bus session bus (dbus-run-session) with a
# private GNOME Keyring whose login keyring is created/unlocked non-interactively in a throw-away HOME.
# Nothing touches the user's own keyring or session bus.
#
# Usage: run-with-keyring.sh <test-binary> [test args...]
# Exit codes: the test's own; 77 (SKIP, CTest SKIP_RETURN_CODE) when the tools are missing; 1 when the
# keyring cannot be brought up although the tools are there (that is a failure, not a skip).
set -u
SKIP=77

if [ "$#" -lt 1 ]; then
    echo "usage: $0 <test-binary> [args...]" >&2
    exit 2
fi

if [ "${VIGIL_KEYRING_SESSION:-}" != "1" ]; then
    missing=""
    for tool in dbus-run-session dbus-send gnome-keyring-daemon; do
        command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
    done
    if [ -n "$missing" ]; then
        echo "SKIP: keychain test needs a real Secret Service, but these tools are missing:$missing" >&2
        echo "      install the Debian packages dbus-bin (or dbus-x11) and gnome-keyring to run it." >&2
        exit $SKIP
    fi
    VIGIL_KEYRING_SESSION=1 exec dbus-run-session -- "$0" "$@"
fi

# Inside the private session bus from here on.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/vigil-keyring.XXXXXX") || exit 1
daemon_pid=""
cleanup() {
    if [ -n "$daemon_pid" ]; then
        kill "$daemon_pid" 2>/dev/null
        wait "$daemon_pid" 2>/dev/null
    fi
    rm -rf "$scratch"
}
trap cleanup EXIT INT TERM

export HOME="$scratch/home"
export XDG_DATA_HOME="$scratch/data"
export XDG_CONFIG_HOME="$scratch/config"
export XDG_CACHE_HOME="$scratch/cache"
export XDG_RUNTIME_DIR="$scratch/run"
mkdir -p "$HOME" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"
mkdir -m 700 "$XDG_RUNTIME_DIR"
# QtKeychain picks KWallet on KDE sessions: force the Secret Service path, and no prompts on a display.
unset XDG_CURRENT_DESKTOP DESKTOP_SESSION KDE_FULL_SESSION KDE_SESSION_VERSION GNOME_KEYRING_CONTROL DISPLAY WAYLAND_DISPLAY

# --unlock reads the login keyring's password from stdin, creating the keyring if there is none.
printf '%s' "vigil-test-keyring" | gnome-keyring-daemon --foreground --unlock --components=secrets \
    >"$scratch/gnome-keyring.log" 2>&1 &
daemon_pid=$!

ready=0
for _ in $(seq 1 100); do
    if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true"; then
        ready=1
        break
    fi
    if ! kill -0 "$daemon_pid" 2>/dev/null; then
        break
    fi
    sleep 0.1
done
if [ "$ready" != "1" ]; then
    echo "FAIL: gnome-keyring-daemon did not provide org.freedesktop.secrets on the private bus:" >&2
    cat "$scratch/gnome-keyring.log" >&2
    exit 1
fi

export VIGIL_KEYRING_SCRATCH="$scratch"
"$@"
rc=$?
exit $rc
