//! The HTTP server: the map's JSON API, OGC API - Features (Part 1: core, GeoJSON, OpenAPI
//! 3.0) for QGIS and GDAL, streamed exports, and the `web/` folder.
//!
//! Handlers are thin: they parse and validate parameters (a 400 with a JSON message naming
//! the parameter for anything wrong), then run the store call on the blocking pool with a
//! connection of their own. Internal errors are logged and answered with a bare 500.

use std::path::PathBuf;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use gazetteer::{Gazetteer, LookupContext};
use serde_json::{Value, json};
use store::{DynStore, Filter, FilterError, Location, Pool, StoreError, export};

use crate::output::note;
use crate::tiles;

/// Most features per page of `/api/events` and the OGC items.
pub const MAX_LIMIT: usize = 10_000;
/// Most rows of `/api/points`.
pub const MAX_POINTS: usize = 500_000;
/// Largest request body (`POST /api/articles`).
pub const MAX_BODY_BYTES: usize = 2 << 20;
/// Half the Earth's circumference: no radius needs more.
pub const MAX_RADIUS_KM: f64 = 20_016.0;
/// Most PostgreSQL connections one server keeps open (several servers share a database).
pub const POOL_SIZE: u32 = 16;

/// What the handlers share.
pub struct AppState {
    pool: Pool,
    pub(crate) tiles: crate::tiles::TileLayer,
    gazetteer: Arc<Gazetteer>,
    token: Option<String>,
    web: PathBuf,
    allow_private: bool,
}

/// How to start the server.
#[derive(Debug, Clone)]
pub struct Config {
    /// The database: a SQLite file or a PostgreSQL URL.
    pub db: Location,
    /// The folder served at `/` for browsers.
    pub web: PathBuf,
    /// The bearer token that write endpoints require; without one they are closed.
    pub token: Option<String>,
    /// Whether `POST /api/articles` may fetch URLs on loopback, private and link-local
    /// addresses.
    pub allow_private_addresses: bool,
}

/// An error answer: status, OGC exception code, the parameter at fault.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    code: &'static str,
    parameter: Option<&'static str>,
    message: String,
}

impl ApiError {
    pub(crate) fn bad(parameter: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "InvalidParameterValue",
            parameter: Some(parameter),
            message: message.into(),
        }
    }

    fn not_found(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            code: "NotFound",
            parameter: None,
            message: message.into(),
        }
    }

    pub(crate) fn internal(err: &dyn std::fmt::Display) -> ApiError {
        note(&format!("internal error: {err}"));
        ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "ServerError",
            parameter: None,
            message: "internal error".to_owned(),
        }
    }
}

impl From<FilterError> for ApiError {
    fn from(err: FilterError) -> ApiError {
        ApiError::bad(err.parameter, err.message)
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> ApiError {
        ApiError::internal(&err)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "code": self.code,
            "description": self.message,
            "parameter": self.parameter,
        });
        (self.status, Json(body)).into_response()
    }
}

pub(crate) type ApiResult<T> = Result<T, ApiError>;

impl AppState {
    /// Opens the store (running its migrations) and returns the shared state.
    pub fn new(config: Config, gazetteer: Arc<Gazetteer>) -> Result<Arc<AppState>, StoreError> {
        Ok(Arc::new(AppState {
            pool: Pool::open(&config.db, POOL_SIZE)?,
            tiles: crate::tiles::TileLayer::default(),
            gazetteer,
            token: config.token,
            web: config.web,
            allow_private: config.allow_private_addresses,
        }))
    }

    fn checkout(&self) -> Result<store::PooledStore<'_>, StoreError> {
        self.pool.get()
    }
}

/// Runs `work` with a store connection on the blocking pool.
pub(crate) async fn with_store<T: Send + 'static>(
    state: &Arc<AppState>,
    work: impl FnOnce(&mut DynStore, &AppState) -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    let state = Arc::clone(state);
    tokio::task::spawn_blocking(move || {
        let mut store = state.checkout()?;
        work(&mut *store, &state)
    })
    .await
    .map_err(|err| ApiError::internal(&err))?
}

/// Query parameters in order; a malformed query string is a 400.
pub(crate) fn params(query: Option<&str>) -> ApiResult<Vec<(String, String)>> {
    serde_urlencoded::from_str(query.unwrap_or(""))
        .map_err(|err| ApiError::bad("query", format!("malformed query string: {err}")))
}

fn param<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

pub(crate) fn filter_of(params: &[(String, String)]) -> ApiResult<Filter> {
    Ok(Filter::from_params(params.iter().map(|(k, v)| (k.as_str(), v.as_str())))?)
}

fn number(params: &[(String, String)], key: &'static str) -> ApiResult<Option<f64>> {
    param(params, key)
        .map(|text| match text.trim().parse::<f64>() {
            Ok(value) if value.is_finite() => Ok(value),
            _ => Err(ApiError::bad(key, format!("{text:?} is not a number"))),
        })
        .transpose()
}

fn count(
    params: &[(String, String)],
    key: &'static str,
    default: usize,
    max: usize,
) -> ApiResult<usize> {
    match param(params, key) {
        None => Ok(default),
        Some(text) => match text.trim().parse::<usize>() {
            Ok(value) if value <= max && (key == "offset" || value >= 1) => Ok(value),
            _ if key == "offset" => {
                Err(ApiError::bad(key, format!("{text:?} is not a whole number ≥ 0")))
            }
            _ => Err(ApiError::bad(key, format!("{text:?} is not a whole number from 1 to {max}"))),
        },
    }
}

/// The server's own address as clients reach it, for links.
pub(crate) fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|value| value.to_str().ok())
        .filter(|host| host.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)))
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

fn geojson(value: &Value) -> Response {
    let mut response = Json(value).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/geo+json"));
    response
}

/// The router over a state.
pub fn router(state: Arc<AppState>) -> Router {
    let web = state.web.clone();
    Router::new()
        .route("/", get(landing))
        .route("/health", get(health))
        .route("/conformance", get(conformance))
        .route("/api", get(openapi))
        .route("/collections", get(collections))
        .route("/collections/events", get(collection))
        .route("/collections/events/items", get(items))
        .route("/collections/events/items/{id}", get(item))
        .route("/api/events", get(events))
        .route("/api/events/near", get(near))
        .route("/api/events/{id}", get(event))
        .route("/api/places", get(places))
        .route("/api/stats", get(stats))
        .route("/api/points", get(points))
        .route("/api/export.geojson", get(export_geojson))
        .route("/api/export.csv", get(export_csv))
        .route("/api/export.gpkg", get(export_gpkg))
        .route("/tiles/events.json", get(tiles::tilejson))
        .route("/tiles/events/{z}/{x}/{y}", get(tiles::xyz_tile))
        .route("/tileMatrixSets", get(tiles::tile_matrix_sets))
        .route("/tileMatrixSets/WebMercatorQuad", get(tiles::web_mercator_quad))
        .route("/collections/events/tiles", get(tiles::tilesets))
        .route("/collections/events/tiles/WebMercatorQuad", get(tiles::tileset))
        .route(
            "/collections/events/tiles/WebMercatorQuad/{tile_matrix}/{tile_row}/{tile_col}",
            get(tiles::ogc_tile),
        )
        .route("/api/articles", post(add_article).layer(DefaultBodyLimit::max(MAX_BODY_BYTES)))
        .fallback_service(tower_http::services::ServeDir::new(web))
        .with_state(state)
}

/// Serves until Ctrl-C.
pub async fn serve(state: Arc<AppState>, addr: &str) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    note(&format!("serving on http://{}", listener.local_addr()?));
    // The map's first tiles should not wait for the index of every event: build it now.
    let warm = Arc::clone(&state);
    tokio::task::spawn_blocking(move || match warm.checkout() {
        Ok(store) => {
            if let Err(err) = warm.tiles.warm(&*store) {
                note(&format!("building the map index: {err}"));
            }
        }
        Err(err) => note(&format!("building the map index: {err}")),
    });
    axum::serve(listener, router(state))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

async fn health(State(state): State<Arc<AppState>>) -> ApiResult<Json<Value>> {
    let totals = with_store(&state, |store, _| Ok(store.totals()?)).await?;
    Ok(Json(json!({ "status": "ok", "articles": totals.articles, "events": totals.events })))
}

fn wants_html(headers: &HeaderMap, params: &[(String, String)]) -> bool {
    match param(params, "f") {
        Some(format) => format == "html",
        None => headers
            .get(header::ACCEPT)
            .and_then(|accept| accept.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html")),
    }
}

async fn landing(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let params = params(query.as_deref())?;
    let index = state.web.join("index.html");
    if wants_html(&headers, &params) && index.is_file() {
        let page = tokio::fs::read(&index).await.map_err(|err| ApiError::internal(&err))?;
        return Ok(([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response());
    }
    let base = base_url(&headers);
    Ok(Json(json!({
        "title": "borderwatch",
        "description": "Conflict events on the Russia / Ukraine / Belarus / Baltic borders, read from news articles.",
        "links": [
            { "href": format!("{base}/"), "rel": "self", "type": "application/json", "title": "this document" },
            { "href": format!("{base}/api"), "rel": "service-desc", "type": "application/vnd.oai.openapi+json;version=3.0", "title": "the API definition" },
            { "href": format!("{base}/conformance"), "rel": "conformance", "type": "application/json", "title": "conformance classes" },
            { "href": format!("{base}/collections"), "rel": "data", "type": "application/json", "title": "collections" },
            { "href": format!("{base}/tileMatrixSets"), "rel": "http://www.opengis.net/def/rel/ogc/1.0/tiling-schemes", "type": "application/json", "title": "tile matrix sets" },
            { "href": format!("{base}/tiles/events.json"), "rel": "describedby", "type": "application/json", "title": "TileJSON of the event tiles" },
            { "href": format!("{base}/?f=html"), "rel": "alternate", "type": "text/html", "title": "the map" },
        ],
    }))
    .into_response())
}

const CONFORMANCE: [&str; 3] = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
];

async fn conformance() -> Json<Value> {
    let classes: Vec<&str> = CONFORMANCE.iter().chain(&tiles::CONFORMANCE).copied().collect();
    Json(json!({ "conformsTo": classes }))
}

async fn collection_json(state: &Arc<AppState>, base: &str) -> ApiResult<Value> {
    let extent = with_store(state, |store, _| Ok(store.extent()?)).await?;
    let (bbox, interval) = match extent {
        Some(extent) => (
            json!([extent.bbox]),
            json!([[
                format!("{}T00:00:00Z", extent.dates.0),
                format!("{}T23:59:59Z", extent.dates.1)
            ]]),
        ),
        None => (json!([[-180.0, -90.0, 180.0, 90.0]]), json!([[null, null]])),
    };
    Ok(json!({
        "id": "events",
        "title": "Conflict events",
        "description": "Events read from news articles, per EVENTS.md: type, sides, date, place, fatalities, evidence and sources.",
        "itemType": "feature",
        "crs": ["http://www.opengis.net/def/crs/OGC/1.3/CRS84"],
        "extent": {
            "spatial": { "bbox": bbox, "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84" },
            "temporal": { "interval": interval, "trs": "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian" },
        },
        "links": [
            { "href": format!("{base}/collections/events"), "rel": "self", "type": "application/json" },
            { "href": format!("{base}/collections/events/items"), "rel": "items", "type": "application/geo+json", "title": "the events" },
            { "href": format!("{base}/collections/events/tiles"), "rel": "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector", "type": "application/json", "title": "vector tiles of the events" },
        ],
    }))
}

async fn collections(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> ApiResult<Json<Value>> {
    let base = base_url(&headers);
    let collection = collection_json(&state, &base).await?;
    Ok(Json(json!({
        "links": [{ "href": format!("{base}/collections"), "rel": "self", "type": "application/json" }],
        "collections": [collection],
    })))
}

async fn collection(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
) -> ApiResult<Json<Value>> {
    Ok(Json(collection_json(&state, &base_url(&headers)).await?))
}

/// A page of features with OGC's counts and links; `next` keeps every parameter.
async fn items(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let params = params(query.as_deref())?;
    let page = feature_page(&state, &params, 10).await?;
    let base = format!("{}/collections/events/items", base_url(&headers));
    Ok(geojson(&with_links(&page, &base, &params)))
}

async fn events(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let params = params(query.as_deref())?;
    let page = feature_page(&state, &params, 1000).await?;
    let base = format!("{}/api/events", base_url(&headers));
    Ok(geojson(&with_links(&page, &base, &params)))
}

struct FeaturePage {
    features: Vec<Value>,
    matched: u64,
    limit: usize,
    offset: usize,
}

async fn feature_page(
    state: &Arc<AppState>,
    params: &[(String, String)],
    default_limit: usize,
) -> ApiResult<FeaturePage> {
    let filter = filter_of(params)?;
    let limit = count(params, "limit", default_limit, MAX_LIMIT)?;
    let offset = count(params, "offset", 0, usize::MAX >> 1)?;
    let (events, matched) =
        with_store(state, move |store, _| Ok(store.page(&filter, limit, offset)?)).await?;
    Ok(FeaturePage {
        features: events.iter().map(export::feature).collect(),
        matched,
        limit,
        offset,
    })
}

fn with_links(page: &FeaturePage, base: &str, params: &[(String, String)]) -> Value {
    let href = |offset: usize| {
        let mut pairs: Vec<(String, String)> =
            params.iter().filter(|(k, _)| k != "offset" && k != "limit").cloned().collect();
        pairs.push(("limit".to_owned(), page.limit.to_string()));
        pairs.push(("offset".to_owned(), offset.to_string()));
        format!("{base}?{}", serde_urlencoded::to_string(&pairs).unwrap_or_default())
    };
    let returned = page.features.len();
    let mut links =
        vec![json!({ "href": href(page.offset), "rel": "self", "type": "application/geo+json" })];
    if (page.offset + returned) < page.matched as usize && returned > 0 {
        links.push(json!({ "href": href(page.offset + returned), "rel": "next", "type": "application/geo+json" }));
    }
    if page.offset > 0 {
        links.push(json!({ "href": href(page.offset.saturating_sub(page.limit)), "rel": "prev", "type": "application/geo+json" }));
    }
    json!({
        "type": "FeatureCollection",
        "numberMatched": page.matched,
        "numberReturned": returned,
        "timeStamp": now_rfc3339(),
        "links": links,
        "features": page.features,
    })
}

fn now_rfc3339() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64);
    let date = extract::Date::from_days(seconds.div_euclid(86_400));
    let second = seconds.rem_euclid(86_400);
    format!("{date}T{:02}:{:02}:{:02}Z", second / 3600, second / 60 % 60, second % 60)
}

async fn item(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let found = with_store(&state, move |store, _| Ok(store.event(&id)?)).await?;
    let Some((event, _)) = found else { return Err(ApiError::not_found("no event with this id")) };
    let mut feature = export::feature(&event);
    let base = base_url(&headers);
    feature["links"] = json!([
        { "href": format!("{base}/collections/events/items/{}", event.id), "rel": "self", "type": "application/geo+json" },
        { "href": format!("{base}/collections/events"), "rel": "collection", "type": "application/json" },
    ]);
    Ok(geojson(&feature))
}

async fn event(State(state): State<Arc<AppState>>, Path(id): Path<String>) -> ApiResult<Response> {
    let found = with_store(&state, move |store, _| Ok(store.event(&id)?)).await?;
    let Some((event, sources)) = found else {
        return Err(ApiError::not_found("no event with this id"));
    };
    let mut feature = export::feature(&event);
    feature["properties"]["sources"] = json!(sources);
    Ok(geojson(&feature))
}

async fn near(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let params = params(query.as_deref())?;
    let lat = number(&params, "lat")?.ok_or_else(|| ApiError::bad("lat", "required"))?;
    let lon = number(&params, "lon")?.ok_or_else(|| ApiError::bad("lon", "required"))?;
    if !(-90.0..=90.0).contains(&lat) {
        return Err(ApiError::bad("lat", "must be within -90..90"));
    }
    if !(-180.0..=180.0).contains(&lon) {
        return Err(ApiError::bad("lon", "must be within -180..180"));
    }
    let radius_km = number(&params, "radius_km")?.unwrap_or(25.0);
    if !(radius_km > 0.0 && radius_km <= MAX_RADIUS_KM) {
        return Err(ApiError::bad(
            "radius_km",
            format!("must be more than 0 and at most {MAX_RADIUS_KM} km"),
        ));
    }
    let limit = count(&params, "limit", 100, MAX_LIMIT)?;
    let filter = filter_of(&params)?;
    // The store's ready-made features (SQLite keeps them by place), put together as text.
    let body = with_store(&state, move |store, _| {
        Ok(export::near_collection(&store.near_features(lat, lon, radius_km, limit, &filter)?))
    })
    .await?;
    Ok(([(header::CONTENT_TYPE, "application/geo+json")], body).into_response())
}

async fn places(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<Value>> {
    let params = params(query.as_deref())?;
    let name = param(&params, "q").map(str::trim).unwrap_or("");
    if name.is_empty() || name.len() > 200 {
        return Err(ApiError::bad("q", "a place name of 1 to 200 bytes is required"));
    }
    let limit = count(&params, "limit", 10, 100)?;
    let gazetteer = &state.gazetteer;
    let rows: Vec<Value> = gazetteer
        .lookup(name, &LookupContext::border_region())
        .into_iter()
        .take(limit)
        .map(|candidate| {
            let place = candidate.place;
            json!({
                "id": place.stable_id(),
                "name": place.name,
                "matched_name": candidate.matched_name,
                "lat": place.lat,
                "lon": place.lon,
                "country_code": place.country.as_str(),
                "admin1": gazetteer.admin1_of(place).map(|admin1| admin1.name.as_str()),
                "feature_code": place.feature_code,
            })
        })
        .collect();
    Ok(Json(Value::Array(rows)))
}

/// Every matching event as a compact row (`id, lon, lat, event_type, date, confidence,
/// report_count, fatalities, place_name`), for drawing 100,000 events without their text.
async fn points(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let params = params(query.as_deref())?;
    let filter = filter_of(&params)?;
    let limit = count(&params, "limit", MAX_POINTS, MAX_POINTS)?;
    let body = with_store(&state, move |store, _| {
        let mut out = String::with_capacity(1 << 16);
        out.push_str(r#"{"columns":["id","lon","lat","event_type","date","confidence","report_count","fatalities","place_name"],"rows":["#);
        let mut n = 0usize;
        store.each_point(&filter, &mut |point| {
            if n >= limit {
                return;
            }
            if n > 0 {
                out.push(',');
            }
            n += 1;
            let row = json!([
                point.id,
                (point.lon * 1e6).round() / 1e6,
                (point.lat * 1e6).round() / 1e6,
                point.event_type,
                point.date,
                (point.confidence * 1000.0).round() / 1000.0,
                point.report_count,
                point.fatalities,
                point.place_name
            ]);
            out.push_str(&row.to_string());
        })?;
        out.push_str(&format!(r#"],"count":{n}}}"#));
        Ok(out)
    })
    .await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}

async fn stats(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<Value>> {
    let params = params(query.as_deref())?;
    let filter = filter_of(&params)?;
    // From the map index when it can answer (filters on dates, types and confidence only),
    // else from the store: at a million events 10 ms against 600.
    let days = with_store(&state, move |store, state| match state.tiles.stats(store, &filter)? {
        Some(days) => Ok(days),
        None => Ok(store.stats(&filter)?),
    })
    .await?;
    let total: u64 = days.iter().map(|day| day.count).sum();
    Ok(Json(json!({ "total": total, "days": days })))
}

/// Sends what is written to it down a channel, in 64 KiB chunks.
struct ChannelWriter {
    sender: tokio::sync::mpsc::Sender<Bytes>,
    buffer: Vec<u8>,
}

impl std::io::Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buffer.extend_from_slice(data);
        if self.buffer.len() >= 64 << 10 {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::take(&mut self.buffer));
        self.sender.blocking_send(chunk).map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client went away")
        })
    }
}

/// A streamed download: `write` runs on the blocking pool and its output goes out as it
/// is produced (a few chunks in flight at most: constant memory for any size).
fn streamed(
    state: &Arc<AppState>,
    content_type: &'static str,
    filename: &'static str,
    write: impl FnOnce(&DynStore, &mut ChannelWriter) -> Result<u64, StoreError> + Send + 'static,
) -> Response {
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Bytes>(4);
    let state = Arc::clone(state);
    tokio::task::spawn_blocking(move || {
        let store = match state.checkout() {
            Ok(store) => store,
            Err(err) => return note(&format!("export: {err}")),
        };
        let mut writer = ChannelWriter { sender, buffer: Vec::new() };
        let result =
            write(&*store, &mut writer).and_then(|_| Ok(std::io::Write::flush(&mut writer)?));
        if let Err(err) = result {
            note(&format!("export stopped: {err}"));
        }
    });
    let stream = futures_util::stream::poll_fn(move |cx| {
        receiver.poll_recv(cx).map(|chunk| chunk.map(Ok::<_, std::io::Error>))
    });
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
        ],
        Body::from_stream(stream),
    )
        .into_response()
}

async fn export_geojson(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let filter = filter_of(&params(query.as_deref())?)?;
    Ok(streamed(&state, "application/geo+json", "borderwatch-events.geojson", move |store, out| {
        export::write_geojson(store, &filter, out)
    }))
}

async fn export_csv(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let filter = filter_of(&params(query.as_deref())?)?;
    Ok(streamed(&state, "text/csv; charset=utf-8", "borderwatch-events.csv", move |store, out| {
        export::write_csv(store, &filter, out)
    }))
}

async fn export_gpkg(
    State(state): State<Arc<AppState>>,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let filter = filter_of(&params(query.as_deref())?)?;
    Ok(streamed(
        &state,
        "application/geopackage+sqlite3",
        "borderwatch-events.gpkg",
        move |store, out| {
            let path = temp_path("gpkg");
            let result = export::write_gpkg(store, &filter, &path).and_then(|count| {
                let mut file = std::fs::File::open(&path)?;
                std::io::copy(&mut file, out)?;
                Ok(count)
            });
            let _ = std::fs::remove_file(&path);
            result
        },
    ))
}

fn temp_path(extension: &str) -> PathBuf {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    std::env::temp_dir().join(format!("borderwatch-export-{}-{n}.{extension}", std::process::id()))
}

#[derive(serde::Deserialize)]
struct NewArticleBody {
    text: Option<String>,
    url: Option<String>,
    title: Option<String>,
    published: Option<String>,
    publisher: Option<String>,
}

fn authorized(state: &AppState, headers: &HeaderMap) -> ApiResult<()> {
    let Some(token) = state.token.as_deref() else {
        return Err(ApiError {
            status: StatusCode::FORBIDDEN,
            code: "Forbidden",
            parameter: None,
            message: "writing is disabled: start the server with a token (BORDERWATCH_TOKEN or --token-file)".to_owned(),
        });
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .unwrap_or("");
    // Compare without an early exit, so timing does not reveal a prefix.
    let same = given.len() == token.len()
        && given.bytes().zip(token.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0;
    if same {
        Ok(())
    } else {
        Err(ApiError {
            status: StatusCode::UNAUTHORIZED,
            code: "Unauthorized",
            parameter: None,
            message: "a valid bearer token is required".to_owned(),
        })
    }
}

async fn add_article(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    authorized(&state, &headers)?;
    let body: NewArticleBody = serde_json::from_slice(&body).map_err(|err| {
        ApiError::bad(
            "body",
            format!("expected JSON {{\"text\", \"title\", \"published\", \"url\"}}: {err}"),
        )
    })?;
    let input = match (body.text, body.url) {
        (None, Some(url)) => {
            let mut fetched = crate::fetch::fetch_article(&url, state.allow_private)
                .await
                .map_err(|err| ApiError::bad("url", format!("{err:#}")))?;
            fetched.title = body.title.or(fetched.title);
            fetched.published = body.published.or(fetched.published);
            fetched.publisher = body.publisher;
            fetched
        }
        (text, url) => crate::ingest::ArticleInput {
            origin: "request".to_owned(),
            text: text.unwrap_or_default(),
            title: body.title,
            url,
            publisher: body.publisher,
            published: body.published,
        },
    };
    crate::ingest::published_date(&input, None)
        .map_err(|message| ApiError::bad("published", message))?;
    let outcome = with_store(&state, move |store, state| {
        crate::ingest::ingest_one(&state.gazetteer, store, &input, None)
            .map_err(|message| ApiError::bad("text", message))
    })
    .await?;
    // The map's next tile or count looks at the store again.
    state.tiles.invalidate();
    let (status, mut body) = match outcome.ingested {
        store::Ingested::Added { article_id, new_events, merged_events } => (
            StatusCode::CREATED,
            json!({ "article_id": article_id, "duplicate": false, "events": new_events + merged_events, "new_events": new_events, "merged_events": merged_events }),
        ),
        store::Ingested::Duplicate { article_id } => {
            (StatusCode::OK, json!({ "article_id": article_id, "duplicate": true, "events": 0 }))
        }
    };
    // The limits of what one article may cost that this one reached: stored in part.
    if let (false, Some(object)) = (outcome.notes.is_empty(), body.as_object_mut()) {
        object.insert("notes".to_owned(), outcome.notes.into());
    }
    Ok((status, Json(body)).into_response())
}

async fn openapi(headers: HeaderMap) -> Response {
    let base = base_url(&headers);
    let mut response = Json(crate::openapi::document(&base)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/vnd.oai.openapi+json;version=3.0"),
    );
    response
}
