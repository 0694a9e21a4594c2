#!/usr/bin/env bash
# PostGIS peer for the store benchmark (`make bench`, crates/store/benches/store.rs).
#
# Usage: bench/postgis_peer.sh [DIR]     (DIR defaults to target/bench-store)
#
# DIR holds points.csv (id,lon,lat,date,event_type), near.csv (lat,lon) and bbox.csv
# (min_lon,min_lat,max_lon,max_lat), as the Rust harness writes them. The script installs
# PostgreSQL, PostGIS, GDAL and GNU time from Debian packages when they are missing, runs a
# throwaway cluster on a unix socket in a temporary folder (removed at exit, even on
# failure), loads the points, times the near and bbox queries on the server and the
# GeoPackage -> GeoJSON export with ogr2ogr, and prints one JSON object on stdout.
# Progress goes to stderr.
#
# Environment:
#   NEAR_SPHEROID=false|true  distances of the near query on the sphere (default, as the Rust
#                             store's haversine) or on the WGS84 spheroid (PostGIS's default)
#   NEAR_WARMUP=100           centres queried once, untimed, before the timed pass
#   BENCH_TMPDIR=/tmp         where the temporary folder goes (needs ~1 GB for 1M points)

set -euo pipefail
export LC_ALL=C

DIR=${1:-target/bench-store}
NEAR_SPHEROID=${NEAR_SPHEROID:-false}
NEAR_WARMUP=${NEAR_WARMUP:-100}
RADIUS_M=25000
NEAR_LIMIT=100

log() { printf '[postgis_peer] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }

case $NEAR_SPHEROID in true|false) ;; *) die "NEAR_SPHEROID must be true or false" ;; esac
[[ $NEAR_WARMUP =~ ^[0-9]+$ ]] || die "NEAR_WARMUP must be a whole number"
for f in points.csv near.csv bbox.csv; do
    [[ -r $DIR/$f ]] || die "cannot read $DIR/$f (run \`make bench\` first, or pass the folder as \$1)"
done
DIR=$(cd "$DIR" && pwd)

# --- Packages ---------------------------------------------------------------------------

SUDO=()
if [[ $(id -u) -ne 0 ]]; then
    SUDO=(sudo)
fi

APT_UPDATED=
apt_install() {
    if [[ ${#SUDO[@]} -gt 0 ]] && ! command -v sudo >/dev/null; then
        die "need to install $* but am not root and have no sudo"
    fi
    if [[ -z $APT_UPDATED ]]; then
        log "apt-get update"
        "${SUDO[@]}" apt-get update -qq >&2
        APT_UPDATED=1
    fi
    log "installing $*"
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

# The newest installed PostgreSQL server, preferring one that has PostGIS.
find_pg() {
    local d v
    PGV=
    for d in $(ls -d /usr/lib/postgresql/*/ 2>/dev/null | sort -V -r); do
        v=$(basename "$d")
        if [[ -x $d/bin/initdb && -f /usr/share/postgresql/$v/extension/postgis.control ]]; then
            PGV=$v
            return 0
        fi
    done
    for d in $(ls -d /usr/lib/postgresql/*/ 2>/dev/null | sort -V -r); do
        v=$(basename "$d")
        if [[ -x $d/bin/initdb ]]; then
            PGV=$v
            return 0
        fi
    done
    return 1
}

need=()
find_pg || need+=(postgresql)
command -v ogr2ogr >/dev/null || need+=(gdal-bin)
[[ -x /usr/bin/time ]] || need+=(time)
if [[ ${#need[@]} -gt 0 ]]; then
    apt_install "${need[@]}"
fi
find_pg || die "no PostgreSQL server under /usr/lib/postgresql after installing it"
if [[ ! -f /usr/share/postgresql/$PGV/extension/postgis.control ]]; then
    apt_install "postgresql-$PGV-postgis-3"
fi
PGBIN=/usr/lib/postgresql/$PGV/bin
PSQLBIN=$PGBIN/psql
[[ -x $PSQLBIN ]] || PSQLBIN=$(command -v psql) || die "no psql"
command -v ogr2ogr >/dev/null || die "no ogr2ogr"
[[ -x /usr/bin/time ]] || die "no /usr/bin/time"

# --- Throwaway cluster ------------------------------------------------------------------

# PostgreSQL refuses to run as root: as root, run the server as the postgres OS user
# (the Debian package creates it); otherwise run it as ourselves.
if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || die "no postgres OS user"
    PGUSER_OS=postgres
    as_pg() { runuser -u postgres -- "$@"; }
else
    PGUSER_OS=$(id -un)
    as_pg() { "$@"; }
fi

WORK=$(mktemp -d "${BENCH_TMPDIR:-${TMPDIR:-/tmp}}/postgis-peer.XXXXXX")
chmod 755 "$WORK"
SOCK=$WORK/pg
PGDATA=$SOCK/data
mkdir "$SOCK"
if [[ $(id -u) -eq 0 ]]; then
    chown postgres: "$SOCK"
fi
STARTED=

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [[ -n $STARTED ]]; then
        if [[ $rc -ne 0 && -f $SOCK/server.log ]]; then
            log "server log (tail):"
            tail -n 20 "$SOCK/server.log" >&2 || true
        fi
        log "stopping the cluster"
        (cd "$WORK" && as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -t 30 -w stop >/dev/null 2>&1) \
            || (cd "$WORK" && as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null 2>&1) \
            || true
    fi
    rm -rf -- "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Only the unix socket listens; the port just names it, but take one that is free anyway.
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null) \
    || PORT=$((54000 + $$ % 1000))

log "PostgreSQL $PGV in $WORK (server runs as $PGUSER_OS, socket port $PORT)"
# Run from $WORK: the postgres user may not be able to read the caller's working directory.
(cd "$WORK" && as_pg "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null)
# A bulk-load friendly but durable setup: fsync stays on; wal_level=minimal lets COPY into a
# table created in the same transaction skip the WAL; JIT off as for short OLTP queries.
cat >>"$PGDATA/postgresql.conf" <<EOF

# postgis_peer.sh
listen_addresses = ''
unix_socket_directories = '$SOCK'
port = $PORT
shared_buffers = 512MB
work_mem = 64MB
maintenance_work_mem = 1GB
wal_level = minimal
max_wal_senders = 0
max_wal_size = 4GB
jit = off
EOF
STARTED=1
(cd "$WORK" && as_pg "$PGBIN/pg_ctl" -D "$PGDATA" -l "$SOCK/server.log" -w -t 60 start >/dev/null)

PSQL=("$PSQLBIN" -X -q -v ON_ERROR_STOP=1 -h "$SOCK" -p "$PORT" -U postgres)
"${PSQL[@]}" -d postgres -c 'CREATE DATABASE bench'
PSQL+=(-d bench)
q() { "${PSQL[@]}" -At -c "$1"; }

q 'CREATE EXTENSION postgis' >/dev/null
PG_VERSION=$(q 'SHOW server_version' | awk '{print $1}')
POSTGIS_VERSION=$(q 'SELECT postgis_lib_version()')
log "PostgreSQL $PG_VERSION + PostGIS $POSTGIS_VERSION"

# --- Load -------------------------------------------------------------------------------

# One pass: COPY fills lon/lat, the generated columns build the geography (near query) and
# the geometry (bbox query, exact lon/lat box) from them.
log "loading $DIR/points.csv"
t_load=$(now)
t=$(now)
"${PSQL[@]}" -1 \
    -c "CREATE TABLE events (
            id text NOT NULL,
            lon float8 NOT NULL,
            lat float8 NOT NULL,
            date date NOT NULL,
            event_type text NOT NULL,
            geog geography(Point, 4326)
                GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography) STORED,
            geom geometry(Point, 4326)
                GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED
        )" \
    -c '\copy events (id, lon, lat, date, event_type) FROM pstdin WITH (FORMAT csv, HEADER true)' \
    <"$DIR/points.csv"
log "  COPY $(since "$t") s"
t=$(now)
q 'CREATE INDEX events_geog_gist ON events USING gist (geog)'
log "  GiST index on geog $(since "$t") s"
t=$(now)
q 'CREATE INDEX events_geom_gist ON events USING gist (geom)'
log "  GiST index on geom $(since "$t") s"
t=$(now)
q 'VACUUM ANALYZE events'
log "  VACUUM ANALYZE $(since "$t") s"
LOAD_S=$(since "$t_load")
POINTS=$(q 'SELECT count(*) FROM events')
log "loaded $POINTS points in $LOAD_S s ($(q "SELECT pg_size_pretty(pg_total_relation_size('events'))") with indexes)"

# --- Query inputs and timing functions --------------------------------------------------

"${PSQL[@]}" \
    -c 'CREATE TABLE centres (i serial PRIMARY KEY, lat float8 NOT NULL, lon float8 NOT NULL)' \
    -c '\copy centres (lat, lon) FROM pstdin WITH (FORMAT csv, HEADER true)' <"$DIR/near.csv"
"${PSQL[@]}" \
    -c 'CREATE TABLE boxes (i serial PRIMARY KEY, min_lon float8, min_lat float8, max_lon float8, max_lat float8)' \
    -c '\copy boxes (min_lon, min_lat, max_lon, max_lat) FROM pstdin WITH (FORMAT csv, HEADER true)' <"$DIR/bbox.csv"

# Each query runs inside PL/pgSQL on one connection, its rows fetched one by one, timed with
# clock_timestamp() around it: server-side latency, no client round trip or parsing. PL/pgSQL
# prepares each statement once, as an application with a prepared statement would.
"${PSQL[@]}" <<SQL
CREATE TABLE near_ms (pass text, i int, ms float8, n int);
CREATE TABLE bbox_ms (pass text, i int, ms float8, n int, bytes int);

CREATE FUNCTION run_near(pass text, upto int) RETURNS void LANGUAGE plpgsql AS \$fn\$
DECLARE
    c record;
    r record;
    t0 timestamptz;
    n int;
BEGIN
    FOR c IN SELECT * FROM centres WHERE i <= upto ORDER BY i LOOP
        t0 := clock_timestamp();
        n := 0;
        FOR r IN
            SELECT e.id, e.event_type, e.date,
                   ST_Distance(e.geog, p.g, $NEAR_SPHEROID) AS distance_m
            FROM events e,
                 (SELECT ST_SetSRID(ST_MakePoint(c.lon, c.lat), 4326)::geography AS g) p
            WHERE ST_DWithin(e.geog, p.g, $RADIUS_M, $NEAR_SPHEROID)
            ORDER BY e.geog <-> p.g
            LIMIT $NEAR_LIMIT
        LOOP
            n := n + 1;
        END LOOP;
        INSERT INTO near_ms VALUES (pass, c.i, extract(epoch FROM clock_timestamp() - t0) * 1000, n);
    END LOOP;
END
\$fn\$;

CREATE FUNCTION run_bbox(pass text) RETURNS void LANGUAGE plpgsql AS \$fn\$
DECLARE
    b record;
    t0 timestamptz;
    doc text;
    n int;
BEGIN
    FOR b IN SELECT * FROM boxes ORDER BY i LOOP
        t0 := clock_timestamp();
        SELECT json_build_object(
                   'type', 'FeatureCollection',
                   'features', coalesce(json_agg(ST_AsGeoJSON(t.*)::json), '[]'::json))::text,
               count(*)
        INTO doc, n
        FROM (SELECT e.id, e.date, e.event_type, e.geom
              FROM events e
              WHERE e.geom && ST_MakeEnvelope(b.min_lon, b.min_lat, b.max_lon, b.max_lat, 4326)) t;
        INSERT INTO bbox_ms VALUES (pass, b.i, extract(epoch FROM clock_timestamp() - t0) * 1000, n, octet_length(doc));
    END LOOP;
END
\$fn\$;
SQL

# The same percentile as the Rust harness: sorted[round((n - 1) * p)].
pct() {
    printf "SELECT round(((array_agg(ms ORDER BY ms))[round((count(*) - 1) * %s)::int + 1])::numeric, %s) FROM %s WHERE pass = 'timed'" "$1" "$2" "$3"
}

# --- Near query -------------------------------------------------------------------------

NCENTRES=$(q 'SELECT count(*) FROM centres')
log "near: $NEAR_WARMUP warm-up + $NCENTRES timed queries (${RADIUS_M} m, limit $NEAR_LIMIT, spheroid=$NEAR_SPHEROID)"
"${PSQL[@]}" -c "SELECT run_near('warmup', $NEAR_WARMUP)" -c "SELECT run_near('timed', 2147483647)" >/dev/null
NEAR_P50=$(q "$(pct 0.5 3 near_ms)")
NEAR_P99=$(q "$(pct 0.99 3 near_ms)")
NEAR_ROWS=$(q "SELECT round(avg(n)::numeric, 3)::float8 FROM near_ms WHERE pass = 'timed'")
log "  p50 $NEAR_P50 ms, p99 $NEAR_P99 ms, max $(q "SELECT round(max(ms)::numeric, 3) FROM near_ms WHERE pass = 'timed'") ms, $NEAR_ROWS rows on average"

# --- Bbox query -------------------------------------------------------------------------

NBOXES=$(q 'SELECT count(*) FROM boxes')
log "bbox: $NBOXES boxes as GeoJSON FeatureCollection text (geometry column, GiST, &&), one warm-up pass"
"${PSQL[@]}" -c "SELECT run_bbox('warmup')" -c "SELECT run_bbox('timed')" >/dev/null
BBOX_MS=$(q "$(pct 0.5 1 bbox_ms)")
BBOX_P99=$(q "$(pct 0.99 1 bbox_ms)")
BBOX_FEATURES=$(q "SELECT n FROM bbox_ms WHERE pass = 'timed' ORDER BY i LIMIT 1")
q "SELECT format('  box %s: %s ms, %s features, %s bytes', i, round(ms::numeric, 1), n, bytes) FROM bbox_ms WHERE pass = 'timed' ORDER BY i" \
    | while IFS= read -r line; do log "$line"; done
log "  median $BBOX_MS ms, p99 $BBOX_P99 ms; first box $BBOX_FEATURES features"

# --- Export with ogr2ogr ----------------------------------------------------------------

log "writing points.gpkg from the table (not timed)"
t=$(now)
ogr2ogr -f GPKG "$WORK/points.gpkg" "PG:host=$SOCK port=$PORT dbname=bench user=postgres" \
    -sql 'SELECT id, date, event_type, geom FROM events' -nln events
log "  $(since "$t") s, $(du -m "$WORK/points.gpkg" | cut -f1) MB"

log "timing ogr2ogr -f GeoJSON out.geojson points.gpkg"
t=$(now)
/usr/bin/time -v -o "$WORK/time.txt" ogr2ogr -f GeoJSON "$WORK/out.geojson" "$WORK/points.gpkg"
OGR_S=$(awk -v a="$t" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
OGR_RSS_MB=$(awk -F: '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$WORK/time.txt")
[[ -n $OGR_RSS_MB ]] || die "no peak memory in /usr/bin/time output"
log "  $OGR_S s, peak RSS $OGR_RSS_MB MB, $(du -m "$WORK/out.geojson" | cut -f1) MB written"

# --- Report -----------------------------------------------------------------------------

printf '{"peer": "PostgreSQL %s + PostGIS %s", "points": %s, "load_s": %s, "near_p50_ms": %s, "near_p99_ms": %s, "near_rows_mean": %s, "bbox_ms_median": %s, "bbox_ms_p99": %s, "bbox_boxes": %s, "bbox_features": %s, "ogr2ogr_gpkg_to_geojson_s": %s, "ogr2ogr_peak_rss_mb": %s}\n' \
    "$PG_VERSION" "$POSTGIS_VERSION" "$POINTS" "$(printf '%.2f' "$LOAD_S")" "$NEAR_P50" "$NEAR_P99" \
    "$NEAR_ROWS" "$BBOX_MS" "$BBOX_P99" "$NBOXES" "$BBOX_FEATURES" "$OGR_S" "$OGR_RSS_MB"
