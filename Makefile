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

.PHONY: help host venv image lint yamllint ansible-lint ruff sanity collection-test unit integration checks molecule e2e containers test lab lab-down

# The Pydio archive the lab installs: a pydio-core-8.2.5.tar.gz on this machine,
# or "stand-in", the offline stand-in of scaleout/providers/stand_in_pydio (not Pydio).
PYDIO_ARCHIVE ?= stand-in
LAB_CLUSTER ?= pydio
# The lab's Debian: bullseye (Debian 11, PHP 7.4, on which Pydio 8 runs) for a
# real archive, bookworm (Debian 12, PHP 8.2) for the stand-in.
LAB_SUITE ?= $(if $(filter stand-in,$(PYDIO_ARCHIVE)),bookworm,bullseye)

# Each phase of `make test` runs through scripts/phase.sh, which prefixes its
# output with its name and records its time in $(TIMES); `make test` prints them.
TIMES ?= $(CURDIR)/.cache/test-phases.tsv
phase = scripts/phase.sh "$(TIMES)"

help:
	@echo "make lab   - set up this machine and start the local lab"
	@echo "make test  - install everything, then run lint, unit, integration, molecule and lab tests"

host:
	@scripts/host-setup.sh

# The venv needs no root: only a Debian without python3-venv sends this to `make host`.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	@python3 -c 'import ensurepip, venv' 2>/dev/null || $(MAKE) --no-print-directory host
	python3 -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

image: host
	@scripts/build-base-image.sh

lint: yamllint ansible-lint ruff

yamllint: venv
	$(phase) yamllint -- yamllint --strict .

ansible-lint: venv
	$(phase) ansible-lint -- ansible-lint --profile production

ruff: venv
	$(phase) ruff -- sh -c 'ruff check . && ruff format --check .'

sanity: venv
	$(phase) sanity -- scripts/sanity.sh

# Build the tarball, install it offline as Galaxy would, use it by full names.
collection-test: venv
	$(phase) collection-test -- scripts/collection-install-test.sh

unit: venv
	$(phase) unit -- pytest -q tests/unit

integration: venv
	$(phase) integration -- pytest -q tests/integration

molecule: venv image
	@for s in $(SCENARIOS); do \
	  echo "=== molecule test -s $$s"; \
	  SCALEOUT_BASE_IMAGE=$$(scripts/build-base-image.sh) $(phase) "molecule $$s" -- molecule test -s "$$s"; \
	done

# The lab end to end through runner.py: up, scale --compute, scale --storage, scale-in.
e2e: venv image
	SCALEOUT_BASE_IMAGE=$$(scripts/build-base-image.sh) $(phase) e2e -- pytest -q -s tests/e2e

# `make test` runs two chains side by side (the machine has two cores): the
# checks (lint, sanity, unit and integration tests: no root, no docker), then
# the scenarios of SCENARIOS_AFTER_CHECKS; and the other scenarios, then the
# lab end to end. The table of phases comes last, also when the run fails or
# is stopped.
checks: lint sanity collection-test unit integration

containers: molecule e2e

SCENARIOS_AFTER_CHECKS ?= cluster lb mysql

test:
	@rm -f "$(TIMES)"; start=$$(date +%s); rc=0; \
	trap 'scripts/phase-table.sh "$(TIMES)" $$start; exit 143' TERM INT; \
	{ $(phase) venv -- $(MAKE) --no-print-directory venv && \
	  $(MAKE) --no-print-directory -j2 test-chains; } || rc=$$?; \
	scripts/phase-table.sh "$(TIMES)" $$start; exit $$rc

# Two independent chains for `make -j2`: each one runs its phases in order.
.PHONY: test-chains checks-chain containers-chain
test-chains: checks-chain containers-chain
checks-chain:
	@$(MAKE) --no-print-directory -j1 checks
	@$(MAKE) --no-print-directory -j1 molecule SCENARIOS="$(filter $(SCENARIOS_AFTER_CHECKS),$(SCENARIOS))"
containers-chain:
	@$(MAKE) --no-print-directory -j1 molecule SCENARIOS="$(filter-out $(SCENARIOS_AFTER_CHECKS),$(SCENARIOS))"
	@$(MAKE) --no-print-directory -j1 e2e

lab: venv host
	SCALEOUT_BASE_IMAGE=$$(scripts/build-base-image.sh $(LAB_SUITE)) \
	  $(BIN)/python runner.py --cluster $(LAB_CLUSTER) up --pydio-archive $(PYDIO_ARCHIVE)

lab-down: venv
	$(BIN)/python runner.py --cluster $(LAB_CLUSTER) down
