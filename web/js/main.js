// The border map: wires the filters, the timeline, the place search and the details panel to
// MapLibre and the API. No framework; every module is a plain ES module served as is.

import { Map as MapLibreMap, NavigationControl, ScaleControl, Marker } from "../vendor/maplibre-gl/maplibre-gl.mjs";

import { EVENT_TYPES, KNOWN_ACTORS, REGION, TILE_THRESHOLD, typeInfo } from "./config.js";
import {
  eventsUrl,
  exportUrl,
  fetchEvent,
  fetchHealth,
  fetchList,
  fetchNear,
  fetchPoints,
  fetchStats,
  filterParams,
  listUrl,
  nearUrl,
  postArticle,
  tilesUrl,
} from "./api.js";
import { formatHash, parseHash, parseTiles } from "./state.js";
import {
  CITY_LABEL_LAYERS,
  HEAT_COLORS,
  POINT_LAYERS,
  POINT_OPACITY,
  TILE_HEAT_LAYER,
  TILE_LAYER,
  TILE_SELECTED_LAYER,
  TILE_SOURCE,
  buildStyle,
  labelField,
  loadFontFaces,
  pointLayerTypeFilter,
  tileLayers,
  tileSource,
} from "./style.js";
import { Timeline } from "./timeline.js";
import { DOTS_LAYER, DOTS_MAX_ZOOM, EventDots, dayNumber } from "./dots.js";
import { Panel } from "./panel.js";
import { PlaceSearch } from "./places.js";

const $ = (id) => document.getElementById(id);
const TOKEN_KEY = "borderwatch.token";

const els = {
  count: $("event-count"),
  from: $("date-from"),
  to: $("date-to"),
  datesClear: $("dates-clear"),
  types: $("types"),
  typesAll: $("types-all"),
  typesNone: $("types-none"),
  actor: $("actor"),
  country: $("country"),
  confidence: $("confidence"),
  confidenceOut: $("confidence-out"),
  query: $("text-query"),
  lang: $("label-lang"),
  list: $("event-list"),
  listMore: $("event-list-more"),
  sidebar: $("sidebar"),
  sidebarToggle: $("sidebar-toggle"),
  mapError: $("map-error"),
  nearRadius: $("near-radius"),
  nearToggle: $("near-toggle"),
  nearClear: $("near-clear"),
  nearStatus: $("near-status"),
  nearList: $("near-list"),
  exports: { geojson: $("export-geojson"), csv: $("export-csv"), gpkg: $("export-gpkg") },
};

/** The `tiles` switch of the query string (`?tiles=1`), which a hash without one keeps. */
const queryTiles = parseTiles(new URLSearchParams(location.search).get("tiles"));

function readHash() {
  const next = parseHash(location.hash);
  if (!next.tiles) next.tiles = queryTiles;
  return next;
}

let state = readHash();
/** Every event type the page knows: EVENT_TYPES plus any the server reported. */
const knownTypes = EVENT_TYPES.map((t) => t.id);
const seenActors = new Set(KNOWN_ACTORS);
/** The events on the map, by id. */
let byId = new Map();
let map = null;
/** The events while zoomed out (js/dots.js). */
const dots = new EventDots({ colorOf: (type) => typeInfo(type).color });
/** Resolves once the map's style has loaded (the event source exists). */
let resolveMapReady;
const mapReady = new Promise((resolve) => (resolveMapReady = resolve));
/** Resolves once the style is parsed (before its GeoJSON is tiled): the tile source can be added
 * then, so that the event tiles load alongside the basemap. */
let resolveStyleReady;
const styleReady = new Promise((resolve) => (resolveStyleReady = resolve));
let placeMarker = null;
let refreshController = null;
let refreshSeq = 0;
/** Near-search: whether a map click picks the point, and the point last searched around. */
let nearMode = false;
let nearPoint = null;
let nearController = null;
/** The days with events (all dates), for the play button. */
let statDays = [];
let playTimer = 0;

// ---------------------------------------------------------------------------------------------
// Filters <-> state

function renderTypes(counts = new Map()) {
  const items = knownTypes.map((id) => {
    const info = typeInfo(id);
    const li = document.createElement("li");
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.name = "event_type";
    box.value = id;
    box.checked = !state.types || state.types.has(id);
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.setAttribute("aria-hidden", "true");
    swatch.style.background = info.color;
    const name = document.createElement("span");
    name.textContent = info.label;
    const n = document.createElement("span");
    n.className = "n";
    n.textContent = box.checked ? String(counts.get(id) ?? 0) : "";
    label.append(box, swatch, name, n);
    li.appendChild(label);
    return li;
  });
  els.types.replaceChildren(...items);
}

function readTypes() {
  const checked = [...els.types.querySelectorAll("input[type=checkbox]")].filter((b) => b.checked).map((b) => b.value);
  state.types = checked.length === knownTypes.length ? null : new Set(checked);
}

function renderActors() {
  if (state.actor) seenActors.add(state.actor);
  const known = KNOWN_ACTORS.filter((a) => seenActors.has(a));
  const others = [...seenActors].filter((a) => !KNOWN_ACTORS.includes(a)).sort((a, b) => a.localeCompare(b));
  const options = [new Option("Any actor", "")];
  for (const actor of [...known, ...others]) options.push(new Option(actor, actor));
  els.actor.replaceChildren(...options);
  els.actor.value = state.actor;
  els.country.value = state.country;
}

function writeInputs() {
  els.from.value = state.from;
  els.to.value = state.to;
  els.confidence.value = String(state.conf);
  els.confidenceOut.value = state.conf.toFixed(2);
  els.query.value = state.q;
  els.lang.value = state.lang;
  renderTypes();
  renderActors();
  timeline.setRange(state.from, state.to);
}

function writeHash() {
  if (map) {
    const center = map.getCenter();
    state.view = { zoom: map.getZoom(), lat: center.lat, lon: center.lng };
  }
  const hash = formatHash(state);
  if (hash !== location.hash) history.replaceState(null, "", hash);
}

function updateExports() {
  const params = filterParams(state);
  for (const [format, link] of Object.entries(els.exports)) {
    if (params) {
      link.href = exportUrl(format, params);
      link.removeAttribute("aria-disabled");
    } else {
      link.removeAttribute("href");
      link.setAttribute("aria-disabled", "true");
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Loading events

function setCount(text, { count = null, loading = false, query = "" } = {}) {
  els.count.textContent = text;
  // On a phone the filters are in a drawer: the button that opens it carries the count.
  els.sidebarToggle.textContent = count === null ? "Filters" : `Filters · ${count.toLocaleString("en")}`;
  if (loading) els.count.dataset.loading = "true";
  else delete els.count.dataset.loading;
  if (count === null) delete els.count.dataset.count;
  else els.count.dataset.count = String(count);
  els.count.dataset.query = query;
}

// The map is drawn from `GET /api/points` (every matching event, compact rows, no text). Only
// the filters the rows cannot answer (actor, minimum confidence, words) go to the server; the
// rows are fetched once per combination of those and kept. The map's event source gets every
// row (`setData` once per dataset); event types and dates are the event layers' filter
// (`setFilter`: the worker re-tiles nothing and gets no new data), and the counts, the list and
// the timeline are computed here from the rows in memory.

/**
 * The last answer of a request made per key (the server-side filters), and the one in flight:
 * asking again for the key held or loading costs nothing, and a newer key's answer replaces it.
 */
class KeyedAnswer {
  value = null;
  #loading = null;

  async get(key, load) {
    if (this.value?.key === key) return this.value;
    if (this.#loading?.key === key) return this.#loading.promise;
    const promise = load();
    this.#loading = { key, promise };
    try {
      this.value = await promise;
      return this.value;
    } finally {
      if (this.#loading?.promise === promise) this.#loading = null;
    }
  }
}

/** The rows of the last points request: `{key, records, byId}`, records latest first. */
const datasets = new KeyedAnswer();
/** The records that pass every filter, latest first (what the map and the list show). */
let shownRecords = [];
let statsKey = "";

/** One row of /api/points. What the map needs is read at once; the rest (the properties for the
 * list and the panel, the GeoJSON feature for the "events" source) is made when first asked for. */
class EventRecord {
  constructor(row, cols, id, type, date, lon, lat) {
    this.row = row;
    this.cols = cols;
    this.id = id;
    this.type = type;
    this.date = date;
    this.day = date.slice(0, 10);
    this.dayNumber = dayNumber(this.day);
    this.lon = lon;
    this.lat = lat;
  }

  get fatalities() {
    return this.cols.dead >= 0 ? this.row[this.cols.dead] ?? null : null;
  }

  get properties() {
    const { row, cols } = this;
    const value = {
      id: this.id,
      event_type: this.type,
      date: this.date,
      confidence: cols.conf >= 0 ? row[cols.conf] : null,
      report_count: cols.reports >= 0 ? row[cols.reports] : null,
      fatalities: this.fatalities,
      place_name: cols.place >= 0 ? row[cols.place] ?? "" : "",
    };
    Object.defineProperty(this, "properties", { value });
    return value;
  }

  get geometry() {
    return { type: "Point", coordinates: [this.lon, this.lat] };
  }

  /** What the map's "events" source gets of an event (`day` for the layers' date filter). */
  get feature() {
    return {
      type: "Feature",
      geometry: this.geometry,
      properties: { id: this.id, event_type: this.type, day: this.day, fatalities: this.fatalities },
    };
  }
}

function buildDataset(key, answer) {
  const columns = answer?.columns ?? [];
  const at = (name) => columns.indexOf(name);
  const [iId, iLon, iLat, iType, iDate] = ["id", "lon", "lat", "event_type", "date"].map(at);
  const cols = { conf: at("confidence"), reports: at("report_count"), dead: at("fatalities"), place: at("place_name") };
  const records = [];
  const byIdNext = new Map();
  const types = new Set();
  let sorted = true;
  let last = "\uffff";
  for (const row of answer?.rows ?? []) {
    const lon = Number(row[iLon]);
    const lat = Number(row[iLat]);
    if (!Number.isFinite(lon) || !Number.isFinite(lat)) continue;
    const id = String(row[iId]);
    const type = String(row[iType] ?? "");
    const date = row[iDate] == null ? "" : String(row[iDate]);
    const record = new EventRecord(row, cols, id, type, date, lon, lat);
    if (record.day > last) sorted = false;
    last = record.day;
    records.push(record);
    byIdNext.set(id, record);
    types.add(type);
  }
  for (const type of types) addType(type);
  // Latest first (the server sends them so; sorted here only if not); the server's order breaks ties.
  if (!sorted) records.sort((a, b) => (a.day < b.day ? 1 : a.day > b.day ? -1 : 0));
  return { key, records, byId: byIdNext };
}

async function loadDataset(serverParams, signal) {
  const key = serverParams.toString();
  return datasets.get(key, () => fetchPoints(serverParams, signal).then((answer) => buildDataset(key, answer)));
}

async function refresh() {
  writeHash();
  updateExports();
  const seq = ++refreshSeq;
  const params = filterParams(state);
  const eventsQuery = params ? eventsUrl(params) : "";
  if (nearPoint) runNear(nearPoint.lat, nearPoint.lon);
  const serverParams = filterParams(state, { omit: ["datetime", "event_type"] });
  const key = serverParams.toString();
  if (datasets.value?.key !== key && tileStats.value?.key !== key) {
    setCount("Loading events…", { loading: true });
    refreshController?.abort();
    refreshController = new AbortController();
  }
  try {
    const drawing = await chooseDrawing(serverParams, refreshController?.signal);
    if (drawing.tiles) {
      await styleReady;
      if (seq !== refreshSeq) return;
      // The tiles load while the stats (the count and the timeline) are on their way.
      startTiles(params);
      const stats = await drawing.stats;
      if (seq !== refreshSeq) return;
      showTiles(stats, params, eventsQuery);
      return;
    }
    const ds = await loadDataset(serverParams, refreshController?.signal);
    await mapReady;
    if (seq !== refreshSeq) return;
    byId = ds.byId;
    showEvents(ds, eventsQuery);
  } catch (error) {
    if (error.name === "AbortError" || seq !== refreshSeq) return;
    setCount(`Could not load the events (${error.message}).`, { query: eventsQuery });
  }
}

function addType(id) {
  if (!id || knownTypes.includes(id)) return;
  knownTypes.push(id);
  if (state.types) state.types.add(id);
}

/** The dataset whose rows the map's event source holds. */
let sourceDataset = null;

/** The date part of the event layers' filter. */
function dateFilter() {
  const parts = [];
  if (state.from) parts.push([">=", ["get", "day"], state.from]);
  if (state.to) parts.push(["<=", ["get", "day"], state.to]);
  return parts;
}

/** Whether events of this type are shown. */
const typeShown = (type) => !state.types || state.types.has(type);

/** The heat map's filter: every filter in one (it is a single layer over all types). */
function heatFilter() {
  const parts = dateFilter();
  if (state.types) parts.push(["in", ["get", "event_type"], ["literal", [...state.types].sort()]]);
  return parts.length ? ["all", ...parts] : null;
}

/** A point layer's filter: its type(s) and the dates. The unlisted types' layer also carries
 * which of those are checked (there is no one layer per such type to hide). */
function pointFilter(layerId) {
  const parts = [pointLayerTypeFilter(layerId), ...dateFilter()];
  if (layerId === "events-points") {
    // Only when an unlisted type is unchecked, so that (un)checking a listed type leaves it alone.
    const others = knownTypes.filter((t) => !EVENT_TYPES.some((e) => e.id === t));
    if (others.some((t) => !typeShown(t))) parts.push(["in", ["get", "event_type"], ["literal", others.filter(typeShown).sort()]]);
  }
  return parts.length === 1 ? parts[0] : ["all", ...parts];
}

const typesKey = (types) => (types ? [...types].sort().join(",") : "*");

/** What was last given to the map, to change only what differs. */
const applied = { filters: new Map(), opacity: new Map(), heat: "" };

/**
 * Applies the type and date filters to the event layers. A type is hidden or shown by its layer's
 * opacity (a constant paint value: no worker round trip, MapLibre skips a layer at opacity 0);
 * dates change the layers' filters (the worker re-tiles the source from the data it holds).
 * The heat map's filter is set only while it is visible (a filter change re-tiles the source).
 */
function applyEventFilters() {
  const from = state.from ? dayNumber(state.from) : -1e9;
  const to = state.to ? dayNumber(state.to) : 1e9;
  const types = state.types;
  const f = dots.filter;
  if (f.from !== from || f.to !== to || f.types !== types || f.typesKey !== typesKey(types)) {
    dots.setFilter({ shown: (t) => !types || types.has(t), from, to, types, typesKey: typesKey(types) });
  }
  for (const id of POINT_LAYERS) {
    if (!map.getLayer(id)) continue;
    const filter = pointFilter(id);
    const key = JSON.stringify(filter);
    if (applied.filters.get(id) !== key) {
      applied.filters.set(id, key);
      map.setFilter(id, filter, { validate: false });
    }
    const shown = id === "events-points" || typeShown(id.slice("events-points-".length));
    if (applied.opacity.get(id) !== shown) {
      applied.opacity.set(id, shown);
      map.setPaintProperty(id, "circle-opacity", shown ? POINT_OPACITY : 0, { validate: false });
      map.setPaintProperty(id, "circle-stroke-opacity", shown ? 1 : 0, { validate: false });
    }
  }
  if ($("heatmap").checked && map.getLayer("events-heat")) {
    const filter = heatFilter();
    const key = JSON.stringify(filter);
    if (applied.heat !== key) {
      applied.heat = key;
      map.setFilter("events-heat", filter, { validate: false });
    }
  }
}

function showEvents(ds, query) {
  setDrawMode("points");
  const types = state.types;
  const { from, to } = state;
  const records = [];
  const counts = new Map();
  if (!types || types.size > 0) {
    for (const r of ds.records) {
      if (types && !types.has(r.type)) continue;
      if ((from && r.day < from) || (to && r.day > to)) continue;
      records.push(r);
      counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
    }
  }
  shownRecords = records;
  // The source holds every row of the dataset; types and dates are applied by the layers, so a
  // change of those needs no new data in the worker.
  let setDataDone = null;
  let fillSource = null;
  if (sourceDataset !== ds) {
    sourceDataset = ds;
    dots.setRecords(ds.records);
    const fill = () => map.getSource("events").setData({ type: "FeatureCollection", features: ds.records.map((r) => r.feature) });
    // Zoomed out the dots draw the events and the "events" source is not drawn: it is filled
    // after the dots' frame (handing 100,000 features to the worker takes a few hundred ms).
    if (dotsDraw()) fillSource = fill;
    else setDataDone = fill();
  }
  applyEventFilters();
  const n = records.length;
  const text = `${n.toLocaleString("en")} event${n === 1 ? "" : "s"}`;
  markDrawn(setDataDone, n, fillSource && (() => {
    if (sourceDataset === ds) fillSource();
    if (seqAtShow === showSeq) setCount(text, { count: n, query });
  }));
  const seqAtShow = ++showSeq;
  // Until the source is filled the count stays marked loading (data-loading), so that nothing
  // reads the map's source before it holds these events.
  setCount(text, { count: n, query, loading: Boolean(fillSource) });
  renderTypes(counts);
  highlight(state.event);
  // The list and the timeline wait for the map's next frame to be under way (they take tens of
  // milliseconds at 100,000 events, and the map's picture matters first).
  const seq = ++sideSeq;
  requestAnimationFrame(() =>
    setTimeout(() => {
      if (seq !== sideSeq) return;
      renderActors();
      renderList(records);
      updateTimeline(ds);
      if (state.event && !panel.isOpen) openEvent(state.event, { fly: false });
    }, 0),
  );
}
let sideSeq = 0;
let showSeq = 0;

/** Whether the dots (js/dots.js) draw the events at this zoom. */
const dotsDraw = () => map.getZoom() < DOTS_MAX_ZOOM && !$("heatmap").checked;

// "Drawn": the source's worker has the data, the map went idle with the source's tiles loaded.
// `body[data-events-drawn]` then holds a sequence number (and data-events-shown the count), which
// the benchmark (web/bench/render.mjs) waits for.
let drawSeq = 0;

function markDrawn(setDataDone, n, after = null) {
  const seq = ++drawSeq;
  delete document.body.dataset.eventsDrawn;
  const mark = () => {
    if (after) setTimeout(after, 0);
    if (seq !== drawSeq) return;
    document.body.dataset.eventsShown = String(n);
    document.body.dataset.eventsDrawn = String(seq);
  };
  // Zoomed out (heat map off) the dots draw the events: drawn is the frame that drew them with
  // these rows and filters; the "events" source is not drawn at this zoom.
  if (dotsDraw()) {
    const filter = dots.filter;
    const done = () => {
      if (seq !== drawSeq) {
        if (after) setTimeout(after, 0);
        return;
      }
      if (!dots.hasDrawn(filter)) {
        map.once("render", done);
        return;
      }
      mark();
    };
    map.once("render", done);
    map.triggerRepaint();
    return;
  }
  Promise.resolve(setDataDone)
    .catch(() => {})
    .then(() => {
      const done = () => {
        if (seq !== drawSeq) return;
        if (!map.isSourceLoaded("events")) {
          map.once("idle", done);
          return;
        }
        mark();
      };
      map.once("idle", done);
      map.triggerRepaint();
    });
}

// ---------------------------------------------------------------------------------------------
// Points or tiles
//
// Up to TILE_THRESHOLD events matching the server-side filters (actor, country, confidence,
// words: what /api/points would send), the map draws the rows of /api/points as above. Past it,
// or with `tiles=1` in the hash or the query string, it draws the vector tiles of /tiles/events
// instead: the server cuts them with every filter, a filter change (dates, types, a play step)
// is a new tiles URL (`setTiles`), and nothing downloads every event. The count, the type counts
// and the timeline then come from /api/stats (events per day and type over all dates, fetched
// once per combination of the server-side filters), the list from /api/events.

/** "points" or "tiles": how the map draws the events now ("" until it first does). */
let drawMode = "";
/** The /api/stats answer for the server-side filters on the tile path: `{key, total, days}`. */
const tileStats = new KeyedAnswer();
/** The number of events in the store (/health), asked for once. */
let storeSize = null;
/** The tiles URL the tile source holds, and whether the filters match nothing (no type checked). */
let tilesShown = "";
let tilesEmpty = false;

function loadStoreSize() {
  // A server that cannot say keeps the page on the points path, as before tiles existed.
  storeSize ??= fetchHealth()
    .then((health) => Number(health?.events) || 0)
    .catch(() => 0);
  return storeSize;
}

/** Whether these server-side filters are drawn as tiles (`{tiles, stats}`, `stats` a promise). */
async function chooseDrawing(serverParams, signal) {
  if (state.tiles === "0") return { tiles: false };
  // A store this small cannot match more: no need to ask for the stats first.
  const size = state.tiles === "1" ? Infinity : await loadStoreSize();
  if (size <= TILE_THRESHOLD) return { tiles: false };
  const stats = loadStats(serverParams, signal);
  // Without server-side filters every event matches: the store's size decides, and the tiles
  // need not wait for the stats (at a million events they take a quarter of a second).
  if (state.tiles === "1" || !serverParams.toString()) {
    // A refresh that is overtaken never awaits its stats: their failure is not an error then.
    stats.catch(() => {});
    return { tiles: true, stats };
  }
  const answer = await stats;
  return { tiles: answer.total > TILE_THRESHOLD, stats };
}

async function loadStats(serverParams, signal) {
  const key = serverParams.toString();
  return tileStats.get(key, () => fetchStats(serverParams, signal).then((answer) => {
    const days = [];
    for (const row of answer?.days ?? []) {
      if (!row?.date) continue;
      const type = String(row.event_type ?? "");
      addType(type);
      days.push({ date: String(row.date).slice(0, 10), event_type: type, count: Number(row.count) || 0 });
    }
    const total = Number(answer?.total);
    return { key, total: Number.isFinite(total) ? total : days.reduce((sum, d) => sum + d.count, 0), days };
  }));
}

/** Drops what the page holds of the events (after an article was added). */
function forgetEvents() {
  datasets.value = null;
  tileStats.value = null;
  storeSize = null;
  statsKey = "";
  // The same tiles URL again makes MapLibre fetch the tiles anew.
  tilesShown = "";
}

function setDrawMode(mode) {
  if (drawMode === mode) return;
  drawMode = mode;
  document.body.dataset.eventsSource = mode;
  statsKey = "";
  if (mode === "tiles") {
    // The rows of the points path are let go: past the threshold they are what costs.
    datasets.value = null;
    sourceDataset = null;
    shownRecords = [];
    listRecords = [];
    byId = new Map();
    dots.setRecords([]);
    map.getSource("events")?.setData({ type: "FeatureCollection", features: [] });
  }
  applyVisibility();
}

function addTileLayers(url) {
  map.addSource(TILE_SOURCE, tileSource(url));
  const [heat, circles, selected] = tileLayers();
  map.addLayer(heat, "events-points");
  map.addLayer(circles, "events-points");
  map.addLayer(selected, "events-selected");
  map.on("mouseenter", TILE_LAYER, () => (map.getCanvas().style.cursor = "pointer"));
  map.on("mouseleave", TILE_LAYER, () => (map.getCanvas().style.cursor = ""));
}

/** Points the tile source at these filters' tiles (nothing when they are already shown). */
function startTiles(params) {
  setDrawMode("tiles");
  tilesEmpty = !params;
  const url = params ? tilesUrl(params) : "";
  if (url && url !== tilesShown) {
    tilesShown = url;
    const source = map.getSource(TILE_SOURCE);
    if (source) source.setTiles([url]);
    else addTileLayers(url);
  }
  applyVisibility();
  document.body.dataset.tilesQuery = params ? params.toString() : "";
  return url;
}

function showTiles(stats, params, query) {
  const url = startTiles(params);

  // The count and the type counts: the stats' days within the dates, of the checked types.
  const types = state.types;
  const { from, to } = state;
  const counts = new Map();
  let n = 0;
  if (params) {
    for (const d of stats.days) {
      if (types && !types.has(d.event_type)) continue;
      if ((from && d.date < from) || (to && d.date > to)) continue;
      counts.set(d.event_type, (counts.get(d.event_type) ?? 0) + d.count);
      n += d.count;
    }
  }
  shownCount = n;
  markTilesDrawn(url, n);
  setCount(`${n.toLocaleString("en")} event${n === 1 ? "" : "s"}`, { count: n, query });
  renderTypes(counts);
  highlight(state.event);
  const seq = ++sideSeq;
  requestAnimationFrame(() =>
    setTimeout(() => {
      if (seq !== sideSeq) return;
      renderActors();
      renderTileList();
      const key = `tiles|${stats.key}|${typesKey(types)}`;
      if (key !== statsKey) {
        statsKey = key;
        setTimelineRows(stats.days.filter((d) => !types || types.has(d.event_type)));
      }
      if (state.event && !panel.isOpen) openEvent(state.event, { fly: false });
    }, 0),
  );
}

/** The number of events the count shows on the tile path (the list's "of N"). */
let shownCount = 0;

// "Drawn" on the tile path: the tile source holds this URL and a frame was drawn with its tiles
// loaded. `body[data-tile-features]` then gets the number of tile features rendered (queried
// after the mark, since querying them all is not free).
function markTilesDrawn(url, n) {
  const seq = ++drawSeq;
  delete document.body.dataset.eventsDrawn;
  delete document.body.dataset.tileFeatures;
  // The first frame drawn with every tile of this URL in view loaded (not `idle`, which also
  // waits for label fades and the basemap's other sources).
  const done = () => {
    if (seq !== drawSeq) {
      map.off("render", done);
      return;
    }
    if (url && (map.getSource(TILE_SOURCE)?.tiles?.[0] !== url || !map.isSourceLoaded(TILE_SOURCE))) return;
    map.off("render", done);
    document.body.dataset.eventsShown = String(n);
    document.body.dataset.eventsDrawn = String(seq);
    setTimeout(() => {
      if (seq !== drawSeq) return;
      const features = url && map.getLayer(TILE_LAYER) ? map.queryRenderedFeatures({ layers: [TILE_LAYER] }).length : 0;
      document.body.dataset.tileFeatures = String(features);
    }, 0);
  };
  map.on("render", done);
  map.triggerRepaint();
}

/**
 * A click on the tiles picks the feature whose centre is nearest: a cell of events zooms in on
 * it; an event opens, or, with other events on the same spot, gives a list to pick from.
 */
function pickFromTiles(point, box) {
  if (!map.getLayer(TILE_LAYER)) return;
  const hits = map
    .queryRenderedFeatures(box, { layers: [TILE_LAYER] })
    .map((feature) => {
      const at = map.project(feature.geometry.coordinates);
      return { feature, distance: Math.hypot(at.x - point.x, at.y - point.y) };
    })
    .sort((a, b) => a.distance - b.distance);
  if (!hits.length) return;
  const isEvent = (f) => f.properties.id !== undefined && f.properties.id !== null;
  const nearest = hits[0];
  if (!isEvent(nearest.feature)) {
    map.easeTo({ center: nearest.feature.geometry.coordinates, zoom: Math.min(map.getMaxZoom(), map.getZoom() + 2), essential: true });
    return;
  }
  const events = new Map();
  for (const { feature, distance } of hits) {
    if (isEvent(feature) && distance <= nearest.distance + 1) events.set(String(feature.properties.id), feature.properties);
  }
  if (events.size === 1) {
    openEvent([...events.keys()][0]);
    return;
  }
  const list = [...events.values()].sort((a, b) => String(b.date ?? "").localeCompare(String(a.date ?? "")));
  panel.showChoice(list, (id) => openEvent(id));
}

let tileListController = null;

/** The list on the tile path: the latest events (in view) from /api/events. */
async function renderTileList() {
  tileListController?.abort();
  const controller = new AbortController();
  tileListController = controller;
  const params = filterParams(state);
  const bounds = $("list-in-view").checked && map ? map.getBounds() : null;
  $("event-list").dataset.scope = bounds ? "view" : "all";
  if (!params) {
    fillList([], { total: 0, all: 0, inView: Boolean(bounds) });
    return;
  }
  const bbox = bounds ? [bounds.getWest(), bounds.getSouth(), bounds.getEast(), bounds.getNorth()] : null;
  try {
    const answer = await fetchList(listUrl(params, { bbox, limit: LIST_MAX }), controller.signal);
    if (controller !== tileListController) return;
    const picked = (answer?.features ?? []).filter((f) => f?.properties).map((f) => ({ ...f.properties, id: String(f.id ?? f.properties.id) }));
    const total = Number(answer?.numberMatched);
    fillList(picked, { total: Number.isFinite(total) ? total : picked.length, all: shownCount, inView: Boolean(bounds) });
  } catch (error) {
    if (error.name === "AbortError") return;
    els.list.replaceChildren();
    els.listMore.hidden = false;
    els.listMore.textContent = `Could not list the events (${error.message}).`;
  }
}

/** The timeline: events per day and type over all dates, for the checked types. */
function updateTimeline(ds) {
  const key = `points|${ds.key}|${typesKey(state.types)}`;
  if (key === statsKey) return;
  statsKey = key;
  const types = state.types;
  const perDay = new Map();
  for (const r of ds.records) {
    if (!r.day || (types && !types.has(r.type))) continue;
    const k = `${r.day}|${r.type}`;
    perDay.set(k, (perDay.get(k) ?? 0) + 1);
  }
  const rows = [];
  for (const [k, count] of perDay) {
    const [date, event_type] = k.split("|");
    rows.push({ date, event_type, count });
  }
  setTimelineRows(rows);
}

function setTimelineRows(rows) {
  timeline.setData(rows);
  statDays = [...new Set(rows.map((d) => d.date))].sort();
}

let listRecords = [];
const LIST_MAX = 200;

function renderList(records = listRecords) {
  if (drawMode === "tiles") {
    renderTileList();
    return;
  }
  listRecords = records;
  const inView = $("list-in-view").checked && map;
  const bounds = inView ? map.getBounds() : null;
  $("event-list").dataset.scope = bounds ? "view" : "all";
  // The records are latest first already: keep the first LIST_MAX in view, count the rest.
  let total = 0;
  const picked = [];
  if (bounds) {
    const west = bounds.getWest();
    const east = bounds.getEast();
    const south = bounds.getSouth();
    const north = bounds.getNorth();
    for (const r of records) {
      if (r.lat < south || r.lat > north || r.lon < west || r.lon > east) continue;
      total++;
      if (picked.length < LIST_MAX) picked.push(r);
    }
  } else {
    total = records.length;
    picked.push(...records.slice(0, LIST_MAX));
  }
  fillList(
    picked.map((r) => r.properties),
    { total, all: records.length, inView: Boolean(bounds) },
  );
}

/** The list's rows (event properties, latest first), `total` of them in its scope. */
function fillList(picked, { total, all, inView }) {
  const items = picked.map((p) => {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.id = p.id;
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.setAttribute("aria-hidden", "true");
    swatch.style.background = typeInfo(p.event_type).color;
    const what = document.createElement("span");
    what.textContent = `${typeInfo(p.event_type).label}, ${p.place_name || "unknown place"}`;
    const when = document.createElement("span");
    when.className = "when";
    when.textContent = p.date ?? "";
    button.append(swatch, what, when);
    button.addEventListener("click", () => openEvent(p.id, { fly: true }));
    li.appendChild(button);
    return li;
  });
  els.list.replaceChildren(...items);
  els.listMore.hidden = total <= LIST_MAX;
  els.listMore.textContent = `The ${LIST_MAX} latest of ${total.toLocaleString("en")} are listed.`;
  const n = total;
  $("list-summary").textContent = inView ? `${n.toLocaleString("en")} of ${all.toLocaleString("en")} in view` : `All ${all.toLocaleString("en")}`;
  updateSheetLabel(n);
}

// ---------------------------------------------------------------------------------------------
// Phone: the event list is a bottom sheet (tap the handle to open or close it, or drag it).

const phone = window.matchMedia("(max-width: 760px)");
const sheet = { root: $("list-sheet"), toggle: $("sheet-toggle"), body: $("sheet-body") };

function placeList() {
  const section = $("list-section");
  if (phone.matches) {
    if (section.parentElement !== sheet.body) sheet.body.appendChild(section);
  } else if (section.parentElement !== els.sidebar) {
    els.sidebar.insertBefore(section, $("add-article"));
    setSheetOpen(false);
  }
}

function updateSheetLabel(n) {
  const scope = $("list-in-view").checked ? " in view" : "";
  sheet.toggle.textContent = `Events${scope} · ${n.toLocaleString("en")}`;
}

function setSheetOpen(open) {
  sheet.root.classList.toggle("open", open);
  sheet.root.style.removeProperty("--sheet-height");
  sheet.toggle.setAttribute("aria-expanded", String(open));
}

function wireSheet() {
  placeList();
  phone.addEventListener("change", placeList);
  let drag = null;
  sheet.toggle.addEventListener("pointerdown", (e) => {
    if (e.button !== 0) return;
    drag = { y: e.clientY, height: sheet.root.getBoundingClientRect().height, moved: false };
    sheet.toggle.setPointerCapture(e.pointerId);
  });
  sheet.toggle.addEventListener("pointermove", (e) => {
    if (!drag) return;
    const dy = drag.y - e.clientY;
    if (!drag.moved && Math.abs(dy) < 6) return;
    drag.moved = true;
    sheet.root.classList.add("dragging");
    const max = sheet.root.parentElement.getBoundingClientRect().height * 0.88;
    sheet.root.style.setProperty("--sheet-height", `${Math.min(max, Math.max(46, drag.height + dy))}px`);
  });
  const end = () => {
    if (!drag) return;
    const moved = drag.moved;
    drag = null;
    sheet.root.classList.remove("dragging");
    if (!moved) return;
    // Dragged: stay where it was let go if that is well open, else close.
    const height = sheet.root.getBoundingClientRect().height;
    const open = height > 120;
    sheet.root.classList.toggle("open", open);
    sheet.toggle.setAttribute("aria-expanded", String(open));
    if (!open) sheet.root.style.removeProperty("--sheet-height");
    sheet.toggle.dataset.dragged = "true";
  };
  sheet.toggle.addEventListener("pointerup", end);
  sheet.toggle.addEventListener("pointercancel", end);
  sheet.toggle.addEventListener("click", () => {
    // A drag ends in a click too: that one is not a toggle.
    if (sheet.toggle.dataset.dragged) {
      delete sheet.toggle.dataset.dragged;
      return;
    }
    setSheetOpen(!sheet.root.classList.contains("open"));
  });
}

// ---------------------------------------------------------------------------------------------
// Near-search

/** A circle of `radiusKm` around a point, as a GeoJSON polygon (great-circle destinations). */
function circlePolygon(lat, lon, radiusKm, steps = 96) {
  const R = 6371.0088;
  const d = radiusKm / R;
  const φ1 = (lat * Math.PI) / 180;
  const λ1 = (lon * Math.PI) / 180;
  const ring = [];
  for (let i = 0; i <= steps; i++) {
    const θ = (2 * Math.PI * (i % steps)) / steps;
    const φ2 = Math.asin(Math.sin(φ1) * Math.cos(d) + Math.cos(φ1) * Math.sin(d) * Math.cos(θ));
    const λ2 = λ1 + Math.atan2(Math.sin(θ) * Math.sin(d) * Math.cos(φ1), Math.cos(d) - Math.sin(φ1) * Math.sin(φ2));
    ring.push([(λ2 * 180) / Math.PI, (φ2 * 180) / Math.PI]);
  }
  return { type: "Feature", properties: { radius_km: radiusKm }, geometry: { type: "Polygon", coordinates: [ring] } };
}

function addNearLayers() {
  map.addSource("near-circle", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
  const before = map.getLayer("events-points") ? "events-points" : undefined;
  map.addLayer(
    { id: "near-circle-fill", type: "fill", source: "near-circle", paint: { "fill-color": "#1f6feb", "fill-opacity": 0.08 } },
    before,
  );
  map.addLayer(
    {
      id: "near-circle-line",
      type: "line",
      source: "near-circle",
      paint: { "line-color": "#1f6feb", "line-width": 2, "line-dasharray": [2, 1.5] },
    },
    before,
  );
}

const EVENT_LAYERS = [DOTS_LAYER, ...POINT_LAYERS];

function addHeatLayer() {
  map.addLayer(
    {
      id: "events-heat",
      type: "heatmap",
      source: "events",
      layout: { visibility: "none" },
      paint: {
        "heatmap-intensity": ["interpolate", ["linear"], ["zoom"], 3, 0.6, 10, 1.5],
        "heatmap-radius": ["interpolate", ["linear"], ["zoom"], 3, 14, 10, 30],
        "heatmap-opacity": 0.8,
        "heatmap-color": HEAT_COLORS,
      },
    },
    "events-points",
  );
}

function setHeatmap(on) {
  if (!map?.getLayer("events-heat")) return;
  if (on && drawMode !== "tiles") applyEventFilters();
  applyVisibility();
}

/** Shows the event layers of the way the map draws now (points or tiles), heat map or not. */
function applyVisibility() {
  const heat = $("heatmap").checked;
  const tiles = drawMode === "tiles";
  const show = (id, on) => {
    if (map.getLayer(id)) map.setLayoutProperty(id, "visibility", on ? "visible" : "none");
  };
  show("events-heat", heat && !tiles);
  for (const id of EVENT_LAYERS) show(id, !heat && !tiles);
  show(TILE_HEAT_LAYER, heat && tiles && !tilesEmpty);
  show(TILE_LAYER, !heat && tiles && !tilesEmpty);
  show(TILE_SELECTED_LAYER, tiles);
}

// Play: step a time window through the whole period, one step a second.

const DAY_MS = 86400000;
const isoDay = (ms) => new Date(ms).toISOString().slice(0, 10);
const dayMs = (iso) => Date.parse(`${iso}T00:00:00Z`);

function stopPlay() {
  clearTimeout(playTimer);
  playTimer = 0;
  $("timeline-play").setAttribute("aria-pressed", "false");
  $("timeline-play").textContent = "▶ Play";
}

function startPlay() {
  if (statDays.length < 2) return;
  const first = dayMs(statDays[0]);
  const last = dayMs(statDays[statDays.length - 1]);
  // About twelve steps over the period.
  const width = Math.max(1, Math.ceil((last - first) / DAY_MS / 12));
  let start = first;
  $("timeline-play").setAttribute("aria-pressed", "true");
  $("timeline-play").textContent = "❚❚ Pause";
  const step = () => {
    if (start > last) {
      stopPlay();
      return;
    }
    state.from = isoDay(start);
    state.to = isoDay(start + (width - 1) * DAY_MS);
    els.from.value = state.from;
    els.to.value = state.to;
    timeline.setRange(state.from, state.to);
    refresh();
    start += width * DAY_MS;
    playTimer = setTimeout(step, 1000);
  };
  step();
}

function setNearMode(on) {
  nearMode = on;
  els.nearToggle.setAttribute("aria-pressed", String(on));
  $("map").classList.toggle("near-mode", on);
  if (on && !nearPoint) els.nearStatus.textContent = "Click the map or choose a place to list the events around it.";
}

function setNearStatus(text, { query = "", loading = false, count = null } = {}) {
  els.nearStatus.textContent = text;
  els.nearStatus.dataset.query = query;
  if (loading) els.nearStatus.dataset.loading = "true";
  else delete els.nearStatus.dataset.loading;
  if (count === null) delete els.nearStatus.dataset.count;
  else els.nearStatus.dataset.count = String(count);
}

async function runNear(lat, lon) {
  nearPoint = { lat, lon };
  const radiusKm = Number(els.nearRadius.value) || 25;
  await mapReady;
  map.getSource("near-circle")?.setData({ type: "FeatureCollection", features: [circlePolygon(lat, lon, radiusKm)] });
  els.nearClear.hidden = false;
  nearController?.abort();
  const controller = new AbortController();
  nearController = controller;
  const params = filterParams(state);
  if (!params) {
    els.nearList.replaceChildren();
    setNearStatus("No event type is checked.", { count: 0 });
    return;
  }
  const url = nearUrl(params, { lat, lon, radiusKm });
  setNearStatus("Looking for events nearby…", { query: url, loading: true });
  try {
    const answer = await fetchNear(url, controller.signal);
    if (controller !== nearController) return;
    const features = (answer?.features ?? []).filter((f) => f?.properties);
    renderNearList(features);
    const n = features.length;
    const where = `${lat.toFixed(3)}° N, ${lon.toFixed(3)}° E`;
    setNearStatus(`${n} event${n === 1 ? "" : "s"} within ${radiusKm} km of ${where}, nearest first.`, { query: url, count: n });
  } catch (error) {
    if (error.name === "AbortError") return;
    els.nearList.replaceChildren();
    setNearStatus(`Could not search near this point (${error.message}).`, { query: url });
  }
}

function renderNearList(features) {
  const items = features.map((f) => {
    const p = f.properties;
    const id = String(f.id ?? p.id);
    const km = Number(p.distance_km);
    const li = document.createElement("li");
    li.dataset.id = id;
    li.dataset.distance = String(km);
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.id = id;
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.setAttribute("aria-hidden", "true");
    swatch.style.background = typeInfo(p.event_type).color;
    const what = document.createElement("span");
    what.textContent = `${typeInfo(p.event_type).label}, ${p.place_name || p.place || "unknown place"}, ${p.date ?? ""}`;
    const dist = document.createElement("span");
    dist.className = "dist";
    dist.textContent = Number.isFinite(km) ? `${km.toFixed(1)} km` : "";
    button.append(swatch, what, dist);
    button.addEventListener("click", () => openEvent(id, { fly: true }));
    li.appendChild(button);
    return li;
  });
  els.nearList.replaceChildren(...items);
}

function clearNear() {
  nearController?.abort();
  nearPoint = null;
  els.nearList.replaceChildren();
  els.nearClear.hidden = true;
  map?.getSource("near-circle")?.setData({ type: "FeatureCollection", features: [] });
  setNearStatus(nearMode ? "Click the map or choose a place to list the events around it." : "Turn this on, then click the map or choose a place.");
}

function wireNear() {
  els.nearToggle.addEventListener("click", () => setNearMode(!nearMode));
  els.nearClear.addEventListener("click", clearNear);
  els.nearRadius.addEventListener("change", () => {
    if (nearPoint) runNear(nearPoint.lat, nearPoint.lon);
  });
}

// ---------------------------------------------------------------------------------------------
// Details

function highlight(id) {
  for (const layer of ["events-selected", TILE_SELECTED_LAYER]) {
    if (map?.getLayer(layer)) map.setFilter(layer, ["==", ["get", "id"], id || ""]);
  }
}

let detailController = null;

async function openEvent(id, { fly = false } = {}) {
  id = String(id);
  state.event = id;
  writeHash();
  highlight(id);
  detailController?.abort();
  detailController = new AbortController();
  const signal = detailController.signal;
  const known = byId.get(id);
  if (known) {
    panel.showEvent(known.properties, { loading: true });
    if (fly) flyToEvent(known);
  } else {
    panel.showMessage("Event", "Loading…");
  }
  try {
    const detail = await fetchEvent(id, signal);
    const properties = { ...(known?.properties ?? {}), ...(detail?.properties ?? {}), id };
    if (!known) {
      panel.showEvent(properties, { sources: properties.sources ?? null });
      if (fly && detail?.geometry?.type === "Point") flyToEvent(detail);
    } else {
      panel.update(properties, { sources: properties.sources ?? null });
    }
  } catch (error) {
    if (error.name === "AbortError") return;
    if (!known) panel.showMessage("Event not found", `This event could not be loaded (${error.message}).`);
    else panel.update(known.properties, {});
  }
}

function flyToEvent(feature) {
  const [lon, lat] = feature.geometry.coordinates;
  map.flyTo({ center: [lon, lat], zoom: Math.max(map.getZoom(), 9.5), essential: true });
}

// ---------------------------------------------------------------------------------------------
// The map

function setLabelLanguage() {
  for (const layer of ["country-labels", "region-labels", ...CITY_LABEL_LAYERS]) {
    if (map.getLayer(layer)) map.setLayoutProperty(layer, "text-field", labelField(state.lang));
  }
}

async function createMap() {
  let fontFaces = {};
  try {
    fontFaces = await loadFontFaces();
  } catch (error) {
    showMapError(`Map labels are unavailable: ${error.message}`);
  }
  const { zoom, lat, lon } = state.view;
  map = new MapLibreMap({
    container: "map",
    style: buildStyle({ fontFaces, lang: state.lang }),
    center: [lon, lat],
    zoom,
    minZoom: 3,
    maxZoom: 14,
    maxBounds: [
      [REGION[0], REGION[1]],
      [REGION[2], REGION[3]],
    ],
    dragRotate: false,
    pitchWithRotate: false,
    // Labels appear at once instead of fading in: each frame is costly without a GPU, and a fade
    // keeps the map busy for several of them after every filter change.
    fadeDuration: 0,
    touchPitch: false,
    attributionControl: { compact: true },
    locale: { "Map.Title": "Map of conflict events. Arrow keys pan, plus and minus zoom." },
  });
  map.touchZoomRotate.disableRotation();
  map.keyboard.disableRotation();
  map.addControl(new NavigationControl({ showCompass: false }), "top-right");
  map.addControl(new ScaleControl({ unit: "metric" }), "bottom-right");
  window.borderwatch = { map };

  map.once("style.load", () => resolveStyleReady());
  map.once("load", () => {
    map.addLayer(dots, "events-points");
    addNearLayers();
    addHeatLayer();
    setHeatmap($("heatmap").checked);
    resolveMapReady();
  });
  map.on("error", (event) => {
    const message = event?.error?.message ?? "unknown error";
    showMapError(`Map error: ${message}`);
  });
  map.on("moveend", () => {
    writeHash();
    if ($("list-in-view").checked) renderList();
  });

  for (const layer of POINT_LAYERS) {
    map.on("mouseenter", layer, () => (map.getCanvas().style.cursor = "pointer"));
    map.on("mouseleave", layer, () => (map.getCanvas().style.cursor = ""));
  }
  map.on("click", onMapClick);
}

function showMapError(message) {
  els.mapError.textContent = message;
  els.mapError.hidden = false;
}

async function onMapClick(event) {
  if (nearMode) {
    runNear(event.lngLat.lat, event.lngLat.lng);
    return;
  }
  const pad = 5;
  const box = [
    [event.point.x - pad, event.point.y - pad],
    [event.point.x + pad, event.point.y + pad],
  ];
  if (drawMode === "tiles") {
    pickFromTiles(event.point, box);
    return;
  }
  let ids;
  if (map.getZoom() < DOTS_MAX_ZOOM) {
    // The dots: the shown events within a few pixels (a box in degrees first, then pixels).
    const a = map.unproject(box[0]);
    const b = map.unproject(box[1]);
    const [west, east] = [Math.min(a.lng, b.lng), Math.max(a.lng, b.lng)];
    const [south, north] = [Math.min(a.lat, b.lat), Math.max(a.lat, b.lat)];
    ids = shownRecords
      .filter((r) => r.lon >= west && r.lon <= east && r.lat >= south && r.lat <= north)
      .filter((r) => {
        const p = map.project([r.lon, r.lat]);
        return Math.hypot(p.x - event.point.x, p.y - event.point.y) <= pad;
      })
      .map((r) => r.id);
  } else {
    // A hidden type's layer is drawn at opacity 0 but still answers queries: keep the shown types.
    const hits = map.queryRenderedFeatures(box, { layers: POINT_LAYERS.filter((id) => map.getLayer(id)) });
    ids = [...new Set(hits.filter((f) => typeShown(f.properties.event_type)).map((f) => String(f.properties.id)))].filter((id) => byId.has(id));
  }
  if (ids.length === 1) openEvent(ids[0]);
  else if (ids.length > 1) {
    const list = ids.map((id) => byId.get(id).properties).sort((a, b) => String(b.date ?? "").localeCompare(String(a.date ?? "")));
    panel.showChoice(list, (id) => openEvent(id));
  }
}

function flyToPlace(place) {
  const center = [Number(place.lon), Number(place.lat)];
  placeMarker?.remove();
  placeMarker = new Marker({ color: "#17202b" }).setLngLat(center).addTo(map);
  placeMarker.getElement().setAttribute("aria-label", `Place: ${place.name ?? ""}`);
  map.flyTo({ center, zoom: 10, essential: true });
  if (nearMode) runNear(center[1], center[0]);
}

// ---------------------------------------------------------------------------------------------
// Wiring

const timeline = new Timeline($("timeline-svg"), (from, to) => {
  state.from = from;
  state.to = to;
  els.from.value = from;
  els.to.value = to;
  refresh();
});

const panel = new Panel({
  root: $("panel"),
  title: $("panel-title"),
  body: $("panel-body"),
  close: $("panel-close"),
  onClose: () => {
    state.event = "";
    detailController?.abort();
    highlight("");
    writeHash();
  },
});

new PlaceSearch({ input: $("place-input"), list: $("place-list"), onPick: flyToPlace });

function debounce(fn, ms) {
  let timer = 0;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

function wireFilters() {
  $("filters").addEventListener("submit", (e) => e.preventDefault());
  const onDates = () => {
    if (playTimer) stopPlay();
    state.from = els.from.value;
    state.to = els.to.value;
    if (state.from && state.to && state.from > state.to) [state.from, state.to] = [state.to, state.from];
    timeline.setRange(state.from, state.to);
    refresh();
  };
  els.from.addEventListener("change", onDates);
  els.to.addEventListener("change", onDates);
  els.datesClear.addEventListener("click", () => {
    els.from.value = "";
    els.to.value = "";
    onDates();
  });
  els.types.addEventListener("change", () => {
    readTypes();
    refresh();
  });
  els.typesAll.addEventListener("click", () => {
    state.types = null;
    renderTypes();
    refresh();
  });
  els.typesNone.addEventListener("click", () => {
    state.types = new Set();
    renderTypes();
    refresh();
  });
  els.actor.addEventListener("change", () => {
    state.actor = els.actor.value;
    refresh();
  });
  els.country.addEventListener("change", () => {
    state.country = els.country.value;
    refresh();
  });
  const refreshSoon = debounce(refresh, 350);
  els.confidence.addEventListener("input", () => {
    state.conf = Number(els.confidence.value);
    els.confidenceOut.value = state.conf.toFixed(2);
    refreshSoon();
  });
  els.query.addEventListener("input", () => {
    state.q = els.query.value;
    refreshSoon();
  });
  els.lang.addEventListener("change", () => {
    state.lang = els.lang.value;
    setLabelLanguage();
    writeHash();
  });

  els.sidebarToggle.addEventListener("click", () => {
    const open = !els.sidebar.classList.contains("open");
    els.sidebar.classList.toggle("open", open);
    els.sidebarToggle.setAttribute("aria-expanded", String(open));
    if (open) els.sidebar.querySelector("input, select, button")?.focus();
  });
  els.sidebar.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && els.sidebar.classList.contains("open")) {
      els.sidebar.classList.remove("open");
      els.sidebarToggle.setAttribute("aria-expanded", "false");
      els.sidebarToggle.focus();
    }
  });

  // A link pasted or edited by hand: take its view and filters.
  window.addEventListener("hashchange", () => {
    const next = readHash();
    const eventChanged = next.event !== state.event;
    state = next;
    writeInputs();
    map?.jumpTo({ center: [state.view.lon, state.view.lat], zoom: state.view.zoom });
    if (map) setLabelLanguage();
    if (eventChanged) {
      if (state.event) openEvent(state.event);
      else panel.close();
    }
    refresh();
  });
}

function wireArticleForm() {
  const form = $("article-form");
  const token = $("article-token");
  const result = $("article-result");
  token.value = sessionStorage.getItem(TOKEN_KEY) ?? "";
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = $("article-text").value;
    if (!text.trim()) {
      result.textContent = "Paste the article's text first.";
      return;
    }
    sessionStorage.setItem(TOKEN_KEY, token.value);
    const article = { text };
    const title = $("article-title").value.trim();
    const published = $("article-published").value;
    const url = $("article-url").value.trim();
    if (title) article.title = title;
    if (published) article.published = published;
    if (url) article.url = url;
    result.textContent = "Reading…";
    try {
      const answer = await postArticle(article, token.value);
      const n = Number(answer?.events) || 0;
      result.textContent = `Article ${answer?.article_id ?? ""} read: ${n} event${n === 1 ? "" : "s"} found.`;
      forgetEvents();
      refresh();
    } catch (error) {
      result.textContent = `Not accepted: ${error.message}`;
    }
  });
}

async function main() {
  writeInputs();
  wireFilters();
  wireArticleForm();
  wireNear();
  $("list-in-view").addEventListener("change", () => renderList());
  wireSheet();
  $("timeline-play").addEventListener("click", () => (playTimer ? stopPlay() : startPlay()));
  $("heatmap").addEventListener("change", () => setHeatmap($("heatmap").checked));
  // The events are asked for at once; they are drawn when the map has loaded.
  refresh();
  await createMap();
  mapReady.then(() => {
    map.getCanvas().setAttribute("aria-label", "Map of conflict events. Arrow keys pan, plus and minus zoom.");
    document.body.dataset.mapReady = "true";
  });
}

main();
