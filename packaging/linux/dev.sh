#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Vigil developer entry point for Debian 12 / Ubuntu 24.04.
#   dev.sh run    install what is missing, build, start Vigil in paper mode (embedded simulator)
#   dev.sh test   install what is missing, build with ASan+UBSan, start the test services, run every test
#   dev.sh deps   only install the packages
#   dev.sh build  only build (Release-ish, in ./build)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$here"

packages=(
    build-essential cmake ninja-build ccache pkg-config git
    qt6-base-dev qt6-base-dev-tools qt6-websockets-dev qt6-charts-dev qt6-httpserver-dev
    libqt6sql6-sqlite libqt6sql6-psql qtkeychain-qt6-dev libhiredis-dev libbackward-cpp-dev libdw-dev
    libqt6opengl6-dev libxcb1-dev libx11-dev libgl-dev qt6-qpa-plugins libqt6svg6
)
test_packages=(redis-server postgresql xvfb xdotool xauth gnome-keyring dbus-x11 libsecret-tools nodejs npm clang imagemagick)

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Installed as itself, or provided by an installed package (Ubuntu 24.04's qt6-base-dev provides libqt6opengl6-dev).
installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed" && return 0
    dpkg-query -W -f='${Status} ${Provides}\n' 2>/dev/null | grep "^install ok installed " | grep -qE "[ ,]$1([ ,(]|$)"
}

install_deps() {
    local want=("${packages[@]}")
    if [ "${1:-}" = "test" ]; then want+=("${test_packages[@]}"); fi
    local missing=()
    for p in "${want[@]}"; do
        # Node may come from elsewhere (e.g. NodeSource bundles npm): only the commands matter.
        case "$p" in
            nodejs) command -v node >/dev/null && continue ;;
            npm) command -v npm >/dev/null && continue ;;
        esac
        installed "$p" || missing+=("$p")
    done
    if [ "${#missing[@]}" -gt 0 ]; then
        echo "==> installing: ${missing[*]}"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
    fi
    # libFuzzer's runtime for the distribution's own clang (14 on Debian 12, 18 on Ubuntu 24.04).
    if [ "${1:-}" = "test" ] && command -v clang >/dev/null; then
        local rt
        rt="libclang-rt-$(clang -dumpversion | cut -d. -f1)-dev"
        if ! installed "$rt"; then
            echo "==> installing: $rt"
            as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$rt"
        fi
    fi
}

jobs() { nproc 2>/dev/null || echo 2; }

build_app() {
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVIGIL_BUILD_TESTS=OFF
    cmake --build build -j "$(jobs)"
}

free_port() {
    python3 - <<'PY' 2>/dev/null || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

run_tests() {
    local dir=build-test
    cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DVIGIL_SANITIZE=ON -DVIGIL_WERROR=ON \
        -DCMAKE_CXX_FLAGS_DEBUG=-g1
    cmake --build "$dir" -j "$(jobs)"

    # The frame parser's libFuzzer target needs clang for its (small) tree: replay the corpus, fuzz briefly.
    if command -v clang++ >/dev/null; then
        CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug -DVIGIL_BUILD_UI=OFF \
            -DVIGIL_BUILD_FUZZ=ON >/dev/null
        cmake --build build-fuzz -j "$(jobs)" --target fuzz_framecodec
        ctest --test-dir build-fuzz -L fuzz --output-on-failure
    fi

    # Services the tests need: a throwaway Redis on a free loopback port.
    # Globals, not locals: the EXIT trap runs after this function has returned.
    local redis_port
    VIGIL_REDIS_PID=""
    VIGIL_REDIS_DIR="$(mktemp -d)"
    local redis_dir="$VIGIL_REDIS_DIR"
    if command -v redis-server >/dev/null; then
        redis_port="$(free_port)"
        redis-server --bind 127.0.0.1 --port "$redis_port" --save '' --appendonly no --dir "$redis_dir" \
            --daemonize no >"$redis_dir/redis.log" 2>&1 &
        VIGIL_REDIS_PID=$!
        export VIGIL_TEST_REDIS_URL="redis://127.0.0.1:$redis_port"
        for _ in $(seq 50); do
            redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
            sleep 0.1
        done
        echo "==> redis-server on 127.0.0.1:$redis_port"
    fi
    # A throwaway PostgreSQL cluster for the journal's QPSQL tests (label postgres).
    VIGIL_PG_DIR=""
    if pg_env="$(bash tests/core/store/pg-throwaway.sh start 2>/dev/null)"; then
        eval "$pg_env"
        VIGIL_PG_DIR="${VIGIL_TEST_PG_DIR:-}"
        echo "==> PostgreSQL for the journal tests started (throwaway cluster in $VIGIL_PG_DIR)"
    else
        echo "==> PostgreSQL not available: the postgres-labelled tests will skip"
    fi
    cleanup() {
        if [ -n "${VIGIL_REDIS_PID:-}" ]; then kill "$VIGIL_REDIS_PID" 2>/dev/null || true; fi
        if [ -n "${VIGIL_REDIS_DIR:-}" ]; then rm -rf "$VIGIL_REDIS_DIR"; fi
        if [ -n "${VIGIL_PG_DIR:-}" ]; then
            bash tests/core/store/pg-throwaway.sh stop "$VIGIL_PG_DIR" >/dev/null 2>&1 || true
        fi
        return 0
    }
    trap cleanup EXIT

    # The JS conformance test needs Deriv's official client from the npm registry.
    if [ -f tests/conformance/package.json ] && command -v npm >/dev/null; then
        (cd tests/conformance && npm ci --no-audit --no-fund --loglevel=error)
    fi

    local rc=0
    # A failing test's whole output, or its head and tail: ctest cuts at 300 kB from the end by default, which
    # hides the failure of a chatty test.
    ctest --test-dir "$dir" --output-on-failure --test-output-size-failed 4000000 \
        --test-output-truncation middle --timeout 600 -j "$(jobs)" "$@" || rc=$?
    return $rc
}

case "${1:-run}" in
    deps) install_deps test ;;
    build) install_deps; build_app ;;
    run)
        install_deps
        build_app
        if [ -x ./build/app/vigil/vigil ]; then
            if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ] || [ -n "${QT_QPA_PLATFORM:-}" ]; then
                exec ./build/app/vigil/vigil "${@:2}"
            fi
            echo "==> no display (DISPLAY/WAYLAND_DISPLAY unset): running the same engine headless in paper mode."
            echo "    For the console on a virtual display: xvfb-run -a ./build/app/vigil/vigil"
        else
            echo "==> the desktop console is not built in this checkout: running the headless engine in paper mode"
        fi
        exec ./build/app/headless/vigil-headless --status-interval 5 "${@:2}"
        ;;
    test)
        install_deps test
        run_tests "${@:2}"
        ;;
    *) echo "usage: $0 run|test|deps|build" >&2; exit 2 ;;
esac
