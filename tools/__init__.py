"""Helpers for the repository itself, not part of the installed packages.

`tools.docs_api` and `tools.docs_commands` write the examples in README.md, docs/api.md and
docs/publishing.md by running the code (`make docs`); `tests/test_docs.py` checks them.
"""
