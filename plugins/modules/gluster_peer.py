#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: scaleout.pydio contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: gluster_peer
short_description: Attach hosts to or detach them from a GlusterFS trusted pool
version_added: 1.0.0
description:
  - Probes the given hosts into the trusted storage pool of the host the task runs on,
    and waits until each is C(Peer in Cluster) and connected; or detaches them.
  - A peer is recognised by every name and address glusterd knows it by (the
    C(hostnames) of C(gluster pool list)) and by the addresses those names resolve to,
    so probing by address a peer that was probed by name (or the other way round)
    changes nothing.
  - The host the task runs on is recognised by C(localhost) and by any name that resolves
    to one of its addresses; listing it is a no-op. So the same node list can be given
    on every member.
  - State is read from C(gluster --mode=script --xml pool list) only; a run that changes
    nothing makes that one gluster call.
author:
  - scaleout.pydio developers (@scaleout-pydio)
options:
  nodes:
    description:
      - Host names or addresses of the peers.
      - They may include the host the task runs on.
    type: list
    elements: str
    required: true
  state:
    description:
      - C(present) probes the nodes that are not members yet and waits for all of them.
      - C(absent) detaches the nodes that are members. Detaching a host that is not a
        member is a no-op. A peer that still holds bricks of any volume is refused,
        naming the volumes, before anything is detached. The host the task runs on
        cannot detach itself.
    type: str
    choices: [present, absent]
    default: present
  wait_timeout:
    description:
      - Seconds to wait, with C(state=present), until every node is C(Peer in Cluster)
        and connected. The task fails naming the nodes that are not.
      - C(0) does not wait.
    type: int
    default: 60
notes:
  - Run it on one member of the pool (for example with C(run_once)); glusterd spreads
    membership to the others.
  - Supports check mode and diff mode; the diff lists the peers' names before and after.
requirements:
  - glusterfs-server (the C(gluster) CLI) on the target, glusterd running.
seealso:
  - module: scaleout.pydio.gluster_volume
"""

EXAMPLES = r"""
- name: Form the trusted pool from the first storage node
  scaleout.pydio.gluster_peer:
    nodes: "{{ groups['storage'] | map('extract', hostvars, 'private_ip') | list }}"
    state: present
  run_once: true

- name: Detach a node whose bricks were removed
  scaleout.pydio.gluster_peer:
    nodes:
      - 10.0.1.14
    state: absent
  run_once: true
"""

RETURN = r"""
peers:
  description: The pool after the run, as C(gluster pool list) reports it (the local node is C(localhost)).
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
commands:
  description: The gluster commands that changed the pool (in check mode, that would).
  returned: always
  type: list
  elements: str
  sample: ["gluster peer probe fixture-g3"]
calls:
  description: Every gluster command line run, reads and waits included.
  returned: always
  type: list
  elements: str
  sample: ["gluster pool list"]
local:
  description: Entries of O(nodes) recognised as the host the task runs on.
  returned: always
  type: list
  elements: str
  sample: [fixture-g1]
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.scaleout.pydio.plugins.module_utils.gluster_module import run_gluster_module
from ansible_collections.scaleout.pydio.plugins.module_utils.gluster_ops import converge_peers


def main() -> None:
    module = AnsibleModule(
        argument_spec={
            "nodes": {"type": "list", "elements": "str", "required": True},
            "state": {"type": "str", "choices": ["present", "absent"], "default": "present"},
            "wait_timeout": {"type": "int", "default": 60},
        },
        supports_check_mode=True,
    )
    params = module.params
    if params["wait_timeout"] < 0:
        module.fail_json(msg="wait_timeout must be 0 or more seconds")
    run_gluster_module(
        module,
        lambda cli: converge_peers(cli, params["nodes"], params["state"], params["wait_timeout"], module.check_mode),
    )


if __name__ == "__main__":
    main()
