// Browser test of the border map against a running `borderwatch serve`.
//
//   BW_URL=http://127.0.0.1:8080 node --test web/test/map.test.mjs
//
// Drives Debian's Chromium (/usr/bin/chromium, override with BW_CHROMIUM) through playwright-core
// with a fresh profile. Chromium resolves no host but 127.0.0.1/localhost, and every request is
// recorded, so a page that reaches anywhere else fails. A screenshot goes to target/map.png.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const SCREENSHOT = join(ROOT, "target", "map.png");
const CHROMIUM = process.env.BW_CHROMIUM || "/usr/bin/chromium";
const BASE = (process.env.BW_URL || "").replace(/\/+$/, "");
const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);
const attr = (value) => String(value).replace(/["\\]/g, "\\$&");

if (!BASE) {
  console.error("BW_URL is not set: start `borderwatch serve` and run e.g. BW_URL=http://127.0.0.1:8080 node --test web/test/map.test.mjs");
  process.exit(2);
}

let context;
let page;
let profile;
const requests = [];
/** Every answer the browser got (page and workers): `{url, status}`. */
const responses = [];
const consoleErrors = [];

async function api(path) {
  const response = await fetch(`${BASE}/${path.replace(/^\//, "")}`);
  assert.ok(response.ok, `GET ${path} answered ${response.status}`);
  return response.json();
}

/** Waits until the page has applied its latest filters, and returns the count it shows. */
async function settledCount() {
  await page.waitForSelector("#event-count[data-count]:not([data-loading])", { state: "attached", timeout: 30000 });
  const count = Number(await page.getAttribute("#event-count", "data-count"));
  const query = await page.getAttribute("#event-count", "data-query");
  return { count, query };
}

/** Waits until the count differs from `before` (or the page settled again after a change). */
async function countAfter(change) {
  const marker = await page.evaluate(() => document.getElementById("event-count").dataset.query ?? "");
  await change();
  await page.waitForFunction(
    (old) => {
      const el = document.getElementById("event-count");
      return !el.dataset.loading && el.dataset.count !== undefined && (el.dataset.query ?? "") !== old;
    },
    marker,
    { timeout: 30000 },
  );
  return settledCount();
}

async function mapIdle() {
  await page.evaluate(
    () =>
      new Promise((resolve) => {
        const map = window.borderwatch.map;
        if (map.loaded() && !map.isMoving()) {
          map.once("idle", resolve);
          map.triggerRepaint();
        } else map.once("idle", resolve);
      }),
  );
}

async function loadPage(url) {
  await page.goto(url, { waitUntil: "load" });
  await page.waitForSelector("body[data-map-ready]", { state: "attached", timeout: 30000 });
  return settledCount();
}

before(async () => {
  profile = mkdtempSync(join(tmpdir(), "borderwatch-chromium-"));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1280, height: 800 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      // Nothing but the local server resolves: a request for any other host fails loudly.
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
    ],
  });
  context.on("request", (request) => requests.push({ url: request.url(), type: request.resourceType() }));
  context.on("response", (response) => responses.push({ url: response.url(), status: response.status() }));
  context.on("weberror", (error) => consoleErrors.push(`page error: ${error.error().message}`));
  page = context.pages()[0] ?? (await context.newPage());
  // The events the map draws: the page keeps every row of its dataset in the "events" source and
  // draws them with one circle layer per event type ("events-points-<type>", "events-points" for
  // unlisted types), dates in the layers' filters, a type hidden by opacity 0. So these are the
  // source's features that pass the filter of a layer that is drawn, as MapLibre's own filter
  // code (the layer's compiled filter) decides. (Below zoom 7 the dots of js/dots.js draw the
  // same rows with the same type and date filters, as shader uniforms.)
  await page.addInitScript(() => {
    window.__drawnEvents = async () => {
      const map = window.borderwatch.map;
      const data = await map.getSource("events").getData();
      const globals = { zoom: map.getZoom() };
      const layers = map
        .getStyle()
        .layers.filter((l) => l.type === "circle" && l.source === "events" && l.id.startsWith("events-points"))
        .filter((l) => map.getLayoutProperty(l.id, "visibility") !== "none" && map.getPaintProperty(l.id, "circle-opacity") !== 0)
        .map((l) => map.getLayer(l.id)._featureFilter);
      return data.features.filter((f) => layers.some((filter) => filter.filter(globals, { type: 1, properties: f.properties, id: f.id })));
    };
  });
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(`console: ${message.text()} (${message.location()?.url ?? ""})`);
  });
  page.on("worker", (worker) => {
    worker.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(`worker console: ${message.text()}`);
    });
  });
});

after(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

test("the page loads with no console errors and no request leaving 127.0.0.1", async () => {
  await loadPage(`${BASE}/`);
  await mapIdle();
  const remote = requests.map((r) => r.url).filter((url) => {
    const parsed = new URL(url);
    if (parsed.protocol === "data:" || parsed.protocol === "blob:") return false;
    return !LOCAL_HOSTS.has(parsed.hostname);
  });
  assert.deepEqual(remote, [], `requests left the machine:\n${remote.join("\n")}`);
  assert.deepEqual(consoleErrors, [], `console errors:\n${consoleErrors.join("\n")}`);
  // MapLibre fetches the style's font-faces itself (the page's CSS loads the same files as "font").
  const mapFonts = requests.filter((r) => r.type === "fetch" && /\/vendor\/fonts\/[^/]+\.woff2$/.test(r.url));
  assert.ok(mapFonts.length > 0, "MapLibre fetched no woff2 from /vendor/fonts/: the map labels are not drawn from the style's font-faces");
});

test("the map canvas renders and the basemap layers are present", async () => {
  const canvas = await page.$("#map canvas.maplibregl-canvas");
  assert.ok(canvas, "no MapLibre canvas in #map");
  const box = await canvas.boundingBox();
  assert.ok(box && box.width > 200 && box.height > 200, `map canvas too small: ${JSON.stringify(box)}`);
  const layers = await page.evaluate(() => {
    const map = window.borderwatch.map;
    const rendered = (id) => map.queryRenderedFeatures({ layers: [id] }).length;
    return {
      ids: map.getStyle().layers.map((l) => l.id),
      countries: rendered("countries-fill"),
      borders: rendered("borders-line"),
      regions: rendered("regions-line"),
      water: rendered("rivers") + rendered("lakes"),
      labels: rendered("country-labels"),
      towns: rendered("city-dots-major"),
    };
  });
  for (const id of ["countries-fill", "borders-line", "regions-line", "rivers", "lakes", "country-labels", "region-labels", "city-labels-major", "events-points"]) {
    assert.ok(layers.ids.includes(id), `style has no layer ${id}`);
  }
  assert.ok(layers.countries > 0, "no country polygon is drawn");
  assert.ok(layers.borders > 0, "no border line is drawn");
  assert.ok(layers.regions > 0, "no region boundary is drawn");
  assert.ok(layers.water > 0, "no river or lake is drawn");
  assert.ok(layers.labels > 0, "no country label is drawn");
  assert.ok(layers.towns > 0, "no town is drawn");
  // The canvas really has a picture: many distinct colours, not a blank fill.
  const colours = await page.evaluate(async () => {
    const map = window.borderwatch.map;
    const source = map.getCanvas();
    const copy = document.createElement("canvas");
    copy.width = 200;
    copy.height = 200;
    await new Promise((resolve) => {
      map.once("render", () => {
        copy.getContext("2d").drawImage(source, 0, 0, 200, 200);
        resolve();
      });
      map.triggerRepaint();
    });
    const data = copy.getContext("2d").getImageData(0, 0, 200, 200).data;
    const seen = new Set();
    for (let i = 0; i < data.length; i += 4) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
    return seen.size;
  });
  assert.ok(colours > 20, `the map canvas looks blank (${colours} colours)`);
});

test("the events shown are the events /api/events returns for the same filters", async () => {
  const { count, query } = await settledCount();
  assert.ok(query && query.startsWith("api/events"), `the page does not say which query it showed (${query})`);
  const answer = await api(query);
  assert.equal(count, answer.numberMatched, `page shows ${count} events, ${query} matches ${answer.numberMatched}`);
  const plain = await api("api/events?limit=1");
  assert.equal(count, plain.numberMatched, "with no filter the page should show every event the API has");
  // The map is drawn from /api/points: every matching event, as compact rows.
  const points = await api("api/points");
  assert.equal(points.rows.length, plain.numberMatched, "/api/points does not hold every event");
  assert.ok(requests.some((r) => /\/api\/points(\?|$)/.test(r.url)), "the page did not load /api/points");
  const onMap = await page.evaluate(async () => (await window.__drawnEvents()).length);
  assert.equal(onMap, answer.numberMatched, `the map draws ${onMap} events, the API matches ${answer.numberMatched}`);
  assert.ok(count > 0, "the server has no events: ingest the examples first (borderwatch ingest --db … examples/articles/)");
  mkdirSync(dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT });
});

test("unchecking an event type reduces the count", async () => {
  const points = await api("api/points");
  const typeAt = points.columns.indexOf("event_type");
  const byType = new Map();
  for (const row of points.rows) byType.set(row[typeAt], (byType.get(row[typeAt]) ?? 0) + 1);
  const [type, n] = [...byType].sort((a, b) => b[1] - a[1])[0];
  const before = (await settledCount()).count;
  const after = await countAfter(() => page.uncheck(`#types input[value="${type}"]`));
  assert.equal(after.count, before - n, `unchecking ${type} (${n} events) went from ${before} to ${after.count}`);
  assert.ok(after.count < before, "the count did not go down");
  const answer = await api(after.query);
  assert.equal(after.count, answer.numberMatched, `page shows ${after.count}, ${after.query} matches ${answer.numberMatched}`);
  assert.match(await page.evaluate(() => location.hash), /[#&]types=/, "the hash does not record the unchecked type");
  await countAfter(() => page.click("#types-all"));
});

test("clicking a rendered event opens the panel with the API's evidence, as text", async () => {
  const all = await api("api/events?limit=5000");
  // Inside the map's bounds (lon 14..50, lat 40..62), and with markup-like evidence if there is one.
  const inside = all.features.filter(({ geometry: { coordinates: [x, y] } }) => x > 14.5 && x < 49.5 && y > 40.5 && y < 61.5);
  const target = inside.find((f) => /[<>&]/.test(f.properties.evidence ?? "")) ?? inside.find((f) => f.properties.evidence);
  assert.ok(target, "no event with evidence to click");
  const id = String(target.id ?? target.properties.id);
  const detail = await api(`api/events/${encodeURIComponent(id)}`);
  const [lon, lat] = target.geometry.coordinates;
  await page.evaluate(([x, y]) => window.borderwatch.map.jumpTo({ center: [x, y], zoom: 11 }), [lon, lat]);
  await mapIdle();
  const point = await page.evaluate(([x, y]) => window.borderwatch.map.project([x, y]), [lon, lat]);
  const canvas = await (await page.$("#map canvas.maplibregl-canvas")).boundingBox();
  await page.mouse.click(canvas.x + point.x, canvas.y + point.y);
  await page.waitForSelector("#panel:not([hidden])", { timeout: 10000 });
  const pick = await page.$(`#panel .pick[data-id="${attr(id)}"]`);
  if (pick) await pick.click();
  const evidence = await page.waitForSelector(`#panel .event-card[data-id="${attr(id)}"] [data-role=evidence]`, { timeout: 10000 });
  assert.equal(await evidence.textContent(), detail.properties.evidence, "the panel's evidence differs from the API's");
  // The only element inside the evidence is the highlighted place, and it holds the place as written.
  const children = await evidence.evaluate((node) => [...node.children].map((child) => ({ tag: child.tagName, role: child.dataset.role, text: child.textContent, elements: child.childElementCount })));
  assert.ok(children.length <= 1, `the evidence was parsed as HTML: ${JSON.stringify(children)}`);
  for (const child of children) {
    assert.deepEqual([child.tag, child.role, child.elements], ["MARK", "place", 0], `the evidence was parsed as HTML: ${JSON.stringify(children)}`);
    assert.equal(child.text, detail.properties.place, "the highlighted place is not the event's place as written");
  }
  const injected = await page.evaluate(() => ({
    tags: [...document.querySelectorAll("#panel-body img, #panel-body script, #panel-body iframe, #panel-body b, #panel-body i, #panel-body svg")].map((n) => n.tagName),
    pwned: window.__pwned ?? null,
  }));
  assert.deepEqual(injected.tags, [], "article HTML was rendered in the panel");
  assert.equal(injected.pwned, null, "script in article text ran");
  const hash = await page.evaluate(() => location.hash);
  assert.equal(new URLSearchParams(hash.slice(1)).get("event"), id, `the hash does not record the open event: ${hash}`);
  await page.click("#panel-close");
  await page.waitForSelector("#panel[hidden]", { state: "attached", timeout: 5000 });
});

test('the place search for "Belgorod" flies the map near 50.6N 36.6E', async () => {
  await page.evaluate(() => window.borderwatch.map.jumpTo({ center: [30, 48], zoom: 5 }));
  await page.fill("#place-input", "Belgorod");
  await page.waitForSelector("#place-list [role=option]:not([aria-disabled])", { timeout: 10000 });
  await page.press("#place-input", "Enter");
  await page.waitForFunction(
    () => {
      const map = window.borderwatch.map;
      const c = map.getCenter();
      return !map.isMoving() && Math.abs(c.lat - 50.6) < 0.25 && Math.abs(c.lng - 36.6) < 0.25;
    },
    null,
    { timeout: 15000 },
  );
  const hash = await page.evaluate(() => location.hash);
  const [, lat, lon] = /map=[\d.]+\/([\d.-]+)\/([\d.-]+)/.exec(hash) ?? [];
  assert.ok(Math.abs(Number(lat) - 50.6) < 0.25 && Math.abs(Number(lon) - 36.6) < 0.25, `the hash says ${hash}`);
});

test("a near-search at Belgorod (50 km) lists the API's events nearest first", async () => {
  await page.evaluate(() => window.borderwatch.map.jumpTo({ center: [36.6, 50.6], zoom: 8 }));
  await mapIdle();
  await page.selectOption("#near-radius", "50");
  await page.click("#near-toggle");
  assert.equal(await page.getAttribute("#near-toggle", "aria-pressed"), "true");
  const point = await page.evaluate(() => window.borderwatch.map.project([36.6, 50.6]));
  const canvas = await (await page.$("#map canvas.maplibregl-canvas")).boundingBox();
  await page.mouse.click(canvas.x + point.x, canvas.y + point.y);
  await page.waitForSelector("#near-status[data-count]:not([data-loading])", { state: "attached", timeout: 15000 });
  const query = await page.getAttribute("#near-status", "data-query");
  assert.ok(query.startsWith("api/events/near?"), `the near-search asked ${query}`);
  const params = new URLSearchParams(query.split("?")[1]);
  assert.equal(params.get("radius_km"), "50");
  assert.ok(Math.abs(Number(params.get("lat")) - 50.6) < 0.02 && Math.abs(Number(params.get("lon")) - 36.6) < 0.02, `searched at ${query}`);
  const answer = await api(query);
  const listed = await page.$$eval("#near-list li", (rows) => rows.map((r) => ({ id: r.dataset.id, km: Number(r.dataset.distance) })));
  assert.ok(listed.length > 0, "no event listed near Belgorod");
  assert.deepEqual(listed.map((r) => r.id), answer.features.map((f) => String(f.id ?? f.properties.id)), "the list's order differs from the API's");
  for (let i = 1; i < listed.length; i++) assert.ok(listed[i].km >= listed[i - 1].km, `distances not ascending at row ${i}`);
  assert.ok(listed.every((r) => r.km <= 50), "an event beyond 50 km is listed");
  // The circle is drawn as a polygon layer.
  const circle = await page.evaluate(async () => {
    const map = window.borderwatch.map;
    const data = await map.getSource("near-circle").getData();
    return { type: data.features[0]?.geometry?.type, layer: Boolean(map.getLayer("near-circle-fill")) };
  });
  assert.deepEqual(circle, { type: "Polygon", layer: true });
  await page.click("#near-clear");
  await page.click("#near-toggle");
  assert.equal(await page.getAttribute("#near-toggle", "aria-pressed"), "false");
});

test("the event list follows the view, and a row flies to its event and opens it", async () => {
  await page.check("#list-in-view");
  await page.evaluate(() => window.borderwatch.map.jumpTo({ center: [36.6, 50.6], zoom: 8 }));
  await mapIdle();
  const expected = await page.evaluate(async () => {
    const map = window.borderwatch.map;
    const bounds = map.getBounds();
    return (await window.__drawnEvents()).filter((f) => bounds.contains(f.geometry.coordinates)).map((f) => String(f.properties.id)).sort();
  });
  const listed = await page.$$eval("#event-list button", (rows) => rows.map((r) => r.dataset.id).sort());
  assert.ok(expected.length > 0, "no event in view at Belgorod");
  assert.deepEqual(listed, expected, "the list is not the events in view");
  const id = listed[0];
  await page.click(`#event-list button[data-id="${attr(id)}"]`);
  await page.waitForSelector(`#panel:not([hidden]) .event-card[data-id="${attr(id)}"]`, { timeout: 10000 });
  await page.waitForFunction(() => !window.borderwatch.map.isMoving(), null, { timeout: 15000 });
  await page.click("#panel-close");
  await page.waitForSelector("#panel[hidden]", { state: "attached", timeout: 5000 });
  // Zoomed out to the whole region the list holds every event again.
  await page.evaluate(() => window.borderwatch.map.jumpTo({ center: [32, 51], zoom: 3 }));
  await mapIdle();
  await page.uncheck("#list-in-view");
  const all = await page.$$eval("#event-list button", (rows) => rows.length);
  const total = await page.evaluate(async () => (await window.__drawnEvents()).length);
  assert.equal(all, Math.min(total, 200));
});

test("the heat-map toggle swaps the event circles for a heatmap layer over the same source", async () => {
  await page.check("#heatmap");
  const on = await page.evaluate(() => {
    const map = window.borderwatch.map;
    const layer = map.getLayer("events-heat");
    return { type: layer?.type, source: layer?.source, heat: map.getLayoutProperty("events-heat", "visibility"), points: map.getLayoutProperty("events-points", "visibility") };
  });
  assert.deepEqual(on, { type: "heatmap", source: "events", heat: "visible", points: "none" });
  await mapIdle();
  await page.uncheck("#heatmap");
  const off = await page.evaluate(() => ({
    heat: window.borderwatch.map.getLayoutProperty("events-heat", "visibility"),
    points: window.borderwatch.map.getLayoutProperty("events-points", "visibility"),
  }));
  assert.deepEqual(off, { heat: "none", points: "visible" });
});

test("a time range from the date inputs shows the API's count for that interval", async () => {
  const stats = await api("api/stats");
  const dates = [...new Set((stats.days ?? []).map((d) => d.date))].sort();
  assert.ok(dates.length >= 2, "too few days with events");
  const from = dates[Math.floor(dates.length / 4)];
  const to = dates[Math.floor((3 * dates.length) / 4)];
  const after = await countAfter(async () => {
    await page.fill("#date-from", from);
    await page.dispatchEvent("#date-from", "change");
    await page.fill("#date-to", to);
    await page.dispatchEvent("#date-to", "change");
  });
  await page.waitForFunction((t) => document.getElementById("event-count").dataset.query.includes(encodeURIComponent(`${t}T23:59:59Z`)), to, { timeout: 10000 });
  const settled = await settledCount();
  const interval = `${from}T00:00:00Z/${to}T23:59:59Z`;
  const answer = await api(`api/events?limit=5000&datetime=${encodeURIComponent(interval)}`);
  assert.equal(settled.count, answer.numberMatched, `page shows ${settled.count} for ${interval}, the API matches ${answer.numberMatched}`);
  assert.equal(new URLSearchParams(settled.query.split("?")[1]).get("datetime"), interval);
  assert.ok(after.count > 0);
});

test("the play button steps the time window through the period", async () => {
  const froms = new Set();
  await page.click("#timeline-play");
  assert.equal(await page.getAttribute("#timeline-play", "aria-pressed"), "true");
  await page.waitForFunction(
    () => {
      const seen = (window.__playFroms ??= new Set());
      seen.add(document.getElementById("date-from").value);
      return seen.size >= 3;
    },
    null,
    { timeout: 15000, polling: 100 },
  );
  for (const f of await page.evaluate(() => [...window.__playFroms])) froms.add(f);
  await page.click("#timeline-play");
  assert.equal(await page.getAttribute("#timeline-play", "aria-pressed"), "false");
  const steps = [...froms].filter(Boolean).sort();
  assert.ok(steps.length >= 2, `the window did not move: ${steps}`);
  // Paused, the page shows what the API returns for the window it stopped at.
  await page.waitForTimeout(300);
  const { count, query } = await settledCount();
  const answer = await api(query);
  assert.equal(count, answer.numberMatched);
  assert.ok(new URLSearchParams(query.split("?")[1]).get("datetime"), "no time window applied while playing");
});

test("the GeoJSON export button downloads the events matching the filters", async () => {
  const { query } = await settledCount();
  const filters = new URLSearchParams(query.split("?")[1]);
  filters.delete("limit");
  filters.delete("offset");
  const answer = await api(`api/events?limit=1&${filters}`);
  const [download] = await Promise.all([page.waitForEvent("download", { timeout: 15000 }), page.click("#export-geojson")]);
  const file = await download.path();
  const exported = JSON.parse(readFileSync(file, "utf8"));
  assert.equal(exported.type, "FeatureCollection");
  assert.equal(exported.features.length, answer.numberMatched, `the export holds ${exported.features.length} features, /api/events matches ${answer.numberMatched}`);
  await countAfter(() => page.click("#dates-clear"));
});

test("the country filter shows the API's count for that country", async () => {
  await countAfter(async () => {
    await page.selectOption("#country", "RU");
  });
  await page.waitForFunction(() => document.getElementById("event-count").dataset.query.includes("country=RU"), null, { timeout: 10000 });
  const settled = await settledCount();
  const answer = await api(settled.query);
  assert.equal(settled.count, answer.numberMatched, `page shows ${settled.count} for ${settled.query}, the API matches ${answer.numberMatched}`);
  assert.ok((answer.features ?? []).every((f) => f.properties.country_code === "RU"), "an event outside Russia passed the filter");
  await countAfter(async () => {
    await page.selectOption("#country", "");
  });
});

test("the URL hash keeps the filters across a reload", async () => {
  const stats = await api("api/stats");
  const dates = (stats.days ?? []).map((d) => d.date).sort();
  const from = dates[0] ?? "2022-01-01";
  const to = dates[Math.floor((dates.length - 1) / 2)] ?? "2022-12-31";
  const firstType = await page.getAttribute("#types li:first-child input", "value");
  await page.fill("#date-from", from);
  await page.fill("#date-to", to);
  await page.dispatchEvent("#date-to", "change");
  await page.uncheck(`#types input[value="${firstType}"]`);
  const actors = await page.$$eval("#actor option", (options) => options.map((o) => o.value).filter(Boolean));
  if (actors.length) await page.selectOption("#actor", actors[0]);
  await page.fill("#text-query", "the");
  await page.$eval("#confidence", (input) => {
    input.value = "0.3";
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });
  await page.waitForFunction(() => /[#&]conf=0\.3/.test(location.hash) && /[#&]q=the/.test(location.hash), null, { timeout: 10000 });
  const before = await settledCount();
  const hash = await page.evaluate(() => location.hash);
  const inputs = () =>
    page.evaluate(() => ({
      from: document.getElementById("date-from").value,
      to: document.getElementById("date-to").value,
      unchecked: [...document.querySelectorAll("#types input:not(:checked)")].map((b) => b.value),
      actor: document.getElementById("actor").value,
      q: document.getElementById("text-query").value,
      conf: document.getElementById("confidence").value,
    }));
  const wanted = await inputs();
  assert.deepEqual(wanted.unchecked, [firstType]);

  const after = await loadPage(page.url());
  assert.deepEqual(await inputs(), wanted, "the filters after the reload differ");
  assert.equal(await page.evaluate(() => location.hash), hash, "the hash changed across the reload");
  assert.equal(after.query, before.query, "the page asked the API something else after the reload");
  const answer = await api(after.query);
  assert.equal(after.count, answer.numberMatched, `page shows ${after.count}, ${after.query} matches ${answer.numberMatched}`);
  const params = new URLSearchParams(after.query.split("?")[1]);
  assert.equal(params.get("datetime"), `${from}T00:00:00Z/${to}T23:59:59Z`);
  assert.ok(!params.get("event_type").split(",").includes(firstType), "the unchecked type is still asked for");
  assert.equal(params.get("min_confidence"), "0.3");
  assert.equal(params.get("q"), "the");
  assert.deepEqual(consoleErrors, [], `console errors:\n${consoleErrors.join("\n")}`);
});

test("on a phone (390x844) the event list is a bottom sheet that opens and lists the events", async () => {
  await page.setViewportSize({ width: 390, height: 844 });
  try {
    // A query string makes this a fresh page load, not a hash change of the page before.
    await loadPage(`${BASE}/?phone#map=5.00/50.0000/33.0000`);
    await mapIdle();
    const sheet = await page.$("#list-sheet");
    const closed = await sheet.boundingBox();
    assert.ok(closed && closed.height < 80 && closed.y + closed.height >= 840, `the closed sheet is not a bar at the foot: ${JSON.stringify(closed)}`);
    assert.equal(await page.$eval("#list-section", (node) => node.parentElement.id), "sheet-body", "the list is not in the sheet");
    assert.equal(await page.isVisible("#sidebar"), false, "the filters are not in a drawer");
    await page.click("#sheet-toggle");
    assert.equal(await page.getAttribute("#sheet-toggle", "aria-expanded"), "true");
    await page.waitForFunction(() => document.getElementById("list-sheet").getBoundingClientRect().height > 300, null, { timeout: 5000 });
    await page.check("#list-in-view");
    const rows = await page.$$eval("#event-list button", (buttons) => buttons.filter((b) => b.getBoundingClientRect().height > 0).map((b) => b.dataset.id));
    const inView = await page.evaluate(async () => {
      const map = window.borderwatch.map;
      const bounds = map.getBounds();
      return (await window.__drawnEvents()).filter((f) => bounds.contains(f.geometry.coordinates)).length;
    });
    assert.ok(inView > 0, "no event in view on the phone");
    assert.equal(rows.length, Math.min(inView, 200), "the sheet does not list the events in view");
    assert.ok(await page.isVisible(`#event-list button[data-id="${attr(rows[0])}"]`), "the first row is not visible in the open sheet");
    await page.click(`#event-list button[data-id="${attr(rows[0])}"]`);
    await page.waitForSelector(`#panel:not([hidden]) .event-card[data-id="${attr(rows[0])}"]`, { timeout: 10000 });
    await page.click("#panel-close");
    await page.click("#sheet-toggle");
    assert.equal(await page.getAttribute("#sheet-toggle", "aria-expanded"), "false");
    assert.deepEqual(consoleErrors, [], `console errors:\n${consoleErrors.join("\n")}`);
  } finally {
    await page.setViewportSize({ width: 1280, height: 800 });
  }
});

// ---------------------------------------------------------------------------------------------
// The tile path: `?tiles=1` forces the vector tiles of /tiles/events that the page draws past
// TILE_THRESHOLD events (web/js/config.js), so that the sample store exercises it too.

const TILE_URL = /\/tiles\/events\/(\d+)\/(\d+)\/(\d+)\.mvt(\?|$)/;
const tileAnswers = (since) => responses.slice(since).filter((r) => TILE_URL.test(r.url));
const tileParams = (url) => new URL(url).searchParams;

/** Waits until the page marks its latest filters drawn from the tiles; returns what it says. */
async function tilesDrawn() {
  const marks = () => page.evaluate(() => ({ ...document.body.dataset, tiles: window.borderwatch.map.getSource("events-tiles")?.tiles ?? null }));
  try {
    await page.waitForFunction(() => document.body.dataset.eventsDrawn !== undefined && document.body.dataset.tileFeatures !== undefined, null, { timeout: 30000 });
  } catch (error) {
    assert.fail(`the page never marked its filters drawn from the tiles (${error.message}); it says ${JSON.stringify(await marks())}`);
  }
  return marks();
}

/** The features the map renders from the tile layer (in `box` or the whole view). */
function renderedTileFeatures(box = null) {
  return page.evaluate((b) => {
    const map = window.borderwatch.map;
    const features = b ? map.queryRenderedFeatures(b, { layers: ["events-tiles"] }) : map.queryRenderedFeatures({ layers: ["events-tiles"] });
    return features.map((f) => ({
      source: f.source,
      sourceLayer: f.sourceLayer,
      properties: f.properties,
      color: f.layer.paint?.["circle-color"]?.toString?.() ?? null,
    }));
  }, box);
}

async function commonestType() {
  const stats = await api("api/stats");
  const byType = new Map();
  for (const d of stats.days) byType.set(d.event_type, (byType.get(d.event_type) ?? 0) + d.count);
  return [...byType].sort((a, b) => b[1] - a[1])[0];
}

test("with tiles forced the map draws the events from /tiles/events, not /api/points", async () => {
  const since = responses.length;
  const sinceRequests = requests.length;
  const { count, query } = await loadPage(`${BASE}/?tiles=1#map=4.60/50.2000/33.5000`);
  const marks = await tilesDrawn();
  assert.equal(marks.eventsSource, "tiles", "the page did not take the tile path");
  const answers = tileAnswers(since);
  assert.ok(answers.length > 0, "no .mvt tile was requested");
  const failed = answers.filter((r) => r.status !== 200);
  assert.deepEqual(failed, [], `tiles not answered 200:\n${failed.map((r) => `${r.status} ${r.url}`).join("\n")}`);
  const points = requests.slice(sinceRequests).filter((r) => /\/api\/points(\?|$)/.test(r.url));
  assert.deepEqual(points, [], "the tile path downloaded /api/points");
  const answer = await api(query);
  assert.equal(count, answer.numberMatched, `page shows ${count} events, ${query} matches ${answer.numberMatched}`);
  assert.equal(Number(marks.eventsShown), answer.numberMatched);

  const features = await renderedTileFeatures();
  assert.ok(features.length > 0, "the tile layer renders no feature");
  assert.equal(Number(marks.tileFeatures), features.length, "body[data-tile-features] is not what the map renders");
  for (const f of features) assert.deepEqual([f.source, f.sourceLayer], ["events-tiles", "events"], "a rendered event does not come from the tile source");
  // The whole sample is in view: the cells and events rendered hold every event once.
  const held = features.reduce((sum, f) => sum + Number(f.properties.count), 0);
  assert.equal(held, answer.numberMatched, `the rendered tile features hold ${held} events, the API matches ${answer.numberMatched}`);
  // Coloured by type with the points' colours (web/js/config.js).
  const colors = await page.evaluate(async () => {
    const { EVENT_TYPES, OTHER_COLOR } = await import("./js/config.js");
    return { types: Object.fromEntries(EVENT_TYPES.map((t) => [t.id, t.color])), other: OTHER_COLOR };
  });
  const hex = (css) => {
    const [r, g, b] = (css.match(/[\d.]+/g) ?? []).map(Number);
    const max = Math.max(r, g, b);
    const scale = max <= 1 ? 255 : 1;
    return `#${[r, g, b].map((v) => Math.round(v * scale).toString(16).padStart(2, "0")).join("")}`;
  };
  const colored = features.filter((f) => f.color);
  assert.ok(colored.length > 0, "rendered tile features carry no evaluated circle-color");
  for (const f of colored) {
    assert.equal(hex(f.color), colors.types[f.properties.event_type] ?? colors.other, `a ${f.properties.event_type} circle is drawn ${f.color}`);
  }
  assert.deepEqual(consoleErrors, [], `console errors:\n${consoleErrors.join("\n")}`);
});

test("on the tile path unchecking a type asks for tiles without it and the count follows the API", async () => {
  const [type, n] = await commonestType();
  const before = (await settledCount()).count;
  const since = responses.length;
  const after = await countAfter(() => page.uncheck(`#types input[value="${type}"]`));
  assert.equal(after.count, before - n, `unchecking ${type} (${n} events) went from ${before} to ${after.count}`);
  const answer = await api(after.query);
  assert.equal(after.count, answer.numberMatched, `page shows ${after.count}, ${after.query} matches ${answer.numberMatched}`);
  const wanted = new URLSearchParams(after.query.split("?")[1]).get("event_type");
  assert.ok(wanted && !wanted.split(",").includes(type), `the page's query still asks for ${type}: ${after.query}`);
  const marks = await tilesDrawn();
  assert.equal(new URLSearchParams(marks.tilesQuery).get("event_type"), wanted, `the tile source holds ${marks.tilesQuery}`);
  const asked = tileAnswers(since).filter((r) => tileParams(r.url).get("event_type") === wanted);
  assert.ok(asked.length > 0, `no tile was requested with event_type=${wanted}`);
  assert.ok(asked.every((r) => r.status === 200), "a filtered tile was not answered 200");
  const features = await renderedTileFeatures();
  assert.ok(features.length > 0, "nothing is rendered after the filter change");
  const stale = features.filter((f) => f.properties.event_type === type || Number(f.properties[type]) > 0);
  assert.deepEqual(stale, [], `${type} is still drawn after unchecking it`);
  const held = features.reduce((sum, f) => sum + Number(f.properties.count), 0);
  assert.equal(held, answer.numberMatched, `the rendered tile features hold ${held} events, the API matches ${answer.numberMatched}`);
  await countAfter(() => page.click("#types-all"));
  await tilesDrawn();
});

test("on the tile path clicking an event at zoom 11 opens its panel with its evidence", async () => {
  const all = await api("api/events?limit=5000");
  const inside = all.features.filter(({ geometry: { coordinates: [x, y] } }) => x > 14.5 && x < 49.5 && y > 40.5 && y < 61.5);
  const target = inside.find((f) => /[<>&]/.test(f.properties.evidence ?? "")) ?? inside.find((f) => f.properties.evidence);
  assert.ok(target, "no event with evidence to click");
  const id = String(target.id ?? target.properties.id);
  const detail = await api(`api/events/${encodeURIComponent(id)}`);
  const [lon, lat] = target.geometry.coordinates;
  const since = responses.length;
  await page.evaluate(([x, y]) => window.borderwatch.map.jumpTo({ center: [x, y], zoom: 11 }), [lon, lat]);
  await mapIdle();
  assert.ok(tileAnswers(since).some((r) => Number(TILE_URL.exec(r.url)[1]) === 11 && r.status === 200), "no zoom-11 tile was fetched");
  const point = await page.evaluate(([x, y]) => window.borderwatch.map.project([x, y]), [lon, lat]);
  const under = await renderedTileFeatures([
    [point.x - 3, point.y - 3],
    [point.x + 3, point.y + 3],
  ]);
  assert.ok(
    under.some((f) => f.source === "events-tiles" && String(f.properties.id) === id && Number(f.properties.count) === 1),
    `the tile layer renders no feature of event ${id} at its place: ${JSON.stringify(under.map((f) => f.properties))}`,
  );
  const canvas = await (await page.$("#map canvas.maplibregl-canvas")).boundingBox();
  await page.mouse.click(canvas.x + point.x, canvas.y + point.y);
  await page.waitForSelector("#panel:not([hidden])", { timeout: 10000 });
  const pick = await page.$(`#panel .pick[data-id="${attr(id)}"]`);
  if (pick) await pick.click();
  const evidence = await page.waitForSelector(`#panel .event-card[data-id="${attr(id)}"] [data-role=evidence]`, { timeout: 10000 });
  assert.equal(await evidence.textContent(), detail.properties.evidence, "the panel's evidence differs from the API's");
  const children = await evidence.evaluate((node) => [...node.children].map((child) => child.tagName));
  assert.ok(children.every((tag) => tag === "MARK") && children.length <= 1, `the evidence was parsed as HTML: ${children}`);
  assert.equal(new URLSearchParams((await page.evaluate(() => location.hash)).slice(1)).get("event"), id);
  await page.click("#panel-close");
  await page.waitForSelector("#panel[hidden]", { state: "attached", timeout: 5000 });
});

test("on the tile path clicking a cell of several events zooms in on it", async () => {
  await page.evaluate(() => window.borderwatch.map.jumpTo({ center: [33.5, 50.2], zoom: 4.6 }));
  await mapIdle();
  const cell = await page.evaluate(() => {
    const map = window.borderwatch.map;
    const cells = map.queryRenderedFeatures({ layers: ["events-tiles"] }).filter((f) => f.properties.count > 1);
    if (!cells.length) return null;
    const best = cells.reduce((a, b) => (b.properties.count > a.properties.count ? b : a));
    return { count: best.properties.count, point: map.project(best.geometry.coordinates), zoom: map.getZoom() };
  });
  assert.ok(cell, "no cell of several events is rendered at zoom 4.6");
  const canvas = await (await page.$("#map canvas.maplibregl-canvas")).boundingBox();
  await page.mouse.click(canvas.x + cell.point.x, canvas.y + cell.point.y);
  await page.waitForFunction((z) => window.borderwatch.map.getZoom() > z + 1.5 && !window.borderwatch.map.isMoving(), cell.zoom, { timeout: 10000 });
  assert.equal(await page.isVisible("#panel"), false, "a cell click opened the panel instead of zooming in");
});

test("on the tile path the play button steps the tiles through the period", async () => {
  await page.evaluate(() => window.borderwatch.map.jumpTo({ center: [33.5, 50.2], zoom: 4.6 }));
  await mapIdle();
  const since = responses.length;
  const sinceRequests = requests.length;
  await page.click("#timeline-play");
  assert.equal(await page.getAttribute("#timeline-play", "aria-pressed"), "true");
  await page.waitForFunction(
    () => {
      const seen = (window.__tileWindows ??= new Set());
      const query = document.body.dataset.tilesQuery ?? "";
      const datetime = new URLSearchParams(query).get("datetime");
      if (datetime && document.body.dataset.eventsDrawn !== undefined) seen.add(datetime);
      return seen.size >= 2;
    },
    null,
    { timeout: 20000, polling: 100 },
  );
  await page.click("#timeline-play");
  assert.equal(await page.getAttribute("#timeline-play", "aria-pressed"), "false");
  const windows = new Set(tileAnswers(since).map((r) => tileParams(r.url).get("datetime")).filter(Boolean));
  assert.ok(windows.size >= 2, `the tiles were asked for ${windows.size} time window(s) while playing`);
  await page.waitForTimeout(300);
  const { count, query } = await settledCount();
  const answer = await api(query);
  assert.equal(count, answer.numberMatched, `paused, the page shows ${count}, ${query} matches ${answer.numberMatched}`);
  const marks = await tilesDrawn();
  assert.equal(new URLSearchParams(marks.tilesQuery).get("datetime"), new URLSearchParams(query.split("?")[1]).get("datetime"), "the tiles shown are not of the window shown");
  assert.deepEqual(requests.slice(sinceRequests).filter((r) => /\/api\/points(\?|$)/.test(r.url)), [], "playing on the tile path downloaded /api/points");
  assert.deepEqual(consoleErrors, [], `console errors:\n${consoleErrors.join("\n")}`);
});
