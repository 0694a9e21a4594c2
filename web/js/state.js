// The page's state and its URL hash form, so that a link opens the same view and filters.
//
//   #map=5.20/50.1000/33.5000&from=2022-10-01&to=2022-10-31&types=shelling,air_drone_strike
//    &actor=Russian+forces&country=UA&conf=0.5&q=bridge&lang=uk&event=<id>&tiles=1
//
// Anything left out takes its default: all dates, all types, any actor, confidence 0, no words,
// and the map choosing points or tiles by the number of events (`tiles=1` forces the tiles,
// `tiles=0` the points).

import { HOME } from "./config.js";

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const LANGS = new Set(["en", "uk", "ru"]);

export function defaultState() {
  return {
    view: { ...HOME },
    from: "",
    to: "",
    /** null means every type; a Set lists the checked ones (possibly none). */
    types: null,
    actor: "",
    country: "",
    conf: 0,
    q: "",
    lang: "en",
    event: "",
    /** "" lets the map choose points or tiles; "1" forces the tiles, "0" the points. */
    tiles: "",
  };
}

export function parseHash(hash) {
  const state = defaultState();
  const params = new URLSearchParams(String(hash ?? "").replace(/^#/, ""));
  const view = (params.get("map") ?? "").split("/").map(Number);
  if (view.length === 3 && view.every(Number.isFinite)) {
    state.view = { zoom: view[0], lat: view[1], lon: view[2] };
  }
  const from = params.get("from") ?? "";
  const to = params.get("to") ?? "";
  if (DATE.test(from)) state.from = from;
  if (DATE.test(to)) state.to = to;
  if (params.has("types")) {
    state.types = new Set(
      params
        .get("types")
        .split(",")
        .map((t) => t.trim())
        .filter(Boolean),
    );
  }
  state.actor = params.get("actor") ?? "";
  const country = (params.get("country") ?? "").toUpperCase();
  if (/^[A-Z]{2}$/.test(country)) state.country = country;
  const conf = Number(params.get("conf"));
  if (Number.isFinite(conf) && conf > 0 && conf <= 1) state.conf = conf;
  state.q = params.get("q") ?? "";
  const lang = params.get("lang");
  if (LANGS.has(lang)) state.lang = lang;
  state.event = params.get("event") ?? "";
  state.tiles = parseTiles(params.get("tiles"));
  return state;
}

/** The `tiles` switch of a hash or a query string: "1", "0" or "" (choose by the count). */
export function parseTiles(value) {
  return value === "1" || value === "0" ? value : "";
}

export function formatHash(state) {
  const params = new URLSearchParams();
  const { zoom, lat, lon } = state.view;
  params.set("map", `${zoom.toFixed(2)}/${lat.toFixed(4)}/${lon.toFixed(4)}`);
  if (state.from) params.set("from", state.from);
  if (state.to) params.set("to", state.to);
  if (state.types) params.set("types", [...state.types].sort().join(","));
  if (state.actor) params.set("actor", state.actor);
  if (state.country) params.set("country", state.country);
  if (state.conf > 0) params.set("conf", String(state.conf));
  if (state.q) params.set("q", state.q);
  if (state.lang !== "en") params.set("lang", state.lang);
  if (state.event) params.set("event", state.event);
  if (state.tiles) params.set("tiles", state.tiles);
  // Keep slashes and commas readable in the address bar.
  return "#" + params.toString().replaceAll("%2F", "/").replaceAll("%2C", ",");
}
