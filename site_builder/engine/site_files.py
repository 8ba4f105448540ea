"""The site's files as MkDocs sees them, with the archive pages found by path alone.

A site of N policies with V versions has some 3·N·V archive pages (`addresses.
is_archive_page`), which MkDocs' pass never renders (`archive.py`). It needs them only to
check and rewrite the links that lead to them. As `File` objects in MkDocs' `Files`,
they cost a rebuild at 800 policies about half a second: making 24,000 of them, and
going over all of them each of the dozen times MkDocs and its plugins list the
documentation pages.

`SiteFiles` holds the files MkDocs builds, as `Files` does, and knows the archive pages
by path: `get_file_from_path`, `in` and `src_uris` find them, and the first lookup of
one makes its `File`. Going over the files (`for`, `documentation_pages`, `len`) gives
the files MkDocs builds and none of the archive pages, which it would leave out anyway
(they are excluded). The archive step asks for the `File`s of the pages it renders
(`archive_file`), once the archive pages count as pages of the site (`as_site_pages`):
a link from an excluded page is only logged, never warned about.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator, Mapping
from pathlib import PurePath

from mkdocs.structure.files import File, Files, InclusionLevel

from ..site import Page


class SiteFiles(Files):
    """`files`, and the archive pages (`archive`: site pages by path) made into `File`s
    only when looked up."""

    def __init__(self, files: Iterable[File], config, archive: Mapping[str, Page]) -> None:
        super().__init__(files)
        self._config = config
        self._archive = archive
        self._made: dict[str, File] = {}
        self._level = InclusionLevel.EXCLUDED  # out of MkDocs' pass, until `as_site_pages`
        self._view = _WithArchive(self)

    @property
    def archive_paths(self) -> Collection[str]:
        """Every archive page's path, in the site's order."""
        return self._archive.keys()

    def archive_file(self, path: str) -> File | None:
        """The `File` of the archive page at `path` (made on the first lookup), or None
        when no archive page is there. An unread page (`site.Site.unread`) has no source
        yet: the archive step gives its `File` one when it renders it."""
        made = self._made.get(path)
        if made is None:
            page = self._archive.get(path)
            if page is None:
                return None
            made = File.generated(self._config, path,
                                  content=page.markdown if page.source else "")
            made.inclusion = self._level
            self._made[path] = made
        return made

    def as_site_pages(self) -> None:
        """From now on the archive pages are pages of the site, whose links are checked
        as MkDocs checks those of the pages it builds (the archive step renders them)."""
        self._level = InclusionLevel.NOT_IN_NAV
        for file in self._made.values():
            file.inclusion = self._level

    @property
    def src_uris(self) -> Mapping[str, File]:
        """Every file by its `src_uri`, the archive pages with them."""
        return self._view

    def get_file_from_path(self, path: str) -> File | None:  # noqa: D102 (as in Files)
        return self._find(PurePath(path).as_posix())

    def _find(self, path: str) -> File | None:
        """The file at a normalised path: every link of every page rendered asks, so two
        dictionary lookups, without a mapping's machinery."""
        found = self._src_uris.get(path)
        return found if found is not None else self.archive_file(path)

    def __contains__(self, path: str) -> bool:  # noqa: D105 (as in Files)
        return PurePath(path).as_posix() in self._view


class _WithArchive(Mapping):
    """`SiteFiles.src_uris`: the files MkDocs builds, then the archive pages."""

    def __init__(self, files: SiteFiles) -> None:
        self._files = files

    def __getitem__(self, path: str) -> File:
        found = self._files._find(path)
        if found is None:
            raise KeyError(path)
        return found

    def __contains__(self, path: object) -> bool:
        return path in self._files._src_uris or path in self._files._archive

    def __iter__(self) -> Iterator[str]:
        built = self._files._src_uris
        yield from built
        yield from (path for path in self._files._archive if path not in built)

    def __len__(self) -> int:
        return sum(1 for _ in self)
