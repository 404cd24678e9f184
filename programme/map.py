"""The territory map drawn on the server: GeoJSON outlines of the communes to inline SVG paths.

Longitude and latitude are projected as x = lon, y = -lat x 1.48 (1 / cos 47.4°, the territory's
latitude, so that a kilometre is as long east-west as north-south), then fitted to a viewBox
WIDTH units wide and rounded to whole units (about 80 m on the ground), written as relative moves.

Projecting is the costly part, so the paths are cached under a hash of the outlines themselves:
any change to any commune's outline (or a commune added or removed) yields a new key.

Besides the outlines, a map can be coloured by a value per group of communes (a count per
intercommunality): `SequentialScale` turns the values into the classes of one sequential colour
scale, and `group_centre` gives where a group's label goes.
"""

import hashlib
import json

from django.core.cache import cache
from django.db.models import TextField
from django.db.models.functions import Cast

WIDTH = 800
MARGIN = 4
Y_STRETCH = 1.48
CACHE_PREFIX = "territory-map:v2:"
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


def _ring_area_centre(points):
    """Signed area and centroid of a closed ring of projected points (shoelace formula)."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    area /= 2
    if not area:
        return 0.0, None
    return area, (cx / (6 * area), cy / (6 * area))


def _centre(geometry, transform):
    """[x, y, area] of a geometry in map units: the centroid of its outer rings, by area."""
    total = sx = sy = 0.0
    for polygon in _polygons(geometry):
        if not polygon or len(polygon[0]) < 3:
            continue
        area, centre = _ring_area_centre([transform(point) for point in polygon[0]])
        if centre is None:
            continue
        total += abs(area)
        sx += centre[0] * abs(area)
        sy += centre[1] * abs(area)
    if not total:
        return None
    return [round(sx / total, 1), round(sy / total, 1), round(total, 1)]


def build_paths(outlines):
    """{key: GeoJSON geometry} -> {"width", "height", "paths": {key: SVG path data},
    "centres": {key: [x, y, area]}}.

    Keys without a drawable geometry are left out of "paths" and "centres".
    """
    projected = [_project(point) for geometry in outlines.values() for ring in _rings(geometry)
                 for point in ring]  # fmt: skip
    if not projected:
        return {"width": WIDTH, "height": 0, "paths": {}, "centres": {}}
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

    paths, centres = {}, {}
    for key, geometry in outlines.items():
        data = "".join(_ring_path(ring, transform) for ring in _rings(geometry))
        if data:
            paths[key] = data
            centre = _centre(geometry, transform)
            if centre:
                centres[key] = centre
    return {"width": WIDTH, "height": height, "paths": paths, "centres": centres}


def communes_with_outline_text(queryset):
    """The queryset with `outline_text`: the raw stored outline, read for hashing, not decoded."""
    return queryset.defer("outline").annotate(outline_text=Cast("outline", TextField()))


def territory_map(communes):
    """The drawn map of communes annotated by `communes_with_outline_text`, cached.

    Returns {"width", "height", "view_box", "paths": {commune pk: path data},
    "centres": {commune pk: [x, y, area]}}.
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


def group_centre(drawn, keys):
    """(x, y) where a label for the communes `keys` of a drawn map goes: their centroid weighted
    by area, moved to the nearest commune's centre when it falls outside the group (a crescent).
    None when none of them is drawn."""
    centres = [drawn["centres"][key] for key in keys if key in drawn["centres"]]
    total = sum(area for _, _, area in centres)
    if not total:
        return None
    x = sum(cx * area for cx, _, area in centres) / total
    y = sum(cy * area for _, cy, area in centres) / total
    # The centroid of an odd shape may lie in a neighbour: snap to the closest member's centre
    # when it is farther than a commune's typical radius from all of them.
    nearest = min(centres, key=lambda c: (c[0] - x) ** 2 + (c[1] - y) ** 2)
    radius = (nearest[2] / 3.14) ** 0.5
    if (nearest[0] - x) ** 2 + (nearest[1] - y) ** 2 > radius**2:
        x, y = nearest[0], nearest[1]
    return round(x, 1), round(y, 1)


# Light to dark blue, each step darker than the one before; the lightest is for zero. Text drawn
# on the map sits on a white badge, never on these fills.
SEQUENTIAL_BLUES = ("#eef3f8", "#c3d8eb", "#85b2d7", "#3d7fb6", "#14487a")


class SequentialScale:
    """Non-negative whole values (a count per intercommunality) -> classes of one sequential
    colour scale: zero alone in the lightest colour, then up to len(colours) - 1 classes of
    equal width from 1 to the largest value.

    `classes`: [{"low", "high", "colour"}] in increasing order (only the classes up to the
    largest value); `colour(value)`: the colour of a value's class.
    """

    def __init__(self, values, colours=SEQUENTIAL_BLUES):
        values = [max(int(value or 0), 0) for value in values]
        top = max(values, default=0)
        steps = len(colours) - 1
        self.colours = colours
        self.classes = [{"low": 0, "high": 0, "colour": colours[0]}]
        if top <= 0:
            return
        if top <= steps:  # one class per value
            bounds = [(value, value) for value in range(1, top + 1)]
            offset = steps - top  # the darkest colours for the few values there are
        else:
            highs = [-(-top * step // steps) for step in range(1, steps + 1)]  # ceilings
            lows = [1] + [high + 1 for high in highs[:-1]]
            bounds = list(zip(lows, highs, strict=True))
            offset = 0
        for index, (low, high) in enumerate(bounds):
            self.classes.append({"low": low, "high": high, "colour": colours[1 + offset + index]})

    def colour(self, value):
        value = max(int(value or 0), 0)
        for item in self.classes:
            if item["low"] <= value <= item["high"]:
                return item["colour"]
        return self.classes[-1]["colour"]
