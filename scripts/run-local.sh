#!/usr/bin/env bash
# The main job, on a fresh Debian 12 machine as root, with nothing downloaded but Debian and Maven packages:
#   1. install what is needed and start a private dockerd and arm64 emulation (qemu),
#   2. start a local registry on 127.0.0.1 and push the offline example's busybox base (amd64 + arm64),
#   3. multiarch build: linux/amd64 natively and linux/arm64 under qemu, push each, record each,
#      publish one verified list, print the report,
#   4. prove it: pull and run each platform from the list; they print x86_64 and aarch64.
#
#   bash scripts/run-local.sh [--builder docker|buildah] [--keep]     (--keep leaves the registry running)
#
# The private dockerd that step 1 starts is left running for the next run and the tests; the script says so at the
# end, with the command that stops it (scripts/test-services.sh stop).
set -euo pipefail
cd "$(dirname "$0")/.."
# plain text in terminals and CI logs alike: no colour codes from Maven, docker or anything honouring NO_COLOR
export NO_COLOR=1

BUILDER=docker
KEEP=no
while [ $# -gt 0 ]; do
  case "$1" in
    --builder) BUILDER=$2; shift 2 ;;
    --keep) KEEP=yes; shift ;;
    *) echo "usage: $0 [--builder docker|buildah] [--keep]" >&2; exit 2 ;;
  esac
done

say() { echo; echo "=== $*"; }
die() { echo "run-local: FATAL: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "run as root: it installs packages, starts dockerd and enables qemu emulation"

say "installing and starting what the build needs"
scripts/install-deps.sh
scripts/test-services.sh start
eval "$(scripts/test-services.sh env)"

say "building the multiarch CLI (minutes on a cold Maven cache: dependencies are downloaded once)"
# one line per build step as it starts; the whole log is kept, and shown at its end when the build fails
mvn_log=$(mktemp /tmp/multiarch-cli-build.XXXXXX.log)
# (Debian's Maven 3.8.7 writes ESC[0m even with -B and style.color=never: the first sed strips colour codes)
if ! mvn -B -ntp -Dstyle.color=never -f cli/pom.xml -DskipTests package 2>&1 | sed -u 's/\x1b\[[0-9;]*m//g' |
  tee "$mvn_log" | grep --line-buffered -E '^\[INFO\] (--- |Building |BUILD )|^\[ERROR\]' | sed -u 's/^\[INFO\] //'; then
  tail -n 60 "$mvn_log" >&2
  die "the CLI build failed (full log: $mvn_log)"
fi
rm -f "$mvn_log"
[ -f cli/target/multiarch.jar ] || die "cli/target/multiarch.jar was not built"

say "starting a local registry"
work=$(mktemp -d /tmp/multiarch-local.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
  || echo 5000)
REGISTRY=127.0.0.1:$port
cat > "$work/config.yml" <<YML
version: 0.1
log: {level: warn, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $work/storage}, delete: {enabled: true}}
http: {addr: $REGISTRY}
YML
docker-registry serve "$work/config.yml" > "$work/registry.log" 2>&1 &
registry_pid=$!
cleanup() {
  if [ "$KEEP" = yes ]; then
    echo "registry left running on $REGISTRY (pid $registry_pid, storage $work)"
  else
    kill "$registry_pid" 2>/dev/null || true
    rm -rf "$work"
  fi
  echo "the private dockerd ($DOCKER_HOST) is left running for the next run and the tests;" \
    "stop it with: scripts/test-services.sh stop"
}
trap cleanup EXIT
for _ in $(seq 50); do curl -sf "http://$REGISTRY/v2/" >/dev/null && break; sleep 0.1; done
curl -sf "http://$REGISTRY/v2/" >/dev/null || die "the registry did not start: $(cat "$work/registry.log")"
echo "registry: http://$REGISTRY"

say "making the busybox base image for linux/amd64 and linux/arm64 (from Debian's busybox-static)"
scripts/make-base-images.sh "$REGISTRY"

say "multiarch build: linux/amd64 (native) + linux/arm64 (qemu), then one verified list"
bin/multiarch build --image "$REGISTRY/demo/hello" --tag 1.0 --tag latest \
  --platform linux/amd64 --platform linux/arm64 --allow-emulation --builder "$BUILDER" \
  --build-arg "BASE=$REGISTRY/base/busybox:1" --records "$work/records" \
  --insecure-registry "$REGISTRY" examples/offline

say "what the registry holds"
bin/multiarch inspect "$REGISTRY/demo/hello:1.0" --insecure-registry "$REGISTRY"

say "pull and run each platform from the list"
for platform in linux/amd64 linux/arm64; do
  docker pull -q --platform "$platform" "$REGISTRY/demo/hello:1.0" >/dev/null
  printf '%s -> ' "$platform"
  docker run --rm --network none --platform "$platform" "$REGISTRY/demo/hello:1.0"
done
