// The timeline: events per day from /api/stats as stacked bars by type, with a brush.
// Dragging across it picks a range of days; the date inputs next to it are the keyboard route.

import { EVENT_TYPES, typeInfo } from "./config.js";

const SVG = "http://www.w3.org/2000/svg";
const DAY = 86400000;
const HEIGHT = 84;
const AXIS = 14;

const toDay = (iso) => Math.floor(Date.parse(`${iso}T00:00:00Z`) / DAY);
const toIso = (day) => new Date(day * DAY).toISOString().slice(0, 10);

function el(name, attrs = {}, parent = null) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (parent) parent.appendChild(node);
  return node;
}

export class Timeline {
  /**
   * @param {SVGSVGElement} svg
   * @param {(from: string, to: string) => void} onSelect called with ISO days when a range is brushed
   */
  constructor(svg, onSelect) {
    this.svg = svg;
    this.onSelect = onSelect;
    this.days = new Map();
    this.first = null;
    this.last = null;
    this.range = { from: "", to: "" };
    this.drag = null;
    svg.addEventListener("pointerdown", (e) => this.#down(e));
    svg.addEventListener("pointermove", (e) => this.#move(e));
    svg.addEventListener("pointerup", (e) => this.#up(e));
    svg.addEventListener("pointercancel", () => {
      this.drag = null;
      this.render();
    });
    new ResizeObserver(() => this.render()).observe(svg);
  }

  /** @param {{date: string, event_type: string, count: number}[]} rows */
  setData(rows) {
    this.days = new Map();
    let first = Infinity;
    let last = -Infinity;
    for (const row of rows ?? []) {
      if (!row?.date) continue;
      const day = toDay(row.date);
      if (!Number.isFinite(day)) continue;
      first = Math.min(first, day);
      last = Math.max(last, day);
      const counts = this.days.get(day) ?? new Map();
      counts.set(row.event_type, (counts.get(row.event_type) ?? 0) + (Number(row.count) || 0));
      this.days.set(day, counts);
    }
    this.first = Number.isFinite(first) ? first : null;
    this.last = Number.isFinite(last) ? last : null;
    this.render();
  }

  setRange(from, to) {
    this.range = { from, to };
    this.render();
  }

  #domain() {
    let first = this.first;
    let last = this.last;
    for (const iso of [this.range.from, this.range.to]) {
      if (!iso) continue;
      const day = toDay(iso);
      first = first === null ? day : Math.min(first, day);
      last = last === null ? day : Math.max(last, day);
    }
    if (first === null) return null;
    return { first, last: Math.max(last, first) };
  }

  #dayAt(event) {
    const domain = this.#domain();
    if (!domain) return null;
    const box = this.svg.getBoundingClientRect();
    const span = domain.last - domain.first + 1;
    const x = Math.min(Math.max(event.clientX - box.left, 0), box.width - 1);
    return domain.first + Math.floor((x / box.width) * span);
  }

  #down(event) {
    if (event.button !== 0) return;
    const day = this.#dayAt(event);
    if (day === null) return;
    this.svg.setPointerCapture(event.pointerId);
    this.drag = { start: day, end: day };
    this.render();
  }

  #move(event) {
    if (!this.drag) return;
    const day = this.#dayAt(event);
    if (day !== null) this.drag.end = day;
    this.render();
  }

  #up(event) {
    if (!this.drag) return;
    const day = this.#dayAt(event);
    if (day !== null) this.drag.end = day;
    const from = toIso(Math.min(this.drag.start, this.drag.end));
    const to = toIso(Math.max(this.drag.start, this.drag.end));
    this.drag = null;
    this.range = { from, to };
    this.render();
    this.onSelect(from, to);
  }

  render() {
    const svg = this.svg;
    while (svg.firstChild) svg.firstChild.remove();
    const width = Math.max(svg.clientWidth, 100);
    svg.setAttribute("viewBox", `0 0 ${width} ${HEIGHT}`);
    const domain = this.#domain();
    if (!domain) {
      el("text", { x: width / 2, y: HEIGHT / 2, "text-anchor": "middle", class: "axis" }, svg).textContent = "No events";
      svg.setAttribute("aria-label", "Events per day: none");
      return;
    }
    const span = domain.last - domain.first + 1;
    const step = width / span;
    const plot = HEIGHT - AXIS;
    // Bars at least 3 px wide: over a long span one bar counts several days.
    const bucket = Math.max(1, Math.ceil((span * 3) / width));
    const buckets = new Map();
    for (const [day, counts] of this.days) {
      const start = domain.first + Math.floor((day - domain.first) / bucket) * bucket;
      const sums = buckets.get(start) ?? new Map();
      for (const [type, n] of counts) sums.set(type, (sums.get(type) ?? 0) + n);
      buckets.set(start, sums);
    }
    let max = 1;
    let total = 0;
    for (const counts of buckets.values()) {
      let sum = 0;
      for (const n of counts.values()) sum += n;
      max = Math.max(max, sum);
      total += sum;
    }
    const order = [...EVENT_TYPES.map((t) => t.id)];
    for (const counts of buckets.values()) for (const type of counts.keys()) if (!order.includes(type)) order.push(type);

    const bars = el("g", {}, svg);
    const barWidth = Math.max(step * bucket - (step * bucket > 3 ? 1 : 0), 1);
    for (const [day, counts] of buckets) {
      const x = (day - domain.first) * step;
      let y = plot;
      for (const type of order) {
        const n = counts.get(type);
        if (!n) continue;
        const h = (n / max) * (plot - 4);
        y -= h;
        el("rect", { x: x.toFixed(2), y: y.toFixed(2), width: barWidth.toFixed(2), height: h.toFixed(2), fill: typeInfo(type).color }, bars);
      }
    }

    // Axis: first and last day, and the month starts in between when there is room.
    el("line", { x1: 0, x2: width, y1: plot + 0.5, y2: plot + 0.5, stroke: "#aab3bd" }, svg);
    const ticks = [];
    for (let day = domain.first; day <= domain.last; day++) {
      if (new Date(day * DAY).getUTCDate() === 1) ticks.push(day);
    }
    const every = Math.max(1, Math.ceil((ticks.length * 64) / width));
    ticks.forEach((day, i) => {
      if (i % every) return;
      const x = (day - domain.first) * step;
      el("line", { x1: x, x2: x, y1: plot, y2: plot + 3, stroke: "#aab3bd" }, svg);
      const label = el("text", { x: x + 2, y: HEIGHT - 2, class: "axis" }, svg);
      label.textContent = new Date(day * DAY).toLocaleDateString("en-GB", { month: "short", year: "numeric", timeZone: "UTC" });
    });
    if (ticks.length === 0) {
      const start = el("text", { x: 0, y: HEIGHT - 2, class: "axis" }, svg);
      start.textContent = toIso(domain.first);
      const end = el("text", { x: width, y: HEIGHT - 2, class: "axis", "text-anchor": "end" }, svg);
      end.textContent = toIso(domain.last);
    }

    // The chosen range (or the one being dragged), with everything outside it washed out.
    const chosen = this.drag
      ? { a: Math.min(this.drag.start, this.drag.end), b: Math.max(this.drag.start, this.drag.end) }
      : this.range.from || this.range.to
        ? { a: this.range.from ? toDay(this.range.from) : domain.first, b: this.range.to ? toDay(this.range.to) : domain.last }
        : null;
    if (chosen) {
      const x0 = (chosen.a - domain.first) * step;
      const x1 = (chosen.b - domain.first + 1) * step;
      if (x0 > 0) el("rect", { x: 0, y: 0, width: x0, height: plot, class: "shade" }, svg);
      if (x1 < width) el("rect", { x: x1, y: 0, width: width - x1, height: plot, class: "shade" }, svg);
      el("rect", { x: x0, y: 0.5, width: Math.max(x1 - x0, 1), height: plot - 1, class: "brush" }, svg);
    }
    svg.setAttribute("aria-label", `Events per day, ${total} from ${toIso(domain.first)} to ${toIso(domain.last)}`);
  }
}
