"""The shipped content, built once per test worker for the nginx tests (`built_site`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_builder.build import build_site
from tests.conftest import CONTENT, need
from tests.deploy.stack import NGINX, nginx_available


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    need(nginx_available(), f"nginx ({NGINX})")
    out = tmp_path_factory.mktemp("nginx-site") / "site"
    build_site(CONTENT, out, log=lambda line: None)
    return out
