"""The executor: it carries out a plan's steps in order, stops at the first failure and records steps.json.

The provider and the playbook runner are fakes that write what they were asked to do into one shared log,
so the order of provider actions and playbook runs can be read off it.
"""

import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from runner_helpers import LAB

from scaleout import execute
from scaleout import plan as planner
from scaleout.execute import TIMINGS_NAME, Execution
from scaleout.model import Cluster, Node
from scaleout.providers.base import NodeInfo, Provider, ProviderError
from scaleout.run import RunResult

SECRET = "s3cret-value"


class FakeProvider(Provider):
    """Records each action in ``log``; ``fail_on`` names an action that raises a ProviderError instead."""

    name = "fake"

    def __init__(self, log: list[tuple], inventory_path: Path, fail_on: str = "") -> None:
        self.log = log
        self.inventory_path = inventory_path
        self.fail_on = fail_on

    def _record(self, action: str, *args: object) -> None:
        if action == self.fail_on:
            raise ProviderError(f"{action} failed at the fake provider; nothing was changed")
        self.log.append((action, *args))

    def list_nodes(self, cluster: str, *, include_stopped: bool = False) -> list[NodeInfo]:
        return []

    def launch(self, cluster: Cluster, nodes: Sequence[Node]) -> list[NodeInfo]:
        self._record("launch", tuple(node.name for node in nodes))
        return [NodeInfo(node.name, node.groups, "10.0.0.9", node.name) for node in nodes]

    def inventory(self, cluster: str, *, include_stopped: bool = False) -> Path:
        return self.inventory_path

    def register(self, cluster: str, hosts: Sequence[str]) -> None:
        self._record("register", tuple(hosts))

    def deregister(self, cluster: str, hosts: Sequence[str]) -> None:
        self._record("deregister", tuple(hosts))

    def destroy(self, cluster: str, hosts: Sequence[str]) -> None:
        self._record("destroy", tuple(hosts))

    def prepare(self, cluster: str) -> None:
        self._record("prepare", cluster)

    def teardown(self, cluster: str) -> list[str]:
        self._record("teardown", cluster)
        return [f"target group of {cluster}"]

    def secrets(self, cluster: str) -> list[str]:
        return [SECRET]

    def public_url(self, cluster: str) -> str:
        return f"http://{cluster}.example/pydio/"

    def playbook_vars(self, cluster: str) -> dict[str, object]:
        return {"elb_cluster_name": cluster, "scaleout_backup_dir": "from-the-provider"}


class FakeRunner:
    """Stands in for run_playbook: logs (playbook, limit); a run whose description is ``fails`` fails."""

    def __init__(self, log: list[tuple], fails: tuple[str, ...] = ()) -> None:
        self.log = log
        self.fails = fails
        self.calls: list[dict] = []

    def __call__(self, playbook: Path, run_dir: Path, inventory: Path, **options: object) -> RunResult:
        self.calls.append({"inventory": inventory, **options})
        limit = tuple(options["limit"])
        self.log.append(("playbook", playbook.name, limit))
        failed = (playbook.name, limit) in self.fails
        return RunResult("failed" if failed else "successful", 2 if failed else 0)


class World:
    """One executor run of a plan, with the fakes and what it left behind."""

    def __init__(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.log: list[tuple] = []
        self.artifacts = tmp_path / "artifacts"
        self.inventory = tmp_path / "hosts.yml"
        self.tmp_path = tmp_path
        self.monkeypatch = monkeypatch
        self.runner = FakeRunner(self.log)

    def run(self, plan: planner.Plan, *, fail_on: str = "", fails: tuple = ()) -> bool:
        self.runner.fails = fails
        self.monkeypatch.setattr(execute, "run_playbook", self.runner)
        provider = FakeProvider(self.log, self.inventory, fail_on)
        return Execution(plan, provider, self.artifacts).run()

    def timings(self) -> list[dict]:
        (path,) = self.artifacts.glob(f"*/*/{TIMINGS_NAME}")
        return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def world(tmp_path, monkeypatch) -> World:
    return World(tmp_path, monkeypatch)


NEW = tuple(f"lab-node{n}" for n in range(6, 13))


@pytest.mark.parametrize(
    ("plan", "expected"),
    [
        pytest.param(
            planner.plan_up(Cluster("c")),
            [
                ("prepare", "c"),
                ("launch", ("c-node1", "c-node2", "c-node3", "c-node4")),
                ("playbook", "site.yml", ()),
            ],
            id="up",
        ),
        pytest.param(planner.plan_up(LAB), [("prepare", "lab"), ("playbook", "site.yml", ())], id="up-again"),
        pytest.param(planner.plan_deploy(LAB), [("playbook", "site.yml", ())], id="deploy"),
        pytest.param(
            planner.plan_scale_compute(LAB, 7),
            [
                ("prepare", "lab"),
                ("launch", NEW),
                ("playbook", "scale_compute.yml", (*NEW[:5], "lab-node4")),
                ("register", NEW[:5]),
                ("playbook", "scale_compute.yml", (*NEW[5:], "lab-node4")),
                ("register", NEW[5:]),
            ],
            id="scale-compute",
        ),
        pytest.param(
            planner.plan_scale_in_compute(LAB, "lab-node5"),
            [
                ("deregister", ("lab-node5",)),
                ("playbook", "scale_in.yml", ("lab-node5", "lab-node4")),
                ("destroy", ("lab-node5",)),
            ],
            id="scale-in",
        ),
        pytest.param(planner.plan_down(LAB, "lab"), [("destroy", tuple(node.name for node in LAB.nodes))], id="down"),
        pytest.param(
            planner.plan_down(LAB, "aws", yes=True),
            [("destroy", tuple(node.name for node in LAB.nodes)), ("teardown", LAB.name)],
            id="down-aws",
        ),
    ],
)
def test_steps_run_in_the_plan_s_order(world, capsys, plan, expected):
    assert world.run(plan) is True
    assert world.log == expected
    timings = world.timings()
    assert [(t["step"], t["kind"], t["ok"]) for t in timings] == [(s.description, s.kind, True) for s in plan.steps]
    out = capsys.readouterr().out
    assert f"[{len(plan.steps)}/{len(plan.steps)}] {plan.steps[-1].description}" in out
    # The public URL ends every run but down's.
    assert ("Pydio is served at http://" in out) is (plan.command != "down")


def test_playbooks_get_the_provider_s_inventory_and_secrets(world):
    world.run(planner.plan_scale_compute(LAB, 1))
    assert [call["inventory"] for call in world.runner.calls] == [world.inventory]
    assert [list(call["secrets"]) for call in world.runner.calls] == [[SECRET]]


def test_playbooks_get_the_provider_s_variables_and_the_step_s_win(world):
    world.run(planner.plan_backup(LAB, "/srv/backups"))
    (call,) = world.runner.calls
    # The provider's variables reach every playbook; a step's own extra variable is never overridden.
    assert call["extravars"] == {"elb_cluster_name": LAB.name, "scaleout_backup_dir": "/srv/backups"}


def test_a_failing_playbook_stops_the_run_and_is_recorded(world, capsys):
    plan = planner.plan_scale_compute(LAB, 7)
    assert world.run(plan, fails=(("scale_compute.yml", (*NEW[:5], "lab-node4")),)) is False
    # Batch 1 is not registered, and batch 2 is neither configured nor registered.
    assert world.log == [
        ("prepare", "lab"),
        ("launch", NEW),
        ("playbook", "scale_compute.yml", (*NEW[:5], "lab-node4")),
    ]
    assert [(t["kind"], t["ok"]) for t in world.timings()] == [("launch", True), ("playbook", False)]
    assert "error: configure compute batch 1 failed" in capsys.readouterr().err


def test_a_failing_provider_step_stops_the_run_and_keeps_the_finished_steps(world, capsys):
    plan = planner.plan_scale_in_compute(LAB, "lab-node5")
    assert world.run(plan, fail_on="destroy") is False
    assert world.log == [("deregister", ("lab-node5",)), ("playbook", "scale_in.yml", ("lab-node5", "lab-node4"))]
    # The failed step is recorded too, with the provider's error.
    timings = world.timings()
    assert [(t["kind"], t["ok"]) for t in timings] == [("deregister", True), ("playbook", True), ("destroy", False)]
    assert timings[-1]["error"] == "destroy failed at the fake provider; nothing was changed"
    captured = capsys.readouterr()
    # Steps had finished before it: the message does not claim that the run changed nothing.
    assert "destroy failed at the fake provider; this step changed nothing" in captured.err
    assert "nothing was changed" not in captured.err
    assert "Finished before it: drain lab-node5 from the LB; stop the web service on lab-node5" in captured.err
    assert "Pydio is served at" not in captured.out


def test_a_provider_step_that_fails_first_says_nothing_was_changed(world, capsys):
    assert world.run(planner.plan_scale_compute(LAB, 1), fail_on="launch") is False
    assert [(t["kind"], t["ok"]) for t in world.timings()] == [("launch", False)]
    err = capsys.readouterr().err
    assert "launch failed at the fake provider; nothing was changed" in err
    assert err.count("nothing was changed") == 1


def test_a_failing_registration_stops_before_the_next_batch(world):
    assert world.run(planner.plan_scale_compute(LAB, 7), fail_on="register") is False
    assert world.log[-1] == ("playbook", "scale_compute.yml", (*NEW[:5], "lab-node4"))
    assert [(t["kind"], t["ok"]) for t in world.timings()] == [
        ("launch", True),
        ("playbook", True),
        ("register", False),
    ]
