#!/usr/bin/env bash
# A throwaway PostgreSQL + PostGIS cluster for the tests, CI and `make bench`.
#
#   tests/pg/cluster.sh start DIR      creates and starts a cluster in DIR (which must not
#                                      exist), prints its URL (postgres://postgres@127.0.0.1:PORT/postgres)
#   tests/pg/cluster.sh stop DIR       stops it (the folder stays; `start` again reuses it)
#   tests/pg/cluster.sh restart DIR    starts a stopped cluster again, on the same port
#   tests/pg/cluster.sh run CMD...     a cluster in a temporary folder for the length of CMD:
#                                      BORDERWATCH_TEST_PG holds its URL; stopped and removed at
#                                      exit, also when CMD fails or the script is interrupted
#   tests/pg/cluster.sh install        installs the Debian packages when missing
#
# The server listens on 127.0.0.1 only, on a free port, with trust authentication (a test
# cluster that lives for one run, on one machine). As root it runs as the `postgres` OS user,
# since PostgreSQL refuses to run as root; the packages come from Debian (`postgresql`,
# `postgresql-<version>-postgis-3`), installed when missing. fsync is off: the tests crash
# processes, not the machine. PG_SHARED_BUFFERS sets shared_buffers (default 256MB; `make
# bench` gives 1GB, so that a million events and their indexes stay in the server's memory,
# as on a database server sized for its data).

set -euo pipefail
export LC_ALL=C

log() { printf '[pg-cluster] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

SUDO=()
[[ $(id -u) -eq 0 ]] || SUDO=(sudo)

# The newest installed server that has PostGIS.
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
    return 1
}

install() {
    find_pg && return 0
    log "installing PostgreSQL and PostGIS from Debian"
    "${SUDO[@]}" apt-get update -qq >&2
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >&2
    local v
    v=$(ls -d /usr/lib/postgresql/*/ | sort -V -r | head -n1 | xargs basename)
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "postgresql-$v-postgis-3" >&2
    find_pg || die "no PostgreSQL with PostGIS under /usr/lib/postgresql after installing it"
}

as_pg() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
    local dir=$1
    [[ ! -e $dir ]] || die "$dir exists; give a new folder"
    install
    local bin=/usr/lib/postgresql/$PGV/bin port
    port=$(free_port)
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    chmod 755 "$dir"
    [[ $(id -u) -ne 0 ]] || chown postgres: "$dir"
    (cd "$dir" && as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C >/dev/null)
    cat >>"$dir/data/postgresql.conf" <<EOF

# tests/pg/cluster.sh
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 200
shared_buffers = ${PG_SHARED_BUFFERS:-256MB}
fsync = off
full_page_writes = off
jit = off
EOF
    echo "$bin" >"$dir/bin"
    echo "$port" >"$dir/port"
    restart "$dir"
    echo "postgres://postgres@127.0.0.1:$port/postgres"
}

restart() {
    local dir
    dir=$(cd "$1" && pwd)
    local bin
    bin=$(cat "$dir/bin")
    (cd "$dir" && as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null) \
        || { tail -n 20 "$dir/server.log" >&2 || true; die "the server did not start"; }
}

stop() {
    local dir
    dir=$(cd "$1" && pwd)
    local bin
    bin=$(cat "$dir/bin")
    (cd "$dir" && as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -t 30 -w stop >/dev/null 2>&1) \
        || (cd "$dir" && as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1) \
        || true
}

RUN_DIR=
cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [[ -n $RUN_DIR && -f $RUN_DIR/bin ]]; then
        log "stopping the cluster in $RUN_DIR"
        stop "$RUN_DIR"
    fi
    [[ -z $RUN_DIR ]] || rm -rf -- "$RUN_DIR"
    exit "$rc"
}

run() {
    RUN_DIR=$(mktemp -u "${TMPDIR:-/tmp}/borderwatch-pg.XXXXXX")
    local dir=$RUN_DIR
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    install
    local url
    url=$(start "$dir")
    log "PostgreSQL $PGV with PostGIS at $url (folder $dir)"
    BORDERWATCH_TEST_PG=$url "$@"
}

case ${1:-} in
    start) [[ $# -eq 2 ]] || die "usage: $0 start DIR"; start "$2" ;;
    stop) [[ $# -eq 2 ]] || die "usage: $0 stop DIR"; stop "$2" ;;
    restart) [[ $# -eq 2 ]] || die "usage: $0 restart DIR"; restart "$2" ;;
    run) shift; [[ $# -ge 1 ]] || die "usage: $0 run CMD..."; run "$@" ;;
    install) install ;;
    *) die "usage: $0 start DIR | stop DIR | restart DIR | run CMD... | install" ;;
esac
