"""The embeddable widget's files, and with --demo a small news site that uses them.

The widget is plain JavaScript and CSS. Readers get the minified copies that
`python -m rostra.web.build` writes next to the sources and that ship in the
package (a test keeps them in step with the sources); the counter is served
as it is.
"""

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse, HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from rostra.api.context import AppContext, context
from rostra.demo import ARTICLES, DEMO_SITE
from rostra.errors import NotFound

STATIC = Path(__file__).parent / "static"
TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
)

# Unversioned URLs that sites paste into their pages: let browsers keep them
# a short while and revalidate, so a new release reaches readers within minutes.
# URL name -> (file in static/, media type)
WIDGET_FILES = {
    "embed.js": ("embed.min.js", "text/javascript; charset=utf-8"),
    "embed.css": ("embed.min.css", "text/css; charset=utf-8"),
    "count.js": ("count.js", "text/javascript; charset=utf-8"),
    "extras.js": ("extras.min.js", "text/javascript; charset=utf-8"),
}
DEMO_FILES = {
    "demo.css": "text/css; charset=utf-8",
    "railway.svg": "image/svg+xml",
    "library.svg": "image/svg+xml",
    "river.svg": "image/svg+xml",
    "market.svg": "image/svg+xml",
    "choir.svg": "image/svg+xml",
}
CACHE = "public, max-age=300"

router = APIRouter(include_in_schema=False)


def _file(name: str, media_type: str) -> FileResponse:
    return FileResponse(STATIC / name, media_type=media_type, headers={"Cache-Control": CACHE})


def _widget_route(name: str, file: str, media_type: str) -> None:
    @router.get(f"/{name}", name=f"widget:{name}")
    def widget_file() -> FileResponse:
        return _file(file, media_type)


for _name, (_file_name, _type) in WIDGET_FILES.items():
    _widget_route(_name, _file_name, _type)


def demo_only(ctx: Annotated[AppContext, Depends(context)]) -> None:
    """The demo pages exist only on a server started with --demo."""
    if not ctx.settings.demo:
        raise NotFound("not_found", "Not Found")


Demo = Annotated[None, Depends(demo_only)]


def _render(template: str, **values) -> HTMLResponse:
    page = TEMPLATES.get_template(template).render(
        publication=ARTICLES["publication"], site=DEMO_SITE, **values
    )
    return HTMLResponse(page)


def _article(key: str) -> dict:
    for article in ARTICLES["articles"]:
        if article["key"] == key:
            return article
    raise NotFound("not_found", "Not Found")


@router.get("/")
def front_article(_demo: Demo) -> HTMLResponse:
    first = ARTICLES["articles"][0]
    return _render("article.html", article=first, others=ARTICLES["articles"][1:])


@router.get("/articles")
def article_list(_demo: Demo) -> HTMLResponse:
    return _render("list.html", articles=ARTICLES["articles"])


@router.get("/articles/{key}")
def other_article(key: str, _demo: Demo) -> HTMLResponse:
    article = _article(key)
    others = [a for a in ARTICLES["articles"] if a["key"] != key]
    return _render("article.html", article=article, others=others[:4])


@router.get("/favicon.svg")
def favicon() -> FileResponse:
    """The server's own pages (demo, admin) name this icon, so browsers do not
    ask for a missing /favicon.ico on every visit."""
    return _file("icon.svg", "image/svg+xml")


@router.get("/demo/{name}")
def demo_file(name: str, _demo: Demo) -> FileResponse:
    if name not in DEMO_FILES:
        raise NotFound("not_found", "Not Found")
    return _file(name, DEMO_FILES[name])
