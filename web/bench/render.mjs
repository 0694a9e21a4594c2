// Render benchmark of the border map against a running `borderwatch serve`.
//
//   BW_URL=http://127.0.0.1:8096 node web/bench/render.mjs
//
// Same Chromium and launch flags as web/test/map.test.mjs. Prints one JSON line:
//   {"events": N, "first_render_ms_median": .., "filter_change_ms_median": .., ...}
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

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const CHROMIUM = process.env.BW_CHROMIUM || "/usr/bin/chromium";
const BASE = (process.env.BW_URL || "").replace(/\/+$/, "");
const LOADS = Number(process.env.BENCH_LOADS) || 3;
const CHANGES = Number(process.env.BENCH_CHANGES) || 5;
const TIMEOUT = 120000;

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

async function main() {
  const total = await (await fetch(`${BASE}/api/events?limit=1`)).json();
  const events = total.numberMatched;
  const points = await (await fetch(`${BASE}/api/points`)).json();
  const typeAt = points.columns.indexOf("event_type");
  const byType = new Map();
  for (const row of points.rows) byType.set(row[typeAt], (byType.get(row[typeAt]) ?? 0) + 1);
  const [type, typeCount] = [...byType].sort((a, b) => b[1] - a[1])[0];

  // Records the moment the page marks the events drawn, in the page's own clock.
  const watch = () => {
    new MutationObserver(() => {
      if (document.body?.dataset.eventsDrawn !== undefined) window.__drawnAt = performance.now();
    }).observe(document, { attributes: true, subtree: true, attributeFilter: ["data-events-drawn"] });
  };

  const firsts = [];
  for (let i = 0; i < LOADS; i++) {
    const browser = await launch();
    try {
      await browser.page.addInitScript(watch);
      await browser.page.goto(`${BASE}/`, { waitUntil: "commit" });
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
    await page.goto(`${BASE}/`, { waitUntil: "load" });
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

  console.log(
    JSON.stringify({
      events,
      first_render_ms_median: round(median(firsts)),
      filter_change_ms_median: round(median(changes)),
      first_render_ms: firsts.map(round),
      filter_change_ms: changes.map(round),
      filter_type: type,
    }),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
