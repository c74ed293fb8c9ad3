#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: scaleout.pydio contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: gluster_volume
short_description: Create, grow, shrink, tune, start, stop and delete GlusterFS volumes
version_added: 1.0.0
description:
  - Brings one GlusterFS volume to the requested state from any member of the trusted pool.
  - State is read from C(gluster --mode=script --xml) only, never from the human text.
    The replica count of a C(2 x 3 = 6) volume is read as 3.
  - Every request is checked before the first change. A refused request changes nothing;
    the reason names what is wrong.
  - A run that changes nothing makes at most two gluster calls, C(volume info NAME) and
    C(pool list). C(pool list) is needed only when a brick in O(bricks) is not spelled the
    way glusterd stores it, for example by address instead of by name.
author:
  - scaleout.pydio developers (@scaleout-pydio)
options:
  name:
    description: Name of the volume.
    type: str
    required: true
  state:
    description:
      - C(present) makes sure the volume exists with the given bricks and options. A volume
        it creates is started. An existing volume stays started or stopped as it is.
      - C(started) and C(stopped) also set whether the volume runs. If the volume does not
        exist and O(bricks) is given, it is created first.
      - C(absent) stops the volume if it runs, then deletes it. It warns when clients still
        mount it. The bricks' data stays on disk.
    type: str
    choices: [present, absent, started, stopped]
    default: present
  bricks:
    description:
      - All bricks of the volume, as C(host:/path), in order. Each replica (or disperse)
        set is a run of consecutive bricks. With O(arbiter), the last brick of each set is
        the arbiter.
      - Hosts must be members of the trusted pool (see M(scaleout.pydio.gluster_peer)).
        A brick matches an existing one by any name or address of its peer.
      - Bricks not in the volume yet are added with C(add-brick) as whole sets, and
        C(replica N) is always given. Existing bricks missing from the list are removed as
        whole sets. That is C(remove-brick start), a wait until their data has moved, then
        C(commit). It is refused while self-heal entries are pending.
      - Required to create a volume. When omitted, the bricks of an existing volume are
        left alone.
    type: list
    elements: str
  replace_bricks:
    description:
      - Move bricks to new hosts with C(volume replace-brick VOL OLD NEW commit force). The new
        brick starts empty and self-heal fills it from the other bricks of its set. Use it to
        replace a storage node that is dead or about to be retired.
      - A pair whose old brick is no longer in the volume and whose new brick is, was carried
        out before, and changes nothing.
      - Refused, before any change, for a volume with one copy of each file (pure distribute),
        for a stopped volume, when the new host is not a connected member of the pool, when the
        old brick's set has no other data brick online to heal from (a disperse set, fewer than
        its data count), and when the old brick is reachable and has entries pending heal. An
        old brick whose host is down is what this is for, and is not asked.
      - The module does not wait for the heal; follow it with M(scaleout.pydio.gluster_info).
      - Given on its own; it cannot be combined with O(bricks), O(options), O(reset_options),
        O(rebalance) or O(state=absent) and O(state=stopped).
    type: list
    elements: dict
    suboptions:
      old:
        description: The brick to replace, as C(host:/path), spelled as in C(volume info).
        type: str
        required: true
      new:
        description: The new brick, as C(host:/path), on a member of the pool.
        type: str
        required: true
  replica:
    description:
      - Data copies per replica set. Default 1 for a new volume (pure distribute).
      - When given for an existing volume, it must match the volume. Changing the replica
        count is refused.
    type: int
  arbiter:
    description:
      - C(1) adds one arbiter brick (metadata only) to each set of O(replica=2). Each set
        is then three bricks, and glusterd is told C(replica 3 arbiter 1).
      - Any other O(replica) with an arbiter is refused. This module counts data copies.
        In glusterd's syntax, C(replica 3 arbiter 1) is two data bricks and one arbiter.
    type: int
    choices: [0, 1]
  disperse:
    description: Bricks per disperse (erasure-coded) set.
    type: int
  redundancy:
    description: Bricks per disperse set that may fail. Needs O(disperse).
    type: int
  transport:
    description: Transport of a new volume. It must match for an existing volume.
    type: str
    choices: [tcp, rdma, "tcp,rdma"]
    default: tcp
  options:
    description:
      - Volume options to set, as name and value. Short names such as C(write-behind) work
        as they do with the gluster CLI.
      - Values compare by meaning. C(off), C(false), C(no), C(disable), C(0) and a YAML false
        are one value; so are C(64MB) and C(67108864). An option already set to an
        equivalent value is not set again.
      - An option that is not set on the volume yet is set, even when its default already
        has the value. The next run then finds it set.
      - Names are checked against C(gluster volume get NAME all) before any change. For a new
        volume they are checked right after creation. If a name or value is refused, the
        new volume is deleted again.
    type: dict
    default: {}
  reset_options:
    description:
      - Reset every option that is set on the volume but not listed in O(options).
      - The options glusterd sets itself when it creates a volume stay as they are
        unless listed. These are C(cluster.granular-entry-heal), C(storage.fips-mode-rchecksum),
        C(transport.address-family), C(nfs.disable) and C(performance.client-io-threads).
    type: bool
    default: false
  rebalance:
    description:
      - After bricks were added in this run, start a rebalance and wait until it is completed.
    type: bool
    default: false
  rebalance_timeout:
    description:
      - Seconds to wait for a rebalance, or for the data migration of a C(remove-brick),
        to complete. The task then fails, and the operation goes on in glusterd.
        A remove-brick that did not complete is not committed.
    type: int
    default: 3600
  force:
    description:
      - Append C(force) to C(volume create) and C(add-brick), for example for bricks on the
        root file system. It is passed only when set.
    type: bool
    default: false
notes:
  - Run it on one member of the pool, for example with C(run_once).
  - Supports check mode and diff mode. The diff shows the state, layout, bricks and options.
requirements:
  - glusterfs-server (the C(gluster) CLI) on the target, glusterd running.
seealso:
  - module: scaleout.pydio.gluster_peer
"""

EXAMPLES = r"""
- name: Replica 2 volume for Pydio's files, started
  scaleout.pydio.gluster_volume:
    name: pydio-data
    state: started
    replica: 2
    bricks:
      - storage1:/srv/gluster/pydio-data/brick
      - storage2:/srv/gluster/pydio-data/brick
    options:
      cluster.quorum-type: auto
      performance.write-behind: false
      auth.allow: 10.0.1.11,10.0.1.12
  run_once: true

- name: Replica 2 with an arbiter (glusterd's "replica 3 arbiter 1")
  scaleout.pydio.gluster_volume:
    name: pydio-config
    state: started
    replica: 2
    arbiter: 1
    bricks:
      - storage1:/srv/gluster/pydio-config/brick
      - storage2:/srv/gluster/pydio-config/brick
      - storage3:/srv/gluster/pydio-config/arbiter
  run_once: true

- name: Grow by one replica set and rebalance
  scaleout.pydio.gluster_volume:
    name: pydio-data
    state: present
    replica: 2
    bricks:
      - storage1:/srv/gluster/pydio-data/brick
      - storage2:/srv/gluster/pydio-data/brick
      - storage3:/srv/gluster/pydio-data/brick
      - storage4:/srv/gluster/pydio-data/brick
    rebalance: true
  run_once: true

- name: Replace the brick of a dead storage node (storage2) with one on storage5
  scaleout.pydio.gluster_volume:
    name: pydio-data
    replace_bricks:
      - old: storage2:/srv/gluster/pydio-data/brick
        new: storage5:/srv/gluster/pydio-data/brick
  run_once: true

- name: Remove a volume
  scaleout.pydio.gluster_volume:
    name: scratch
    state: absent
  run_once: true
"""

RETURN = r"""
volume:
  description: The volume after the run, parsed from C(volume info NAME --xml); null when it does not exist.
  returned: always
  type: dict
  sample:
    name: pydio-data
    status: Started
    type: Distributed-Replicate
    layout: 2 x 3 = 6
    replica_count: 3
    arbiter_count: 0
    disperse_count: 0
    set_size: 3
    set_count: 2
    transport: tcp
    bricks:
      - name: storage1:/srv/gluster/pydio-data/brick
        host: storage1
        path: /srv/gluster/pydio-data/brick
        host_uuid: 3f1539e3-ce3b-4fd2-8806-0f33ef2217f0
        is_arbiter: false
    options:
      performance.write-behind: "off"
commands:
  description: The changes, in order, as gluster commands and waits (in check mode, the planned ones).
  returned: always
  type: list
  elements: str
  sample:
    - gluster volume add-brick pydio-data replica 2 storage3:/srv/b storage4:/srv/b
    - gluster volume rebalance pydio-data start
    - wait until `gluster volume rebalance pydio-data status` is completed
calls:
  description: Every gluster command line run, reads included.
  returned: always
  type: list
  elements: str
  sample: ["gluster volume info pydio-data"]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.scaleout.pydio.plugins.module_utils.gluster_cli import GlusterCLI
from ansible_collections.scaleout.pydio.plugins.module_utils.gluster_module import run_gluster_module
from ansible_collections.scaleout.pydio.plugins.module_utils.gluster_ops import converge_volume
from ansible_collections.scaleout.pydio.plugins.module_utils.gluster_plan import VolumeRequest, validate_request

ARGUMENT_SPEC = {
    "name": {"type": "str", "required": True},
    "state": {"type": "str", "choices": ["present", "absent", "started", "stopped"], "default": "present"},
    "bricks": {"type": "list", "elements": "str"},
    "replace_bricks": {
        "type": "list",
        "elements": "dict",
        "options": {"old": {"type": "str", "required": True}, "new": {"type": "str", "required": True}},
    },
    "replica": {"type": "int"},
    "arbiter": {"type": "int", "choices": [0, 1]},
    "disperse": {"type": "int"},
    "redundancy": {"type": "int"},
    "transport": {"type": "str", "choices": ["tcp", "rdma", "tcp,rdma"], "default": "tcp"},
    "options": {"type": "dict", "default": {}},
    "reset_options": {"type": "bool", "default": False},
    "rebalance": {"type": "bool", "default": False},
    "rebalance_timeout": {"type": "int", "default": 3600},
    "force": {"type": "bool", "default": False},
}


def main() -> None:
    module = AnsibleModule(
        argument_spec=ARGUMENT_SPEC,
        mutually_exclusive=[("replica", "disperse"), ("arbiter", "disperse"), ("bricks", "replace_bricks")],
        required_by={"redundancy": "disperse"},
        supports_check_mode=True,
    )
    params = module.params
    if params["rebalance_timeout"] <= 0:
        module.fail_json(msg="rebalance_timeout must be more than 0 seconds")
    request = VolumeRequest(
        name=params["name"],
        state=params["state"],
        bricks=params["bricks"],
        replica=params["replica"],
        arbiter=params["arbiter"],
        disperse=params["disperse"],
        redundancy=params["redundancy"],
        transport=params["transport"],
        options=params["options"] or {},
        reset_options=params["reset_options"],
        rebalance=params["rebalance"],
        force=params["force"],
        replace_bricks=(
            None if params["replace_bricks"] is None else [(p["old"], p["new"]) for p in params["replace_bricks"]]
        ),
    )

    def converge(cli: GlusterCLI) -> dict:
        validate_request(request)
        return converge_volume(cli, request, module.check_mode, params["rebalance_timeout"])

    run_gluster_module(module, converge)


if __name__ == "__main__":
    main()
