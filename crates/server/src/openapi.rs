//! The OpenAPI 3.0 document served at `/api` (OGC API - Features, requirement class oas30).

use serde_json::{Value, json};

fn query(name: &str, description: &str, schema: Value) -> Value {
    let mut parameter = json!({ "name": name, "in": "query", "required": false, "description": description, "style": "form", "explode": false });
    parameter["schema"] = schema;
    parameter
}

fn filters() -> Vec<Value> {
    vec![
        query(
            "bbox",
            "min_lon,min_lat,max_lon,max_lat (WGS 84)",
            json!({ "type": "array", "minItems": 4, "maxItems": 4, "items": { "type": "number" } }),
        ),
        query(
            "datetime",
            "RFC 3339 instant or interval (`start/end`, `..` for an open end)",
            json!({ "type": "string" }),
        ),
        query(
            "event_type",
            "comma-separated event types",
            json!({ "type": "array", "items": { "type": "string", "enum": store::EVENT_TYPES } }),
        ),
        query(
            "actor",
            "comma-separated sides, e.g. Russian forces",
            json!({ "type": "array", "items": { "type": "string" } }),
        ),
        query(
            "country",
            "comma-separated ISO 3166-1 alpha-2 codes",
            json!({ "type": "array", "items": { "type": "string" } }),
        ),
        query("min_confidence", "0..1", json!({ "type": "number", "minimum": 0, "maximum": 1 })),
        query(
            "q",
            "words that must all occur in the evidence or place",
            json!({ "type": "string" }),
        ),
    ]
}

fn paged(default: usize) -> Vec<Value> {
    let mut parameters = filters();
    parameters.push(query("limit", "features per page", json!({ "type": "integer", "minimum": 1, "maximum": crate::api::MAX_LIMIT, "default": default })));
    parameters.push(query(
        "offset",
        "features to skip",
        json!({ "type": "integer", "minimum": 0, "default": 0 }),
    ));
    parameters
}

fn ok(description: &str, media: &str) -> Value {
    json!({
        "200": { "description": description, "content": { media: { "schema": { "type": "object" } } } },
        "400": { "description": "a bad parameter, named in the answer", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/exception" } } } },
    })
}

/// The document, with `base` as the server address.
pub fn document(base: &str) -> Value {
    let id_parameter =
        json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } });
    let mut near = filters();
    near.extend([
        json!({ "name": "lat", "in": "query", "required": true, "schema": { "type": "number", "minimum": -90, "maximum": 90 } }),
        json!({ "name": "lon", "in": "query", "required": true, "schema": { "type": "number", "minimum": -180, "maximum": 180 } }),
        query("radius_km", "search radius", json!({ "type": "number", "exclusiveMinimum": 0, "maximum": crate::api::MAX_RADIUS_KM, "default": 25 })),
        query("limit", "most events returned", json!({ "type": "integer", "minimum": 1, "maximum": crate::api::MAX_LIMIT, "default": 100 })),
    ]);
    let path_part = |name: &str, description: &str| json!({ "name": name, "in": "path", "required": true, "description": description, "schema": { "type": "string" } });
    let mut xyz = filters();
    xyz.extend([
        path_part("z", "zoom, 0 to 22"),
        path_part("x", "column, 0 to 2^z - 1"),
        path_part("y", "row followed by .mvt, 0 to 2^z - 1"),
    ]);
    let mut ogc_tile = filters();
    ogc_tile.extend([
        path_part("tileMatrix", "zoom, 0 to 22"),
        path_part("tileRow", "row, 0 to 2^z - 1"),
        path_part("tileCol", "column, 0 to 2^z - 1"),
    ]);
    let tile_paths = json!({
            "/tiles/events.json": { "get": { "summary": "TileJSON 3.0 of the event tiles; filters carry into the tile URLs", "parameters": filters(), "responses": ok("TileJSON", "application/json") } },
            "/tiles/events/{z}/{x}/{y}.mvt": { "get": { "summary": "a Mapbox Vector Tile of the matching events: counts per cell by type below zoom 10, one feature per event from it", "parameters": xyz, "responses": ok("a vector tile", "application/vnd.mapbox-vector-tile") } },
            "/tileMatrixSets": { "get": { "summary": "the tile matrix sets (WebMercatorQuad)", "operationId": "getTileMatrixSetsList", "responses": ok("the list", "application/json") } },
            "/tileMatrixSets/WebMercatorQuad": { "get": { "summary": "the WebMercatorQuad definition", "operationId": "getTileMatrixSet", "responses": ok("the definition", "application/json") } },
            "/collections/events/tiles": { "get": { "summary": "the vector tilesets of the events", "operationId": "getCollectionVectorTileSetsList", "parameters": filters(), "responses": ok("the tilesets", "application/json") } },
            "/collections/events/tiles/WebMercatorQuad": { "get": { "summary": "the events tileset", "operationId": "getCollectionVectorTileSet", "parameters": filters(), "responses": ok("the tileset", "application/json") } },
            "/collections/events/tiles/WebMercatorQuad/{tileMatrix}/{tileRow}/{tileCol}": { "get": { "summary": "a vector tile of the events", "operationId": "getCollectionVectorTile", "parameters": ogc_tile, "responses": ok("a vector tile", "application/vnd.mapbox-vector-tile") } }
    });
    let mut document = json!({
        "openapi": "3.0.3",
        "info": { "title": "borderwatch", "version": env!("CARGO_PKG_VERSION"), "description": "Conflict events on the Russia / Ukraine / Belarus / Baltic borders, read from news articles." },
        "servers": [{ "url": base }],
        "paths": {
            "/": { "get": { "summary": "landing page", "operationId": "getLandingPage", "responses": ok("links to the API", "application/json") } },
            "/conformance": { "get": { "summary": "conformance classes", "operationId": "getConformanceDeclaration", "responses": ok("the classes", "application/json") } },
            "/collections": { "get": { "summary": "the collections", "operationId": "getCollections", "responses": ok("the collections", "application/json") } },
            "/collections/events": { "get": { "summary": "the events collection", "operationId": "describeCollection", "responses": ok("its metadata", "application/json") } },
            "/collections/events/items": { "get": { "summary": "events, a page at a time", "operationId": "getFeatures", "parameters": paged(10), "responses": ok("a FeatureCollection with next links", "application/geo+json") } },
            "/collections/events/items/{id}": { "get": { "summary": "one event", "operationId": "getFeature", "parameters": [id_parameter.clone()], "responses": ok("a Feature", "application/geo+json") } },
            "/api/events": { "get": { "summary": "events for the map", "parameters": paged(1000), "responses": ok("a FeatureCollection", "application/geo+json") } },
            "/api/events/near": { "get": { "summary": "events near a point, nearest first, with distance_km", "parameters": near, "responses": ok("a FeatureCollection", "application/geo+json") } },
            "/api/events/{id}": { "get": { "summary": "one event with every source", "parameters": [id_parameter], "responses": ok("a Feature", "application/geo+json") } },
            "/api/places": { "get": { "summary": "gazetteer search", "parameters": [
                { "name": "q", "in": "query", "required": true, "schema": { "type": "string" } },
                query("limit", "most places", json!({ "type": "integer", "minimum": 1, "maximum": 100, "default": 10 })),
            ], "responses": ok("places", "application/json") } },
            "/api/points": { "get": { "summary": "every matching event as a compact row for the map (id, lon, lat, event_type, date, confidence, report_count, fatalities, place_name)", "parameters": filters(), "responses": ok("columns and rows", "application/json") } },
            "/api/stats": { "get": { "summary": "counts per day and type", "parameters": filters(), "responses": ok("counts", "application/json") } },
            "/api/export.geojson": { "get": { "summary": "every matching event, RFC 7946", "parameters": filters(), "responses": ok("a FeatureCollection", "application/geo+json") } },
            "/api/export.csv": { "get": { "summary": "every matching event as CSV", "parameters": filters(), "responses": ok("CSV", "text/csv") } },
            "/api/export.gpkg": { "get": { "summary": "every matching event as a GeoPackage", "parameters": filters(), "responses": ok("GeoPackage", "application/geopackage+sqlite3") } },
            "/api/articles": { "post": {
                "summary": "add an article (bearer token)",
                "security": [{ "bearer": [] }],
                "requestBody": { "required": true, "content": { "application/json": { "schema": { "type": "object", "required": ["text"], "properties": {
                    "text": { "type": "string" }, "title": { "type": "string" }, "published": { "type": "string" }, "url": { "type": "string" }, "publisher": { "type": "string" } } } } } },
                "responses": ok("the stored article and its event count", "application/json") } },
            "/health": { "get": { "summary": "liveness and totals", "responses": ok("status", "application/json") } },
        },
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": { "exception": { "type": "object", "required": ["code"], "properties": {
                "code": { "type": "string" }, "description": { "type": "string" }, "parameter": { "type": "string", "nullable": true } } } },
        },
    });
    if let (Some(paths), Value::Object(tiles)) = (document["paths"].as_object_mut(), tile_paths) {
        paths.extend(tiles);
    }
    document
}
