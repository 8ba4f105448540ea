"""content/README.md documents every field the schema enforces, and nothing else."""

import re

from site_builder import schema
from site_builder.yaml_fields import MAX_DEPTH
from tests.conftest import CONTENT

MODELS = [
    schema.PolicyMeta, schema.Source, schema.Review, schema.RequiredElement,
    schema.PlatformRegistry, schema.Platform, schema.AccountRegistry, schema.Account,
    schema.WithdrawnRegistry, schema.Withdrawal,
    schema.Citation, schema.ReportCategoryRegistry, schema.ReportCategory,
    schema.OutcomeRegistry, schema.PublicOutcome, schema.Reason, schema.DismissReason,
    schema.ActionList, schema.Action, schema.SiteCitations, schema.ResponsesRegistry,
    schema.DroppedResponse, schema.LanguagesRegistry, schema.LanguageEntry,
    schema.TranslationMeta,
]


def documented_fields() -> set[str]:
    text = (CONTENT / "README.md").read_text()
    return set(re.findall(r"^\| `([a-z_]+)` \|", text, re.M))


def test_every_schema_field_is_documented():
    fields = {name for model in MODELS for name in model.model_fields}
    # Review's and RequiredElement's fields are described inside their parent rows.
    inline = {"interval_months", "last_reviewed", "clause"}
    missing = fields - documented_fields() - inline
    assert not missing, f"fields missing from content/README.md: {sorted(missing)}"
    text = (CONTENT / "README.md").read_text()
    for name in inline:
        assert f"`{name}`" in text


def test_no_documented_field_is_unknown_to_the_schema():
    fields = {name for model in MODELS for name in model.model_fields}
    assert documented_fields() <= fields


def test_every_allowed_value_is_documented():
    text = (CONTENT / "README.md").read_text()
    for values in (schema.POLICY_KINDS, schema.POLICY_STATUSES, schema.PLATFORM_STATUSES,
                   schema.ACCOUNT_STATUSES, schema.TRANSLATION_KINDS):
        for value in values:
            assert f"`{value}`" in text, value


def test_the_nesting_limit_is_the_one_the_check_enforces():
    text = " ".join((CONTENT / "README.md").read_text().split())
    assert f"nested more than {MAX_DEPTH} levels deep are not allowed" in text
