"""Prints the store's figures on SQLite and on PostgreSQL (borderwatch's own stores) beside the
plain PostGIS peer's, from the same run on the same points.

Usage: python3 bench/store_ratio.py target/bench-store.json target/bench-postgis.json target/bench-ingest.txt [target/bench-ingest-pg.txt]
"""

import json
import re
import sys


def last_json(path):
    with open(path, encoding="utf-8") as file:
        lines = [line for line in file if line.strip().startswith("{")]
    return json.loads(lines[-1])


def ratio(a, b):
    return a / b if b else float("nan")


def main():
    ours = last_json(sys.argv[1])
    peer = last_json(sys.argv[2])
    has_pg = "pg_near_p50_ms" in ours
    print(f"store: {ours['events']} events; peer: {peer['peer']} on {peer['points']} points")
    if has_pg:
        rows = [
            ("near query p50 (25 km, <=100 rows), ms", "near_p50_ms", "near_p50_ms"),
            ("near query p99, ms", "near_p99_ms", "near_p99_ms"),
            ("2x2 degree bbox as GeoJSON, median ms", "bbox_ms_median", "bbox_ms_median"),
        ]
        print(f"{'figure':42} {'sqlite':>9} {'postgres':>9} {'postgis':>9} {'pg/sqlite':>10} {'pg/postgis':>11}")
        for name, key, peer_key in rows:
            lite, pg, gis = ours[key], ours["pg_" + key], peer[peer_key]
            print(f"{name:42} {lite:9.3f} {pg:9.3f} {gis:9.3f} {ratio(pg, lite):10.2f} {ratio(pg, gis):11.2f}")
        print(f"{'storing through the ingest path, events/s':42} {ours['store_events_per_s']:9.0f} {ours['pg_store_events_per_s']:9.0f}")
        print(f"bbox features, first box: sqlite {ours['bbox_features']}, postgres {ours['pg_bbox_features']}, postgis {peer['bbox_features']}; "
              f"near rows on average: {ours['near_rows_mean']}, {ours['pg_near_rows_mean']}, {peer['near_rows_mean']}")
        print(f"PostgreSQL sizes, MB: events {ours['pg_events_table_mb']:.0f} + indexes {ours['pg_events_indexes_mb']:.0f}, "
              f"sources {ours['pg_sources_table_mb']:.0f} + indexes {ours['pg_sources_indexes_mb']:.0f}, articles {ours['pg_articles_mb']:.0f}")
    rows = [
        ("near query p50 (25 km, <=100 rows), ms", ours["near_p50_ms"], peer["near_p50_ms"]),
        ("near query p99, ms", ours["near_p99_ms"], peer["near_p99_ms"]),
        ("2x2 degree bbox as GeoJSON, median ms", ours["bbox_ms_median"], peer["bbox_ms_median"]),
    ]
    if "bbox_ms_p99" in ours and "bbox_ms_p99" in peer:
        rows.append(("2x2 degree bbox as GeoJSON, p99 ms", ours["bbox_ms_p99"], peer["bbox_ms_p99"]))
    rows.append(("export of every event as GeoJSON, s", ours["export_geojson_s"], peer["ogr2ogr_gpkg_to_geojson_s"]))
    print(f"{'figure (sqlite beside the peer)':45} {'borderwatch':>12} {'peer':>10} {'peer/ours':>10}")
    for name, mine, theirs in rows:
        print(f"{name:45} {mine:12.3f} {theirs:10.3f} {ratio(theirs, mine):10.2f}")
    print(f"near: borderwatch answers {ours['near_rows_mean']} events a query as GeoJSON (28 fields and the distance), "
          f"the peer {peer['near_rows_mean']} rows of 4 columns; bbox: {ours.get('bbox_boxes', 5)} boxes, "
          f"borderwatch's features carry 28 fields, the peer's 3")
    if "near_index_build_s" in ours:
        print(f"in-memory point index of the near query: built in {ours['near_index_build_s']:.2f} s (the first query), "
              f"features table migrated in {ours.get('open_s', float('nan')):.1f} s when the store was opened")
    print(f"export memory, MB: borderwatch heap peak {ours['heap_mb_peak_during_export']:.1f} "
          f"(before the export {ours['heap_mb_before_export']:.1f}; database pages are memory-mapped, not counted), "
          f"ogr2ogr peak RSS {peer['ogr2ogr_peak_rss_mb']:.0f}")
    if "tile_z5_p50_ms" in ours:
        print(f"map index of every event: built in {ours['tile_index_build_s']:.2f} s, {ours['tile_index_heap_mb']:.1f} MB")
        print(f"{'vector tile, cut and gzipped (no cache)':45} {'p50 ms':>8} {'p99 ms':>8} {'KB':>7}")
        for zoom, name in [("z5", "zoom 5 (cells)"), ("z5_one_type", "zoom 5, one event type"), ("z8", "zoom 8 (cells)"), ("z12", "zoom 12 (events)")]:
            print(f"{name:45} {ours[f'tile_{zoom}_p50_ms']:8.3f} {ours[f'tile_{zoom}_p99_ms']:8.3f} {ours[f'tile_{zoom}_kb_mean']:7.1f}")
    for path, store in zip(sys.argv[3:5], ["SQLite", "PostgreSQL"]):
        with open(path, encoding="utf-8") as file:
            match = re.search(r"\(([0-9.]+)/s\)", file.read())
        if match:
            print(f"ingest of real articles (extraction + store) into {store}, articles/s: {match.group(1)}")


if __name__ == "__main__":
    main()
