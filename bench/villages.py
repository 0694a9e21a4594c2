#!/usr/bin/env python3
"""Score a geoparser (and optionally its events) on the village gold of tests/data/villages/.

Usage: villages.py GOLD.jsonl GEOPARSE.jsonl [EVENTS.jsonl] [--json]

GOLD.jsonl      the records of tests/data/villages/dev.jsonl or heldout.jsonl.
GEOPARSE.jsonl  one line per record: {"id": ..., "toponyms": [{"start", "end", "text", "name",
                "lat", "lon", "geonameid", "country_code", "feature_code", "role", "confidence"}]},
                offsets in code points.
EVENTS.jsonl    optional, one line per record: {"id": ..., "events": [{"lat", "lon", "place_name",
                "event_type", "confidence", ...}]} in output order.

Toponyms: each gold place is matched to the predicted toponym with the same span or, failing
that, the one overlapping it most (ties: higher confidence, then the earlier one). It is
`exact` when the geonameids are equal and `within25` when the predicted point lies within
25 km (haversine) of the gold point; `missed` when no toponym touches the span.

Events, for each gold record with at least one event place (records absent from EVENTS.jsonl
count as having no events; events without numeric lat/lon are ignored):
  top25         the most confident event (ties: the first) lies within 25 km of a gold event place
  any25         some event lies within 25 km of a gold event place
  per_place25   share of gold event places (distinct ids per record) with an event within 25 km
  coarse_first  the top event lies more than 25 km from every gold event place but within
                100 km of one (an oblast- or city-level point outranking the village)

Prints a table, overall and per style; with --json also one last line holding every figure.
Standard library only.
"""
import json
import math
import sys

EARTH_KM = 6371.0088
NEAR_KM = 25.0
COARSE_KM = 100.0


def haversine(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(h)))


def number(x):
    if isinstance(x, bool):
        return None
    if isinstance(x, (int, float)) and math.isfinite(x):
        return float(x)
    if isinstance(x, str):
        try:
            v = float(x)
        except ValueError:
            return None
        return v if math.isfinite(v) else None
    return None


def same_id(a, b):
    if a is None or b is None:
        return False
    try:
        return int(a) == int(b)
    except (TypeError, ValueError):
        return str(a) == str(b)


def read_jsonl(path, what):
    records = {}
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            line = line.strip()
            if not line:
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as err:
                sys.exit(f"{path}:{n}: not JSON ({err})")
            rid = obj.get("id")
            if rid is None:
                sys.exit(f"{path}:{n}: {what} line without an id")
            if rid in records:
                print(f"warning: {path}:{n}: second line for id {rid!r} ignored", file=sys.stderr)
                continue
            records[rid] = obj
    return records


def read_gold(path):
    gold = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                gold.append(json.loads(line))
    return gold


def match_toponym(place, toponyms):
    """The predicted toponym for a gold place: same span, else the largest overlap."""
    start, end = place["start"], place["end"]
    best, best_key = None, None
    for i, t in enumerate(toponyms):
        ts, te = t.get("start"), t.get("end")
        if not isinstance(ts, int) or not isinstance(te, int):
            continue
        if ts == start and te == end:
            key = (1, end - start, number(t.get("confidence")) or 0.0, -i)
        else:
            overlap = min(end, te) - max(start, ts)
            if overlap <= 0:
                continue
            key = (0, overlap, number(t.get("confidence")) or 0.0, -i)
        if best_key is None or key > best_key:
            best, best_key = t, key
    return best


def located_events(events):
    out = []
    for e in events or []:
        lat, lon = number(e.get("lat")), number(e.get("lon"))
        if lat is None or lon is None:
            continue
        out.append((lat, lon, number(e.get("confidence")) or 0.0))
    return out


def ratio(a, b):
    return round(a / b, 4) if b else None


class Tally:
    def __init__(self):
        self.n = self.exact = self.within = self.missed = 0
        self.recs = self.top = self.any = self.coarse = 0
        self.places = self.places_hit = 0

    def toponym_figures(self):
        return {"n": self.n, "exact": ratio(self.exact, self.n), "acc@25km": ratio(self.within, self.n),
                "missed": self.missed, "missed_share": ratio(self.missed, self.n)}

    def event_figures(self):
        return {"records": self.recs, "top25": ratio(self.top, self.recs), "any25": ratio(self.any, self.recs),
                "event_places": self.places, "per_place25": ratio(self.places_hit, self.places),
                "coarse_first": ratio(self.coarse, self.recs)}


def score(gold, geoparse, events):
    styles = []
    tallies = {"all": Tally()}
    for rec in gold:
        style = rec.get("style", "?")
        if style not in tallies:
            tallies[style] = Tally()
            styles.append(style)
        targets = (tallies["all"], tallies[style])
        toponyms = (geoparse.get(rec["id"]) or {}).get("toponyms") or []
        for place in rec["places"]:
            t = match_toponym(place, toponyms)
            for tally in targets:
                tally.n += 1
            if t is None:
                for tally in targets:
                    tally.missed += 1
                continue
            exact = same_id(t.get("geonameid"), place["geonameid"])
            lat, lon = number(t.get("lat")), number(t.get("lon"))
            near = lat is not None and lon is not None and haversine(lat, lon, place["lat"], place["lon"]) <= NEAR_KM
            for tally in targets:
                tally.exact += exact
                tally.within += near
        if events is None:
            continue
        gold_events = {}
        for place in rec["places"]:
            if place["event"]:
                gold_events.setdefault(place["geonameid"], (place["lat"], place["lon"]))
        if not gold_events:
            continue
        predicted = located_events((events.get(rec["id"]) or {}).get("events"))

        def nearest(lat, lon):
            return min(haversine(lat, lon, g[0], g[1]) for g in gold_events.values())

        top = None
        for e in predicted:  # most confident, ties: first in output order
            if top is None or e[2] > top[2]:
                top = e
        top_d = nearest(top[0], top[1]) if top else None
        any_hit = any(nearest(e[0], e[1]) <= NEAR_KM for e in predicted)
        hit_places = sum(1 for g in gold_events.values()
                         if any(haversine(e[0], e[1], g[0], g[1]) <= NEAR_KM for e in predicted))
        for tally in targets:
            tally.recs += 1
            tally.top += top_d is not None and top_d <= NEAR_KM
            tally.any += any_hit
            tally.coarse += top_d is not None and NEAR_KM < top_d <= COARSE_KM
            tally.places += len(gold_events)
            tally.places_hit += hit_places
    return styles, tallies


def fmt(x):
    return "   -" if x is None else f"{x:.3f}"


def main(argv):
    as_json = "--json" in argv
    args = [a for a in argv if a != "--json"]
    if len(args) not in (2, 3):
        sys.exit(__doc__.split("\n\n")[1])
    gold = read_gold(args[0])
    geoparse = read_jsonl(args[1], "geoparse")
    events = read_jsonl(args[2], "events") if len(args) == 3 else None
    unknown = set(geoparse) - {r["id"] for r in gold}
    if unknown:
        print(f"warning: {len(unknown)} geoparse ids not in the gold, ignored", file=sys.stderr)
    styles, tallies = score(gold, geoparse, events)
    order = ["all"] + styles

    print(f"toponyms ({args[0]})")
    print(f"{'style':<26}{'n':>5}{'exact':>8}{'acc@25':>8}{'missed':>8}")
    for key in order:
        f = tallies[key].toponym_figures()
        print(f"{key:<26}{f['n']:>5}{fmt(f['exact']):>8}{fmt(f['acc@25km']):>8}{f['missed']:>8}")
    if events is not None:
        print()
        print("events")
        print(f"{'style':<26}{'recs':>5}{'top25':>8}{'any25':>8}{'place25':>9}{'coarse1st':>10}")
        for key in order:
            f = tallies[key].event_figures()
            print(f"{key:<26}{f['records']:>5}{fmt(f['top25']):>8}{fmt(f['any25']):>8}"
                  f"{fmt(f['per_place25']):>9}{fmt(f['coarse_first']):>10}")
    if as_json:
        out = {"gold": args[0],
               "toponyms": {"all": tallies["all"].toponym_figures(),
                            "by_style": {s: tallies[s].toponym_figures() for s in styles}},
               "events": None}
        if events is not None:
            out["events"] = {"all": tallies["all"].event_figures(),
                             "by_style": {s: tallies[s].event_figures() for s in styles}}
        print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1:])
