#!/usr/bin/env bash
# Build the systemd Debian image that the molecule scenarios and the lab run on.
#
# No container registry is reachable, so the image is made from Debian packages
# with debootstrap and `docker import`. It is tagged with a hash of this recipe
# and rebuilt only when the recipe changes. Prints the image reference.
#
#   scripts/build-base-image.sh [SUITE]
#
# SUITE is the Debian release of the image: bookworm (Debian 12, the default)
# or bullseye (Debian 11, whose PHP 7.4 runs the real Pydio 8.2.5). Each suite
# has an image of its own (scaleout-pydio-base for bookworm,
# scaleout-pydio-base-<suite> for the others).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
suite=${1:-bookworm}
case "$suite" in
  bookworm | bullseye) ;;
  *)
    echo "build-base-image: unknown Debian suite '$suite': use bookworm (Debian 12) or bullseye (Debian 11)" >&2
    exit 2
    ;;
esac
name=${BASE_IMAGE_NAME:-scaleout-pydio-base}
[ "$suite" = bookworm ] || name="$name-$suite"
packages=systemd,systemd-sysv,python3,python3-apt,sudo,iproute2,procps,util-linux,e2fsprogs,ca-certificates
# What the roles (and the scenarios' prepare steps) install, fetched ahead.
prefetch="glusterfs-server glusterfs-client xfsprogs mariadb-server python3-pymysql haproxy socat
  apache2 libapache2-mod-php php-cli php-mysql php-ldap php-apcu php-xml php-gd php-mbstring php-intl php-curl"

tag=$(cat "${BASH_SOURCE[0]}" | sha256sum | cut -c1-12)
ref="${name}:${tag}"

if docker image inspect "$ref" >/dev/null 2>&1; then
  echo "$ref"
  exit 0
fi

# The two chains of `make test` may both need the image: one builds it, the
# other waits and then finds it.
exec 9>"${TMPDIR:-/tmp}/scaleout-base-image-$suite.lock"
flock 9
if docker image inspect "$ref" >/dev/null 2>&1; then
  echo "$ref"
  exit 0
fi

# The Debian mirror and apt sources come from this machine at run time.
sources=/etc/apt/sources.list.d/debian.sources
mirror=$(awk '/^URIs:/ {print $2; exit}' "$sources" 2>/dev/null || true)
if [ -z "$mirror" ]; then
  mirror=$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
fi
if [ -z "$mirror" ]; then
  echo "build-base-image: no Debian mirror found in the apt sources of this machine" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"

echo "build-base-image: debootstrap $suite (this takes about a minute)" >&2
start=$(date +%s)
debootstrap --variant=minbase --include="$packages" "$suite" "$rootfs" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -n 30 "$work/debootstrap.log" >&2
  exit 1
}

# Same apt sources as this machine, for the image's suite; drop minbase's own
# list to avoid duplicates.
host_suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
rm -f "$rootfs/etc/apt/sources.list"
if [ -f "$sources" ]; then
  sed -E "s/\b${host_suite:-bookworm}\b/$suite/g" "$sources" >"$rootfs/etc/apt/sources.list.d/debian.sources"
else
  sed -E "s/\b${host_suite:-bookworm}\b/$suite/g" /etc/apt/sources.list >"$rootfs/etc/apt/sources.list"
fi

# Containers have no consoles or hardware to set up; mask the units that
# would wait for them, and keep the image lean.
for unit in getty.target systemd-udevd.service systemd-udev-trigger.service \
            systemd-remount-fs.service systemd-modules-load.service \
            sys-kernel-debug.mount sys-kernel-tracing.mount dev-hugepages.mount; do
  ln -sf /dev/null "$rootfs/etc/systemd/system/$unit"
done
# Ship fresh package lists; roles refresh them once they are an hour old.
cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
echo 'APT::Install-Recommends "false";' >"$rootfs/etc/apt/apt.conf.d/90scaleout-no-recommends"
chroot "$rootfs" apt-get update -q >"$work/apt-update.log" 2>&1 || {
  tail -n 20 "$work/apt-update.log" >&2
  exit 1
}
# Fetch (not install) the packages the roles install, into apt's own cache:
# the roles still run a real `apt install` in every container, but it finds
# the .deb files here instead of downloading them again for each node of
# each scenario. apt verifies them against the package lists as usual.
chroot "$rootfs" apt-get install -q -y --download-only $prefetch >"$work/apt-fetch.log" 2>&1 || {
  tail -n 20 "$work/apt-fetch.log" >&2
  exit 1
}
: >"$rootfs/etc/resolv.conf"
rm -rf "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/partial/*

tar -C "$rootfs" -c . | docker import \
  -c 'CMD ["/lib/systemd/systemd"]' \
  -c 'ENV container=docker' \
  - "$ref" >/dev/null
echo "build-base-image: built $ref in $(( $(date +%s) - start ))s" >&2
# Images of older recipes are dead weight; one still used by a container stays.
docker images --format '{{.Repository}}:{{.Tag}}' "$name" | grep -vx "$ref" | xargs -r docker rmi >/dev/null 2>&1 || true
echo "$ref"
