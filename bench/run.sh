#!/usr/bin/env bash
# make bench: the Go benchmarks, then the project-list load test on MariaDB with synthetic
# data. Sizes can be lowered for a quick look: BENCH_PROJECTS=20000 BENCH_ACTIVITIES=100000 make bench
set -euo pipefail
cd "$(dirname "$0")/.."
PROJECTS=${BENCH_PROJECTS:-100000}
ACTIVITIES=${BENCH_ACTIVITIES:-1000000}
ZONES=${BENCH_ZONES:-10}
DB=chaincrm_bench
PORT=18090
out=$(mktemp -d)
echo "== Go benchmarks"
go test -run '^$' -bench . -benchmem -benchtime=3x ./chainmap/ ./api/spreadsheet/ | tee "$out/go-bench.txt"
echo "== project list on MariaDB: $ZONES zones, $PROJECTS projects, $ACTIVITIES activities"
go build -o bin/chaincrm ./cmd/chaincrm
export CHAINCRM_DB_DRIVER=mysql CHAINCRM_DB_DSN="root@tcp(127.0.0.1:3306)/$DB" CHAINCRM_DEMO_SEED_ON_START=false \
  CHAINCRM_JOBS_ENABLED=false CHAINCRM_HTTP_ADDR=127.0.0.1:$PORT CHAINCRM_DATA_DIR="$out"
if [ "${BENCH_REUSE:-}" != 1 ]; then
  mariadb -h127.0.0.1 -uroot -e "DROP DATABASE IF EXISTS $DB; CREATE DATABASE $DB CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
  /usr/bin/time -f "seed: %e s, max RSS %M KB" bin/chaincrm seed --synthetic --zones "$ZONES" --projects "$PROJECTS" --activities "$ACTIVITIES"
fi
bin/chaincrm serve >"$out/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for i in $(seq 1 60); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.5; done
go run ./bench/projectlist -url "http://127.0.0.1:$PORT" -dsn "root@tcp(127.0.0.1:3306)/$DB?parseTime=true&loc=UTC" -zone syn001
