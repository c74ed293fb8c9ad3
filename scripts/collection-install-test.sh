#!/usr/bin/env bash
# Build the collection tarball, install it as Galaxy would, and use it from
# outside the checkout, offline.
#
#   scripts/collection-install-test.sh
#
# 1. `ansible-galaxy collection build` into a temporary folder.
# 2. The tarball's contents are listed; the test fails when a development file
#    is in it (the venv, tests, molecule, scripts, runner.py, caches...) or when
#    a part of the collection is missing.
# 3. `ansible-galaxy collection install --offline` into an empty folder. The
#    dependencies of galaxy.yml are resolved for real, against the collections
#    the ansible package ships: ANSIBLE_COLLECTIONS_PATH lists the empty folder,
#    then the site-packages folder that holds them. A dependency they do not
#    satisfy fails the install.
# 4. From a temporary folder, with an empty ansible.cfg, and with only the
#    installed copy and the dependencies galaxy.yml declares in sight: every
#    playbook of the collection passes `ansible-playbook --syntax-check`, named
#    by its full name (scaleout.pydio.site...), and every module and filter its
#    roles and playbooks name resolves (syntax-check cannot see the task files
#    that roles include at run time).
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/venv.sh" COLLECTION_TEST_PYTHON collection-install-test
bin=$(dirname "$python")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/build" "$work/install" "$work/run"
: >"$work/run/ansible.cfg"
# One host in each group of the inventory contract, so that every play has hosts.
printf '[%s]\nnode ansible_connection=local\n' storage compute db lb >"$work/run/hosts.ini"
export ANSIBLE_CONFIG="$work/run/ansible.cfg"
export ANSIBLE_COLLECTIONS_PATH="$work/install:$shipped"
export ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0

echo "=== build"
(cd "$repo" && "$bin/ansible-galaxy" collection build --output-path "$work/build" .)
tarball=$(echo "$work"/build/scaleout-pydio-*.tar.gz)

echo "=== contents of $(basename "$tarball")"
tar -tzf "$tarball" | sort >"$work/contents"
cat "$work/contents"

failed=0
# Development files: none may ship.
dev='^(\.|[^/]*/\.)|(^|/)(__pycache__|[^/]*\.pyc|[^/]*\.tar\.gz)(/|$)'
dev+='|^(tests|molecule|benchmarks|scripts|scaleout|artifacts|inventory/lab|inventory/aws)(/|$)'
dev+='|^(runner\.py|site\.yml|ansible\.cfg|Makefile|pyproject\.toml|requirements[^/]*\.txt|CONTRIBUTING\.md)$'
dev+='|^changelogs/\.plugin-cache\.yaml$'
if grep -E "$dev" "$work/contents" >"$work/dev"; then
  echo "FAIL: development files in the tarball:" >&2
  cat "$work/dev" >&2
  failed=1
fi
# What the collection is made of: all of it must ship.
for wanted in MANIFEST.json FILES.json README.md LICENSE CHANGELOG.md meta/runtime.yml \
  changelogs/changelog.yaml changelogs/config.yaml; do
  grep -qxF "$wanted" "$work/contents" || { echo "FAIL: $wanted is not in the tarball" >&2; failed=1; }
done
(cd "$repo" && ls -d roles/*/ playbooks/*.yml plugins/*/*.py docs/*.md) | sed 's#/$##' |
  grep -vx docs/runner.md >"$work/wanted"
while read -r path; do
  grep -qxF -e "$path" -e "$path/" "$work/contents" || { echo "FAIL: $path is not in the tarball" >&2; failed=1; }
done <"$work/wanted"
[ "$failed" = 0 ] || exit 1
echo "no development file; every role, playbook, plugin and doc is in"

echo "=== install --offline (dependencies from $shipped)"
(cd "$work/run" && "$bin/ansible-galaxy" collection install --offline -p "$work/install" "$tarball")
installed="$work/install/ansible_collections/scaleout/pydio"
[ -f "$installed/MANIFEST.json" ] || { echo "FAIL: nothing installed at $installed" >&2; exit 1; }
(cd "$work/run" && "$bin/ansible-galaxy" collection list scaleout.pydio)

# From here on Ansible sees the installed collection and, of the collections
# the ansible package ships, only the ones galaxy.yml declares.
mkdir -p "$work/deps/ansible_collections"
"$python" -c 'import json, sys; print("\n".join(json.load(open(sys.argv[1]))["collection_info"]["dependencies"]))' \
  "$installed/MANIFEST.json" | while read -r dependency; do
  mkdir -p "$work/deps/ansible_collections/${dependency%%.*}"
  ln -s "$shipped/ansible_collections/${dependency/.//}" "$work/deps/ansible_collections/${dependency%%.*}/"
done
export ANSIBLE_COLLECTIONS_PATH="$work/install:$work/deps" ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
cd "$work/run"

echo "=== syntax-check of every playbook by its full name, from $work/run"
for playbook in "$installed"/playbooks/*.yml; do
  fqcn=scaleout.pydio.$(basename "$playbook" .yml)
  echo "--- $fqcn"
  "$bin/ansible-playbook" -i hosts.ini --syntax-check "$fqcn"
done

# --syntax-check does not read the task files that roles include at run time,
# so every module and filter the roles and playbooks name must resolve too.
echo "=== every module and filter the roles and playbooks use resolves"
"$python" - "$installed" "$bin/ansible-doc" <<'PY'
"""Resolve each module (task key) and filter (after a | or in map()) named by its full name."""

import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

root, ansible_doc = Path(sys.argv[1]), sys.argv[2]
FQCN = r"[a-z0-9_]+\.[a-z0-9_]+\.[a-z0-9_]+"
modules: set[str] = set()
filters: set[str] = set()


def tasks(node: object) -> None:
    if isinstance(node, list):
        for item in node:
            tasks(item)
    elif isinstance(node, dict):
        modules.update(key for key in node if re.fullmatch(FQCN, str(key)))
        for key in ("tasks", "pre_tasks", "post_tasks", "handlers", "block", "rescue", "always"):
            tasks(node.get(key))


for path in [*root.glob("roles/*/*/*"), *root.glob("playbooks/*.yml")]:
    text = path.read_text()
    filters.update(re.findall(r"(?:\|\s*|map\(\s*['\"])(" + FQCN + ")", text))
    if path.suffix == ".yml" and path.parent.name in ("tasks", "handlers", "playbooks"):
        tasks(yaml.safe_load(text))

missing = []
for kind, names in (("module", modules), ("filter", filters)):
    out = subprocess.run([ansible_doc, "-t", kind, "--json", *sorted(names)], capture_output=True, text=True)
    found = json.loads(out.stdout or "{}")
    missing += [f"{kind} {name}" for name in sorted(names) if name not in found]
    print(f"{len(names)} {kind}s: {', '.join(sorted(names))}")
if missing:
    sys.exit("FAIL: not found: " + ", ".join(missing))
PY
echo "collection install test passed"
