"""A revision cites the feedback behind it: the `Responds-to:` trailer, from `transparency
revise --responds-to` to the version's page, its redline, the open data and `check`."""

from __future__ import annotations

import json
import re

import pytest

from feedback_api.db import make_engine, upgrade
from feedback_api.models import Submission
from site_builder.build import build_site
from site_builder.cli import main
from tests.conftest import CONTENT
from tests.history.conftest import POLICY, V2_BODY, V3_BODY, policy_text

ON_POLICY = "SMR-AAAA-BBBB-CCCC-DDDD"  # feedback on the test policy
ALSO_ON_POLICY = "SMR-1111-2222-3333-4444"
ON_OTHER = "SMR-EEEE-FFFF-GGGG-HHHH"  # feedback on another policy
A_REPORT = "SMR-JJJJ-KKKK-MMMM-NNNN"
NOBODY = "SMR-PPPP-QQQQ-RRRR-SSSS"  # no submission has it


@pytest.fixture
def feedback_db(tmp_path, monkeypatch) -> str:
    """A migrated feedback database holding one submission per code above, named by
    DATABASE_URL as the app's would be."""
    url = f"sqlite:///{tmp_path / 'feedback.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        for code, kind, policy in [(ON_POLICY, "feedback", "social-media"),
                                   (ALSO_ON_POLICY, "feedback", "social-media"),
                                   (ON_OTHER, "feedback", "ai-1-19"),
                                   (A_REPORT, "report", "social-media")]:
            session.add(Submission(tracking_code=code, kind=kind, policy_id=policy,
                                   source="form", client_hash="c" * 64,
                                   content_hash=code, message="What the resident said."))
        session.commit()
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def two_versions(repo, trailer: str) -> None:
    repo.write(POLICY, policy_text(effective="2025-07-01"))
    repo.commit("Adopt the social media test policy", "2026-01-05")
    repo.write(POLICY, policy_text(V2_BODY, effective="2026-02-01"))
    repo.commit(f"Accounts must also be secure\n\n{trailer}", "2026-01-20")


def test_a_version_lists_the_feedback_its_commit_responds_to(repo, tmp_path):
    for file in (CONTENT / "policies").iterdir():  # the pages the site always has
        repo.write(f"policies/{file.name}", file.read_text())
    two_versions(repo, f"Published-by: Office of Communications\n"
                       f"Responds-to: smr aaaa bbbb cccc dddd, {ALSO_ON_POLICY}")
    repo.write(POLICY, policy_text(V3_BODY, effective="2026-04-01"))
    repo.commit("Signed posts", "2026-03-10")
    out = tmp_path / "site"
    lines: list[str] = []
    build_site(repo.content, out, log=lines.append)

    _, histories, _ = repo.history()
    versions = histories["social-media"].versions
    assert [v.responds_to for v in versions] == [(), (ON_POLICY, ALSO_ON_POLICY), ()]

    base = out / "policies/social-media"
    for page in (base / "versions/2/index.html", base / "versions/2/changes/index.html"):
        html = page.read_text()
        assert "This revision responds to 2 pieces of public feedback" in html
        for code in (ON_POLICY, ALSO_ON_POLICY):
            assert f'href="/feedback/status/{code}"' in html
        assert "What the resident said" not in html
    for page in (base / "versions/3/index.html", base / "versions/3/changes/index.html",
                 base / "versions/1/index.html"):
        assert "responds to" not in page.read_text()

    data = json.loads((out / "data/policies.json").read_text())
    entry = next(p for p in data["policies"] if p["id"] == "social-media")
    assert [v["responds_to"] for v in entry["versions"]] == [[], [ON_POLICY, ALSO_ON_POLICY], []]


def test_an_editorial_correction_responds_for_the_version_it_corrects(repo):
    repo.write(POLICY, policy_text())
    repo.commit("Adopt", "2026-01-05")
    repo.write(POLICY, policy_text(V2_BODY))
    repo.commit(f"Typo in §A\n\nEditorial: true\nResponds-to: {ON_POLICY}", "2026-01-06")
    _, histories, _ = repo.history()
    (version,) = histories["social-media"].versions
    assert version.responds_to == (ON_POLICY,)


def test_codes_on_a_commit_that_changes_only_details_are_not_shown_and_the_build_says_so(repo):
    repo.write(POLICY, policy_text())
    repo.commit("Adopt", "2026-01-05")
    repo.write(POLICY, policy_text(reviewed="2026-02-01"))
    repo.commit(f"Reviewed\n\nResponds-to: {ON_POLICY}", "2026-02-01")
    _, histories, warnings = repo.history()
    assert histories["social-media"].current.responds_to == ()
    assert any("Responds-to trailer is not shown" in w and "front matter" in w
               for w in warnings), warnings


def test_a_code_that_is_not_one_is_left_out_with_a_warning_and_stops_check(repo, capsys,
                                                                             feedback_db):
    two_versions(repo, f"Responds-to: {ON_POLICY}, see the email from March")
    _, histories, warnings = repo.history()
    assert histories["social-media"].versions[1].responds_to == (ON_POLICY,)
    assert any("'see the email from March' is not a tracking code" in w for w in warnings)

    assert main(["check", "--content", str(repo.content)]) == 1
    out = capsys.readouterr().out
    commit = repo.git("rev-parse", "--short=7", "HEAD").strip()
    assert re.search(rf"^{re.escape(POLICY)}:0: commit {commit} \(version 2 of social-media\): "
                     r"Responds-to 'see the email from March' is not a tracking code", out,
                     re.M), out
    assert ON_POLICY not in out  # the good code passes


@pytest.mark.parametrize("code, why", [
    (NOBODY, "no submission has this tracking code"),
    (A_REPORT, "it is a report of a possible violation, not feedback on a policy"),
    (ON_OTHER, "it is feedback on ai-1-19, not on social-media"),
])
def test_check_stops_on_a_code_that_is_not_feedback_on_the_policy(repo, capsys, feedback_db,
                                                                  code, why):
    two_versions(repo, f"Responds-to: {ON_POLICY}, {code}")
    assert main(["check", "--content", str(repo.content)]) == 1
    out = capsys.readouterr().out
    commit = repo.git("rev-parse", "--short=7", "HEAD").strip()
    assert f"{POLICY}:0: commit {commit} (version 2 of social-media): Responds-to {code}: {why}" \
        in out, out
    assert f"Responds-to {ON_POLICY}" not in out


def test_check_passes_codes_of_feedback_on_the_policy(repo, capsys, feedback_db):
    two_versions(repo, f"Responds-to: {ON_POLICY}")
    assert main(["check", "--content", str(repo.content)]) == 0, capsys.readouterr().out


def test_check_says_when_there_is_no_feedback_database_to_check_against(repo, capsys, tmp_path,
                                                                       monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "no-instance"))
    two_versions(repo, f"Responds-to: {ON_POLICY}")
    assert main(["check", "--content", str(repo.content)]) == 1
    out = capsys.readouterr().out
    assert "the Responds-to codes (1) cannot be checked: there is no feedback database" in out
    assert "set DATABASE_URL" in out


def revise(repo, *args: str) -> int:
    return main(["revise", *args, "--content", str(repo.content)])


def test_revise_responds_to_writes_the_trailer(repo, capsys, feedback_db):
    repo.write(POLICY, policy_text())
    repo.commit("Adopt", "2026-01-05")
    repo.write(POLICY, policy_text(V2_BODY))
    assert revise(repo, "social-media", "--note", "Accounts must be secure.", "--commit",
                  "--responds-to", "smr-aaaa-bbbb-cccc-dddd",
                  "--responds-to", ALSO_ON_POLICY) == 0, capsys.readouterr().err
    message = repo.git("log", "-1", "--format=%B")
    assert f"Responds-to: {ON_POLICY}, {ALSO_ON_POLICY}" in message
    _, histories, _ = repo.history()
    assert histories["social-media"].current.responds_to == (ON_POLICY, ALSO_ON_POLICY)


@pytest.mark.parametrize("code, message", [
    ("SMR-123", "--responds-to 'SMR-123' is not a tracking code"),
    (ON_OTHER, f"{ON_OTHER}: it is feedback on ai-1-19, not on social-media"),
    (NOBODY, f"{NOBODY}: no submission has this tracking code"),
])
def test_revise_refuses_codes_it_cannot_cite_and_changes_nothing(repo, capsys, feedback_db,
                                                                 code, message):
    repo.write(POLICY, policy_text())
    repo.commit("Adopt", "2026-01-05")
    repo.write(POLICY, policy_text(V2_BODY))
    before = (repo.content / POLICY).read_text()
    assert revise(repo, "social-media", "--note", "Secure.", "--responds-to", code) == 2
    assert message in capsys.readouterr().err
    assert (repo.content / POLICY).read_text() == before
    assert repo.git("diff", "--cached", "--name-only").strip() == ""


def test_revise_refuses_codes_when_the_text_has_not_changed(repo, capsys, feedback_db):
    repo.write(POLICY, policy_text())
    repo.commit("Adopt", "2026-01-05")
    assert revise(repo, "social-media", "--note", "Reviewed.", "--responds-to", ON_POLICY) == 2
    assert "no revision for --responds-to to cite" in capsys.readouterr().err


def test_revise_goes_on_when_the_database_cannot_be_read_and_says_so(repo, capsys, tmp_path,
                                                                    monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / "no-instance"))
    repo.write(POLICY, policy_text())
    repo.commit("Adopt", "2026-01-05")
    repo.write(POLICY, policy_text(V2_BODY))
    assert revise(repo, "social-media", "--note", "Secure.", "--commit",
                  "--responds-to", ON_POLICY) == 0
    assert "were not checked" in capsys.readouterr().err
    assert f"Responds-to: {ON_POLICY}" in repo.git("log", "-1", "--format=%B")


def test_the_app_reads_no_personal_data_to_check_codes(feedback_db):
    from feedback_api.responses import look_up

    found = look_up([ON_POLICY, NOBODY])
    assert set(found) == {ON_POLICY}
    assert vars(found[ON_POLICY]) == {"kind": "feedback", "policy_id": "social-media"}



def test_a_code_pushed_by_mistake_is_dropped_in_the_registry(repo, capsys, feedback_db):
    two_versions(repo, f"Responds-to: {ON_POLICY}, {NOBODY}")
    assert main(["check", "--content", str(repo.content)]) == 1
    assert "once pushed, drop the code in registries/responses.yaml" in capsys.readouterr().out
    repo.write("registries/responses.yaml", (
        "dropped:\n"
        "  - policy: social-media\n"
        "    version: 2\n"
        f"    code: {NOBODY.lower()}\n"
        "    reason: A typo for another code.\n"
        "  - policy: social-media\n"
        "    version: 1\n"
        f"    code: {ON_POLICY}\n"
        "    reason: Names no code of that version.\n"))
    assert main(["check", "--content", str(repo.content)]) == 1
    out = capsys.readouterr().out
    assert NOBODY not in out
    assert (f"registries/responses.yaml:6: version 1 of social-media names no {ON_POLICY} "
            "in a Responds-to trailer") in out
    repo.write("registries/responses.yaml", (
        "dropped:\n"
        "  - policy: social-media\n"
        "    version: 2\n"
        f"    code: {NOBODY}\n"
        "    reason: A typo for another code.\n"))
    assert main(["check", "--content", str(repo.content)]) == 0, capsys.readouterr().out
    _, histories, _ = repo.history()
    assert histories["social-media"].versions[1].responds_to == (ON_POLICY,)
