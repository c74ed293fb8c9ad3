"""-e/--extra-vars and --vault-password-file: read and refused before any change, and a REAL ansible-runner run."""

import subprocess
import sys
from pathlib import Path

import pytest
from runner_helpers import REPO

from scaleout.artifacts import new_run_dir
from scaleout.extra_vars import ExtraVars, read_extra_vars
from scaleout.model import PlanError
from scaleout.run import run_playbook

PLAYBOOK = REPO / "tests" / "unit" / "runner" / "playbooks" / "extra_vars.yml"
VAULT_PASSWORD = "Vq7-test-vault-password"


@pytest.fixture
def vault(tmp_path: Path) -> tuple[Path, Path]:
    """A vars file encrypted with ansible-vault, and its password file."""
    password = tmp_path / "vault-pass"
    password.write_text(VAULT_PASSWORD + "\n")
    secret = tmp_path / "secret.yml"
    secret.write_text("from_vault: opened\n")
    ansible_vault = Path(sys.executable).parent / "ansible-vault"
    subprocess.run(
        [str(ansible_vault), "encrypt", "--vault-password-file", str(password), str(secret)],
        check=True,
        capture_output=True,
    )
    assert secret.read_text().startswith("$ANSIBLE_VAULT;")
    return secret, password


def test_values_are_read_in_order_and_a_later_one_wins(tmp_path: Path) -> None:
    varsfile = tmp_path / "vars.yml"
    varsfile.write_text("elb_subnets: [subnet-a, subnet-b]\nplain: from-file\n")
    extra = read_extra_vars(
        ["plain=first other='a b'", f"@{varsfile}", '{"count": 3}', "count=4"],
        None,
    )
    assert extra.variables == {
        "plain": "from-file",
        "other": "a b",
        "elb_subnets": ["subnet-a", "subnet-b"],
        "count": "4",
    }
    assert extra.cmdline() == ""


def test_a_vault_file_goes_to_ansible_playbook_with_its_password_file(vault: tuple[Path, Path]) -> None:
    secret, password = vault
    extra = read_extra_vars([f"@{secret}"], password)
    assert extra.variables == {}
    assert extra.cmdline() == f"--extra-vars @{secret} --vault-password-file {password}"


@pytest.mark.parametrize(
    ("values", "password", "message"),
    [
        (["@/no/such/vars.yml"], None, "-e @/no/such/vars.yml: cannot read /no/such/vars.yml"),
        (["[1, 2]"], None, "expected a mapping of variables"),
        (["{not: valid: yaml"], None, "not valid YAML or JSON"),
        (["a=1 b"], None, "'b' is not key=value"),
        (['{"bad name": 1}'], None, "'bad name' is not a valid variable name"),
        ([], Path("/no/such/vault-pass"), "--vault-password-file /no/such/vault-pass: no such file"),
    ],
)
def test_bad_values_are_refused_naming_them(values: list[str], password: Path | None, message: str) -> None:
    with pytest.raises(PlanError) as error:
        read_extra_vars(values, password)
    assert message in str(error.value)


def test_a_vault_file_without_a_password_file_is_refused(vault: tuple[Path, Path]) -> None:
    secret, _ = vault
    with pytest.raises(PlanError, match="encrypted with Ansible Vault; give --vault-password-file"):
        read_extra_vars([f"@{secret}"], None)


def test_a_real_run_gets_the_variables_and_opens_the_vault(vault: tuple[Path, Path], tmp_path: Path) -> None:
    secret, password = vault
    extra = read_extra_vars(["plain=given elb_cluster_name=mine", f"@{secret}"], password)
    run_dir = new_run_dir(tmp_path / "artifacts", "lab", "deploy")
    result = run_playbook(
        PLAYBOOK,
        run_dir,
        "localhost,",
        # As the executor merges them: the provider's variables win over the operator's.
        extravars={**extra.variables, "elb_cluster_name": "provider"},
        write=lambda _line: None,
        cmdline=extra.cmdline(),
    )
    assert result.ok
    assert result.custom_stats["seen"] == {"plain": "given", "from_vault": "opened", "elb_cluster_name": "provider"}
    # The password never reaches the run folder.
    for path in run_dir.rglob("*"):
        if path.is_file():
            assert VAULT_PASSWORD not in path.read_text(errors="replace")


def test_nothing_given_is_nothing() -> None:
    assert read_extra_vars(None, None) == ExtraVars()
