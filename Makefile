# scaleout.pydio: the two commands of the README are `make lab` and `make test`.
# Both start from a fresh Debian machine with only Python 3, make and git.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export ANSIBLE_COLLECTIONS_PATH := $(CURDIR)/.collections
export PY_COLORS := 0
export ANSIBLE_FORCE_COLOR := 0

# Every molecule scenario, or a subset: make molecule SCENARIOS="gluster_brick"
SCENARIOS ?= $(sort $(notdir $(patsubst %/molecule.yml,%,$(wildcard molecule/*/molecule.yml))))

.PHONY: help host venv image lint yamllint ansible-lint ruff sanity unit integration molecule test lab

help:
	@echo "make lab   - set up this machine and start the local lab"
	@echo "make test  - install everything, then run lint, unit and molecule tests"

host:
	@scripts/host-setup.sh

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@$(MAKE) --no-print-directory host
	python3 -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

image: host
	@scripts/build-base-image.sh

lint: yamllint ansible-lint ruff

yamllint: venv
	yamllint --strict .

ansible-lint: venv
	ansible-lint --profile production

ruff: venv
	ruff check .
	ruff format --check .

sanity: venv
	scripts/sanity.sh

unit: venv
	pytest -q tests/unit

integration: venv
	pytest -q tests/integration

molecule: venv image
	@for s in $(SCENARIOS); do \
	  echo "=== molecule test -s $$s"; \
	  SCALEOUT_BASE_IMAGE=$$(scripts/build-base-image.sh) molecule test -s "$$s"; \
	done

test: lint sanity unit integration molecule

lab: venv image
	@echo "The lab's host set-up is done: Docker is running and the base image is built."
	@echo "Starting a whole lab cluster (runner.py up) is not available yet."
