"""The territory map drawn on the server: GeoJSON outlines of the communes to inline SVG paths.

Longitude and latitude are projected as x = lon, y = -lat x 1.48 (1 / cos 47.4°, the territory's
latitude, so that a kilometre is as long east-west as north-south), then fitted to a viewBox
WIDTH units wide and rounded to whole units (about 80 m on the ground), written as relative moves.

Projecting is the costly part, so the paths are cached under a hash of the outlines themselves:
any change to any commune's outline (or a commune added or removed) yields a new key.
"""

import hashlib
import json

from django.core.cache import cache
from django.db.models import TextField
from django.db.models.functions import Cast

WIDTH = 800
MARGIN = 4
Y_STRETCH = 1.48
CACHE_PREFIX = "territory-map:v1:"
CACHE_SECONDS = 60 * 60 * 24 * 7


def _polygons(geometry):
    """The polygons (lists of rings of [lon, lat]) of a GeoJSON Polygon or MultiPolygon."""
    if not isinstance(geometry, dict):
        return []
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates") or []
    if kind == "Polygon":
        return [coordinates]
    if kind == "MultiPolygon":
        return list(coordinates)
    return []


def _rings(geometry):
    for polygon in _polygons(geometry):
        for ring in polygon:
            if len(ring) >= 3:
                yield ring


def _project(point):
    lon, lat = point[0], point[1]
    return lon, -lat * Y_STRETCH


def _ring_path(ring, transform):
    """One closed subpath: absolute first point, then relative moves; repeated points dropped."""
    parts = []
    previous = None
    for point in ring:
        x, y = transform(point)
        if previous is None:
            parts.append(f"M{x} {y}")
        else:
            dx, dy = x - previous[0], y - previous[1]
            if dx == 0 and dy == 0:
                continue
            parts.append(f"{'l' if len(parts) == 1 else ' '}{dx} {dy}".replace(" -", "-"))
        previous = (x, y)
    if len(parts) < 3:
        return ""
    return "".join(parts) + "z"


def build_paths(outlines):
    """{key: GeoJSON geometry} -> {"width", "height", "paths": {key: SVG path data}}.

    Keys without a drawable geometry are left out of "paths".
    """
    projected = [_project(point) for geometry in outlines.values() for ring in _rings(geometry)
                 for point in ring]  # fmt: skip
    if not projected:
        return {"width": WIDTH, "height": 0, "paths": {}}
    min_x = min(x for x, _ in projected)
    max_x = max(x for x, _ in projected)
    min_y = min(y for _, y in projected)
    max_y = max(y for _, y in projected)
    span = max(max_x - min_x, max_y - min_y, 1e-9)
    scale = (WIDTH - 2 * MARGIN) / (max_x - min_x if max_x > min_x else span)
    height = round((max_y - min_y) * scale) + 2 * MARGIN

    def transform(point):
        x, y = _project(point)
        return round((x - min_x) * scale) + MARGIN, round((y - min_y) * scale) + MARGIN

    paths = {}
    for key, geometry in outlines.items():
        data = "".join(_ring_path(ring, transform) for ring in _rings(geometry))
        if data:
            paths[key] = data
    return {"width": WIDTH, "height": height, "paths": paths}


def communes_with_outline_text(queryset):
    """The queryset with `outline_text`: the raw stored outline, read for hashing, not decoded."""
    return queryset.defer("outline").annotate(outline_text=Cast("outline", TextField()))


def territory_map(communes):
    """The drawn map of communes annotated by `communes_with_outline_text`, cached.

    Returns {"width", "height", "view_box", "paths": {commune pk: path data}}.
    """
    digest = hashlib.blake2b(digest_size=16)
    for commune in sorted(communes, key=lambda c: c.pk):
        digest.update(f"{commune.pk}:{commune.outline_text or ''}\n".encode())
    key = CACHE_PREFIX + digest.hexdigest()
    drawn = cache.get(key)
    if drawn is None:
        outlines = {
            commune.pk: json.loads(commune.outline_text)
            for commune in communes
            if commune.outline_text
        }
        drawn = build_paths(outlines)
        drawn["view_box"] = f"0 0 {drawn['width']} {drawn['height']}"
        cache.set(key, drawn, CACHE_SECONDS)
    return drawn
