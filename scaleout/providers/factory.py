"""Pick and build the provider that the command line asks for."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from scaleout.providers.base import Provider, ProviderError
from scaleout.providers.lab import LabProvider


def base_image(repo_root: Path) -> str:
    """The lab's systemd image: $SCALEOUT_BASE_IMAGE, else built (or found cached) by the repo's script."""
    image = os.environ.get("SCALEOUT_BASE_IMAGE", "").strip()
    if image:
        return image
    script = repo_root / "scripts" / "build-base-image.sh"
    print("lab: preparing the base image (built once, then cached)")
    result = subprocess.run([str(script)], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ProviderError(f"building the lab's base image failed: {result.stderr.strip()[-500:]}")
    return result.stdout.strip().splitlines()[-1]


def make_provider(
    name: str, repo_root: Path, aws_config: Path | None, lab_port: int | None, *, needed: bool = True
) -> Provider | None:
    """The provider called ``name``; None for aws without settings when the caller can do without.

    ``lab_port`` is --lab-port, None when it was not given (the lab then keeps a cluster's port, or uses 8080)."""
    if name == "lab":
        return LabProvider(lambda: base_image(repo_root), repo_root / "inventory" / "lab", port=lab_port)
    if aws_config is None:
        if needed:
            raise ProviderError("the aws provider needs its settings: pass --aws-config FILE (see docs/aws.md)")
        return None
    from scaleout.providers.aws import AwsProvider

    return AwsProvider.from_file(aws_config, inventory_root=repo_root / "inventory" / "aws")
