"""Checks on the blog that posts are written into (posts_dir, assets_dir in
_config.yml): the front matter every post gets (`post:`) names a cover picture and
an author that must exist there, or the blog's theme shows a broken picture and no
author."""

from __future__ import annotations

from pathlib import Path

import yaml


def missing_post_defaults(root: Path, site: dict) -> list[str]:
    """One warning per `post:` default the target blog lacks."""
    defaults = site.get("post") if isinstance(site.get("post"), dict) else {}
    target = (root / site["posts_dir"]).resolve().parent
    assets = (root / site["assets_dir"]).resolve()
    warnings = []
    cover = str(defaults.get("cover") or "")
    if cover and "://" not in cover and not cover.startswith("{"):
        rel = cover.lstrip("/")
        places = [target / rel]
        if rel.startswith("assets/"):
            places.append(assets / rel.removeprefix("assets/"))
        if not any(p.exists() for p in places):
            warnings.append(f"_config.yml: post: cover: {cover} is not in the blog the posts go "
                            f"to ({places[-1]}); add that picture or name one the blog has")
    author = defaults.get("author")
    authors_file = next((p for p in (target / "_data" / "authors.yml",
                                     target / "_data" / "authors.yaml") if p.is_file()), None)
    if author and authors_file is not None:
        try:
            known = yaml.safe_load(authors_file.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError:
            known = {}
        if isinstance(known, dict) and str(author) not in known:
            warnings.append(f"_config.yml: post: author: {author!r} is not in {authors_file} "
                            f"(known: {', '.join(map(str, known)) or 'none'}); add the author "
                            f"there or name one of them")
    return warnings
