#!/usr/bin/env bash
# Installs the peer collectors of `scripts/bench.sh collector-rates` into .build-peer/venv, once:
# cryptofeed 2.4.1 (the version issue #14 measured). CRYPTOFEED_VERSION overrides it.
set -euo pipefail
cd "$(dirname "$0")/../.."
version=${CRYPTOFEED_VERSION:-2.4.1}
venv=.build-peer/venv
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('cryptofeed') != '$version')" 2>/dev/null; then
    exit 0
fi
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet "cryptofeed==$version"
