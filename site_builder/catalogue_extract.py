"""Find the words the public sees in the registries and in `mkdocs.yml`, for the
catalogue (`babel.cfg`).

A report category's label, hint and citation, a public outcome's label and hint, a
reason's public note and a public restorative action are shown on the forms, the status
page and the decisions register; their English is the catalogue's message id, so staff who
change one in `content/registries/` see the catalogue ask for its translation
(`make translations`, then the test of the catalogues).

The site's name, description and navigation titles in `mkdocs.yml` are translated by each
language's MkDocs pass (`engine/languages.py`), so they are in the catalogue too.
"""

from __future__ import annotations

import yaml

FIELDS = {
    "categories": ("label", "hint", "cited_as"),
    "public_outcomes": ("label", "hint"),
    "resolve_reasons": ("public_note",),
    "dismiss_reasons": ("public_note",),
}


def extract_yaml(fileobj, keywords, comment_tags, options):
    """Babel's extraction method for a registry: yields (line, funcname, message, comments)."""
    try:
        node = yaml.compose(fileobj.read().decode("utf-8"))
    except yaml.YAMLError:
        return
    if not isinstance(node, yaml.MappingNode):
        return
    for key, value in node.value:
        if key.value in FIELDS:
            yield from _items(value, FIELDS[key.value], key.value)
        elif key.value == "restorative_actions" and isinstance(value, yaml.MappingNode):
            for inner_key, inner in value.value:
                if inner_key.value == "actions":
                    yield from _items(inner, ("label",), "restorative_actions",
                                      only_public=True)


def _items(sequence, fields, where, only_public=False):
    if not isinstance(sequence, yaml.SequenceNode):
        return
    for item in sequence.value:
        if not isinstance(item, yaml.MappingNode):
            continue
        mapping = {key.value: value for key, value in item.value}
        if only_public and getattr(mapping.get("public"), "value", "") != "true":
            continue
        for name in fields:
            value = mapping.get(name)
            if isinstance(value, yaml.ScalarNode) and value.value:
                yield value.start_mark.line + 1, None, value.value, [f"{where}: {name}"]
        yield from _cites(mapping.get("cites"))


def _cites(node):
    if not isinstance(node, yaml.SequenceNode):
        return
    for cite in node.value:
        if isinstance(cite, yaml.MappingNode):
            for key, value in cite.value:
                if key.value == "cited_as" and isinstance(value, yaml.ScalarNode):
                    yield value.start_mark.line + 1, None, value.value, ["cites: cited_as"]


def extract_mkdocs(fileobj, keywords, comment_tags, options):
    """Babel's extraction method for `mkdocs.yml`: the site's name, its description (its
    whitespace made single spaces, as `engine/languages.py` looks it up) and the titles of
    the navigation (the keys of its mappings), which the pass of each language translates
    through the catalogue."""
    try:
        node = yaml.compose(fileobj.read().decode("utf-8"))  # tags (`!ENV`) stay nodes
    except yaml.YAMLError:
        return
    if not isinstance(node, yaml.MappingNode):
        return
    for key, value in node.value:
        if key.value == "nav":
            yield from _nav_titles(value)
        elif not isinstance(value, yaml.ScalarNode):
            continue
        elif key.value == "site_name" and value.value:
            yield value.start_mark.line + 1, None, value.value, ["site_name"]
        elif key.value == "site_description" and value.value.strip():
            yield (value.start_mark.line + 1, None, " ".join(value.value.split()),
                   ["site_description"])


def _nav_titles(node):
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _nav_titles(item)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value:
                yield key.start_mark.line + 1, None, key.value, ["nav"]
            yield from _nav_titles(value)

