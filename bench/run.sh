#!/usr/bin/env bash
# make bench: the Go benchmarks, then the load tests against the binary on synthetic data:
# bench/projectlist (the project list, API vs raw SQL, MariaDB) and bench/lists (every list
# read as a share of the single read GET /projects/{id}, 32 clients, issue 13).
# Sizes can be lowered for a quick look: BENCH_PROJECTS=20000 BENCH_ACTIVITIES=100000 make bench
# bench/lists runs on MariaDB, then on the embedded SQLite database, each seeded alike;
# BENCH_DB=mysql or BENCH_DB=sqlite runs one of them only.
# BENCH_DURATION (default 5s) is how long each read of bench/lists is driven.
# BENCH_PLATFORM=1 measures the provincial platform instead (issue 19; docs/scale.md):
# 100 zones × 1 000 projects × 5 000 activities on MariaDB (BENCH_ZONES, BENCH_PROJECTS,
# BENCH_ACTIVITIES change it), a province user granted every zone, then bench/platform:
# GET /platform/overview and /platform/chains for 2022 at 1 and 8 clients, and the same
# figures timed in-process on the database.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${BENCH_PLATFORM:-}" = 1 ]; then
  PROJECTS=${BENCH_PROJECTS:-100000}
  ACTIVITIES=${BENCH_ACTIVITIES:-500000}
  ZONES=${BENCH_ZONES:-100}
  BENCH_SKIP_GO=1
fi
PROJECTS=${BENCH_PROJECTS:-${PROJECTS:-40000}}
ACTIVITIES=${BENCH_ACTIVITIES:-${ACTIVITIES:-400000}}
ZONES=${BENCH_ZONES:-${ZONES:-4}}
DB=chaincrm_bench
PORT=18090
out=$(mktemp -d)
if [ "${BENCH_SKIP_GO:-}" != 1 ]; then
  echo "== Go benchmarks"
  go test -run '^$' -bench . -benchmem -benchtime=3x ./chainmap/ ./api/spreadsheet/ | tee "$out/go-bench.txt"
fi
go build -o bin/chaincrm ./cmd/chaincrm

# one database: seed it (unless BENCH_REUSE=1), serve it, drive the reads
bench_db() {
  local DBKIND=$1
  if [ "$DBKIND" = sqlite ]; then
    mkdir -p bin/bench
    export CHAINCRM_DB_DRIVER=sqlite CHAINCRM_DB_DSN="$PWD/bin/bench/chaincrm.db"
    if [ "${BENCH_REUSE:-}" != 1 ]; then rm -f bin/bench/chaincrm.db*; fi
  else
    export CHAINCRM_DB_DRIVER=mysql CHAINCRM_DB_DSN="root@tcp(127.0.0.1:3306)/$DB"
    if [ "${BENCH_REUSE:-}" != 1 ]; then
      mariadb -h127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS $DB; CREATE DATABASE $DB CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
    fi
  fi
  export CHAINCRM_DEMO_SEED_ON_START=false CHAINCRM_JOBS_ENABLED=false CHAINCRM_HTTP_ADDR=127.0.0.1:$PORT CHAINCRM_DATA_DIR="$out"
  echo "== $DBKIND: $ZONES zones, $PROJECTS projects, $ACTIVITIES activities"
  if [ "${BENCH_REUSE:-}" != 1 ]; then
    /usr/bin/time -f "seed: %e s, max RSS %M KB" bin/chaincrm seed --synthetic --zones "$ZONES" --projects "$PROJECTS" --activities "$ACTIVITIES"
  fi
  PROVINCE_PASSWORD=Shengji-pingtai-2026
  if [ "${BENCH_PLATFORM:-}" = 1 ] && [ "${BENCH_REUSE:-}" != 1 ]; then
    bin/chaincrm user create province --role province --password "$PROVINCE_PASSWORD" \
      --zones "$(seq -f 'syn%03g' 1 "$ZONES" | paste -sd,)" | head -1
  fi
  bin/chaincrm serve >"$out/serve.log" 2>&1 &
  pid=$!
  trap 'kill $pid 2>/dev/null || true' EXIT
  for i in $(seq 1 120); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.5; done
  if [ "${BENCH_PLATFORM:-}" = 1 ]; then
    dsn=$CHAINCRM_DB_DSN
    [ "$DBKIND" = sqlite ] || dsn="$CHAINCRM_DB_DSN?parseTime=true&loc=UTC"
    go run ./bench/platform -url "http://127.0.0.1:$PORT" -driver "$DBKIND" -dsn "$dsn" \
      -user province -password "$PROVINCE_PASSWORD" -year 2022 -n 40 -concurrency 1,8
    kill $pid 2>/dev/null || true
    wait $pid 2>/dev/null || true
    return 0
  fi
  if [ "$DBKIND" != sqlite ]; then
    go run ./bench/projectlist -url "http://127.0.0.1:$PORT" -dsn "root@tcp(127.0.0.1:3306)/$DB?parseTime=true&loc=UTC" -zone syn001
  fi
  echo "== every list read against the single read (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
  go run ./bench/lists -url "http://127.0.0.1:$PORT" -zone syn001 -concurrency 32 -duration "${BENCH_DURATION:-5s}"
  echo "(load average after: $(cut -d' ' -f1-3 /proc/loadavg))"
  kill $pid 2>/dev/null || true
  wait $pid 2>/dev/null || true
}

for kind in ${BENCH_DB:-mysql sqlite}; do
  [ "${BENCH_PLATFORM:-}" = 1 ] && [ -z "${BENCH_DB:-}" ] && [ "$kind" = sqlite ] && continue # the platform: MariaDB
  bench_db "$kind"
done
