#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: scaleout.pydio contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: gluster_info
short_description: Report the state of a GlusterFS trusted pool and its volumes
version_added: 1.0.0
description:
  - Reads the trusted pool and its volumes from the host the task runs on, and changes
    nothing. The result is meant for status reports and for checks before an operation.
  - State is read from C(gluster --mode=script --xml) only, never from the human text.
    A C(2 x 3 = 6) volume is reported as C(replica) 3 and C(distribute) 2.
  - The calls are C(pool list); C(volume info) (every volume) or C(volume info NAME) per
    name in O(volumes); then, for each started volume, C(volume status NAME) with
    O(status=true), and for each started replicated volume C(volume heal NAME info) with
    O(heal=true).
  - Counts follow M(scaleout.pydio.gluster_volume). C(replica) is the number of data
    copies per set, so a volume glusterd calls C(replica 3 arbiter 1) has C(replica) 2 and
    C(arbiter) 1.
author:
  - scaleout.pydio developers (@scaleout-pydio)
options:
  volumes:
    description:
      - Names of the volumes to report, in this order.
      - Omitted or empty, every volume of the pool is reported, in glusterd's order.
      - A name glusterd does not know fails the task. The message names every missing
        volume and the volumes the pool has.
    type: list
    elements: str
  heal:
    description:
      - Count the entries waiting for self-heal on each started replicated volume
        (arbiter included), with C(volume heal NAME info).
      - That command walks each brick's index of pending entries. On a volume with very
        many pending entries it can take a while.
    type: bool
    default: true
  status:
    description:
      - Read which brick processes are online, with C(volume status NAME), for each
        started volume.
    type: bool
    default: true
notes:
  - Run it on one member of the pool, for example with C(run_once).
  - Supports check mode. It never changes anything, so check mode returns the same
    report, and C(changed) is always false.
requirements:
  - glusterfs-server (the C(gluster) CLI) on the target, glusterd running.
seealso:
  - module: scaleout.pydio.gluster_peer
  - module: scaleout.pydio.gluster_volume
"""

EXAMPLES = r"""
- name: Read the pool and every volume
  scaleout.pydio.gluster_info:
  register: gluster
  run_once: true

- name: Fail when a brick is down or entries wait for self-heal
  ansible.builtin.assert:
    that:
      - item.bricks_online | length == item.brick_count
      - item.heal_pending in [0, none]
    fail_msg: >-
      {{ item.name }}: offline {{ item.bricks | difference(item.bricks_online) }},
      {{ item.heal_pending }} entries to heal
  loop: "{{ gluster.volumes }}"
  loop_control:
    label: "{{ item.name }}"
  run_once: true

- name: Only the layout of the two Pydio volumes, without status or heal calls
  scaleout.pydio.gluster_info:
    volumes:
      - pydio-data
      - pydio-config
    heal: false
    status: false
  register: layout
  run_once: true
"""

RETURN = r"""
peers:
  description:
    - The pool, as C(gluster pool list) reports it (the local node is C(localhost)).
    - The same shape as the C(peers) that M(scaleout.pydio.gluster_peer) returns.
  returned: always
  type: list
  elements: dict
  sample:
    - uuid: 3f1539e3-ce3b-4fd2-8806-0f33ef2217f0
      hostname: fixture-g2
      hostnames: [fixture-g2, 10.231.47.12]
      connected: true
      state: 3
      state_str: Peer in Cluster
      in_cluster: true
      is_local: false
volumes:
  description: One entry per volume, in the order of O(volumes) or, without it, glusterd's.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Name of the volume.
      type: str
      returned: always
      sample: pydio-data
    status:
      description: C(Started), C(Stopped) or C(Created) (never started).
      type: str
      returned: always
      sample: Started
    type:
      description: glusterd's type, e.g. C(Replicate), C(Distributed-Replicate), C(Disperse), C(Distribute).
      type: str
      returned: always
      sample: Distributed-Replicate
    layout:
      description: glusterd's notation of the sets, e.g. C(2 x 2 = 4) or C(1 x (2 + 1) = 3).
      type: str
      returned: always
      sample: 2 x 2 = 4
    replica:
      description:
        - Data copies per replica set, arbiter bricks not counted (as O(scaleout.pydio.gluster_volume#module:replica)).
        - C(1) for distribute and disperse volumes.
      type: int
      returned: always
      sample: 2
    arbiter:
      description: Arbiter bricks per replica set (C(0) or C(1)).
      type: int
      returned: always
      sample: 0
    disperse:
      description: Bricks per disperse set; C(0) when the volume is not dispersed.
      type: int
      returned: always
      sample: 0
    redundancy:
      description: Bricks per disperse set that may fail; C(0) when the volume is not dispersed.
      type: int
      returned: always
      sample: 0
    distribute:
      description: Number of replica (or disperse) sets; for a pure distribute volume, of bricks.
      type: int
      returned: always
      sample: 2
    brick_count:
      description: Number of bricks.
      type: int
      returned: always
      sample: 4
    bricks:
      description: The bricks as C(host:path), set by set, as glusterd stores them.
      type: list
      elements: str
      returned: always
      sample: [storage1:/srv/gluster/pydio-data/brick, storage2:/srv/gluster/pydio-data/brick]
    options:
      description: The options set on the volume (not the defaults), as C(volume info) lists them.
      type: dict
      returned: always
      sample: {cluster.quorum-type: auto, performance.write-behind: "off"}
    bricks_online:
      description:
        - The bricks of RV(volumes[].bricks) whose process C(volume status) shows online.
        - Empty for a volume that is not started.
      type: list
      elements: str
      returned: when O(status=true)
      sample: [storage1:/srv/gluster/pydio-data/brick]
    heal_pending:
      description:
        - Entries waiting for self-heal, summed over the bricks C(volume heal NAME info) could read.
        - Null for a volume that is not replicated or not started.
      type: int
      returned: when O(heal=true)
      sample: 6
    heal_unreachable:
      description:
        - Bricks whose pending entries heal info could not count, because they are not connected.
          Their entries are not in RV(volumes[].heal_pending).
        - Empty when RV(volumes[].heal_pending) is null.
      type: list
      elements: str
      returned: when O(heal=true)
      sample: [storage2:/srv/gluster/pydio-data/brick]
calls:
  description: Every gluster command line run, in order.
  returned: always
  type: list
  elements: str
  sample: ["gluster pool list", "gluster volume info", "gluster volume status pydio-data"]
missing:
  description: The names in O(volumes) that glusterd does not know.
  returned: failure, when volumes are missing
  type: list
  elements: str
  sample: [pydio-dta]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.scaleout.pydio.plugins.module_utils.gluster_module import run_gluster_module
from ansible_collections.scaleout.pydio.plugins.module_utils.gluster_ops import report_state

ARGUMENT_SPEC = {
    "volumes": {"type": "list", "elements": "str"},
    "heal": {"type": "bool", "default": True},
    "status": {"type": "bool", "default": True},
}


def main() -> None:
    module = AnsibleModule(argument_spec=ARGUMENT_SPEC, supports_check_mode=True)
    params = module.params
    run_gluster_module(
        module, lambda cli: report_state(cli, params["volumes"], heal=params["heal"], status=params["status"])
    )


if __name__ == "__main__":
    main()
