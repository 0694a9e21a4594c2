// The MapLibre style: Natural Earth basemap from data/*.geojson, the events on top.
//
// Text is drawn from the Noto Sans woff2 files in vendor/fonts through the style's `font-faces`
// property (MapLibre GL JS 6): no `glyphs` URL, so no glyph server is ever asked for anything.

import { EVENT_TYPES, OTHER_COLOR } from "./config.js";
import { DOTS_MAX_ZOOM } from "./dots.js";

const LAND = "#f3f1ec";
const SEA = "#c6d9ea";
const WATER_LINE = "#8fb3d6";

const absolute = (path) => new URL(path, document.baseURI).href;

/** The style's font-faces, with the file names of vendor/fonts/font-faces.json made absolute. */
export async function loadFontFaces() {
  const base = absolute("vendor/fonts/");
  const response = await fetch(`${base}font-faces.json`);
  if (!response.ok) throw new Error(`vendor/fonts/font-faces.json: ${response.status}; run node web/scripts/vendor.mjs`);
  const faces = await response.json();
  for (const list of Object.values(faces)) {
    for (const face of list) face.url = new URL(face.url, base).href;
  }
  return faces;
}

/** The colour of an event by its type, as a style expression. */
export function typeColorExpression() {
  const match = ["match", ["get", "event_type"]];
  for (const t of EVENT_TYPES) match.push(t.id, t.color);
  match.push(OTHER_COLOR);
  return match;
}

/** The circle layer of each event type (`events-points-<type>`), and `events-points` for types
 * not in EVENT_TYPES. One layer per type lets the page hide a type with a constant paint change
 * (opacity 0: MapLibre skips drawing the layer), which needs no new tiles from the worker. */
export const POINT_LAYERS = ["events-points", ...EVENT_TYPES.map((t) => `events-points-${t.id}`)];
export const POINT_OPACITY = 0.92;

/** The filter that picks a point layer's events: its type (or the unlisted types). */
export function pointLayerTypeFilter(layerId) {
  if (layerId === "events-points") return ["!", ["in", ["get", "event_type"], ["literal", EVENT_TYPES.map((t) => t.id)]]];
  return ["==", ["get", "event_type"], layerId.slice("events-points-".length)];
}

function eventPointLayers() {
  return POINT_LAYERS.map((id) => ({
    id,
    type: "circle",
    source: "events",
    // Zoomed out, the dots of js/dots.js draw the events.
    minzoom: DOTS_MAX_ZOOM,
    filter: pointLayerTypeFilter(id),
    paint: {
      "circle-color": id === "events-points" ? OTHER_COLOR : EVENT_TYPES.find((t) => `events-points-${t.id}` === id).color,
      // Small dots, no outline, while zoomed out (a dot-density picture of many events; every
      // pixel costs a frame drawn without a GPU), sized by fatalities as one zooms in.
      "circle-radius": [
        "interpolate",
        ["linear"],
        ["zoom"],
        5,
        ["+", 1.6, ["min", 1.2, ["*", 0.3, ["sqrt", ["coalesce", ["get", "fatalities"], 0]]]]],
        7,
        ["+", 3.5, ["min", 3, ["*", 0.6, ["sqrt", ["coalesce", ["get", "fatalities"], 0]]]]],
        10,
        ["+", 8, ["min", 8, ["sqrt", ["coalesce", ["get", "fatalities"], 0]]]],
      ],
      "circle-stroke-color": "#ffffff",
      "circle-stroke-width": ["interpolate", ["linear"], ["zoom"], 5.5, 0, 7, 1.5],
      "circle-opacity": POINT_OPACITY,
      "circle-stroke-opacity": 1,
    },
  }));
}

/**
 * The events as vector tiles (`/tiles/events`, one layer "events"), for filters that match more
 * events than the page draws well from `/api/points` (config.js, TILE_THRESHOLD). Below zoom 10
 * a feature is a cell of events (`count`, its commonest `event_type`, a count per type); from
 * zoom 10 on it is one event (`id`, `date`, `place_name`, ..., `count` 1). The server applies
 * every filter, so the layers carry none: a filter change is a new tiles URL (`setTiles`).
 * They are added to the map the first time it draws tiles, so a small store never asks for any.
 */
export const TILE_SOURCE = "events-tiles";
export const TILE_LAYER = "events-tiles";
export const TILE_HEAT_LAYER = "events-tiles-heat";
export const TILE_SELECTED_LAYER = "events-tiles-selected";
const TILE_SOURCE_LAYER = "events";

export function tileSource(url) {
  // maxzoom 14 as the server's TileJSON says: MapLibre overzooms past it.
  return { type: "vector", tiles: [url], minzoom: 0, maxzoom: 14 };
}

/** The heat maps' colour ramp, from clear to dark red. */
export const HEAT_COLORS = [
  "interpolate",
  ["linear"],
  ["heatmap-density"],
  0, "rgba(255,255,178,0)",
  0.2, "rgba(254,204,92,0.7)",
  0.5, "rgb(253,141,60)",
  0.8, "rgb(240,59,32)",
  1, "rgb(189,0,38)",
];

/** The ring drawn around the selected event, on the points and on the tiles. */
const SELECTED_RING = {
  "circle-color": "rgba(0,0,0,0)",
  "circle-radius": 13,
  "circle-stroke-color": "#111111",
  "circle-stroke-width": 3,
};

/** log10 of a feature's event count (0 for one event). */
const LOG_COUNT = ["log10", ["max", 1, ["coalesce", ["get", "count"], 1]]];

/** The circles, heat map and selection ring over the tiles; the page inserts them below its own
 * event layers. */
export function tileLayers() {
  const base = { source: TILE_SOURCE, "source-layer": TILE_SOURCE_LAYER };
  return [
    {
      id: TILE_HEAT_LAYER,
      type: "heatmap",
      ...base,
      layout: { visibility: "none" },
      paint: {
        // A cell weighs by the log of its count: a cell of 10,000 must not wash out the map.
        "heatmap-weight": ["interpolate", ["linear"], LOG_COUNT, 0, 0.25, 4, 1],
        "heatmap-intensity": ["interpolate", ["linear"], ["zoom"], 3, 0.6, 10, 1.5],
        "heatmap-radius": ["interpolate", ["linear"], ["zoom"], 3, 14, 10, 30],
        "heatmap-opacity": 0.8,
        "heatmap-color": HEAT_COLORS,
      },
    },
    {
      id: TILE_LAYER,
      type: "circle",
      ...base,
      // The small cells on top of the big ones, so that no count hides under a larger circle.
      layout: { "circle-sort-key": ["-", ["coalesce", ["get", "count"], 1]] },
      paint: {
        "circle-color": typeColorExpression(),
        // A log scale: one event, ten, a thousand and a hundred thousand stay told apart
        // without the largest cells covering the map.
        "circle-radius": [
          "interpolate",
          ["linear"],
          ["zoom"],
          3,
          ["+", 2, ["*", 2.4, LOG_COUNT]],
          10,
          ["+", 5.5, ["*", 3, LOG_COUNT]],
          14,
          ["+", 8, ["*", 3, LOG_COUNT]],
        ],
        "circle-stroke-color": "#ffffff",
        // No outline on the cells (below zoom 9): in a software renderer the outlined circles
        // halved the frame rate of a pan (5.6 against 11.7 frames a second at zoom 6).
        "circle-stroke-width": ["interpolate", ["linear"], ["zoom"], 8.5, 0, 10, 1.5],
        "circle-opacity": POINT_OPACITY,
        "circle-stroke-opacity": 1,
      },
    },
    {
      id: TILE_SELECTED_LAYER,
      type: "circle",
      ...base,
      filter: ["==", ["get", "id"], ""],
      paint: { ...SELECTED_RING },
    },
  ];
}

export function labelField(lang) {
  return ["coalesce", ["get", `name_${lang}`], ["get", "name_en"]];
}

const NATURAL_EARTH = "Basemap © Natural Earth (public domain); Crimea shown as part of Ukraine";

/** Towns in three tiers: capitals and cities of a million first, smaller towns as one zooms in. */
const CITY_TIERS = [
  { id: "major", filter: [">=", ["get", "rank"], 2], minzoom: 4 },
  { id: "large", filter: ["==", ["get", "rank"], 1], minzoom: 5.6 },
  { id: "towns", filter: ["==", ["get", "rank"], 0], minzoom: 7 },
];

export const CITY_LABEL_LAYERS = CITY_TIERS.map((tier) => `city-labels-${tier.id}`);

function cityLayers(lang) {
  const layers = [];
  for (const tier of CITY_TIERS) {
    layers.push({
      id: `city-dots-${tier.id}`,
      type: "circle",
      source: "cities",
      minzoom: tier.minzoom,
      filter: tier.filter,
      paint: {
        "circle-color": "#ffffff",
        "circle-radius": ["interpolate", ["linear"], ["zoom"], 4, 2, 10, 4],
        "circle-stroke-color": "#4d453d",
        "circle-stroke-width": 1.2,
      },
    });
  }
  for (const tier of CITY_TIERS) {
    layers.push({
      id: `city-labels-${tier.id}`,
      type: "symbol",
      source: "cities",
      minzoom: tier.minzoom,
      filter: tier.filter,
      layout: {
        "text-field": labelField(lang),
        "text-font": [tier.id === "towns" ? "Noto Sans Regular" : "Noto Sans SemiBold"],
        "text-size": ["interpolate", ["linear"], ["zoom"], 4, 11, 10, 14],
        "text-anchor": "left",
        "text-offset": [0.5, 0],
        "text-optional": true,
        "symbol-sort-key": ["-", ["get", "population"]],
      },
      paint: { "text-color": "#2f2a25", "text-halo-color": "rgba(255,255,255,0.9)", "text-halo-width": 1.3 },
    });
  }
  return layers;
}

export function buildStyle({ fontFaces, lang }) {
  // tolerance 1: each tile's shapes are simplified to within one pixel (MapLibre's default is
  // 0.375), which leaves the picture as it was and takes a good share of the vertices out of the
  // first render.
  const geojson = (file, extra = {}) => ({ type: "geojson", data: absolute(`data/${file}`), tolerance: 1, ...extra });
  return {
    version: 8,
    name: "borderwatch",
    "font-faces": fontFaces,
    // No paint transitions: a frame without a GPU is costly, and none is needed after a change.
    transition: { duration: 0, delay: 0 },
    sources: {
      countries: geojson("countries.geojson", { attribution: NATURAL_EARTH }),
      borders: geojson("borders.geojson"),
      regions: geojson("regions.geojson"),
      water: geojson("water.geojson"),
      labels: geojson("labels.geojson"),
      cities: geojson("cities.geojson", { attribution: "Towns © GeoNames (CC BY 4.0)" }),
      events: {
        type: "geojson",
        data: { type: "FeatureCollection", features: [] },
        // Not clustered: the page filters by type and date with the layers' filters (no new data
        // for the worker, no re-clustering). Points only, so the tiles need no buffer.
        buffer: 0,
      },
    },
    layers: [
      { id: "background", type: "background", paint: { "background-color": SEA } },
      { id: "countries-fill", type: "fill", source: "countries", paint: { "fill-color": LAND } },
      {
        id: "lakes",
        type: "fill",
        source: "water",
        filter: ["==", ["geometry-type"], "Polygon"],
        paint: { "fill-color": SEA, "fill-outline-color": WATER_LINE },
      },
      {
        id: "rivers",
        type: "line",
        source: "water",
        filter: ["==", ["geometry-type"], "LineString"],
        paint: { "line-color": WATER_LINE, "line-width": ["interpolate", ["linear"], ["zoom"], 4, 0.6, 9, 2] },
      },
      {
        id: "regions-line",
        type: "line",
        source: "regions",
        paint: {
          "line-color": "#b7aea3",
          "line-width": ["interpolate", ["linear"], ["zoom"], 4, 0.4, 9, 1.2],
          "line-dasharray": [3, 2],
        },
      },
      {
        id: "borders-line",
        type: "line",
        source: "borders",
        layout: { "line-join": "round" },
        paint: { "line-color": "#6f655b", "line-width": ["interpolate", ["linear"], ["zoom"], 4, 1, 9, 2.4] },
      },
      {
        id: "region-labels",
        type: "symbol",
        source: "labels",
        minzoom: 5.4,
        filter: ["==", ["get", "kind"], "region"],
        layout: {
          "text-field": labelField(lang),
          "text-font": ["Noto Sans Regular"],
          "text-size": ["interpolate", ["linear"], ["zoom"], 5.4, 10.5, 9, 14],
          "text-max-width": 8,
          "text-padding": 4,
        },
        paint: { "text-color": "#857b70", "text-halo-color": "rgba(255,255,255,0.85)", "text-halo-width": 1.2 },
      },
      {
        id: "country-labels",
        type: "symbol",
        source: "labels",
        maxzoom: 8,
        filter: ["==", ["get", "kind"], "country"],
        layout: {
          "text-field": labelField(lang),
          "text-font": ["Noto Sans SemiBold"],
          "text-size": ["interpolate", ["linear"], ["zoom"], 4, 11, 7, 16],
          "text-transform": "uppercase",
          "text-letter-spacing": 0.12,
          "text-max-width": 7,
        },
        paint: { "text-color": "#4d453d", "text-halo-color": "rgba(255,255,255,0.9)", "text-halo-width": 1.5 },
      },
      ...cityLayers(lang),
      ...eventPointLayers(),
      {
        id: "events-selected",
        type: "circle",
        source: "events",
        minzoom: DOTS_MAX_ZOOM,
        filter: ["==", ["get", "id"], ""],
        paint: { ...SELECTED_RING },
      },
    ],
  };
}
