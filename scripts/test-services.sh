#!/usr/bin/env bash
# The services multiarch's tests need, for CI (.ci/run) and developers alike:
#   a private dockerd (vfs storage, no iptables, no bridge, own data/exec root, socket under /run/multiarch-test/)
#   arm64 emulation (binfmt_misc + qemu-aarch64) and an arm64 busybox binary for the offline base image;
#   a local image multiarch-test/registry:2 made from the docker-registry binary, which the Testcontainers
#   registry fixture runs in place of Docker Hub's registry:2 (nothing is pulled here).
#
#   scripts/test-services.sh prepare   fetch busybox-static:arm64 into the cache (apt; root; once)
#   scripts/test-services.sh start     enable qemu-aarch64, start dockerd (idempotent), verify both
#   scripts/test-services.sh stop      stop the dockerd started by 'start'
#   scripts/test-services.sh status    say what runs
#   eval "$(scripts/test-services.sh env)"   export DOCKER_HOST and the busybox paths for tests
#
# Everything here is loud: any service that cannot start ends the script with a message and a non-zero exit.
set -euo pipefail

RUN_DIR=${MULTIARCH_TEST_RUN:-/run/multiarch-test}
DATA_DIR=${MULTIARCH_TEST_DATA:-/var/lib/multiarch-test}
CACHE_DIR=${MULTIARCH_TEST_CACHE:-/var/cache/multiarch-test}
BUSYBOX_ARM64=${MULTIARCH_BUSYBOX_ARM64:-$CACHE_DIR/busybox-arm64}
BUSYBOX_AMD64=${MULTIARCH_BUSYBOX_AMD64:-/bin/busybox}
SOCK=$RUN_DIR/docker.sock
PIDFILE=$RUN_DIR/dockerd.pid
DOCKERD_LOG=$RUN_DIR/dockerd.log
DOCKER_HOST_VALUE=unix://$SOCK

say() { echo "[test-services] $*" >&2; }
die() { echo "[test-services] ERROR: $*" >&2; exit 1; }

# Answers when the engine's API does; does not need the docker CLI.
engine_answers() {
  [ -S "$SOCK" ] && [ "$(curl -s --max-time 3 --unix-socket "$SOCK" http://docker/_ping 2>/dev/null || true)" = OK ]
}

dockerd_pid() {
  local pid
  [ -f "$PIDFILE" ] || return 1
  pid=$(cat "$PIDFILE" 2>/dev/null || true)
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

is_aarch64_elf() {
  # ELF magic, then e_machine (offset 18, little endian) 0xB7 = aarch64
  [ -f "$1" ] && [ "$(head -c 4 "$1" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ] &&
    [ "$(dd if="$1" bs=1 skip=18 count=2 2>/dev/null | od -An -tx1 | tr -d ' \n')" = b700 ]
}

prepare() {
  if is_aarch64_elf "$BUSYBOX_ARM64"; then
    say "arm64 busybox present: $BUSYBOX_ARM64"
    return 0
  fi
  [ "$(id -u)" = 0 ] || die "fetching busybox-static:arm64 needs root (apt); run as root or set MULTIARCH_BUSYBOX_ARM64 to an aarch64 busybox"
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    say "adding dpkg architecture arm64"
    dpkg --add-architecture arm64
  fi
  local tmp
  tmp=$(mktemp -d)
  chmod 755 "$tmp" # apt's _apt user downloads into it
  if ! (cd "$tmp" && apt-get download busybox-static:arm64 >/dev/null 2>&1); then
    say "busybox-static:arm64 not in the package lists yet: apt-get update"
    apt-get update >/dev/null 2>&1 || say "apt-get update reported errors (some list may be unreachable); trying the download anyway"
    (cd "$tmp" && apt-get download busybox-static:arm64) >&2 || { rm -rf "$tmp"; die "cannot download busybox-static:arm64 from the Debian archive"; }
  fi
  dpkg -x "$tmp"/busybox-static_*_arm64.deb "$tmp/x"
  mkdir -p "$(dirname "$BUSYBOX_ARM64")"
  install -m 0755 "$tmp/x/bin/busybox" "$BUSYBOX_ARM64"
  rm -rf "$tmp"
  is_aarch64_elf "$BUSYBOX_ARM64" || die "$BUSYBOX_ARM64 is not an aarch64 ELF binary"
  say "arm64 busybox cached at $BUSYBOX_ARM64"
}

start_emulation() {
  if [ ! -e /proc/sys/fs/binfmt_misc/register ]; then
    say "mounting binfmt_misc"
    mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc ||
      die "cannot mount binfmt_misc on /proc/sys/fs/binfmt_misc (needs root and a kernel with binfmt_misc)"
  fi
  if ! grep -qx enabled /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null; then
    command -v update-binfmts >/dev/null || die "update-binfmts missing: apt-get install binfmt-support qemu-user-static"
    update-binfmts --enable qemu-aarch64 ||
      die "update-binfmts --enable qemu-aarch64 failed (is qemu-user-static installed?)"
  fi
  grep -qx enabled /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null || die "binfmt entry qemu-aarch64 is not enabled"
  is_aarch64_elf "$BUSYBOX_ARM64" || die "no arm64 busybox at $BUSYBOX_ARM64: run 'scripts/test-services.sh prepare' first"
  local m
  m=$("$BUSYBOX_ARM64" uname -m 2>&1) || die "the arm64 busybox does not run under emulation: $m"
  [ "$m" = aarch64 ] || die "the arm64 busybox printed '$m' for uname -m, expected aarch64"
  say "arm64 emulation works (busybox-arm64 uname -m = aarch64)"
}

start_dockerd() {
  mkdir -p "$RUN_DIR" "$DATA_DIR"
  if engine_answers; then
    say "dockerd already answers on $SOCK"
    return 0
  fi
  local pid
  if pid=$(dockerd_pid); then
    say "dockerd (pid $pid) runs but does not answer yet; waiting"
  else
    command -v dockerd >/dev/null || die "dockerd missing: apt-get install docker.io"
    rm -f "$SOCK" "$PIDFILE"
    say "starting dockerd (log: $DOCKERD_LOG)"
    # setsid + all fds to the log: the engine outlives this script and holds no terminal or CI pipe open.
    setsid dockerd --iptables=false --ip6tables=false --bridge=none --storage-driver=vfs \
      --data-root "$DATA_DIR/docker" --exec-root "$RUN_DIR/exec" \
      -H "$DOCKER_HOST_VALUE" --pidfile "$PIDFILE" </dev/null >"$DOCKERD_LOG" 2>&1 &
    pid=$!
  fi
  local i
  for i in $(seq 1 120); do
    if engine_answers; then
      say "dockerd ready on $SOCK after ~$((i / 2)) s"
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$DOCKERD_LOG" >&2 || true
      die "dockerd exited during start-up (log above, full log $DOCKERD_LOG)"
    fi
    sleep 0.5
  done
  tail -n 30 "$DOCKERD_LOG" >&2 || true
  die "dockerd did not answer on $SOCK within 60 s (log above)"
}

verify_docker_cli() {
  command -v docker >/dev/null || die "docker CLI missing: apt-get install docker.io"
  local out
  out=$(DOCKER_HOST=$DOCKER_HOST_VALUE timeout 30 docker info --format '{{.ServerVersion}} {{.Driver}}' 2>&1) ||
    die "docker info failed against $DOCKER_HOST_VALUE: $out"
  say "docker info: server $out"
}

# FROM scratch: the Debian binary and the two files of libc it links against. Rebuilt when the binary changes.
REGISTRY_IMAGE=multiarch-test/registry:2
build_registry_image() {
  local bin=/usr/bin/docker-registry ctx label
  [ -x "$bin" ] || die "docker-registry missing: apt-get install docker-registry"
  label=$(sha256sum "$bin" | cut -c1-16)
  if [ "$(DOCKER_HOST=$DOCKER_HOST_VALUE docker image inspect -f '{{index .Config.Labels "binary"}}' "$REGISTRY_IMAGE" 2>/dev/null || true)" = "$label" ]; then
    say "registry image $REGISTRY_IMAGE present"
    return 0
  fi
  ctx=$(mktemp -d)
  mkdir -p "$ctx/bin" "$ctx/lib64" "$ctx/lib/x86_64-linux-gnu"
  cp "$bin" "$ctx/bin/registry"
  local lib
  for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
    mkdir -p "$ctx$(dirname "$lib")"
    cp -L "$lib" "$ctx$lib"
  done
  printf 'FROM scratch\nCOPY . /\nLABEL binary=%s\nENTRYPOINT ["/bin/registry", "serve"]\n' "$label" >"$ctx/Dockerfile"
  DOCKER_HOST=$DOCKER_HOST_VALUE DOCKER_BUILDKIT=0 docker build -q -t "$REGISTRY_IMAGE" "$ctx" >/dev/null 2>"$ctx.log" ||
    { cat "$ctx.log" >&2; rm -rf "$ctx" "$ctx.log"; die "cannot build $REGISTRY_IMAGE"; }
  rm -rf "$ctx" "$ctx.log"
  say "registry image $REGISTRY_IMAGE built from $bin"
}

stop_dockerd() {
  local pid i
  if ! pid=$(dockerd_pid); then
    say "no dockerd of ours runs"
    return 0
  fi
  say "stopping dockerd (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 40); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$PIDFILE"; say "dockerd stopped"; return 0; }
    sleep 0.5
  done
  say "dockerd did not stop in 20 s: killing it"
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$PIDFILE"
}

print_env() {
  echo "export DOCKER_HOST=$DOCKER_HOST_VALUE"
  echo "export DOCKER_BUILDKIT=0"
  echo "export MULTIARCH_BUSYBOX_ARM64=$BUSYBOX_ARM64"
  echo "export MULTIARCH_BUSYBOX_AMD64=$BUSYBOX_AMD64"
  # the Testcontainers registry fixture: our local image, and no Ryuk reaper (its image would be pulled)
  echo "export MULTIARCH_REGISTRY_IMAGE=$REGISTRY_IMAGE"
  echo "export TESTCONTAINERS_RYUK_DISABLED=true"
  # our engine has no bridge network, from which Testcontainers would learn the host's address
  echo "export TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1"
}

case "${1:-}" in
  prepare) prepare ;;
  start)
    [ "$(id -u)" = 0 ] || die "starting dockerd and binfmt_misc needs root"
    prepare
    start_emulation
    start_dockerd
    verify_docker_cli
    build_registry_image
    ;;
  stop) stop_dockerd ;;
  status)
    if engine_answers; then echo "dockerd: answers on $SOCK"; else echo "dockerd: not answering on $SOCK"; fi
    if grep -qx enabled /proc/sys/fs/binfmt_misc/qemu-aarch64 2>/dev/null; then echo "qemu-aarch64: enabled"; else echo "qemu-aarch64: not enabled"; fi
    if is_aarch64_elf "$BUSYBOX_ARM64"; then echo "busybox arm64: $BUSYBOX_ARM64"; else echo "busybox arm64: missing ($BUSYBOX_ARM64)"; fi
    ;;
  env) print_env ;;
  *) echo "usage: $0 prepare|start|stop|status|env" >&2; exit 2 ;;
esac
