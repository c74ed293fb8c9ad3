"""Pure planning: what each command launches and runs, and what it refuses."""

import pytest
from runner_helpers import LAB

from scaleout import plan as planner
from scaleout.model import Cluster, Node, PlanError
from scaleout.providers.lab_inventory import cluster_from_inventory, render_lab_inventory

SEED = Cluster("c", planner.default_lab_nodes("c"))


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: planner.plan_scale_storage(SEED, 3), "scale --storage 3 would not fill a replica set"),
        (lambda: planner.plan_scale_storage(SEED, 1), "in multiples of 2"),
        (lambda: planner.plan_scale_storage(Cluster("c", SEED.nodes, 3), 2), "volumes are replica 3"),
        (lambda: planner.plan_scale_storage(SEED, 0), "would not fill a replica set"),
        (lambda: planner.plan_scale_compute(SEED, 0), "at least 1"),
        (lambda: planner.plan_scale_in_compute(SEED, "c-node1"), "holds bricks"),
        (lambda: planner.plan_scale_in_compute(SEED, "c-node3"), "is not a compute node"),
        (lambda: planner.plan_scale_in_compute(SEED, "c-node9"), "is not a node of cluster"),
        (
            lambda: planner.plan_scale_in_compute(
                Cluster("c", (*SEED.nodes[:1], Node("c-node2", ("storage",)), *SEED.nodes[2:])), "c-node1"
            ),
            "holds bricks",
        ),
        (
            lambda: planner.plan_scale_in_compute(
                Cluster("c", (Node("c-s1", ("storage",)), Node("c-s2", ("storage",)), Node("c-w", ("compute", "db")))),
                "c-w",
            ),
            "also serves db",
        ),
        (
            lambda: planner.plan_scale_in_compute(
                Cluster("c", (Node("c-s1", ("storage", "db")), Node("c-s2", ("storage",)), Node("c-w", ("compute",)))),
                "c-w",
            ),
            "is the last compute node",
        ),
        (lambda: planner.plan_down(SEED, "aws"), "and the load balancer, target group, listeners and security groups"),
        (lambda: planner.plan_restore(SEED, "/d/pydio.sql.gz", None, False), "would overwrite the live database"),
        (lambda: planner.plan_restore(SEED, "/d/pydio.sql.gz", "a-b", False), "1 to 64 letters, digits and _"),
        (lambda: planner.plan_restore(Cluster("c", SEED.nodes[:2]), "/d/p.sql.gz", "x", False), "has no db node"),
        (lambda: planner.plan_backup(Cluster("c"), "/b"), "has no node; run `up` first"),
        (lambda: planner.plan_deploy(Cluster("c")), "has no node; run `up` first"),
        (lambda: planner.plan_deploy(Cluster("c", (Node("c-n1", ("storage", "compute")),))), "has no db node"),
        (lambda: planner.plan_deploy(Cluster("c", SEED.nodes[1:])), "not a multiple of its replica count 2"),
        (lambda: planner.plan_status(Cluster("c", SEED.nodes[:2])), "has no db node (its db group is empty"),
        (lambda: planner.plan_scale_in_compute(Cluster("c", LAB.nodes[:2] + LAB.nodes[3:]), "lab-node5"), "no db node"),
        (lambda: planner.plan_bake(SEED, provider="gcp", supported=False), "bake is not available on the gcp"),
        (lambda: Node("c-x", ("web",)), "unknown group(s) web"),
        (lambda: planner.check_cluster_name("Prod_1"), "invalid cluster name"),
    ],
)
def test_refusals(build, message):
    with pytest.raises(PlanError) as error:
        build()
    assert message in str(error.value)


@pytest.mark.parametrize("rebuild", [False, True])
def test_bake_is_one_step_that_needs_no_node(rebuild):
    plan = planner.plan_bake(Cluster("c"), provider="lab", supported=True, rebuild=rebuild)
    assert plan.launch == ()
    assert [(s.kind, s.playbook, s.rebuild) for s in plan.steps] == [("bake", "playbooks/bake.yml", rebuild)]


def test_up_launches_the_default_lab_layout_then_deploys():
    plan = planner.plan_up(Cluster("c"))
    assert [(n.name, n.groups) for n in plan.launch] == [
        ("c-node1", ("storage", "compute")),
        ("c-node2", ("storage", "compute")),
        ("c-node3", ("db",)),
        ("c-node4", ("lb",)),
    ]
    assert [s.kind for s in plan.steps] == ["launch", "playbook"]
    assert plan.steps[-1].playbook == "playbooks/site.yml"
    assert plan.steps[-1].limit == ()


@pytest.mark.parametrize(
    ("count", "batches"),
    [
        (1, [("lab-node6",)]),
        (
            7,
            [
                ("lab-node6", "lab-node7", "lab-node8", "lab-node9", "lab-node10"),
                ("lab-node11", "lab-node12"),
            ],
        ),
    ],
)
def test_scale_compute_names_batches_and_limits(count, batches):
    plan = planner.plan_scale_compute(LAB, count)
    assert [n.groups for n in plan.launch] == [("compute",)] * count
    runs = [s for s in plan.steps if s.kind == "playbook"]
    assert [s.hosts for s in runs] == batches
    assert all(s.playbook == "playbooks/scale_compute.yml" for s in runs)
    assert [s.limit for s in runs] == [(*batch, "lab-node4") for batch in batches]
    # Each batch is registered with the LB once configured, before the next batch starts.
    assert [(s.kind, s.hosts) for s in plan.steps] == [
        ("launch", sum(batches, ())),
        *[step for batch in batches for step in (("playbook", batch), ("register", batch))],
    ]


@pytest.mark.parametrize(
    ("replica", "count", "sets"),
    [
        (2, None, [("lab-node6", "lab-node7")]),
        (2, 4, [("lab-node6", "lab-node7"), ("lab-node8", "lab-node9")]),
        (1, 2, [("lab-node6",), ("lab-node7",)]),
    ],
)
def test_scale_storage_adds_whole_replica_sets_from_an_existing_peer(replica, count, sets):
    cluster = Cluster("lab", LAB.nodes, replica)
    plan = planner.plan_scale_storage(cluster, count)
    runs = [s for s in plan.steps if s.kind == "playbook"]
    assert [s.hosts for s in runs] == sets
    assert [s.limit for s in runs] == [(*hosts, "lab-node1") for hosts in sets]
    assert all(s.playbook == "playbooks/scale_storage.yml" for s in runs)


def test_scale_in_drains_then_runs_then_removes():
    plan = planner.plan_scale_in_compute(LAB, "lab-node5")
    assert [(s.kind, s.hosts) for s in plan.steps] == [
        ("deregister", ("lab-node5",)),
        ("playbook", ("lab-node5",)),
        ("destroy", ("lab-node5",)),
    ]
    assert plan.steps[1].playbook == "playbooks/scale_in.yml"
    assert plan.steps[1].limit == ("lab-node5", "lab-node4")


def test_render_plan_shows_the_registration_step():
    text = planner.render_plan(planner.plan_scale_compute(LAB, 1))
    assert "  3. [register] register compute batch 1 with the LB\n       hosts:    lab-node6" in text


def test_render_plan_shows_launch_playbooks_and_limits():
    text = planner.render_plan(planner.plan_scale_storage(LAB))
    assert "nothing will be changed" in text
    assert "lab-node6                storage" in text
    assert "playbook: playbooks/scale_storage.yml" in text
    assert "limit:    lab-node6,lab-node7,lab-node1" in text


def test_lab_inventory_round_trip():
    ips = {node.name: f"10.0.0.{i}" for i, node in enumerate(LAB.nodes, start=1)}
    text = render_lab_inventory(LAB, ips)
    import yaml

    data = yaml.safe_load(text)
    assert data["all"]["vars"]["ansible_connection"] == "docker"
    assert data["all"]["hosts"]["lab-node3"]["private_ip"] == "10.0.0.3"
    assert sorted(data["all"]["children"]["compute"]["hosts"]) == ["lab-node1", "lab-node2", "lab-node5"]
    assert cluster_from_inventory(text, "other") == LAB


def test_an_inventory_with_an_unknown_group_is_refused_naming_it():
    ips = {node.name: "10.0.0.1" for node in LAB.nodes}
    text = render_lab_inventory(LAB, ips).replace("\n    lb:\n", "\n    lbs:\n")
    with pytest.raises(
        PlanError, match=r"unknown group\(s\) lbs; the known groups are storage, compute, db, lb, session_store"
    ):
        cluster_from_inventory(text, "lab")


def test_lab_inventory_needs_every_private_ip():
    with pytest.raises(PlanError, match="no private IP for lab-node5"):
        render_lab_inventory(LAB, {n.name: "10.0.0.1" for n in LAB.nodes[:4]})


def test_backup_runs_the_backup_playbook_with_the_controller_folder():
    plan = planner.plan_backup(SEED, "/srv/backups/c")
    (step,) = plan.steps
    assert (plan.command, plan.read_only) == ("backup", False)
    assert step.playbook == "playbooks/backup.yml"
    assert step.extravars == {"scaleout_backup_dir": "/srv/backups/c"}
    assert step.limit == ()


@pytest.mark.parametrize(
    ("database", "overwrite", "extravars"),
    [
        ("scratch", False, {"mysql_restore_database": "scratch", "mysql_restore_overwrite": False}),
        (None, True, {"mysql_restore_overwrite": True}),
        ("pydio", True, {"mysql_restore_database": "pydio", "mysql_restore_overwrite": True}),
    ],
)
def test_restore_passes_the_dump_and_its_target(database, overwrite, extravars):
    (step,) = planner.plan_restore(SEED, "/d/pydio.sql.gz", database, overwrite).steps
    assert step.playbook == "playbooks/restore.yml"
    assert step.extravars == {"mysql_restore_src": "/d/pydio.sql.gz", **extravars}


def test_scale_compute_first_finishes_the_nodes_a_failed_run_left_unregistered():
    cluster = Cluster("c", (*SEED.nodes, Node("c-node5", ("compute",))))
    plan = planner.plan_scale_compute(cluster, 1, unjoined=["c-node5"])
    assert [(step.kind, step.hosts) for step in plan.steps] == [
        ("playbook", ("c-node5",)),
        ("register", ("c-node5",)),
        ("launch", ("c-node6",)),
        ("playbook", ("c-node6",)),
        ("register", ("c-node6",)),
    ]
    assert plan.steps[0].description == "finish the compute node(s) launched but never registered: c-node5"
    assert plan.steps[0].limit == ("c-node5", "c-node4")
    assert "finish the compute node(s) launched but never registered: c-node5" in planner.render_plan(plan)
