"""The cluster's status: what playbooks/status.yml gathered, as a document and as text."""

from __future__ import annotations

from typing import Any

from scaleout.providers.base import Provider


def status_document(cluster: str, provider: Provider, stats: dict[str, Any], url: str) -> dict[str, Any]:
    """One JSON-able document: the nodes, the pool, the volumes, the LB's backends and each web node."""
    gathered = stats.get("scaleout_status") or {}
    nodes = [
        {"name": n.name, "groups": list(n.groups), "private_ip": n.private_ip, "id": n.node_id}
        for n in provider.list_nodes(cluster)
    ]
    return {
        "cluster": cluster,
        "provider": provider.name,
        "url": url,
        "nodes": nodes,
        "peers": gathered.get("peers") or [],
        "volumes": gathered.get("volumes") or [],
        "lb": gathered.get("lb") or [],
        "web": gathered.get("web") or {},
        "unreachable": gathered.get("unreachable") or [],
    }


def _layout(volume: dict[str, Any]) -> str:
    replica = int(volume.get("replica") or 1)
    sets = int(volume.get("distribute") or 1)
    return f"{sets} x {replica} = {volume.get('brick_count', sets * replica)}"


def render_status(document: dict[str, Any]) -> str:
    """The document as a few short tables for people."""
    title = f"cluster {document['cluster']} ({document['provider']})"
    lines = [title + (f": {document['url']}" if document["url"] else "")]
    lines.append("nodes:")
    lines.extend(f"  {n['name']:<22} {','.join(n['groups']):<16} {n['private_ip']}" for n in document["nodes"])
    lines.append("volumes:")
    for volume in document["volumes"]:
        online = volume.get("bricks_online")
        bricks = f"{len(online)}/{volume.get('brick_count')} bricks online" if online is not None else ""
        heal = volume.get("heal_pending")
        lines.append(
            f"  {volume.get('name', '?'):<16} {volume.get('status', '?'):<8} {_layout(volume):<12} {bricks}"
            + (f", {heal} heal entries pending" if heal is not None else "")
        )
    peers = document["peers"]
    connected = sum(1 for peer in peers if peer.get("connected"))
    lines.append(f"peers: {connected}/{len(peers)} connected")
    lines.append("load balancer:")
    lines.extend(f"  {b.get('server', '?'):<22} {b.get('status', '?')}" for b in document["lb"])
    lines.append("web nodes (check.txt):")
    lines.extend(f"  {host:<22} {code}" for host, code in sorted(document["web"].items()))
    if document["unreachable"]:
        lines.append(f"unreachable: {', '.join(document['unreachable'])}")
    return "\n".join(lines)
