// Constants shared by the page's modules.

/** The map's region [west, south, east, north]; web/scripts/layers.mjs cuts the basemap to it. */
export const REGION = [14, 40, 50, 62];

/** Where the map opens when the link says nothing. */
export const HOME = { zoom: 4.6, lat: 50.2, lon: 33.5 };

/** The page size of the `/api/events` query the count stands for (the map itself draws `/api/points`). */
export const EVENT_LIMIT = 5000;

/**
 * Above this many events matching the filters the server applies to `/api/points` (actor,
 * country, confidence, words), the map draws vector tiles from `/tiles/events` instead of
 * downloading every row. 100,000 is the size `make bench` measures the points path at
 * (web/README.md, "Points or tiles").
 */
export const TILE_THRESHOLD = 100_000;

/**
 * The event types of EVENTS.md with their legend label and colour. Types the server reports that
 * are not listed here still show, in OTHER_COLOR, with their raw name.
 */
export const EVENT_TYPES = [
  { id: "shelling", label: "Shelling, artillery, missiles", color: "#e8590c" },
  { id: "air_drone_strike", label: "Air or drone strike", color: "#d6336c" },
  { id: "interception", label: "Interception", color: "#1c7ed6" },
  { id: "explosion", label: "Explosion", color: "#9c36b5" },
  { id: "attack_on_civilians", label: "Attack on civilians", color: "#a61e4d" },
  { id: "armed_clash", label: "Armed clash", color: "#f59f00" },
  { id: "territory_change", label: "Territory change", color: "#2b8a3e" },
  { id: "troop_movement", label: "Troop movement", color: "#5c7cfa" },
  { id: "military_exercise", label: "Military exercise", color: "#0c8599" },
  { id: "border_incident", label: "Border incident", color: "#e64980" },
  { id: "evacuation", label: "Evacuation", color: "#66a80f" },
  { id: "infrastructure_damage", label: "Infrastructure damage", color: "#7950f2" },
  { id: "arrest", label: "Arrest", color: "#495057" },
  { id: "protest", label: "Protest", color: "#b08900" },
  { id: "other", label: "Other", color: "#868e96" },
];

export const OTHER_COLOR = "#868e96";

/** The sides the extractor names; actors seen in the data are added to the list. */
export const KNOWN_ACTORS = ["Russian forces", "Ukrainian forces", "Belarusian forces", "Separatist forces", "NATO", "Civilians"];

export function typeInfo(id) {
  return EVENT_TYPES.find((t) => t.id === id) ?? { id, label: humanize(id), color: OTHER_COLOR };
}

export function humanize(id) {
  const text = String(id ?? "").replaceAll("_", " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}
