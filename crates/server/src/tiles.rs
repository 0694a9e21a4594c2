//! Vector tiles of the events: `/tiles/events/{z}/{x}/{y}.mvt` with a TileJSON 3.0
//! document at `/tiles/events.json`, and the same tiles as OGC API - Tiles
//! (`/collections/events/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}`,
//! `/tileMatrixSets/WebMercatorQuad`) for GDAL and QGIS.
//!
//! Tiles are cut from [`MapIndex`]es held in memory: one of every event, and one per
//! recent filter on actors, countries, words or a box (at most [`MAX_INDEXES`]). Dates,
//! types and confidence are applied as the tile is cut. Every few seconds a request checks
//! the store's totals; when they moved (an ingest by this or another server), the indexes
//! are rebuilt by the first request that needs them while the others keep answering from
//! the old ones. Tiles are cached gzip-compressed by filter and generation.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock, TryLockError};
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use store::mapindex::{self, LAYER, MAX_ZOOM, MapIndex, POINT_ZOOM, Selection};
use store::{DynStore, EVENT_TYPES, Filter, StoreError, Totals};

/// What the store looked like: its totals (every ingest moves them) and how many times it
/// was reprocessed.
type Stamp = (Totals, u64);

use crate::api::{ApiError, ApiResult, AppState, base_url, filter_of, params, with_store};

/// Filtered indexes kept besides the one of every event.
pub const MAX_INDEXES: usize = 8;
/// Bytes of compressed tiles kept; past it the cache starts again.
pub const CACHE_BYTES: usize = 64 << 20;
/// How often the store is asked whether it changed.
const CHECK_EVERY: Duration = Duration::from_secs(2);
/// The highest zoom TileJSON clients ask for; they overzoom past it (features are exact).
pub const TILEJSON_MAX_ZOOM: u8 = 14;
/// The bounds of Web Mercator, for a store without events.
const WORLD: [f64; 4] = [-180.0, -85.0511, 180.0, 85.0511];
/// The media type of a Mapbox Vector Tile.
pub const MVT_TYPE: &str = "application/vnd.mapbox-vector-tile";

struct Entry {
    key: String,
    totals: Stamp,
    index: Arc<MapIndex>,
    used: Instant,
}

/// Whether an index being rebuilt may be answered from its previous build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stale {
    /// Tiles: a map a few seconds behind beats a map that waits.
    Serve,
    /// Counts: the store answers instead.
    Refuse,
}

/// The server's tile state: indexes, their freshness, the tile cache.
pub struct TileLayer {
    entries: RwLock<Vec<Entry>>,
    /// Held while an index is built, so that one request builds and the others wait or
    /// answer from the old index.
    building: Mutex<()>,
    /// The store's totals when last asked, and when.
    checked: Mutex<Option<(Instant, Stamp)>>,
    cache: Mutex<Cache>,
}

/// A cached tile: filter, the store's totals it was cut at, z, x, y.
type TileKey = (String, Stamp, u8, u32, u32);

#[derive(Default)]
struct Cache {
    tiles: HashMap<TileKey, Arc<Vec<u8>>>,
    bytes: usize,
}

impl Default for TileLayer {
    fn default() -> TileLayer {
        TileLayer {
            entries: RwLock::new(Vec::new()),
            building: Mutex::new(()),
            checked: Mutex::new(None),
            cache: Mutex::new(Cache::default()),
        }
    }
}

impl std::fmt::Debug for TileLayer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TileLayer")
    }
}

impl TileLayer {
    /// The store's totals, asked at most every [`CHECK_EVERY`].
    fn totals(&self, store: &DynStore) -> Result<Stamp, StoreError> {
        let mut checked = self.checked.lock().unwrap_or_else(|poison| poison.into_inner());
        if let Some((at, stamp)) = *checked
            && at.elapsed() < CHECK_EVERY
        {
            return Ok(stamp);
        }
        let stamp = (store.totals()?, store.generation()?);
        *checked = Some((Instant::now(), stamp));
        Ok(stamp)
    }

    /// The index for `base` (a filter without dates, types and confidence), current as of
    /// `totals`, building it if needed; while another request builds it, the previous one.
    fn index(
        &self,
        store: &DynStore,
        base: &Filter,
        key: &str,
        totals: Stamp,
        stale: Stale,
    ) -> Result<Option<(Arc<MapIndex>, Stamp)>, StoreError> {
        let current = |entries: &[Entry]| {
            entries
                .iter()
                .find(|entry| entry.key == key)
                .map(|entry| (Arc::clone(&entry.index), entry.totals))
        };
        let found = current(&self.entries.read().unwrap_or_else(|poison| poison.into_inner()));
        if let Some((index, built)) = &found
            && *built == totals
        {
            self.touch(key);
            return Ok(Some((Arc::clone(index), *built)));
        }
        // A build that panicked leaves the lock poisoned, not held: take it all the same.
        let guard = match self.building.try_lock() {
            Ok(guard) => Some(guard),
            Err(TryLockError::Poisoned(poison)) => Some(poison.into_inner()),
            Err(TryLockError::WouldBlock) => None,
        };
        let guard = match (guard, &found, stale) {
            (Some(guard), _, _) => guard,
            // Someone is building: answer from the old index if there is one and that will do.
            (None, Some((index, built)), Stale::Serve) => {
                return Ok(Some((Arc::clone(index), *built)));
            }
            (None, _, Stale::Refuse) => return Ok(None),
            (None, None, Stale::Serve) => {
                self.building.lock().unwrap_or_else(|poison| poison.into_inner())
            }
        };
        // Built meanwhile by the request that held the lock?
        if let Some((index, built)) =
            current(&self.entries.read().unwrap_or_else(|poison| poison.into_inner()))
            && built == totals
        {
            return Ok(Some((index, built)));
        }
        let index = Arc::new(MapIndex::build(store, base)?);
        let mut entries = self.entries.write().unwrap_or_else(|poison| poison.into_inner());
        entries.retain(|entry| entry.key != key);
        if entries.len() > MAX_INDEXES {
            // Drop the least recently used filtered index; the one of every event stays.
            if let Some(oldest) = entries
                .iter()
                .enumerate()
                .filter(|(_, entry)| !entry.key.is_empty())
                .min_by_key(|(_, entry)| entry.used)
                .map(|(at, _)| at)
            {
                entries.swap_remove(oldest);
            }
        }
        entries.push(Entry {
            key: key.to_owned(),
            totals,
            index: Arc::clone(&index),
            used: Instant::now(),
        });
        drop(guard);
        Ok(Some((index, totals)))
    }

    fn touch(&self, key: &str) {
        if let Ok(mut entries) = self.entries.try_write()
            && let Some(entry) = entries.iter_mut().find(|entry| entry.key == key)
        {
            entry.used = Instant::now();
        }
    }

    /// Builds the index of every event if it is missing or stale (the server does this as
    /// it starts, so that the first tiles do not wait for it).
    pub fn warm(&self, store: &DynStore) -> Result<usize, StoreError> {
        let totals = self.totals(store)?;
        Ok(self
            .index(store, &Filter::default(), "", totals, Stale::Serve)?
            .map_or(0, |(index, _)| index.len()))
    }

    /// Makes the next request ask the store whether it changed (after an ingest here).
    pub fn invalidate(&self) {
        *self.checked.lock().unwrap_or_else(|poison| poison.into_inner()) = None;
    }

    /// The counts per day and type of `filter`, from the index of every event, when the
    /// filter is on dates, types and confidence only; `None` when the store must answer.
    pub fn stats(
        &self,
        store: &DynStore,
        filter: &Filter,
    ) -> Result<Option<Vec<store::DayCount>>, StoreError> {
        let (base, selection) = Selection::split(filter);
        if base != Filter::default() {
            return Ok(None);
        }
        let totals = self.totals(store)?;
        // Counts must be current: while the index is being rebuilt, the store answers.
        let Some((index, _)) = self.index(store, &base, "", totals, Stale::Refuse)? else {
            return Ok(None);
        };
        Ok(index.day_counts(&selection))
    }

    /// Tile `(z, x, y)` of the events matching `filter`, gzip-compressed.
    pub fn tile(
        &self,
        store: &DynStore,
        filter: &Filter,
        (z, x, y): (u8, u32, u32),
    ) -> Result<Arc<Vec<u8>>, StoreError> {
        let (base, selection) = Selection::split(filter);
        let key = if base == Filter::default() { String::new() } else { format!("{base:?}") };
        let totals = self.totals(store)?;
        let Some((index, built)) = self.index(store, &base, &key, totals, Stale::Serve)? else {
            return Err(StoreError::Refused("no map index".to_owned()));
        };
        let cache_key = (format!("{key}|{selection:?}"), built, z, x, y);
        if let Some(tile) =
            self.cache.lock().unwrap_or_else(|poison| poison.into_inner()).tiles.get(&cache_key)
        {
            return Ok(Arc::clone(tile));
        }
        let raw = index.tile(z, x, y, &selection).unwrap_or_default();
        let tile = Arc::new(mapindex::gzip(&raw));
        let mut cache = self.cache.lock().unwrap_or_else(|poison| poison.into_inner());
        // What an entry holds: the tile, its key's filter text and the map's own overhead.
        let cost = tile.len() + cache_key.0.len() + 96;
        if cache.bytes + cost > CACHE_BYTES {
            cache.tiles.clear();
            cache.bytes = 0;
        }
        cache.bytes += cost;
        cache.tiles.insert(cache_key, Arc::clone(&tile));
        Ok(tile)
    }
}

/// Reads one part of a tile address: a whole number in `range`.
fn part(text: &str, parameter: &'static str, max: u64) -> ApiResult<u32> {
    match text.parse::<u64>() {
        Ok(value) if value <= max => Ok(value as u32),
        Ok(_) => Err(ApiError::bad(parameter, format!("{text:?} is outside 0..={max}"))),
        Err(_) => Err(ApiError::bad(parameter, format!("{text:?} is not a whole number"))),
    }
}

/// Reads `z`, `x`, `y` of a tile address.
fn address(z: &str, x: &str, y: &str) -> ApiResult<(u8, u32, u32)> {
    let z = part(z, "z", u64::from(MAX_ZOOM))?;
    let max = (1u64 << z) - 1;
    Ok((z as u8, part(x, "x", max)?, part(y, "y", max)?))
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or("");
            let refused = parts.any(|part| {
                part.strip_prefix("q=").and_then(|q| q.parse::<f64>().ok()) == Some(0.0)
            });
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
}

async fn answer(
    state: &Arc<AppState>,
    headers: &HeaderMap,
    query: Option<&str>,
    tile: (u8, u32, u32),
) -> ApiResult<Response> {
    let params = params(query)?;
    let filter = filter_of(&params)?;
    let bytes =
        with_store(state, move |store, state| Ok(state.tiles.tile(store, &filter, tile)?)).await?;
    let mut response = if accepts_gzip(headers) {
        let mut response = bytes.as_ref().clone().into_response();
        response.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        response
    } else {
        let mut raw = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(bytes.as_slice()), &mut raw)
            .map_err(|err| ApiError::internal(&err))?;
        raw.into_response()
    };
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(MVT_TYPE));
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=10"));
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    Ok(response)
}

/// `GET /tiles/events/{z}/{x}/{y}.mvt`
pub(crate) async fn xyz_tile(
    State(state): State<Arc<AppState>>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let Path((z, x, file)) = path.map_err(|err| ApiError::bad("path", err.body_text()))?;
    let Some(y) = file.strip_suffix(".mvt") else {
        return Err(ApiError::bad("y", format!("{file:?} is not a row followed by .mvt")));
    };
    let tile = address(&z, &x, y)?;
    answer(&state, &headers, query.as_deref(), tile).await
}

/// `GET /collections/events/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}`
pub(crate) async fn ogc_tile(
    State(state): State<Arc<AppState>>,
    path: Result<Path<(String, String, String)>, PathRejection>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let Path((matrix, row, col)) = path.map_err(|err| ApiError::bad("path", err.body_text()))?;
    let z = part(&matrix, "tileMatrix", u64::from(MAX_ZOOM))?;
    let max = (1u64 << z) - 1;
    let tile = (z as u8, part(&col, "tileCol", max)?, part(&row, "tileRow", max)?);
    answer(&state, &headers, query.as_deref(), tile).await
}

/// Validates a request's filter parameters (a 400 as the API gives) and returns them as a
/// query suffix (`?event_type=...`, or nothing) to carry into tile URLs.
fn carried(query: Option<&str>) -> ApiResult<String> {
    const KEYS: [&str; 7] =
        ["bbox", "datetime", "event_type", "actor", "country", "min_confidence", "q"];
    let params = params(query)?;
    filter_of(&params)?;
    let kept: Vec<(&str, &str)> = params
        .iter()
        .filter(|(key, _)| KEYS.contains(&key.as_str()))
        .map(|(key, value)| (key.as_str(), value.as_str()))
        .collect();
    let query = serde_urlencoded::to_string(kept).unwrap_or_default();
    Ok(if query.is_empty() { query } else { format!("?{query}") })
}

/// The fields of a tile feature: name, JSON Schema type, meaning.
const FIELDS: [(&str, &str, &str); 8] = [
    ("id", "string", "the event id (events only)"),
    ("event_type", "string", "the event type (the most frequent one in a cell)"),
    ("date", "string", "YYYY-MM-DD (events only)"),
    ("confidence", "number", "0..1 (events only)"),
    ("report_count", "integer", "articles that reported it (events only)"),
    ("fatalities", "integer", "reported deaths (events only, when reported)"),
    ("place_name", "string", "the resolved place (events only)"),
    ("count", "integer", "events in the feature (1 for an event)"),
];

/// The fields with their types, `describe` making each entry from (type, meaning).
fn fields(describe: impl Fn(&str, &str) -> Value) -> Value {
    let mut fields = serde_json::Map::new();
    for (name, kind, meaning) in FIELDS {
        fields.insert(name.to_owned(), describe(kind, meaning));
    }
    for name in EVENT_TYPES {
        fields.insert(name.to_owned(), describe("integer", "events of this type in a cell"));
    }
    Value::Object(fields)
}

/// `GET /tiles/events.json`: TileJSON 3.0.0; the filter parameters carry into the tiles.
pub(crate) async fn tilejson(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<Value>> {
    let suffix = carried(query.as_deref())?;
    let base = base_url(&headers);
    let extent = with_store(&state, |store, _| Ok(store.extent()?)).await?;
    let bounds = extent.map_or(WORLD, |extent| extent.bbox);
    Ok(Json(json!({
        "tilejson": "3.0.0",
        "name": "borderwatch events",
        "description": format!("Conflict events: counts per cell below zoom {POINT_ZOOM}, one feature per event from it."),
        "attribution": "borderwatch; places: GeoNames (CC BY 4.0)",
        "scheme": "xyz",
        "tiles": [format!("{base}/tiles/events/{{z}}/{{x}}/{{y}}.mvt{suffix}")],
        "minzoom": 0,
        "maxzoom": TILEJSON_MAX_ZOOM,
        "bounds": bounds,
        "center": [(bounds[0] + bounds[2]) / 2.0, (bounds[1] + bounds[3]) / 2.0, 5],
        "vector_layers": [{
            "id": LAYER,
            "description": "Events, or cells of events",
            "minzoom": 0,
            "maxzoom": TILEJSON_MAX_ZOOM,
            "fields": fields(|kind, meaning| json!(format!("{kind}: {meaning}"))),
        }],
    })))
}

const WEB_MERCATOR_QUAD: &str = "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad";
const EPSG_3857: &str = "http://www.opengis.net/def/crs/EPSG/0/3857";
const TILING_SCHEME: &str = "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme";

/// The OGC API - Tiles conformance classes this server meets.
pub(crate) const CONFORMANCE: [&str; 6] = [
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tileset",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/tilesets-list",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/geodata-tilesets",
    "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/mvt",
    "http://www.opengis.net/spec/tms/2.0/conf/json-tilematrixset",
];

/// `GET /tileMatrixSets`
pub(crate) async fn tile_matrix_sets(headers: HeaderMap) -> Json<Value> {
    let base = base_url(&headers);
    Json(json!({
        "tileMatrixSets": [{
            "id": "WebMercatorQuad",
            "title": "Google Maps Compatible for the World",
            "uri": WEB_MERCATOR_QUAD,
            "links": [{ "rel": "self", "type": "application/json", "href": format!("{base}/tileMatrixSets/WebMercatorQuad") }],
        }],
    }))
}

/// `GET /tileMatrixSets/WebMercatorQuad`: the definition in OGC Two Dimensional Tile
/// Matrix Set 2.0 JSON, with the 1.0 keys beside (`type`, `identifier`, `supportedCRS`,
/// `boundingBox`, `tileMatrix`, `topLeftCorner`), which GDAL before 3.8 reads.
pub(crate) async fn web_mercator_quad() -> Json<Value> {
    const HALF: f64 = 20_037_508.342_789_244;
    let matrices: Vec<Value> = (0..=MAX_ZOOM)
        .map(|z| {
            let n = 1u64 << z;
            json!({
                "id": z.to_string(),
                "identifier": z.to_string(),
                "scaleDenominator": 559_082_264.028_717_8 / n as f64,
                "cellSize": 156_543.033_928_040_97 / n as f64,
                "cornerOfOrigin": "topLeft",
                "pointOfOrigin": [-HALF, HALF],
                "topLeftCorner": [-HALF, HALF],
                "tileWidth": 256,
                "tileHeight": 256,
                "matrixWidth": n,
                "matrixHeight": n,
            })
        })
        .collect();
    Json(json!({
        "id": "WebMercatorQuad",
        "title": "Google Maps Compatible for the World",
        "uri": WEB_MERCATOR_QUAD,
        "crs": EPSG_3857,
        "orderedAxes": ["X", "Y"],
        "wellKnownScaleSet": "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible",
        "tileMatrices": matrices.clone(),
        "type": "TileMatrixSetType",
        "identifier": "WebMercatorQuad",
        "supportedCRS": EPSG_3857,
        "boundingBox": {
            "type": "BoundingBoxType",
            "crs": EPSG_3857,
            "lowerCorner": [-HALF, -HALF],
            "upperCorner": [HALF, HALF],
        },
        "tileMatrix": matrices,
    }))
}

fn tileset_links(base: &str, suffix: &str) -> Value {
    json!([
        { "rel": "self", "type": "application/json", "href": format!("{base}/collections/events/tiles/WebMercatorQuad{suffix}") },
        { "rel": TILING_SCHEME, "type": "application/json", "href": format!("{base}/tileMatrixSets/WebMercatorQuad") },
        { "rel": "item", "type": MVT_TYPE, "templated": true,
          "href": format!("{base}/collections/events/tiles/WebMercatorQuad/{{tileMatrix}}/{{tileRow}}/{{tileCol}}{suffix}") },
    ])
}

/// `GET /collections/events/tiles`: the tilesets of the collection (one).
pub(crate) async fn tilesets(
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<Value>> {
    let suffix = carried(query.as_deref())?;
    let base = base_url(&headers);
    Ok(Json(json!({
        "links": [{ "rel": "self", "type": "application/json", "href": format!("{base}/collections/events/tiles{suffix}") }],
        "tilesets": [{
            "title": "Conflict events",
            "dataType": "vector",
            "crs": EPSG_3857,
            "tileMatrixSetURI": WEB_MERCATOR_QUAD,
            "links": tileset_links(&base, &suffix),
        }],
    })))
}

/// `GET /collections/events/tiles/WebMercatorQuad`: the tileset.
pub(crate) async fn tileset(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<Value>> {
    let suffix = carried(query.as_deref())?;
    let base = base_url(&headers);
    let extent = with_store(&state, |store, _| Ok(store.extent()?)).await?;
    // The tiles that can hold events: those over the events' extent (the world when there
    // are none). Clients such as GDAL sample tiles inside these limits.
    let bbox = extent.as_ref().map_or(WORLD, |extent| extent.bbox);
    let (west, north) = mapindex::mercator(bbox[0], bbox[3]);
    let (east, south) = mapindex::mercator(bbox[2], bbox[1]);
    let limits: Vec<Value> = (0..=MAX_ZOOM)
        .map(|z| {
            let n = (1u64 << z) as f64;
            let cell = |fraction: f64| ((fraction * n) as u64).min((1u64 << z) - 1);
            json!({
                "tileMatrix": z.to_string(),
                "minTileRow": cell(north),
                "maxTileRow": cell(south),
                "minTileCol": cell(west),
                "maxTileCol": cell(east),
            })
        })
        .collect();
    let mut tileset = json!({
        "title": "Conflict events",
        "description": format!("Counts per cell of 1/32 tile by type below zoom {POINT_ZOOM}; one feature per event from it."),
        "dataType": "vector",
        "crs": EPSG_3857,
        "tileMatrixSetURI": WEB_MERCATOR_QUAD,
        "tileMatrixSetLimits": limits,
        "layers": [{
            "id": LAYER,
            "dataType": "vector",
            "geometryDimension": 0,
            "minTileMatrix": "0",
            "maxTileMatrix": MAX_ZOOM.to_string(),
            "propertiesSchema": {
                "type": "object",
                "properties": fields(|kind, meaning| json!({ "type": kind, "description": meaning })),
            },
        }],
        "links": tileset_links(&base, &suffix),
    });
    if let Some(extent) = extent {
        tileset["boundingBox"] = json!({
            "lowerLeft": [extent.bbox[0], extent.bbox[1]],
            "upperRight": [extent.bbox[2], extent.bbox[3]],
            "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
        });
    }
    Ok(Json(tileset))
}
