// The details panel. Everything that comes from an article (evidence, titles, names) is set with
// textContent: article text is never parsed as HTML. Links only get http(s) URLs.

import { typeInfo } from "./config.js";

function h(tag, { text, className, attrs } = {}, children = []) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  for (const [key, value] of Object.entries(attrs ?? {})) node.setAttribute(key, value);
  for (const child of children) if (child) node.appendChild(child);
  return node;
}

/** A link to an article, or plain text when the URL is not http(s). */
function sourceLink(url, label) {
  let safe = null;
  try {
    const parsed = new URL(url);
    if (parsed.protocol === "http:" || parsed.protocol === "https:") safe = parsed.href;
  } catch {
    safe = null;
  }
  if (!safe) return h("span", { text: label || url || "source" });
  return h("a", { text: label || safe, attrs: { href: safe, target: "_blank", rel: "noopener noreferrer nofollow" } });
}

function swatch(type) {
  const node = h("span", { className: "swatch", attrs: { "aria-hidden": "true" } });
  node.style.background = typeInfo(type).color;
  return node;
}

function present(value) {
  return value !== null && value !== undefined && value !== "";
}

// ACLED's precision codes (EVENTS.md): 1 is the most precise.
const DATE_PRECISION = { 1: "the day is known", 2: "within a week", 3: "within a month" };
const GEO_PRECISION = { 1: "the place itself", 2: "near the place", 3: "somewhere in the region" };

function dateText(p) {
  if (!present(p.date)) return "unknown";
  const precision = present(p.date_precision) ? DATE_PRECISION[p.date_precision] ?? String(p.date_precision) : "";
  return precision ? `${p.date} (${precision})` : String(p.date);
}

function actorsText(p) {
  const actors = [p.actor1, p.actor2].filter(present);
  return actors.length ? actors.join(" vs ") : "not named";
}

function casualtiesText(p) {
  const parts = [];
  if (present(p.fatalities)) parts.push(`${p.fatalities} killed`);
  if (present(p.injured)) parts.push(`${p.injured} injured`);
  return parts.length ? parts.join(", ") : "none reported";
}

function placeText(p) {
  const name = p.place_name || p.place || "unknown place";
  const where = [p.admin1, p.country_code].filter(present).filter((part) => part !== name).join(", ");
  const precision = present(p.geo_precision) ? GEO_PRECISION[p.geo_precision] ?? null : null;
  let text = where ? `${name} (${where})` : name;
  if (present(p.place) && p.place !== name) text += `, written "${p.place}"`;
  return precision ? `${text}; ${precision}` : text;
}

/** The panel's title for one event: where and when. */
export function eventTitle(p) {
  const name = p.place_name || p.place || "Event";
  return present(p.date) ? `${name}, ${p.date}` : name;
}

/**
 * The evidence sentence with the place as written highlighted: text nodes and one <mark>,
 * built with the DOM (the sentence is never parsed as HTML).
 */
function evidenceQuote(evidence, place) {
  const quote = h("blockquote", { className: "evidence", attrs: { "data-role": "evidence" } });
  const at = present(place) ? evidence.indexOf(place) : -1;
  if (at < 0) {
    quote.textContent = evidence;
    return quote;
  }
  quote.appendChild(document.createTextNode(evidence.slice(0, at)));
  quote.appendChild(h("mark", { text: place, attrs: { "data-role": "place" } }));
  quote.appendChild(document.createTextNode(evidence.slice(at + place.length)));
  return quote;
}

/** One event as a card: facts, the evidence sentence, the source(s). */
export function eventCard(properties, { sources = null, loading = false } = {}) {
  const p = properties;
  const facts = h("dl", { className: "facts" });
  const add = (term, value) => {
    facts.appendChild(h("dt", { text: term }));
    facts.appendChild(h("dd", { text: value }));
  };
  add("Date", dateText(p));
  add("Place", placeText(p));
  add("Actors", actorsText(p));
  add("Casualties", casualtiesText(p));
  if (present(p.acled_event_type)) add("ACLED", [p.acled_event_type, p.acled_sub_event_type].filter(present).join(" / "));
  add("Confidence", present(p.confidence) ? Number(p.confidence).toFixed(2) : "unknown");
  if (p.claimed === true) add("Status", "claimed, not confirmed");

  const card = h("article", { className: "event-card", attrs: { "data-id": String(p.id ?? "") } }, [
    h("h3", {}, [swatch(p.event_type), h("span", { text: typeInfo(p.event_type).label })]),
    facts,
    evidenceQuote(p.evidence ?? "", p.place),
  ]);

  const list = h("ul", { className: "sources", attrs: { "aria-label": "Sources" } });
  if (sources && sources.length) {
    for (const s of sources) {
      const meta = [s.publisher, s.published_at ? String(s.published_at).slice(0, 10) : null].filter(present).join(", ");
      const item = h("li", {}, [sourceLink(s.url, s.title), meta ? h("span", { className: "meta", text: meta }) : null]);
      if (present(s.evidence) && s.evidence !== p.evidence) item.appendChild(h("blockquote", { text: s.evidence }));
      list.appendChild(item);
    }
  } else if (present(p.source_url) || present(p.source_title)) {
    const meta = present(p.published_at) ? String(p.published_at).slice(0, 10) : "";
    list.appendChild(h("li", {}, [sourceLink(p.source_url, p.source_title), meta ? h("span", { className: "meta", text: meta }) : null]));
  }
  const count = Number(p.report_count) || (sources ? sources.length : 1);
  card.appendChild(h("h4", { className: "visually-hidden", text: "Sources" }));
  card.appendChild(list);
  if (loading && count > 1) card.appendChild(h("p", { className: "hint", text: `Loading ${count} reports…` }));
  return card;
}

export class Panel {
  constructor({ root, title, body, close, onClose }) {
    this.root = root;
    this.title = title;
    this.body = body;
    this.onClose = onClose;
    this.returnFocus = null;
    close.addEventListener("click", () => this.close());
    root.addEventListener("keydown", (e) => {
      if (e.key === "Escape") this.close();
    });
  }

  get isOpen() {
    return !this.root.hidden;
  }

  #open(titleText) {
    if (!this.isOpen) this.returnFocus = document.activeElement;
    this.title.textContent = titleText;
    this.body.replaceChildren();
    this.root.hidden = false;
    this.title.focus({ preventScroll: true });
  }

  /** Shows one event; `sources` may come later through update(). */
  showEvent(properties, options) {
    this.#open(eventTitle(properties));
    this.body.appendChild(eventCard(properties, options));
    this.root.dataset.eventId = String(properties.id ?? "");
  }

  /** Replaces the card of the event shown, if it is still the one shown. */
  update(properties, options) {
    if (this.root.dataset.eventId !== String(properties.id ?? "")) return;
    this.title.textContent = eventTitle(properties);
    this.body.replaceChildren(eventCard(properties, options));
  }

  /** Several events under one click: a list to pick from. */
  showChoice(list, onPick) {
    this.#open(`${list.length} events here`);
    this.root.dataset.eventId = "";
    for (const p of list) {
      const button = h("button", { className: "pick", attrs: { type: "button", "data-id": String(p.id ?? "") } }, [
        swatch(p.event_type),
        h("strong", { text: typeInfo(p.event_type).label }),
        h("span", { text: ` — ${p.place_name || p.place || ""}, ${p.date ?? ""}` }),
      ]);
      button.addEventListener("click", () => onPick(p.id));
      this.body.appendChild(button);
    }
  }

  showMessage(titleText, message) {
    this.#open(titleText);
    this.root.dataset.eventId = "";
    this.body.appendChild(h("p", { text: message }));
  }

  close() {
    if (!this.isOpen) return;
    this.root.hidden = true;
    this.root.dataset.eventId = "";
    const target = this.returnFocus;
    this.returnFocus = null;
    if (target && document.contains(target)) target.focus({ preventScroll: true });
    this.onClose?.();
  }
}
