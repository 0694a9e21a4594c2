// The server's API, same origin. URLs are relative so that the page also works below a prefix.

import { EVENT_LIMIT } from "./config.js";

/**
 * The query parameters the events, stats and export endpoints share.
 * `omit` drops some of them (the timeline asks for stats over all dates).
 * Returns null when the filters can match nothing (no event type checked).
 */
export function filterParams(state, { omit = [] } = {}) {
  const params = new URLSearchParams();
  if (!omit.includes("datetime") && (state.from || state.to)) {
    const start = state.from ? `${state.from}T00:00:00Z` : "..";
    const end = state.to ? `${state.to}T23:59:59Z` : "..";
    params.set("datetime", `${start}/${end}`);
  }
  if (!omit.includes("event_type") && state.types) {
    if (state.types.size === 0) return null;
    params.set("event_type", [...state.types].sort().join(","));
  }
  if (state.actor) params.set("actor", state.actor);
  if (state.country) params.set("country", state.country);
  if (state.conf > 0) params.set("min_confidence", String(state.conf));
  if (state.q.trim()) params.set("q", state.q.trim());
  return params;
}

function withQuery(path, params) {
  const query = params?.toString();
  return query ? `${path}?${query}` : path;
}

export function eventsUrl(params) {
  const all = new URLSearchParams(params);
  all.set("limit", String(EVENT_LIMIT));
  all.set("offset", "0");
  return withQuery("api/events", all);
}

export function statsUrl(params) {
  return withQuery("api/stats", params);
}

export function exportUrl(format, params) {
  return withQuery(`api/export.${format}`, params);
}

async function getJson(url, signal) {
  const response = await fetch(url, { signal, headers: { Accept: "application/json, application/geo+json" } });
  if (!response.ok) throw new Error(await errorMessage(response));
  return response.json();
}

async function errorMessage(response) {
  let detail = "";
  try {
    const body = await response.json();
    detail = typeof body?.message === "string" ? body.message : "";
  } catch {
    // Not JSON: the status says enough.
  }
  return `${response.status} ${response.statusText}${detail ? `: ${detail}` : ""}`;
}

/** Every matching event as compact rows (no text): `{columns, rows, count}`. */
export function pointsUrl(params) {
  return withQuery("api/points", params);
}

export function fetchPoints(params, signal) {
  return getJson(pointsUrl(params), signal);
}

export function fetchEvents(params, signal) {
  return getJson(eventsUrl(params), signal);
}

export function fetchStats(params, signal) {
  return getJson(statsUrl(params), signal);
}

/** The store's size: `{events, articles, status}`. */
export function fetchHealth(signal) {
  return getJson("health", signal);
}

/**
 * The vector tiles of the events with these filters, as a MapLibre `tiles` template. It is
 * absolute: MapLibre's worker fetches the tiles, and a relative URL would resolve against it.
 */
export function tilesUrl(params) {
  const base = new URL("tiles/events/", document.baseURI).href;
  return withQuery(`${base}{z}/{x}/{y}.mvt`, params);
}

/** The latest `limit` events with these filters, within `bbox` [west, south, east, north] when given. */
export function listUrl(params, { bbox = null, limit }) {
  const all = new URLSearchParams(params);
  if (bbox) all.set("bbox", bbox.map((v) => v.toFixed(5)).join(","));
  all.set("limit", String(limit));
  return withQuery("api/events", all);
}

export function fetchList(url, signal) {
  return getJson(url, signal);
}

/** Events within `radiusKm` of a point, nearest first (each with properties.distance_km). */
export function nearUrl(params, { lat, lon, radiusKm, limit = 500 }) {
  const all = new URLSearchParams(params);
  all.set("lat", lat.toFixed(5));
  all.set("lon", lon.toFixed(5));
  all.set("radius_km", String(radiusKm));
  all.set("limit", String(limit));
  return withQuery("api/events/near", all);
}

export function fetchNear(url, signal) {
  return getJson(url, signal);
}

export function fetchEvent(id, signal) {
  return getJson(`api/events/${encodeURIComponent(id)}`, signal);
}

export function fetchPlaces(q, signal) {
  const params = new URLSearchParams({ q, limit: "10" });
  return getJson(`api/places?${params}`, signal);
}

export async function postArticle(article, token) {
  const response = await fetch("api/articles", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify(article),
  });
  if (!response.ok) throw new Error(await errorMessage(response));
  return response.json();
}
