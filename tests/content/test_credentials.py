"""Credentials in the working tree: every form stops `check` and `build` at its line.

The tokens below are made up and assembled at run time from parts, so that this file
itself holds none of them whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from site_builder.cli import main
from tests.conftest import CONTENT
from tests.content.conftest import ACCOUNTS, AI, PROBLEM, check, expect

ZERO_WIDTH_SPACE = "\u200b"
SOFT_HYPHEN = "\u00ad"
FACEBOOK_TOKEN = "EAA" + "Gm0PX4ZCpsBAO8ZBZAkZCZB0ZCZCZBZAZBZCZBZA1ZBZBZBZAZB"
GOOGLE_KEY = "AI" + "zaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"
GITHUB_PAT = "github" + "_pat_" + "11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"
SLACK_WEBHOOK = "https://hooks.slack.com/services/" + "T0A1B2C3D/B0A1B2C3D/" + "x7Yq" * 6
STRIPE_KEY = "sk_" + "live_" + "4eC39HqLyjWDarjtT1zdp7dc"
SENDGRID_KEY = ("SG." + "ngeVfQFYQlKU0ufo8x5d1A" + "."
                + "TwL2iGABf9DHoTf-09kqeF8tAmbihYzrnopKc-1s5cr")
AWS_KEY = "AKIA" + "Q3EGRIYZ4XK7TDLW"
RANDOM_KEY = "kH8sT2pLx9Qw4vZr7YcN" + "3mJf6BdG1aE5"


@dataclass(frozen=True)
class Form:
    """A credential written into policy text (appended to AI 1-19) or into `rel`."""

    id: str
    text: str
    what: str  # the problem says the text looks like it contains this
    below: int = 0  # the reported line, counted from the snippet's first line


BODY_FORMS = [
    Form("password label", "The shared login is password: Tr0ub4dor&3", "a password"),
    Form("bold password label", "**Password**: Tr0ub4dor&3", "a password"),
    Form("password column in a table",
         "| Account | Password |\n| --- | --- |\n| @abq-city | Tr0ub4dor&3 |",
         "a password", below=2),
    Form("facebook token", f"Page access for posting: {FACEBOOK_TOKEN}",
         "a Facebook access token"),
    Form("google api key", f"The map on the page uses {GOOGLE_KEY}.", "a Google API key"),
    Form("fine-grained github token", f"Deploys use {GITHUB_PAT}", "a GitHub token"),
    Form("slack webhook", f"Alerts go to <{SLACK_WEBHOOK}>", "a Slack token or webhook"),
    Form("stripe key", f"Donations are charged with {STRIPE_KEY}", "a Stripe key"),
    Form("zero-width password", f"pass{ZERO_WIDTH_SPACE}word: Tr0ub4dor&3", "a password"),
    Form("soft-hyphen password", f"Pass{SOFT_HYPHEN}word = Tr0ub4dor&3", "a password"),
    Form("full-width password", "ｐａｓｓｗｏｒｄ： Tr0ub4dor&3", "a password"),
    Form("entity-encoded password", "&#112;assword: Tr0ub4dor&amp;3", "a password"),
    Form("pgp private key",
         "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBGXy\n-----END PGP PRIVATE KEY BLOCK-----",
         "a private key"),
    Form("pin in an html comment", "<!-- voicemail PIN: 4821 -->", "a PIN"),
    Form("sendgrid key", f"Mail is sent with {SENDGRID_KEY}", "a SendGrid API Key"),
    Form("aws key", f"Uploads use {AWS_KEY}.", "an AWS access key"),
    Form("random quoted key", f'The kiosk is configured with "{RANDOM_KEY}".',
         "a random-looking key or token"),
    Form("url with a password", "Archive: https://dti:Tr0ub4dor3@archive.example.org/",
         "a URL with a password"),
]


def append_to_ai(root: Path, snippet: str) -> int:
    """Append a paragraph to AI 1-19; return the line it starts on."""
    path = root / AI
    text = path.read_text(encoding="utf-8").rstrip("\n") + "\n\n"
    path.write_text(text + snippet + "\n", encoding="utf-8")
    return text.count("\n") + 1


def build(root: Path, tmp_path: Path, capsys) -> tuple[int, list[str]]:
    code = main(["build", "--content", str(root), "--out", str(tmp_path / "site")])
    return code, capsys.readouterr().out.splitlines()


@pytest.mark.parametrize("form", BODY_FORMS, ids=lambda f: f.id)
def test_each_form_of_a_credential_in_policy_text_stops_check_and_build(
        content, tmp_path, capsys, form):
    line = append_to_ai(content, form.text) + form.below
    code, lines = check(content, capsys)
    assert code == 1
    expect(lines, AI, line, f"looks like it contains {form.what}", "rotate the credential")
    assert all(PROBLEM.match(x) for x in lines), lines
    code, lines = build(content, tmp_path, capsys)
    assert code == 1
    expect(lines, AI, line, f"looks like it contains {form.what}")
    assert not (tmp_path / "site").exists()


def test_a_credential_in_a_front_matter_value_is_reported_at_its_field(content, capsys):
    path = content / AI
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("review:\n", f"change_note: Adds the map key {GOOGLE_KEY}\n"
                                              "review:\n", 1), encoding="utf-8")
    line = text[: text.index("review:\n")].count("\n") + 1
    code, lines = check(content, capsys)
    assert code == 1
    expect(lines, AI, line, "value looks like a Google API key")


def test_a_yaml_escape_does_not_hide_a_password(content, capsys):
    path = content / AI
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("review:\n", 'change_note: "pass\\u0077ord: Tr0ub4dor&3"\n'
                                              "review:\n", 1), encoding="utf-8")
    line = text[: text.index("review:\n")].count("\n") + 1
    code, lines = check(content, capsys)
    assert code == 1
    expect(lines, AI, line, "value looks like a password")


def test_a_credential_in_a_yaml_comment_is_reported(content, capsys):
    path = content / ACCOUNTS
    text = path.read_text(encoding="utf-8")
    path.write_text(text + f"# the bot posts with {SLACK_WEBHOOK}\n", encoding="utf-8")
    code, lines = check(content, capsys)
    assert code == 1
    expect(lines, ACCOUNTS, text.count("\n") + 1, "a Slack token or webhook")


def test_a_registry_value_and_a_credential_named_field(content, capsys):
    path = content / ACCOUNTS
    text = path.read_text(encoding="utf-8")
    line = text[: text.index("    purpose:")].count("\n") + 1
    text = text.replace("    purpose:", f"    api_token: {STRIPE_KEY}\n    purpose:", 1)
    path.write_text(text, encoding="utf-8")
    code, lines = check(content, capsys)
    assert code == 1
    expect(lines, ACCOUNTS, line, "field 'api_token' looks like a credential")


def test_text_about_passwords_and_logins_is_not_a_credential(content, capsys):
    prose = "\n\n".join([
        "Departments change the password when an administrator leaves, and tell DTI.",
        "DTI keeps the login and password information (AI 1-19 §O.b), never this site.",
        "Secretary: the City Clerk keeps the records.",
        "Pin 2026 announcements to the top of the page.",
        "The key: keep it professional.",
        "| Step | Password |\n| --- | --- |\n| Administrator leaves | — |\n"
        "| Account closed | n/a |",
        "Quoted: \"AI 1-19\", 'social-media', \"https://www.cabq.gov/\".",
        "[Video](https://www.youtube.com/playlist?list=PL590L5WQmH8fJ54F369BLDSqIwcs-TCfs).",
    ])
    append_to_ai(content, prose)
    code, lines = check(content, capsys)
    assert (code, lines) == (0, [])


def test_the_shipped_content_holds_nothing_the_scan_finds():
    from site_builder.secrets_scan import scan

    for path in sorted((CONTENT / "policies").glob("*.md")) + sorted(
            (CONTENT / "registries").glob("*.yaml")):
        assert scan(path.read_text(encoding="utf-8")) == [], path


def test_every_keyword_the_scanner_knows_is_looked_for():
    # The keyword rule runs only on lines holding one of these words; a new keyword in a
    # later detect-secrets must not go unlooked for.
    from detect_secrets.plugins.keyword import DENYLIST

    from site_builder import secrets_scan

    for keyword in DENYLIST:
        plain = keyword.replace("_?", "_").replace("ñ", "n")
        assert any(stem in plain for stem in secrets_scan._KEYWORD_STEMS), keyword
