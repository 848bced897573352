#!/usr/bin/env bash
# Makes the offline example's base image without any download from a container registry: busybox for
# linux/amd64 and linux/arm64 from Debian's busybox-static packages, FROM scratch + COPY bin /bin, pushed
# as one list to a local registry.
#
#   examples/offline/make-base.sh [REGISTRY]      default 127.0.0.1:5000 -> REGISTRY/base/busybox:1
#
# Needs buildah and, for the arm64 binary, root (dpkg --add-architecture arm64 + apt-get download), unless
# MULTIARCH_BUSYBOX_ARM64 names an aarch64 busybox already (scripts/test-services.sh prepare caches one).
set -euo pipefail

REGISTRY=${1:-127.0.0.1:5000}
IMAGE=$REGISTRY/base/busybox:1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
storage=(--storage-driver vfs --root "$work/root" --runroot "$work/runroot")

busybox_for() { # arch -> path of a static busybox binary for it
  local arch=$1
  if [ "$arch" = amd64 ] && [ "$(uname -m)" = x86_64 ] && [ -x /bin/busybox ] && file_is_static /bin/busybox; then
    echo /bin/busybox; return
  fi
  if [ "$arch" = arm64 ] && [ -n "${MULTIARCH_BUSYBOX_ARM64:-}" ] && [ -f "$MULTIARCH_BUSYBOX_ARM64" ]; then
    echo "$MULTIARCH_BUSYBOX_ARM64"; return
  fi
  if ! dpkg --print-foreign-architectures | grep -qx "$arch" && [ "$arch" != "$(dpkg --print-architecture)" ]; then
    dpkg --add-architecture "$arch" && apt-get update >/dev/null
  fi
  mkdir -p "$work/deb-$arch" && chmod 777 "$work/deb-$arch"
  (cd "$work/deb-$arch" && apt-get download "busybox-static:$arch" >/dev/null)
  dpkg -x "$work/deb-$arch"/busybox-static_*.deb "$work/deb-$arch/x"
  echo "$work/deb-$arch/x/bin/busybox"
}

file_is_static() { ! ldd "$1" >/dev/null 2>&1; }

list=multiarch-base-$$-$RANDOM
buildah "${storage[@]}" manifest create "$list" >/dev/null
for arch in amd64 arm64; do
  ctx=$work/ctx-$arch
  mkdir -p "$ctx/bin"
  cp "$(busybox_for "$arch")" "$ctx/bin/busybox"
  chmod 755 "$ctx/bin/busybox"
  for tool in sh uname cat echo ls; do ln -s busybox "$ctx/bin/$tool"; done
  printf 'FROM scratch\nCOPY bin /bin\nENV PATH=/bin\nCMD ["/bin/sh"]\n' > "$ctx/Dockerfile"
  buildah "${storage[@]}" bud --isolation chroot --platform "linux/$arch" --manifest "$list" -q "$ctx" >/dev/null
done
buildah "${storage[@]}" manifest push --all --tls-verify=false "$list" "docker://$IMAGE" >/dev/null
echo "$IMAGE (linux/amd64, linux/arm64)"
