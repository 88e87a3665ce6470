"""Rendered pages kept in each worker, for pages that are the same for every visitor.

The landing page, and a question page with a given answer ticked, are the same HTML for
everyone who reads them in the same language, save for the CSRF token in a form.
Rendering them (dozens of translated strings, links and escapes) costs more than all the
rest of the request, so the HTML is kept with the token cut out, under a key naming
everything else the page depends on: the view's own key, the language and the query
string (the language links repeat it). Nothing about a visitor goes into a key or a page
kept here: the token is put back per request, and pages that show a visitor's own data
(a result, a room they joined) are never kept.

Content cannot change while a process runs (the bank, catalogues and templates are read
at start). Where templates reload on edit (Flask's debug mode or TEMPLATES_AUTO_RELOAD),
nothing is kept.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import Flask, current_app, request
from flask_wtf.csrf import generate_csrf

from .i18n import current_language

SIZE = 256  # pages per worker: 15 questions x 4 answers x 3 languages, and room to spare
CSRF_SLOT = "\x00csrf-token\x00"  # stands in for the token: a NUL never occurs in rendered HTML


class PageCache:
    """A small LRU of rendered pages."""

    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self.pages: OrderedDict[Hashable, str] = OrderedDict()

    def get(self, key: Hashable) -> str | None:
        page = self.pages.get(key)
        if page is not None:
            self.pages.move_to_end(key)
        return page

    def put(self, key: Hashable, page: str) -> None:
        self.pages[key] = page
        self.pages.move_to_end(key)
        while len(self.pages) > self.size:
            self.pages.popitem(last=False)


def cached_page(key: Hashable, render: Callable[[], str]) -> str:
    """The page under `key` in this request's language, rendered by `render` the first time."""
    cache: PageCache | None = current_app.extensions.get("page_cache")
    if cache is None:
        return render()
    full_key = (request.endpoint, current_language(), request.query_string, key)
    kept = cache.get(full_key)
    if kept is not None:
        return kept.replace(CSRF_SLOT, generate_csrf()) if CSRF_SLOT in kept else kept
    page = render()
    token = generate_csrf() if "csrf_token" in page else None
    cache.put(full_key, page.replace(token, CSRF_SLOT) if token else page)
    return page


def init_app(app: Flask) -> None:
    # Templates that reload on edit must be rendered afresh every time.
    if not (app.debug or app.config.get("TEMPLATES_AUTO_RELOAD")):
        app.extensions["page_cache"] = PageCache()
