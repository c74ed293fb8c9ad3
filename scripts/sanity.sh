#!/usr/bin/env bash
# Run `ansible-test sanity` on the collection's plugins, offline, with this
# project's venv (Python 3.11).
#
#   scripts/sanity.sh [extra ansible-test sanity arguments, e.g. --test pylint]
#
# ansible-test wants the collection at .../ansible_collections/scaleout/pydio as
# a real directory, so the files it checks (galaxy.yml, meta/, plugins/) are
# copied to a temporary tree first, with changelogs/ for the changelog test.
#
# ansible-test runs most sanity tests in virtual environments it builds with pip,
# starting from a bootstrap script it downloads from ansible's CI servers. That
# server cannot be reached here. So a tiny wrapper makes ansible-test use this
# venv wherever it would install packages. The pinned versions in
# requirements-dev.txt are the ones ansible-test itself pins. Tests that install
# nothing still get their own empty venv. The module import test is one of them:
# it proves the modules import with the standard library and ansible only.
#
# Every available test runs except these two, neither of which has anything to check:
#   - pslint: PowerShell only; there is no PowerShell here and no .ps1/.psm1 plugin.
#   - shellcheck: the copied tree has no shell scripts.
# Exits non-zero when any test fails.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/venv.sh" SANITY_PYTHON sanity
version=$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dest="$work/ansible_collections/scaleout/pydio"
mkdir -p "$dest"
cp -a "$repo/galaxy.yml" "$repo/meta" "$repo/plugins" "$repo/changelogs" "$dest/"
# Caches that a local run may have left in the source tree.
find "$dest" -name __pycache__ -type d -prune -exec rm -rf {} +
rm -f "$dest/changelogs/.plugin-cache.yaml"
# Collections the plugins import (amazon.aws...) come with the ansible package;
# ansible-test finds them beside the tested one.
for collection in "$shipped"/ansible_collections/*/*/; do
  collection=${collection%/}
  namespace=$(basename "$(dirname "$collection")")
  [ "$namespace/$(basename "$collection")" = scaleout/pydio ] && continue
  mkdir -p "$work/ansible_collections/$namespace"
  ln -s "$collection" "$work/ansible_collections/$namespace/"
done

cd "$dest"
export PATH="$(dirname "$python"):$PATH"
"$python" - sanity --python "$version" --color no \
  --skip-test pslint --skip-test shellcheck "$@" <<'PY'
"""ansible-test with this venv in place of the sanity venvs it would pip-install."""

import importlib
import sys

from ansible_test._internal import main
from ansible_test._internal.python_requirements import collect_requirements
from ansible_test._internal.host_configs import VirtualPythonConfig

sanity = importlib.import_module("ansible_test._internal.commands.sanity")
sanity_import = importlib.import_module("ansible_test._internal.commands.sanity.import")
build_venv = sanity.create_sanity_virtualenv


def use_this_venv(args, python, name, coverage=False, minimize=False):
    needs = collect_requirements(
        python=python,
        controller=True,
        command=None,
        ansible=False,
        coverage=coverage,
        minimize=minimize,
        sanity=name,
    )
    if not needs:
        return build_venv(args, python, name, coverage=coverage, minimize=minimize)
    return VirtualPythonConfig(version=python.version, path=sys.executable)


check_yaml = sanity.check_sanity_virtualenv_yaml


def yaml_of(python):
    # There is no meta.yaml.json beside this venv; ask its PyYAML directly.
    if python.path == sys.executable:
        return importlib.import_module("yaml").__with_libyaml__
    return check_yaml(python)


for module in (sanity, sanity_import):
    module.create_sanity_virtualenv = use_this_venv
    module.check_sanity_virtualenv_yaml = yaml_of
sys.argv[0] = "ansible-test"
main(sys.argv)
PY
