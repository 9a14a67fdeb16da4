#!/usr/bin/env bash
# The test command: provision the oracles and services, build, run every compiled test with node --test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/provision.sh
./node_modules/.bin/tsc -b
mapfile -t files < <(find packages -path '*/node_modules' -prune -o -path '*/dist/test/*' -name '*.test.js' -print | sort)
if [ "${#files[@]}" -eq 0 ]; then echo "no test files found" >&2; exit 1; fi
exec node --test --test-reporter=spec --test-concurrency=2 "$@" "${files[@]}"
