#!/usr/bin/env bash
# Installs what multiarch's main job and tests need on a fresh Debian 12 machine, as root: dockerd,
# docker-registry, buildah, skopeo, qemu arm64 emulation, busybox for the offline base image, JDK and Maven,
# and the Docker credential helper the credential-helper tests run (docker-credential-pass over pass and gpg).
# Only missing packages are installed; every command is verified afterwards. Used by .ci/run and
# scripts/run-local.sh. Fails loudly.
set -euo pipefail

log() { echo "[install] $*"; }
die() { echo "[install] FATAL: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run this as root: it installs packages and starts dockerd and binfmt_misc"
export DEBIAN_FRONTEND=noninteractive

# --- packages: "package:command that proves it is there"; only missing ones are installed ---
PACKAGES=(
  docker.io:dockerd
  docker.io:docker
  docker-registry:docker-registry
  buildah:buildah
  skopeo:skopeo
  qemu-user-static:qemu-aarch64-static
  binfmt-support:update-binfmts
  busybox-static:/bin/busybox
  apache2-utils:htpasswd
  openssl:openssl
  maven:mvn
  default-jdk-headless:javac
  curl:curl
  golang-docker-credential-helpers:docker-credential-pass
  pass:pass
  gnupg:gpg
  gpgconf:gpgconf
)
present() { case "$1" in /*) [ -x "$1" ] ;; *) command -v "$1" >/dev/null 2>&1 ;; esac; }
missing=()
for entry in "${PACKAGES[@]}"; do
  present "${entry#*:}" || missing+=("${entry%%:*}")
done
# busybox (the dynamic one) also ships /bin/busybox; the static package is the one the base image must use.
dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
if [ ${#missing[@]} -gt 0 ]; then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  log "installing: ${missing[*]}"
  apt-get update || log "apt-get update reported errors (an unreachable list?); installing anyway"
  apt-get install -y "${missing[@]}" || die "apt-get install failed for: ${missing[*]}"
else
  log "all packages present"
fi
for entry in "${PACKAGES[@]}"; do
  present "${entry#*:}" || die "${entry#*:} still missing after installing ${entry%%:*}"
done
javac_major=$(javac -version 2>&1 | sed -E 's/^javac ([0-9]+).*/\1/')
[ "${javac_major:-0}" -ge 17 ] 2>/dev/null || die "javac 17 or newer is needed, found: $(javac -version 2>&1)"
log "versions: $(docker-registry --version 2>&1 | head -1) | $(buildah --version) | $(skopeo --version) | $(javac -version 2>&1) | $(mvn -v 2>/dev/null | head -1 | sed 's/\x1b\[[0-9;]*m//g') | docker-credential-pass $(docker-credential-pass version 2>&1 | head -1)"

