#!/usr/bin/env bash
# `make test`: the whole suite. With PostgreSQL and Redis configured and no arguments it runs as two
# halves at once (one per core), each with its own test database and Redis database, so neither sees
# the other's rows, queues or cache; with arguments (or TEST_SHARDS=1) it is plain pytest.
set -uo pipefail
pytest="${PYTEST:-.venv/bin/pytest}"
if [ $# -gt 0 ] || [ "${TEST_SHARDS:-2}" = 1 ] || [ -z "${DATABASE_URL:-}" ] || [ -z "${REDIS_URL:-}" ]; then
    exec "$pytest" "$@"
fi
mapfile -t dirs < <(find tests -mindepth 1 -maxdepth 1 -type d ! -name __pycache__ ! -name factories ! -name helpers | sort)
# the first half: the chapters; the second: the kernel, security, simulation and the rest (about equal time)
first=(tests/aftersales tests/catalog tests/dashboard tests/disputes tests/fieldwork tests/jury tests/merchants tests/orders)
second=()
for dir in "${dirs[@]}"; do
    [[ " ${first[*]} " == *" ${dir} "* ]] || second+=("$dir")
done
mkdir -p var
log="var/test-first-half.log"
redis_db="${REDIS_URL##*/}"
if [[ "$redis_db" =~ ^[0-9]+$ ]]; then redis_second="${REDIS_URL%/*}/$((redis_db + 1))"; else redis_second="${REDIS_URL%/}/1"; fi
"$pytest" "${first[@]}" >"$log" 2>&1 &
first_pid=$!
DATABASE_URL="${DATABASE_URL}_second" REDIS_URL="$redis_second" "$pytest" "${second[@]}"
second_status=$?
wait "$first_pid"
first_status=$?
echo
echo "=== first half (${first[*]}) ==="
cat "$log"
echo "=== first half exit ${first_status}, second half exit ${second_status} ==="
[ "$first_status" -eq 0 ] && [ "$second_status" -eq 0 ]
