"""The lab's container settings have one source, read by the lab provider and by molecule's create playbook."""

import json

import yaml
from runner_helpers import REPO

from scaleout.providers import lab

CREATE = REPO / "molecule" / "shared" / "create.yml"


def create_play() -> dict:
    return yaml.safe_load(CREATE.read_text())[0]


def test_the_provider_turns_the_file_into_docker_run_options():
    settings = json.loads(lab.SETTINGS_FILE.read_text())
    assert lab.container_settings(settings) == lab.CONTAINER_SETTINGS
    assert lab.container_settings(settings) == (
        "--cap-add", "SYS_ADMIN", "--cap-add", "NET_ADMIN",
        "--device", "/dev/fuse",
        "--security-opt", "seccomp=unconfined", "--security-opt", "apparmor=unconfined",
        "--cgroupns=host",
        "--volume", "/sys/fs/cgroup:/sys/fs/cgroup:rw",
        "--tmpfs", "/run", "--tmpfs", "/run/lock",
        "--stop-signal", "SIGRTMIN+3",
    )  # fmt: skip


def test_create_yml_loads_the_same_file():
    lookup = create_play()["vars"]["__lab_container_defaults"]
    relative = lookup.split("playbook_dir ~ '", 1)[1].split("'", 1)[0]
    assert (CREATE.parent / relative.lstrip("/")).resolve() == lab.SETTINGS_FILE.resolve()


def test_create_yml_states_no_setting_of_its_own():
    start = next(task for task in create_play()["tasks"] if "docker_container" in str(task))
    options = start["community.docker.docker_container"]
    for key in ("command", "capabilities", "security_opts", "cgroupns_mode", "volumes", "tmpfs", "stop_signal"):
        assert f"__lab_container_defaults.{key}" in options[key], key
    assert "__lab_container_defaults.devices" in options["devices"]
    text = CREATE.read_text()
    literals = ("SYS_ADMIN", "seccomp=", "/sys/fs/cgroup", "SIGRTMIN", "/lib/systemd")
    assert [value for value in literals if value in text] == []
