"""QGIS as a real client of a running `borderwatch serve`: opens the events' vector tiles
(a Vector Tile layer over the XYZ template) and the OGC API - Features layer, renders the
tiles over the events' extent to PNG, and prints what it read as JSON; exits 1 when a layer
is invalid, a render fails or paints nothing, or QGIS counts other than the store's events.

Usage (`make qgis-check` runs it): /usr/bin/python3 tests/qgis/check.py URL OUT_DIR
Needs Debian's `qgis` and `python3-qgis` (QGIS 3.22 on Debian 12), run headless.
"""

import json
import math
import os
import sys
import urllib.request

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (  # noqa: E402  (the platform must be set first)
    Qgis,
    QgsApplication,
    QgsCoordinateReferenceSystem,
    QgsMapRendererParallelJob,
    QgsMapSettings,
    QgsRectangle,
    QgsVectorLayer,
    QgsVectorTileLayer,
)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

WHITE = QColor(255, 255, 255)


def mercator(lon, lat):
    r = 6378137.0
    return math.radians(lon) * r, math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) * r


def render(layers, extent, path):
    settings = QgsMapSettings()
    settings.setLayers(layers)
    settings.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
    settings.setExtent(extent)
    settings.setOutputSize(QSize(1024, 768))
    settings.setBackgroundColor(WHITE)
    job = QgsMapRendererParallelJob(settings)
    job.start()
    job.waitForFinished()
    image = job.renderedImage()
    image.save(path)
    samples = [(x, y) for x in range(0, image.width(), 4) for y in range(0, image.height(), 4)]
    painted = sum(1 for x, y in samples if image.pixel(x, y) != WHITE.rgb())
    return {
        "png": path,
        "painted_share": round(painted / len(samples), 3),
        "errors": [error.message for error in job.errors()],
    }


def main():
    base, out = sys.argv[1].rstrip("/"), sys.argv[2]
    os.makedirs(out, exist_ok=True)
    app = QgsApplication([], False)
    app.initQgis()
    store = json.load(urllib.request.urlopen(f"{base}/health"))["events"]
    collection = json.load(urllib.request.urlopen(f"{base}/collections/events?f=json"))
    west, south, east, north = collection["extent"]["spatial"]["bbox"][0]
    # A tenth of a degree around the events, so that a lone event still makes an extent.
    (x0, y0), (x1, y1) = mercator(west - 0.1, south - 0.1), mercator(east + 0.1, north + 0.1)

    tiles = QgsVectorTileLayer(
        f"type=xyz&url={base}/tiles/events/%7Bz%7D/%7Bx%7D/%7By%7D.mvt&zmin=0&zmax=14", "events (tiles)"
    )
    features = QgsVectorLayer(f"url='{base}' typename='events'", "events", "OAPIF")
    report = {
        "qgis": Qgis.version(),
        "store_events": store,
        "tiles_valid": tiles.isValid(),
        "oapif_valid": features.isValid(),
        "oapif_features": features.featureCount(),
        "oapif_fields": sorted(field.name() for field in features.fields()),
    }
    report["tiles_render"] = render([tiles], QgsRectangle(x0, y0, x1, y1), os.path.join(out, "qgis-tiles.png"))
    print(json.dumps(report, indent=1))
    ok = (
        report["tiles_valid"]
        and report["oapif_valid"]
        and report["oapif_features"] == store
        and "event_type" in report["oapif_fields"]
        and not report["tiles_render"]["errors"]
        and report["tiles_render"]["painted_share"] > 0
    )
    app.exitQgis()
    if not ok:
        print("QGIS did not read the layers as it should (above)", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
