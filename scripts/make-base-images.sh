#!/usr/bin/env bash
# Builds the offline busybox base image for linux/amd64 and linux/arm64 with buildah and pushes it as one manifest
# list HOST:PORT/base/busybox:1 (no Docker Hub: the binaries come from Debian's busybox-static packages).
#
#   scripts/make-base-images.sh 127.0.0.1:5000 [REPOSITORY] [TAG]
#
# amd64 busybox: MULTIARCH_BUSYBOX_AMD64 (default /bin/busybox, package busybox-static)
# arm64 busybox: MULTIARCH_BUSYBOX_ARM64 (default /var/cache/multiarch-test/busybox-arm64,
#                fetched by 'scripts/test-services.sh prepare' from busybox-static:arm64)
# Registry access: plain HTTP / unverified TLS (a local test registry); credentials from buildah's usual auth file
# (REGISTRY_AUTH_FILE or ${XDG_RUNTIME_DIR}/containers/auth.json), never from the command line.
# Prints the pushed list's digest on the last line.
set -euo pipefail

die() { echo "make-base-images: ERROR: $*" >&2; exit 1; }
say() { echo "make-base-images: $*" >&2; }

[ $# -ge 1 ] || { echo "usage: $0 HOST:PORT [REPOSITORY (base/busybox)] [TAG (1)]" >&2; exit 2; }
REGISTRY=$1
REPOSITORY=${2:-base/busybox}
TAG=${3:-1}
TARGET="$REGISTRY/$REPOSITORY:$TAG"
BUSYBOX_AMD64=${MULTIARCH_BUSYBOX_AMD64:-/bin/busybox}
BUSYBOX_ARM64=${MULTIARCH_BUSYBOX_ARM64:-/var/cache/multiarch-test/busybox-arm64}
LINKS="sh uname cat echo ls mkdir true env rm test"

command -v buildah >/dev/null || die "buildah missing: apt-get install buildah"
[ -x "$BUSYBOX_AMD64" ] || die "no amd64 busybox at $BUSYBOX_AMD64 (apt-get install busybox-static)"
[ -x "$BUSYBOX_ARM64" ] || die "no arm64 busybox at $BUSYBOX_ARM64 (run scripts/test-services.sh prepare)"

# A private buildah store, removed at the end: manifest-list names persist in a store, so each run starts clean.
WORK=$(mktemp -d /tmp/make-base-images.XXXXXX)
trap 'buildah --storage-driver vfs --root "$WORK/root" --runroot "$WORK/runroot" rm --all >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
BUILDAH=(buildah --storage-driver vfs --root "$WORK/root" --runroot "$WORK/runroot")

LIST="base-busybox-list-$$-$(date +%s)"
"${BUILDAH[@]}" manifest create "$LIST" >/dev/null

for arch in amd64 arm64; do
  ctx="$WORK/ctx-$arch"
  mkdir -p "$ctx/bin" "$ctx/tmp"
  chmod 1777 "$ctx/tmp"
  if [ "$arch" = amd64 ]; then src=$BUSYBOX_AMD64; else src=$BUSYBOX_ARM64; fi
  install -m 0755 "$src" "$ctx/bin/busybox"
  for l in $LINKS; do ln -s busybox "$ctx/bin/$l"; done
  printf 'FROM scratch\nCOPY bin /bin\nCOPY tmp /tmp\nENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nCMD ["sh"]\n' > "$ctx/Containerfile"
  say "building linux/$arch"
  "${BUILDAH[@]}" bud --quiet --isolation chroot --platform "linux/$arch" -t "localhost/base-busybox-$arch" \
    -f "$ctx/Containerfile" "$ctx" >/dev/null
  # arm64 gets variant v8 as on Docker Hub, so linux/arm64 and linux/arm64/v8 both match it
  variant=(); [ "$arch" = arm64 ] && variant=(--variant v8)
  "${BUILDAH[@]}" manifest add "${variant[@]}" "$LIST" "containers-storage:localhost/base-busybox-$arch" >/dev/null
done

say "pushing $TARGET"
"${BUILDAH[@]}" manifest push --all --tls-verify=false --digestfile "$WORK/digest" "$LIST" "docker://$TARGET" >/dev/null
say "pushed $TARGET (linux/amd64, linux/arm64/v8)"
cat "$WORK/digest"; echo
