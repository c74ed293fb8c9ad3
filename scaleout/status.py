"""The cluster's status: what playbooks/status.yml gathered, as a document and as text."""

from __future__ import annotations

from typing import Any

from scaleout.providers.base import Provider

# A replica further behind, or a newest backup older, than this makes the cluster degraded.
REPLICA_LAG_LIMIT = 300
BACKUP_AGE_LIMIT = 2 * 24 * 3600


def status_document(cluster: str, provider: Provider, stats: dict[str, Any], url: str) -> dict[str, Any]:
    """One JSON-able document: the nodes, the pool, the volumes, the LB's backends, each web node, and the verdict."""
    gathered = stats.get("scaleout_status") or {}
    nodes = [
        {
            "name": n.name,
            "groups": list(n.groups),
            "private_ip": n.private_ip,
            "id": n.node_id,
            "state": "running" if n.running else "stopped",
        }
        for n in provider.list_nodes(cluster, include_stopped=True)
    ]
    document: dict[str, Any] = {
        "cluster": cluster,
        "provider": provider.name,
        "url": url,
        "nodes": nodes,
        "peers": gathered.get("peers") or [],
        "volumes": gathered.get("volumes") or [],
        "lb": gathered.get("lb") or [],
        "web": gathered.get("web") or {},
        "web_detail": gathered.get("web_detail") or {},
        "database": gathered.get("database") or [],
        "unreachable": gathered.get("unreachable") or [],
        "errors": gathered.get("errors") or [],
    }
    document["problems"] = problems(document)
    document["healthy"] = not document["problems"]
    return document


def problems(document: dict[str, Any]) -> list[str]:
    """Everything in the report that keeps the cluster from being healthy, one line each (empty: healthy)."""
    found = [f"node {n['name']} is {n['state']}" for n in document["nodes"] if n.get("state", "running") != "running"]
    stopped = {n["name"] for n in document["nodes"] if n.get("state", "running") != "running"}
    found += [f"{host} did not answer" for host in document["unreachable"] if host not in stopped]
    found += [f"peer {p.get('hostname', '?')} is not connected" for p in document["peers"] if not p.get("connected")]
    for volume in document["volumes"]:
        name = volume.get("name", "?")
        if volume.get("status") != "Started":
            found.append(f"volume {name} is {volume.get('status', 'unknown')}")
        online, count = volume.get("bricks_online"), volume.get("brick_count")
        if online is not None and count is not None and len(online) < int(count):
            found.append(f"volume {name} has {len(online)}/{count} bricks online")
        if volume.get("heal_pending"):
            found.append(f"volume {name} has {volume['heal_pending']} heal entries pending")
    found += [
        f"{b.get('server', '?')} is {b.get('status', '?')} at the load balancer"
        for b in document["lb"]
        # HAProxy says UP (or "UP 1/3" while rising), the ALB "healthy".
        if not (str(b.get("status", "")).startswith("UP") or b.get("status") == "healthy")
    ]
    found += [
        f"check.txt of {host} answered {'nothing' if code == -1 else code}"
        for host, code in sorted(document["web"].items())
        if code is not None and code != 200
    ]
    found += [f"not read: {error}" for error in document["errors"]]
    found += _database_problems(document.get("database") or [])
    return found


def _database_problems(servers: list[dict[str, Any]]) -> list[str]:
    found = []
    for server in servers:
        host = server.get("host", "?")
        if not server.get("answers"):
            found.append(f"database on {host} does not answer: {server.get('error') or 'no answer'}")
            continue
        replication = server.get("replication")
        if replication and not (replication.get("io_running") and replication.get("sql_running")):
            found.append(f"replica {host} does not replicate (IO and SQL threads not both running)")
        elif replication and int(replication.get("seconds_behind") or 0) > REPLICA_LAG_LIMIT:
            found.append(f"replica {host} is {replication['seconds_behind']} s behind its primary")
        age = server.get("last_backup_age_seconds")
        if age is not None and int(age) > BACKUP_AGE_LIMIT:
            found.append(f"the newest backup on {host} is {int(age) // 3600} h old")
    return found


def _age(seconds: int | None) -> str:
    if seconds is None:
        return "none yet"
    hours, rest = divmod(int(seconds), 3600)
    return f"{hours} h {rest // 60} min ago" if hours else f"{rest // 60} min ago"


def _layout(volume: dict[str, Any]) -> str:
    replica = int(volume.get("replica") or 1)
    sets = int(volume.get("distribute") or 1)
    return f"{sets} x {replica} = {volume.get('brick_count', sets * replica)}"


def render_status(document: dict[str, Any]) -> str:
    """The document as a few short tables for people."""
    title = f"cluster {document['cluster']} ({document['provider']})"
    lines = [title + (f": {document['url']}" if document["url"] else "")]
    lines.append("nodes:")
    lines.extend(
        f"  {n['name']:<22} {','.join(n['groups']):<16} {n['private_ip']:<16} {n.get('state', 'running')}".rstrip()
        for n in document["nodes"]
    )
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
    detail = document.get("web_detail") or {}
    lines.extend(
        f"  {host:<22} {code} {detail.get(host) or ''}".rstrip() for host, code in sorted(document["web"].items())
    )
    lines.append("database:")
    for server in document.get("database") or []:
        if not server.get("answers"):
            lines.append(f"  {server.get('host', '?'):<22} {server.get('role', ''):<8} NOT ANSWERING")
            continue
        replication = server.get("replication")
        state = ""
        if replication:
            running = replication.get("io_running") and replication.get("sql_running")
            lag = replication.get("seconds_behind")
            state = f", replicating {lag} s behind" if running else ", NOT replicating"
        lines.append(
            f"  {server.get('host', '?'):<22} {server.get('role', ''):<8} {server.get('version', '')}{state}, "
            f"last backup {_age(server.get('last_backup_age_seconds'))}"
        )
    if document["unreachable"]:
        lines.append(f"unreachable: {', '.join(document['unreachable'])}")
    if document.get("problems"):
        lines.append("DEGRADED:")
        lines.extend(f"  {problem}" for problem in document["problems"])
    else:
        lines.append("healthy")
    return "\n".join(lines)
