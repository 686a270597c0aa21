#!/usr/bin/env bash
# Makes sure MariaDB answers on 127.0.0.1:3306 (root, no password) for the Go tests.
set -euo pipefail
ping() { mariadb -h127.0.0.1 -P3306 -uroot -e 'SELECT 1' >/dev/null 2>&1 || mysqladmin -h127.0.0.1 -uroot ping >/dev/null 2>&1; }
if ping; then exit 0; fi
if [ "${CHAINCRM_TEST_SKIP_MYSQL:-}" = 1 ]; then exit 0; fi
echo "starting MariaDB…"
start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd
for i in $(seq 1 60); do
  if ping; then echo "MariaDB is up"; exit 0; fi
  sleep 1
done
echo "MariaDB did not come up on 127.0.0.1:3306" >&2
exit 1
