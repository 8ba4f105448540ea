"""Which engine renders the site: the one place that names each engine and its loggers.

The render stage speaks MkDocs' Python API (`mkdocs.config`, `mkdocs.structure`, the
plugin events). An engine is a package that answers to that API:

- `mkdocs`: MkDocs 1.6.1 itself (the default);
- `properdocs`: ProperDocs, a fork of MkDocs 1.6. Importing `properdocs.replacement` puts
  an import hook first on `sys.meta_path` that answers every later `mkdocs.*` import
  with the matching `properdocs.*` module, and makes `sys.modules["mkdocs"]` the
  `properdocs` package. Material and this package then run on ProperDocs unchanged.
  ProperDocs logs as `properdocs.*`; plugins written for MkDocs (Material) still log as
  `mkdocs.*`, so warnings are collected from both.
- `zensical`: Zensical, the Material team's successor, as a canary. It has no Python API
  to plug into: its render module (`zensical_pass`, `Engine.render`) writes the site into
  a docs folder with a generated configuration and runs Zensical on it in a process of
  its own, reading its warnings from its output.

The engine is chosen once per process, before anything imports `mkdocs`: the hook cannot
be taken back, and the plugin classes loaded under one engine are not those of the other.
`select` names it (the `--engine` option), else the TRANSPARENCY_ENGINE setting, else the
default; `activate` loads it, and its render module (`Engine.render`: `mkdocs_pass` and
those it imports, or `zensical_pass`) is imported only after that
(`site_builder.engine.__getattr__`, the one place that chooses it). A later engine plugs
in as one more `Engine` here.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import os
import sys
from dataclasses import dataclass

SETTING = "TRANSPARENCY_ENGINE"
DEFAULT = "mkdocs"


@dataclass(frozen=True)
class Engine:
    name: str  # as given to --engine and TRANSPARENCY_ENGINE
    title: str  # as named in messages
    module: str  # the package that must be importable
    distribution: str  # what pip installs; its version is part of every cache key
    loggers: tuple[str, ...]  # where it and its plugins log warnings
    hook: str | None = None  # a module whose import puts the engine behind `mkdocs.*`
    render: str = "mkdocs_pass"  # the module of this package that renders the site with it

    @property
    def install(self) -> str:
        return f".venv/bin/pip install -c requirements.lock {self.distribution}"


ENGINES: dict[str, Engine] = {
    engine.name: engine for engine in (
        Engine("mkdocs", "MkDocs", "mkdocs", "mkdocs", ("mkdocs",)),
        Engine("properdocs", "ProperDocs", "properdocs", "properdocs",
               ("properdocs", "mkdocs"), hook="properdocs.replacement"),
        Engine("zensical", "Zensical", "zensical", "zensical", ("zensical",),
               render="zensical_pass"),
    )
}


class EngineUnavailable(Exception):
    """An engine that is not known, not installed, or not the one this process runs."""


_selected: str | None = None
_active: Engine | None = None


def choices() -> str:
    return ", ".join(f"{name} (default)" if name == DEFAULT else name for name in ENGINES)


def check(name: str) -> Engine:
    """The engine called `name`, if it is known and installed; else EngineUnavailable."""
    engine = ENGINES.get(name)
    if engine is None:
        raise EngineUnavailable(f"unknown engine {name!r}; choose one of: {choices()}")
    if _active is not engine and importlib.util.find_spec(engine.module) is None:
        raise EngineUnavailable(f"the {name} engine is not installed; install it with "
                                f"`{engine.install}` (engines: {choices()})")
    return engine


def named(option: str | None = None) -> str:
    """The engine an option names, else the one the setting names, else the default."""
    return option or os.environ.get(SETTING, "").strip() or DEFAULT


def chosen_name() -> str:
    """The name of the engine this process is to run: selected, else set, else default."""
    return _selected or named()


def select(name: str) -> Engine:
    """Choose the engine for this process (the `--engine` option wins over the setting)."""
    global _selected
    engine = check(name)
    if _active is not None and _active is not engine:
        raise EngineUnavailable(f"this process already runs the {_active.name} engine; "
                                f"{name} is chosen before the build starts")
    _selected = name
    return engine


def activate() -> Engine:
    """Load the chosen engine behind `mkdocs.*` (once per process) and return it."""
    global _active
    if _active is not None:
        return _active
    engine = check(chosen_name())
    loaded = sys.modules.get("mkdocs")
    if engine.render == "mkdocs_pass" and loaded is not None \
            and loaded.__name__ != engine.module:
        raise EngineUnavailable(f"{loaded.__name__} was imported before the {engine.name} "
                                "engine was chosen; choose it before anything imports mkdocs")
    if engine.hook:
        importlib.import_module(engine.hook)
    _active = engine
    return engine


def current() -> Engine:
    """The engine this process runs (loading the chosen one if none is yet)."""
    return activate()


def listen(handler: logging.Handler) -> list[tuple[logging.Logger, bool]]:
    """Attach `handler` to each of the engine's loggers, which stop passing records on
    (to stderr); returns what `unlisten` restores."""
    kept = []
    for name in current().loggers:
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        kept.append((logger, logger.propagate))
        logger.propagate = False
    return kept


def unlisten(handler: logging.Handler, kept: list[tuple[logging.Logger, bool]]) -> None:
    for logger, propagate in kept:
        logger.removeHandler(handler)
        logger.propagate = propagate


def attach(handler: logging.Handler) -> None:
    """Attach `handler` to the engine's loggers, leaving where records go as it is."""
    for name in current().loggers:
        logging.getLogger(name).addHandler(handler)


def detach(handler: logging.Handler) -> None:
    for name in current().loggers:
        logging.getLogger(name).removeHandler(handler)


def error_logger() -> logging.Logger:
    """Where this package logs a page that could not be rendered (the engine's own)."""
    return logging.getLogger(current().loggers[0])
