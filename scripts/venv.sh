# Sourced by the test scripts: sets `repo` (the checkout), `python` (the
# venv's python, or the one named by the variable given as $1) and `shipped`
# (the site-packages folder holding the collections of the ansible package).
#
#   . "$(dirname "${BASH_SOURCE[0]}")/venv.sh" SANITY_PYTHON sanity
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
python=${!1:-$repo/.venv/bin/python}
if [ ! -x "$python" ]; then
  echo "$2: $python not found; run 'make venv' first" >&2
  exit 2
fi
shipped=$("$python" -c 'import ansible_collections as c; print(next(p for p in c.__path__ if "site-packages" in p))')
shipped=$(dirname "$shipped")
