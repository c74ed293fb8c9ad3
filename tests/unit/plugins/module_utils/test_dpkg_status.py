"""Reading dpkg-query's report of which packages are installed.

The outputs are those of `dpkg-query -W -f '${Package}\\t${db:Status-Abbrev}\\n'`
on the lab's Debian 12 image, with and without the roles' packages, and after
`apt-get remove` of a package (its configuration left: "rc").
"""

from __future__ import annotations

import pytest
from ansible_collections.scaleout.pydio.plugins.module_utils.dpkg_status import (
    QUERY_FORMAT,
    installed,
    missing,
    query_argv,
)

# The baked image: the web node's packages and the gluster client, no HAProxy.
# dpkg-query names the unknown packages on its standard error, not here.
BAKED = "apache2\tii \nglusterfs-client\tii \nlibc6\tii \nphp-gd\tii \n"
# After `apt-get remove libapache2-mod-php8.2` on the baked image.
REMOVED = "libapache2-mod-php\tun \nlibapache2-mod-php8.2\trc \nphp8.2-gd\tii \n"
# dpkg's other states: held, unpacked only, half-configured, reinstallation required.
OTHER_STATES = "mariadb-server\thi \nhaproxy\tiU \nsocat\tiF \nglusterfs-server\tiiR\n"


@pytest.mark.parametrize(
    ("stdout", "names", "expected"),
    [
        pytest.param(BAKED, ["apache2", "php-gd"], [], id="all-installed"),
        pytest.param(BAKED, ["haproxy", "socat"], ["haproxy", "socat"], id="unknown-to-dpkg"),
        pytest.param(BAKED, ["glusterfs-client", "haproxy", "apache2"], ["haproxy"], id="some-missing-in-order"),
        pytest.param(
            REMOVED,
            ["libapache2-mod-php", "libapache2-mod-php8.2", "php8.2-gd"],
            ["libapache2-mod-php", "libapache2-mod-php8.2"],
            id="removed-and-not-installed",
        ),
        pytest.param(
            OTHER_STATES,
            ["mariadb-server", "haproxy", "socat", "glusterfs-server"],
            ["haproxy", "socat", "glusterfs-server"],
            id="held-counts-broken-does-not",
        ),
        pytest.param(BAKED, ["apache2:amd64"], ["apache2:amd64"], id="architecture-suffix-left-to-apt"),
        pytest.param("", ["apache2"], ["apache2"], id="empty-output"),
        pytest.param("dpkg-query: no packages found matching mailx\n", ["mailx"], ["mailx"], id="stray-stderr-line"),
    ],
)
def test_missing(stdout: str, names: list[str], expected: list[str]) -> None:
    assert missing(stdout, names) == expected


def test_installed_reads_only_installed_lines() -> None:
    assert installed(BAKED + REMOVED + OTHER_STATES) == {
        "apache2",
        "glusterfs-client",
        "libc6",
        "php-gd",
        "php8.2-gd",
        "mariadb-server",
    }


def test_the_query_asks_for_the_format_that_is_read() -> None:
    argv = query_argv(["apache2", "php-gd"])
    assert argv == ["dpkg-query", "-W", "-f", QUERY_FORMAT, "--", "apache2", "php-gd"]
    assert QUERY_FORMAT == "${Package}\t${db:Status-Abbrev}\n"
