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

# Where dockerd's output goes when this script starts it.
dockerd_log="${HOST_SETUP_DOCKERD_LOG:-/var/log/dockerd.log}"

# The two chains of `make test` may both get here: one runs at a time. A
# fresh machine's setup takes a few minutes; a wait past the bound means a
# stuck holder, and fails instead of hanging the tests.
lock="${TMPDIR:-/tmp}/scaleout-host-setup.lock"
lock_wait="${HOST_SETUP_LOCK_WAIT:-900}"
exec 9>"$lock"
if ! flock -w "$lock_wait" 9; then
  echo "host-setup: waited ${lock_wait}s for $lock; find its holder with 'fuser $lock' and stop it" >&2
  exit 1
fi

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
  # dockerd keeps every descriptor it is given for as long as it runs: this
  # script's lock (every later caller would wait forever) and, under
  # `make -j`, make's jobserver pipe (make would never end). It gets none but
  # stdin, stdout and stderr.
  (
    for fd in /proc/self/fd/*; do
      fd=${fd##*/}
      if [ "$fd" -gt 2 ]; then eval "exec $fd>&-"; fi
    done
    exec setsid dockerd >"$dockerd_log" 2>&1 </dev/null
  ) &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { echo "host-setup: dockerd did not start, see $dockerd_log" >&2; exit 1; }
fi
# Loop devices back the block-device bricks of the tests.
[ -e /dev/loop-control ] || modprobe loop 2>/dev/null || true
echo "host-setup: ready (docker $(docker version --format '{{.Server.Version}}'))"
