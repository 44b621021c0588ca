"""The page templates: which file each page is, and compiling them in one Jinja environment."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    StrictUndefined,
    Template,
)

__all__ = ["PAGES", "compile_pages_of", "compiled_builtin_pages"]

#: Template file of each page.
PAGES: Mapping[str, str] = {
    "signin": "signin.html",
    "signout": "signout.html",
    "error": "error.html",
    "verify_request": "verify_request.html",
    "confirm_sign_in": "confirm_sign_in.html",
    "forbidden": "forbidden.html",
}


def compile_pages_of(theme: Any, dirs: tuple[str, ...]) -> dict[str, Template]:
    """Every page's template, *dirs* searched before the built-in ones."""
    builtin = PackageLoader("authmw.pages", "templates")
    loaders: list[BaseLoader] = [FileSystemLoader(list(dirs))] if dirs else []
    loaders += [builtin, PrefixLoader({"authmw": builtin})]
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.globals["theme"] = theme
    return {page: env.get_template(name) for page, name in PAGES.items()}


#: :func:`compile_pages_of` for the built-in templates alone, once per theme.
compiled_builtin_pages = functools.lru_cache(maxsize=8)(compile_pages_of)
