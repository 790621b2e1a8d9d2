#!/usr/bin/env bash
# Rebuilds the console's page into services/Console/wwwroot (commit the result): installs the locked npm packages,
# type-checks the sources (esbuild only strips types), then bundles.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
npm ci --no-audit --no-fund --loglevel=error
node node_modules/typescript/bin/tsc -p .
node build.mjs "$@"
