#!/usr/bin/env bash
# Type-checks every dashboard in the folder above against Grafana's own
# dashboard types (@grafana/schema) with the TypeScript compiler.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dashboards="$(dirname "$here")"
cd "$here"

if ! command -v npm >/dev/null 2>&1; then
	echo "check.sh: npm not found; install Node.js and npm to type-check the dashboards" >&2
	exit 1
fi

if [ ! -d node_modules ]; then
	npm install --no-audit --no-fund >&2
fi

rm -rf gen
mkdir gen
shopt -s nullglob
files=("$dashboards"/*.json)
if [ "${#files[@]}" -eq 0 ]; then
	echo "check.sh: no dashboards in $dashboards" >&2
	exit 1
fi
for f in "${files[@]}"; do
	name="$(basename "$f" .json)"
	{
		echo 'import type { Dashboard } from "@grafana/schema";'
		# satisfies must follow the literal on its line: strip the trailing newline.
		printf 'export const d = %s satisfies Dashboard;\n' "$(cat "$f")"
	} >"gen/$name.ts"
done

if ! out="$(npx --no-install tsc -p . 2>&1)"; then
	echo "$out" >&2
	echo "check.sh: the dashboards do not match Grafana's dashboard types" >&2
	exit 1
fi
echo "check.sh: ${#files[@]} dashboards match Grafana's dashboard types"
