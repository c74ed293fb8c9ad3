"""Secrets are removed by variable name and by literal value."""

import pytest

from scaleout.redact import MASK, Redactor


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("db_password: hunter22", "hunter22"),
        ("mysql_root_password=hunter22 other=1", "hunter22"),
        ('{"api_token": "tok-123456", "x": 1}', "tok-123456"),
        ("aws_secret_access_key = AKIAxyz/abc+def", "AKIAxyz/abc+def"),
        ("PYDIO_SECRET='sh h!'", "sh h!"),
        ("the password is hunter22", "hunter22"),  # only known as a literal
    ],
)
def test_text_redaction(text, secret):
    out = Redactor(["hunter22"]).text(text)
    assert secret not in out
    assert MASK in out


@pytest.mark.parametrize("text", ["deploy finished: ok=3 changed=1", "host lab-node1 is reachable", "msg: done"])
def test_plain_text_is_kept(text):
    assert Redactor(["hunter22"]).text(text) == text


def test_event_dicts_are_redacted_and_their_secrets_learnt():
    redactor = Redactor()
    event = {
        "event_data": {
            "res": {
                "invocation": {"module_args": {"login_password": "pw-from-args", "login_user": "pydio"}},
                "msg": "connected",
            },
            "host_key_checking": False,
        }
    }
    clean = redactor.data(event)
    assert clean["event_data"]["res"]["invocation"]["module_args"] == {"login_password": MASK, "login_user": "pydio"}
    assert clean["event_data"]["host_key_checking"] is False
    assert event["event_data"]["res"]["invocation"]["module_args"]["login_password"] == "pw-from-args"  # a copy
    # Learnt from the key above, the value is now removed wherever it shows up.
    assert redactor.text("stdout: pw-from-args was used") == f"stdout: {MASK} was used"


@pytest.mark.parametrize(
    ("data", "secret"),
    [
        ({"ssh_private_key": "pk-material-1"}, "pk-material-1"),
        ({"apikey": "ak-material-2"}, "ak-material-2"),
        ({"aws_secret_access_key": "sk-material-3"}, "sk-material-3"),
    ],
)
def test_key_names_with_a_prefix_are_secrets(data, secret):
    redactor = Redactor()
    redactor.learn(data)
    assert redactor.text(f"seen {secret} here") == f"seen {MASK} here"


def test_the_key_of_a_key_value_pair_is_not_a_secret():
    """dict2items gives {"key": ..., "value": ...}; the key is a name, and masking it shreds task names."""
    redactor = Redactor()
    clean = redactor.data({"item": {"key": "private", "value": "10.0.0.2"}})
    assert clean == {"item": {"key": "private", "value": "10.0.0.2"}}
    text = "Gather the addresses of hosts that have neither private_ip nor facts"
    assert redactor.text(text) == text


def test_nested_lists_and_short_values():
    redactor = Redactor(["ab"])  # too short to be a literal secret: would shred ordinary text
    clean = redactor.data({"items": [{"token": "t0k3n-value"}, "t0k3n-value in text", "about"]})
    assert clean == {"items": [{"token": MASK}, f"{MASK} in text", "about"]}
