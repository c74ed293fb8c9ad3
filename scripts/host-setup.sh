#!/usr/bin/env bash
# Prepare a fresh Debian machine for the lab and the tests: the Debian
# packages they need, and a running Docker engine. Safe to run again.
set -euo pipefail

need_root() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "host-setup: run as root (it installs Debian packages and starts dockerd)" >&2
    exit 1
  fi
}

# The two chains of `make test` may both get here: one runs at a time.
exec 9>"${TMPDIR:-/tmp}/scaleout-host-setup.lock"
flock 9

packages=(docker.io debootstrap xfsprogs util-linux iproute2)
python3 -c 'import ensurepip, venv' 2>/dev/null || packages+=(python3-venv)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  need_root
  echo "host-setup: installing ${missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if ! docker info >/dev/null 2>&1; then
  need_root
  echo "host-setup: starting dockerd"
  setsid dockerd >/var/log/dockerd.log 2>&1 < /dev/null &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { echo "host-setup: dockerd did not start, see /var/log/dockerd.log" >&2; exit 1; }
fi
# Loop devices back the block-device bricks of the tests.
[ -e /dev/loop-control ] || modprobe loop 2>/dev/null || true
echo "host-setup: ready (docker $(docker version --format '{{.Server.Version}}'))"
