"""Open data: `data/policies.json` and `data/accounts.json`, as the brief fixes them.

URLs are site-relative. Nothing personal is published: owners and approvers are roles.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring
from pathlib import Path

from . import addresses
from .addresses import diff_url, policy_url, version_url
from .content import Library
from .files import write_files
from .history import PolicyHistory, Version
from .review import review_status
from .stamp import SiteStamp


def _date(value) -> str | None:
    return value.isoformat() if value is not None else None


def withdrawal_data(version: Version) -> dict | None:
    """A withdrawn version's date and reason, else None (`versions` in the open data)."""
    if version.withdrawn is None:
        return None
    return {"date": version.withdrawn.withdrawn.isoformat(),
            "reason": version.withdrawn.reason}


def policies_data(
    library: Library, histories: dict[str, PolicyHistory], stamp: SiteStamp
) -> dict:
    policies = []
    for pid, policy in sorted(library.policies.items()):
        meta = policy.meta
        status = review_status(meta.review, stamp.today)
        history = histories.get(pid)
        versions = []
        for version in history.versions if history else ():
            versions.append({
                "number": version.number,
                "date": _date(version.published.date() if version.published else None),
                "effective": _date(version.effective),
                "summary": version.note or None,
                "url": version_url(pid, version.number),
                "diff_url": None if version.withdrawn else diff_url(pid, version.number),
                "withdrawn": withdrawal_data(version),
                "responds_to": list(version.responds_to),
            })
        policies.append({
            "id": pid,
            "title": meta.title,
            "number": meta.number,
            "kind": meta.kind,
            "status": meta.status,
            "sample": meta.sample,
            "department": meta.department,
            "owner": meta.owner,
            "parent": meta.parent,
            "url": policy_url(pid),
            "summary": meta.summary,
            "issued": _date(meta.issued),
            "effective": _date(meta.effective),
            "incomplete": meta.incomplete,
            "review": {
                "interval_months": status.interval_months,
                "last_reviewed": _date(status.last_reviewed),
                "next_due": _date(status.next_due),
                "state": status.state,
            },
            "versions": versions,
            "sections": [
                {"id": s.id, "title": s.title, "url": policy_url(pid, s.id)}
                for s in policy.outline.sections
            ],
            "translations": translations_data(library, pid),
        })
    return {"site_version": stamp.version, "generated": stamp.generated, "policies": policies}


def translations_data(library: Library, pid: str) -> list[dict]:
    """The policy in each other language: its page there, the version its translation
    translates, who made it, and whether the text is translated or only the summary."""
    found = []
    for language in library.languages.languages:
        translated = library.translations.get((language.code, pid))
        if translated is None:
            continue
        found.append({
            "lang": language.code,
            "url": language.prefix + policy_url(pid),
            "translates_version": translated.meta.translates_version,
            "kind": translated.meta.kind,
            "text": translated.has_text,
            "sample": translated.meta.sample,
            "title": translated.meta.title,
            "summary": translated.meta.summary,
        })
    return found


def accounts_data(library: Library, stamp: SiteStamp) -> dict:
    registry = library.accounts
    platforms = {p.id: p for p in library.platforms.platforms} if library.platforms else {}
    accounts = []
    for account in registry.accounts if registry else ():
        platform = platforms.get(account.platform)
        accounts.append({
            "id": account.id,
            "platform": account.platform,
            "platform_name": platform.name if platform else account.platform,
            "handle": account.handle,
            "url": str(account.url),
            "department": account.department,
            "purpose": account.purpose,
            "status": account.status,
            "approved_by": account.approved_by,
            "approved_on": _date(account.approved_on),
            "last_verified": _date(account.last_verified),
            "sample": account.sample,
        })
    review = review_status(registry.review, stamp.today) if registry else None
    return {
        "site_version": stamp.version,
        "generated": stamp.generated,
        "owner": registry.owner if registry else None,
        "review": {
            "interval_months": review.interval_months,
            "last_reviewed": _date(review.last_reviewed),
            "next_due": _date(review.next_due),
            "state": review.state,
        } if review else None,
        "platforms": [
            {"id": p.id, "name": p.name, "domains": list(p.domains), "status": p.status,
             "sample": p.sample}
            for p in platforms.values()
        ],
        "accounts": accounts,
    }


def open_data_files(
    library: Library, histories: dict[str, PolicyHistory], stamp: SiteStamp
) -> dict[str, str]:
    """The site's data files, by path (MkDocs copies them to the site)."""
    return {
        addresses.POLICIES_DATA: _json(policies_data(library, histories, stamp)),
        addresses.ACCOUNTS_DATA: _json(accounts_data(library, stamp)),
    }


def _json(data: dict) -> str:
    """`json.dumps(data, indent=2, ensure_ascii=False)` and a line end. Written by
    `_pretty`: with an indent, `json` writes in Python with a generator per value, and
    took a tenth of a second for data/policies.json at 800 policies; this, half that."""
    out: list[str] = []
    _pretty(data, "\n", out)
    out.append("\n")
    return "".join(out)


def _pretty(value, newline: str, out: list[str]) -> None:
    """Append `value` to `out` as `json.dumps(value, indent=2, ensure_ascii=False)` writes
    it at the depth `newline` gives (a line end and the indent there). Dicts with string
    keys, lists, tuples, strings, booleans, None and whole numbers are written here; any
    other value (a float, a dict with other keys) by `json.dumps`, indented to fit."""
    if isinstance(value, str):
        out.append(encode_basestring(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, dict) and all(isinstance(key, str) for key in value):
        inner = newline + "  "
        before = "{" + inner
        for key, item in value.items():
            out.append(before + encode_basestring(key) + ": ")
            _pretty(item, inner, out)
            before = "," + inner
        out.append(newline + "}" if value else "{}")
    elif isinstance(value, (list, tuple)):
        inner = newline + "  "
        before = "[" + inner
        for item in value:
            out.append(before)
            _pretty(item, inner, out)
            before = "," + inner
        out.append(newline + "]" if value else "[]")
    else:
        out.append(json.dumps(value, indent=2, ensure_ascii=False).replace("\n", newline))


def write_open_data(
    docs_dir: Path, library: Library, histories: dict[str, PolicyHistory], stamp: SiteStamp
) -> list[Path]:
    """Write the data files under docs_dir."""
    return write_files(docs_dir, open_data_files(library, histories, stamp))
