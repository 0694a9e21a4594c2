// Render benchmark of the border map against a running `borderwatch serve`.
//
//   BW_URL=http://127.0.0.1:8096 node web/bench/render.mjs
//
// Same Chromium and launch flags as web/test/map.test.mjs. Prints one JSON line:
//   {"events": N, "first_render_ms_median": .., "filter_change_ms_median": .., ...,
//    "tiles_first_render_ms": .., "tiles_filter_ms": .., "tiles_pan_fps": .., ...}
//
// "Drawn" is defined by the page (js/main.js, markDrawn): after the event source's setData has
// been taken by MapLibre's worker, the map fired `idle` with the source loaded, and the page set
// `body[data-events-drawn]` (a sequence number) and `body[data-events-shown]` (the event count).
//
// (a) first full render: navigation start (performance.timeOrigin) to the moment the page marks
//     all the server's events drawn; median of 3 fresh page loads (a new browser context each,
//     so nothing is cached).
// (b) filter change: from the click that unchecks one event type to the page marking the new
//     data drawn (the count must drop by that type's events); median of 5, the type rechecked
//     in between (not timed).
// (a) and (b) are the points path (/api/points): measured when the store has at most
// TILE_THRESHOLD events (web/js/config.js), past which the page draws tiles; BENCH_POINTS=1
// measures it anyway, forced with `?tiles=0`.
//
// The tile path, forced with `?tiles=1` whatever the store's size (the page at HOME, zoom 4.6):
// (c) tiles_first_render_ms: navigation start to the first `idle` with the tiles of the page's
//     filters loaded and drawn (js/main.js, markTilesDrawn, with body[data-tile-features] > 0);
//     median of 3 fresh page loads.
// (d) tiles_filter_ms: from the click that unchecks an event type to the page marking the new
//     tiles drawn (new tiles URL, `idle`, the count down by that type's events); median of 5,
//     each a different type where there are enough (the commonest first), so that neither the
//     server's tile cache nor the browser's (max-age 10 s) answers it, unless the same server was
//     benchmarked before.
// (e) tiles_pan_fps: frames (requestAnimationFrame callbacks) per second during a scripted 3 s
//     pan (map.panBy, 1450 px east at zoom 6 from 24 E 49 N, linear), tiles loading on the way;
//     tiles_pan_map_fps counts the map's own `render` events over the same pan.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

// The page's threshold between points and tiles. web/js/config.js is a browser module that
// imports nothing; loaded as a data: module, Node takes it as ES without a package.json "type".
const CONFIG = readFileSync(new URL("../js/config.js", import.meta.url), "utf8");
const { TILE_THRESHOLD } = await import(`data:text/javascript,${encodeURIComponent(CONFIG)}`);

const CHROMIUM = process.env.BW_CHROMIUM || "/usr/bin/chromium";
const BASE = (process.env.BW_URL || "").replace(/\/+$/, "");
const LOADS = Number(process.env.BENCH_LOADS) || 3;
const CHANGES = Number(process.env.BENCH_CHANGES) || 5;
const TIMEOUT = 120000;
const PAN_MS = 3000;
const FORCE_POINTS = process.env.BENCH_POINTS === "1";

if (!BASE) {
  console.error("BW_URL is not set: start `borderwatch serve` and run e.g. BW_URL=http://127.0.0.1:8080 node web/bench/render.mjs");
  process.exit(2);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (x) => Math.round(x * 10) / 10;

async function launch() {
  const profile = mkdtempSync(join(tmpdir(), "borderwatch-bench-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
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
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost",
    ],
  });
  const errors = [];
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  return {
    page,
    errors,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Waits until the page marks `expected` events drawn; returns the ms since navigation start. */
async function drawn(page, expected) {
  await page.waitForFunction(
    (n) => document.body.dataset.eventsDrawn !== undefined && Number(document.body.dataset.eventsShown) === n,
    expected,
    { timeout: TIMEOUT, polling: "raf" },
  );
  return page.evaluate(() => window.__drawnAt ?? performance.now());
}

/** Records the moment the page marks the events drawn, in the page's own clock. */
function watch() {
  new MutationObserver(() => {
    if (document.body?.dataset.eventsDrawn !== undefined) window.__drawnAt = performance.now();
  }).observe(document, { attributes: true, subtree: true, attributeFilter: ["data-events-drawn"] });
}

async function main() {
  const total = await (await fetch(`${BASE}/api/events?limit=1`)).json();
  const events = total.numberMatched;
  // Events per type from /api/stats: /api/points of a million events is no thing to fetch here.
  const stats = await (await fetch(`${BASE}/api/stats`)).json();
  const byType = new Map();
  for (const d of stats.days ?? []) byType.set(d.event_type, (byType.get(d.event_type) ?? 0) + d.count);
  const types = [...byType].sort((a, b) => b[1] - a[1]);
  if (!types.length) throw new Error(`${BASE} has no events: nothing to measure`);

  const result = { events, tile_threshold: TILE_THRESHOLD };
  if (events <= TILE_THRESHOLD || FORCE_POINTS) {
    Object.assign(result, await benchPoints(events, types[0], FORCE_POINTS ? `${BASE}/?tiles=0` : `${BASE}/`));
  } else {
    result.points_skipped = `more than ${TILE_THRESHOLD} events: the page draws tiles (BENCH_POINTS=1 measures the points anyway)`;
  }
  Object.assign(result, await benchTiles(events, types));
  console.log(JSON.stringify(result));
}

/** (a) and (b): the points path. */
async function benchPoints(events, [type, typeCount], url) {
  const firsts = [];
  for (let i = 0; i < LOADS; i++) {
    const browser = await launch();
    try {
      await browser.page.addInitScript(watch);
      await browser.page.goto(url, { waitUntil: "commit" });
      firsts.push(await drawn(browser.page, events));
      if (browser.errors.length) throw new Error(`page errors: ${browser.errors.join("; ")}`);
    } finally {
      await browser.close();
    }
  }

  const changes = [];
  const browser = await launch();
  try {
    const { page } = browser;
    await page.goto(url, { waitUntil: "load" });
    await drawn(page, events);
    const box = `#types input[value="${type}"]`;
    for (let i = 0; i < CHANGES; i++) {
      const ms = await page.evaluate(
        ([selector, expected]) =>
          new Promise((resolve, reject) => {
            const input = document.querySelector(selector);
            const body = document.body;
            const observer = new MutationObserver(() => {
              if (body.dataset.eventsDrawn !== undefined && Number(body.dataset.eventsShown) === expected) {
                observer.disconnect();
                resolve(performance.now() - start);
              }
            });
            observer.observe(body, { attributes: true, attributeFilter: ["data-events-drawn"] });
            setTimeout(() => reject(new Error("the filter change was not drawn in 60 s")), 60000);
            const start = performance.now();
            input.click();
          }),
        [box, events - typeCount],
      );
      changes.push(ms);
      await page.check(box);
      await drawn(page, events);
    }
    if (browser.errors.length) throw new Error(`page errors: ${browser.errors.join("; ")}`);
  } finally {
    await browser.close();
  }

  return {
    first_render_ms_median: round(median(firsts)),
    filter_change_ms_median: round(median(changes)),
    first_render_ms: firsts.map(round),
    filter_change_ms: changes.map(round),
    filter_type: type,
  };
}

/** Waits until the page marks `expected` events drawn from the tiles, with the tile features
 * rendered counted; returns the ms since navigation start of the mark, and that count. */
async function tilesDrawn(page, expected) {
  await page.waitForFunction(
    (n) => {
      const marks = document.body.dataset;
      return marks.eventsSource === "tiles" && marks.eventsDrawn !== undefined && Number(marks.eventsShown) === n && marks.tileFeatures !== undefined;
    },
    expected,
    { timeout: TIMEOUT, polling: "raf" },
  );
  return page.evaluate(() => ({ at: window.__drawnAt ?? performance.now(), features: Number(document.body.dataset.tileFeatures) }));
}

/** (c), (d) and (e): the tile path, forced. */
async function benchTiles(events, types) {
  const url = `${BASE}/?tiles=1`;
  const firsts = [];
  let features = 0;
  for (let i = 0; i < LOADS; i++) {
    const browser = await launch();
    try {
      await browser.page.addInitScript(watch);
      await browser.page.goto(url, { waitUntil: "commit" });
      const drawn = await tilesDrawn(browser.page, events);
      if (drawn.features === 0) throw new Error("the tile path drew no tile feature");
      firsts.push(drawn.at);
      features = drawn.features;
      if (browser.errors.length) throw new Error(`page errors: ${browser.errors.join("; ")}`);
    } finally {
      await browser.close();
    }
  }

  const changes = [];
  const changedTypes = [];
  let pan = null;
  const browser = await launch();
  try {
    const { page } = browser;
    await page.goto(url, { waitUntil: "load" });
    await tilesDrawn(page, events);
    for (let i = 0; i < CHANGES; i++) {
      const [type, typeCount] = types[i % types.length];
      const box = `#types input[value="${type}"]`;
      const ms = await page.evaluate(
        ([selector, expected]) =>
          new Promise((resolve, reject) => {
            const input = document.querySelector(selector);
            const body = document.body;
            const timer = setTimeout(() => reject(new Error("the filter change was not drawn from the tiles in 60 s")), 60000);
            const observer = new MutationObserver(() => {
              const marks = body.dataset;
              if (marks.eventsDrawn !== undefined && Number(marks.eventsShown) === expected) {
                observer.disconnect();
                clearTimeout(timer);
                resolve(performance.now() - start);
              }
            });
            observer.observe(body, { attributes: true, attributeFilter: ["data-events-drawn"] });
            const start = performance.now();
            input.click();
          }),
        [box, events - typeCount],
      );
      const drawn = await tilesDrawn(page, events - typeCount);
      if (drawn.features === 0 && events > typeCount) throw new Error(`no tile feature drawn without ${type}`);
      changes.push(ms);
      changedTypes.push(type);
      await page.check(box);
      await tilesDrawn(page, events);
    }

    await page.evaluate(
      () =>
        new Promise((resolve) => {
          const map = window.borderwatch.map;
          map.jumpTo({ center: [24, 49], zoom: 6 });
          map.once("idle", resolve);
        }),
    );
    pan = await page.evaluate(
      (ms) =>
        new Promise((resolve) => {
          const map = window.borderwatch.map;
          let frames = 0;
          let mapFrames = 0;
          const onRender = () => mapFrames++;
          map.on("render", onRender);
          const start = performance.now();
          const tick = (now) => {
            if (now - start >= ms) {
              map.off("render", onRender);
              resolve({ frames, mapFrames, seconds: (now - start) / 1000 });
              return;
            }
            frames++;
            requestAnimationFrame(tick);
          };
          requestAnimationFrame(tick);
          map.panBy([1450, 0], { duration: ms, easing: (t) => t });
        }),
      PAN_MS,
    );
    if (browser.errors.length) throw new Error(`page errors: ${browser.errors.join("; ")}`);
  } finally {
    await browser.close();
  }

  return {
    tiles_first_render_ms: round(median(firsts)),
    tiles_filter_ms: round(median(changes)),
    tiles_pan_fps: round(pan.frames / pan.seconds),
    tiles_pan_map_fps: round(pan.mapFrames / pan.seconds),
    tiles_first_render_ms_runs: firsts.map(round),
    tiles_filter_ms_runs: changes.map(round),
    tiles_filter_types: changedTypes,
    tiles_features_drawn: features,
  };
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
