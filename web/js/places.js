// The place search box: an ARIA combobox over /api/places. Arrow keys move, Enter picks
// (the first match when none is highlighted), Escape closes.

import { fetchPlaces } from "./api.js";

/** GeoNames feature codes, in words, to tell apart a town and the region of the same name. */
const KINDS = {
  PPLC: "capital",
  PPLA: "regional centre",
  PPLA2: "town",
  PPLA3: "town",
  PPLA4: "town",
  PPL: "town",
  PPLX: "part of a town",
  ADM1: "region",
  ADM2: "district",
  ADM3: "community",
};

function kindOf(code) {
  if (!code) return "";
  if (KINDS[code]) return KINDS[code];
  if (code.startsWith("PPL")) return "town";
  if (code.startsWith("ADM")) return "area";
  return "";
}

export class PlaceSearch {
  constructor({ input, list, onPick }) {
    this.input = input;
    this.list = list;
    this.onPick = onPick;
    this.results = [];
    this.active = -1;
    this.timer = 0;
    this.controller = null;
    this.pending = null;
    input.addEventListener("input", () => this.#schedule());
    input.addEventListener("keydown", (e) => this.#key(e));
    input.addEventListener("blur", () => setTimeout(() => this.#close(), 150));
  }

  #schedule() {
    clearTimeout(this.timer);
    const q = this.input.value.trim();
    if (q.length < 2) {
      this.controller?.abort();
      this.results = [];
      this.#close();
      return;
    }
    this.pending = new Promise((resolve) => {
      this.timer = setTimeout(() => this.#search(q).then(resolve, resolve), 200);
    });
  }

  async #search(q) {
    this.controller?.abort();
    this.controller = new AbortController();
    try {
      const places = await fetchPlaces(q, this.controller.signal);
      if (q !== this.input.value.trim()) return;
      this.results = Array.isArray(places) ? places.filter((p) => Number.isFinite(p?.lat) && Number.isFinite(p?.lon)) : [];
      this.active = -1;
      this.#render();
    } catch (error) {
      if (error.name !== "AbortError") {
        this.results = [];
        this.#render(`Search failed: ${error.message}`);
      }
    }
  }

  #render(message) {
    this.list.replaceChildren();
    if (this.results.length === 0) {
      const li = document.createElement("li");
      li.className = "empty";
      li.setAttribute("role", "option");
      li.setAttribute("aria-disabled", "true");
      li.textContent = message ?? "No place by that name";
      this.list.appendChild(li);
    }
    this.results.forEach((place, i) => {
      const li = document.createElement("li");
      li.id = `place-option-${i}`;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", String(i === this.active));
      li.appendChild(document.createTextNode(place.name ?? ""));
      if (place.matched_name && place.matched_name !== place.name) {
        li.appendChild(document.createTextNode(` (${place.matched_name})`));
      }
      const where = [kindOf(place.feature_code), place.admin1, place.country_code].filter(Boolean).join(", ");
      if (where) {
        const span = document.createElement("span");
        span.className = "where";
        span.textContent = where;
        li.appendChild(span);
      }
      li.addEventListener("mousedown", (e) => {
        e.preventDefault();
        this.#pick(i);
      });
      this.list.appendChild(li);
    });
    this.list.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
    if (this.active >= 0) this.input.setAttribute("aria-activedescendant", `place-option-${this.active}`);
    else this.input.removeAttribute("aria-activedescendant");
  }

  #close() {
    this.list.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
  }

  async #key(event) {
    const open = !this.list.hidden && this.results.length > 0;
    if (event.key === "ArrowDown" && open) {
      event.preventDefault();
      this.active = (this.active + 1) % this.results.length;
      this.#render();
    } else if (event.key === "ArrowUp" && open) {
      event.preventDefault();
      this.active = (this.active - 1 + this.results.length) % this.results.length;
      this.#render();
    } else if (event.key === "Enter") {
      event.preventDefault();
      // Enter pressed before the answer came: wait for it.
      if (this.timer && this.pending) await this.pending;
      if (this.results.length) this.#pick(Math.max(this.active, 0));
    } else if (event.key === "Escape") {
      this.#close();
    }
  }

  #pick(i) {
    const place = this.results[i];
    if (!place) return;
    this.input.value = place.name ?? "";
    this.#close();
    this.onPick(place);
  }
}
