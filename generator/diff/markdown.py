"""Markdown reports (merge request comments) from the jinja2 templates in generator/templates."""

from __future__ import annotations

from functools import lru_cache

import jinja2

from generator.diff.objects import show


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("generator", "templates"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["show"] = show
    env.filters["cell"] = lambda text: str(text).replace("|", "\\|").replace("\n", " ")
    return env


def render(template: str, **context: object) -> str:
    return _environment().get_template(template).render(**context)
