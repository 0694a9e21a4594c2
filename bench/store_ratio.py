"""Prints the store's figures beside the PostGIS peer's, from the same run on the same points.

Usage: python3 bench/store_ratio.py target/bench-store.json target/bench-postgis.json target/bench-ingest.txt
"""

import json
import re
import sys


def last_json(path):
    with open(path, encoding="utf-8") as file:
        lines = [line for line in file if line.strip().startswith("{")]
    return json.loads(lines[-1])


def main():
    ours = last_json(sys.argv[1])
    peer = last_json(sys.argv[2])
    rows = [
        ("near query p50 (25 km, <=100 rows), ms", ours["near_p50_ms"], peer["near_p50_ms"]),
        ("near query p99, ms", ours["near_p99_ms"], peer["near_p99_ms"]),
        ("2x2 degree bbox as GeoJSON, median ms", ours["bbox_ms_median"], peer["bbox_ms_median"]),
        ("export of every event as GeoJSON, s", ours["export_geojson_s"], peer["ogr2ogr_gpkg_to_geojson_s"]),
    ]
    print(f"store: {ours['events']} events; peer: {peer['peer']} on {peer['points']} points")
    print(f"{'figure':45} {'borderwatch':>12} {'peer':>10} {'peer/ours':>10}")
    for name, mine, theirs in rows:
        ratio = theirs / mine if mine else float("nan")
        print(f"{name:45} {mine:12.3f} {theirs:10.3f} {ratio:10.2f}")
    print(f"export memory, MB: borderwatch heap peak {ours['heap_mb_peak_during_export']:.1f} "
          f"(before the export {ours['heap_mb_before_export']:.1f}; database pages are memory-mapped, not counted), "
          f"ogr2ogr peak RSS {peer['ogr2ogr_peak_rss_mb']:.0f}")
    if len(sys.argv) > 3:
        with open(sys.argv[3], encoding="utf-8") as file:
            match = re.search(r"\(([0-9.]+)/s\)", file.read())
        if match:
            print(f"ingest of real articles (extraction + store), articles/s: {match.group(1)}")


if __name__ == "__main__":
    main()
