"""runner.py bake in the lab: which image each node starts from, reuse, the builder's life, and the refusals."""

import json
import subprocess
from pathlib import Path

import pytest

from scaleout.model import Cluster, Node
from scaleout.providers.base import ProviderError
from scaleout.providers.lab import (
    LABEL_BAKE,
    LABEL_BAKED_FROM,
    LabProvider,
    baked_image_name,
    builder_run_args,
    image_for,
)

BASE = "scaleout-pydio-base:abc"
BASE_ID = "sha256:0123456789abcdef0123"
BAKED = "scaleout-pydio-baked:0123456789ab"


class ImageDocker:
    """The docker CLI as bake calls it: images with labels, and a builder container; it records every call."""

    def __init__(self, images: dict[str, dict[str, str]] | None = None) -> None:
        self.images = {BASE: {}, **(images or {})}
        self.ids = {BASE: BASE_ID}
        self.builders: set[str] = set()
        self.calls: list[list[str]] = []

    def changes(self) -> list[list[str]]:
        changing = ("run", "stop", "commit", "rm", "rmi")
        return [c for c in self.calls if c[0] in changing or c[:2] == ["network", "create"]]

    def __call__(self, argv):
        argv = list(argv)
        self.calls.append(argv)
        out = ""
        if argv[:2] == ["image", "inspect"]:
            image = argv[-1]
            if image not in self.images:
                raise ProviderError(f"docker image failed: No such image: {image}")
            out = self.ids.get(image, "sha256:other") if "{{.Id}}" in argv else json.dumps(self.images[image])
        elif argv[0] == "ps":
            names = [a.removeprefix("name=^").removesuffix("$") for a in argv if a.startswith("name=")]
            out = "id-builder" if names and names[0] in self.builders else ""
        elif argv[0] == "run":
            self.builders.add(argv[argv.index("--name") + 1])
        elif argv[0] == "rm":
            self.builders.clear()
        elif argv[0] == "commit":
            label = argv[argv.index("--change") + 1].removeprefix("LABEL ")
            key, _, value = label.partition("=")
            self.images[argv[-1]] = {key: value}
            self.ids[argv[-1]] = "sha256:baked-again"
        return subprocess.CompletedProcess(["docker", *argv], 0, out, "")


def provider(tmp_path: Path, docker: ImageDocker) -> LabProvider:
    lab = LabProvider(BASE, tmp_path, docker=docker)
    lab._wait_booted = lambda name: None  # type: ignore[method-assign]  # no container boots here
    return lab


def test_the_baked_image_is_named_by_its_base_image_id():
    assert baked_image_name(BASE_ID) == BAKED


@pytest.mark.parametrize(
    ("groups", "baked", "expected"),
    [
        (("compute",), BAKED, BAKED),
        (("storage", "compute"), BAKED, BAKED),
        (("db",), BAKED, BASE),
        (("lb",), BAKED, BASE),
        (("storage",), BAKED, BASE),
        (("compute",), None, BASE),
    ],
)
def test_only_compute_nodes_start_from_the_baked_image(groups, baked, expected):
    assert image_for(Node("c-node5", groups), BASE, baked) == expected


def test_a_bake_runs_the_playbook_on_a_builder_commits_it_and_records_it(tmp_path):
    docker = ImageDocker()
    lab = provider(tmp_path, docker)
    seen: list[str] = []

    def install(inventory: Path) -> bool:
        seen.append(inventory.read_text())
        return True

    assert lab.bake("c", install) == BAKED
    assert len(seen) == 1 and "scaleout-bake-c:" in seen[0] and "ansible_connection: docker" in seen[0]
    kinds = [call[0] for call in docker.changes()]
    assert kinds == ["run", "stop", "commit", "rm"]
    run = docker.changes()[0]
    assert run[-2] == BASE and f"{LABEL_BAKE}=c" in run and "--network" not in run
    assert docker.images[BAKED] == {LABEL_BAKED_FROM: BASE_ID}
    assert (tmp_path / "c" / "baked-image").read_text().strip() == BAKED
    assert not (tmp_path / "c" / "bake").exists()
    assert lab.baked_image("c") == BAKED


def test_a_second_bake_reuses_the_image_and_only_records_it(tmp_path):
    docker = ImageDocker({BAKED: {LABEL_BAKED_FROM: BASE_ID}})
    lab = provider(tmp_path, docker)
    assert lab.bake("d", lambda inventory: pytest.fail("no playbook runs for an image that exists")) == BAKED
    assert docker.changes() == []
    assert (tmp_path / "d" / "baked-image").read_text().strip() == BAKED


def test_rebuild_bakes_again(tmp_path):
    docker = ImageDocker({BAKED: {LABEL_BAKED_FROM: BASE_ID}})
    docker.ids[BAKED] = "sha256:the-earlier-bake"
    assert provider(tmp_path, docker).bake("c", lambda inventory: True, rebuild=True) == BAKED
    assert [call[0] for call in docker.changes()] == ["run", "stop", "commit", "rmi", "rm"]
    assert ["rmi", "sha256:the-earlier-bake"] in docker.changes()


def test_a_failed_playbook_makes_no_image_records_nothing_and_removes_the_builder(tmp_path):
    docker = ImageDocker()
    lab = provider(tmp_path, docker)
    with pytest.raises(ProviderError, match=r"bake\.yml failed on the builder scaleout-bake-c: no image was made"):
        lab.bake("c", lambda inventory: False)
    assert BAKED not in docker.images
    assert [call[0] for call in docker.changes()] == ["run", "rm"]
    assert not docker.builders
    assert not (tmp_path / "c" / "baked-image").exists()


def test_a_builder_left_by_an_interrupted_bake_is_removed_first(tmp_path):
    docker = ImageDocker()
    docker.builders.add("scaleout-bake-c")
    provider(tmp_path, docker).bake("c", lambda inventory: True)
    assert [call[0] for call in docker.changes()] == ["rm", "run", "stop", "commit", "rm"]


@pytest.mark.parametrize(
    ("images", "message"),
    [
        ({}, rf"the image {BAKED} that `bake` recorded for cluster 'c' is gone; run `runner.py --cluster c bake`"),
        (
            {BAKED: {LABEL_BAKED_FROM: "sha256:an-older-base"}},
            rf"{BAKED} that `bake` recorded for cluster 'c' was made from another base image than {BASE}",
        ),
    ],
)
def test_a_launch_from_a_recorded_image_that_is_gone_or_stale_is_refused_before_any_change(tmp_path, images, message):
    docker = ImageDocker(images)
    lab = provider(tmp_path, docker)
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "baked-image").write_text(BAKED + "\n")
    with pytest.raises(ProviderError, match=message):
        lab.launch(Cluster("c"), [Node("c-node5", ("compute",))])
    assert docker.changes() == []


def test_a_launch_without_compute_nodes_starts_from_the_base_and_ignores_the_record(tmp_path):
    docker = ImageDocker()  # the recorded image is gone: only a compute node would be refused
    lab = provider(tmp_path, docker)
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "baked-image").write_text(BAKED + "\n")
    lab.launch(Cluster("c"), [Node("c-node9", ("db",))])
    runs = [call for call in docker.changes() if call[0] == "run"]
    assert len(runs) == 1 and runs[0][-2] == BASE


def test_the_builder_runs_with_the_lab_settings_outside_any_cluster():
    argv = builder_run_args("scaleout-bake-c", "c", BASE)
    assert "--privileged" not in argv and "--cgroupns=host" in argv
    assert not any(arg.startswith("scaleout.cluster=") for arg in argv)
