"""A `Drawing` as SVG text: standalone (an .svg file) or inline (inside an HTML page)."""

from __future__ import annotations

from jobsearch_core.charts.shapes import Box, Dot, Drawing, Line, Shape, Text
from jobsearch_core.markup import escape as xml_text

__all__ = ["svg"]

_FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', sans-serif"


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _title(title: str | None) -> str:
    return "" if title is None else f"<title>{xml_text(title)}</title>"


def _shape(shape: Shape) -> str:
    if isinstance(shape, Line):
        points = " ".join(f"{_number(x)},{_number(y)}" for x, y in shape.points)
        dash = f' stroke-dasharray="{" ".join(map(_number, shape.dash))}"' if shape.dash else ""
        opacity = f' stroke-opacity="{_number(shape.opacity)}"' if shape.opacity != 1 else ""
        return (
            f'<polyline points="{points}" fill="none" stroke="{shape.colour}" '
            f'stroke-width="{_number(shape.width)}" stroke-linejoin="round" '
            f'stroke-linecap="round"{dash}{opacity}/>'
        )
    if isinstance(shape, Dot):
        stroke = (
            f' stroke="{shape.stroke}" stroke-width="{_number(shape.stroke_width)}"'
            if shape.stroke
            else ""
        )
        circle = (
            f'<circle cx="{_number(shape.x)}" cy="{_number(shape.y)}" '
            f'r="{_number(shape.radius)}" fill="{shape.fill}"{stroke}'
        )
        if shape.title is None:
            return circle + "/>"
        return f"{circle}>{_title(shape.title)}</circle>"
    if isinstance(shape, Text):
        weight = ' font-weight="bold"' if shape.bold else ""
        anchor = f' text-anchor="{shape.anchor}"' if shape.anchor != "start" else ""
        return (
            f'<text x="{_number(shape.x)}" y="{_number(shape.y)}" fill="{shape.colour}" '
            f'font-size="{_number(shape.size)}"{weight}{anchor}>'
            f"{_title(shape.title)}{xml_text(shape.text)}</text>"
        )
    box: Box = shape
    stroke = f' stroke="{box.stroke}"' if box.stroke else ""
    opacity = f' fill-opacity="{_number(box.opacity)}"' if box.opacity != 1 else ""
    name = f' id="{xml_text(box.name)}"' if box.name else ""
    return (
        f'<rect{name} x="{_number(box.x)}" y="{_number(box.y)}" width="{_number(box.width)}" '
        f'height="{_number(box.height)}" fill="{box.fill}"{stroke}{opacity}/>'
    )


def svg(drawing: Drawing, *, standalone: bool = True, name: str = "chart") -> str:
    """The drawing as SVG: with an XML declaration when `standalone`; `name` prefixes the
    ids of its title and description (unique within a page)."""
    head = '<?xml version="1.0" encoding="UTF-8"?>\n' if standalone else ""
    width, height = _number(drawing.width), _number(drawing.height)
    body = "\n".join(_shape(shape) for shape in drawing.shapes)
    return (
        f'{head}<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{name}-title {name}-desc" font-family="{xml_text(_FONT)}">\n'
        f'<title id="{name}-title">{xml_text(drawing.title)}</title>\n'
        f'<desc id="{name}-desc">{xml_text(drawing.description)}</desc>\n'
        f"{body}\n</svg>\n"
    )
