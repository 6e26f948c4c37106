#!/usr/bin/env bash
# Builds one libFuzzer target with swiftc and runs it for a while.
#
#   fuzz/run.sh [target] [seconds]      e.g. fuzz/run.sh codec 60   (defaults: codec, 60)
#
# A target is an entry file fuzz/<Name>Fuzz.swift defining `LLVMFuzzerTestOneInput` (via
# @_cdecl), compiled as one module with the sources listed for it below; seeds live in
# fuzz/seeds/<target>/ (for the exchanges, links to their test fixtures) and an optional
# dictionary in fuzz/<target>.dict. The growing corpus, the binary and any crash reproducers go
# to fuzz/out/<target>/ (ignored by git). Exits non-zero when the fuzzer finds a crash. A new
# exchange parser adds one `case` line here.
set -euo pipefail

target="${1:-codec}"
seconds="${2:-60}"
root="$(cd "$(dirname "$0")/.." && pwd)"

# The adapters and their helpers: Sources/Exchanges files importing nothing but CoinfluxCore and Foundation.
pure_exchange_sources() {
    for file in "$root"/Sources/Exchanges/*.swift; do
        if ! grep -E '^import ' "$file" | grep -vE '^import (CoinfluxCore|Foundation)$' > /dev/null; then echo "$file"; fi
    done
}

case "$target" in
    codec) entry="CodecFuzz.swift"; sources=("$root"/Sources/CoinfluxCore/*.swift) ;;
    # One module named CoinfluxCore, so the adapters' `import CoinfluxCore` is a no-op.
    binance | upbit | bithumb | bithumb-legacy | bybit | coinone)
        entry="ExchangeFuzz.swift"; module="CoinfluxCore"; export COINFLUX_FUZZ_EXCHANGE="$target"
        mapfile -t sources < <(ls "$root"/Sources/CoinfluxCore/*.swift; pure_exchange_sources) ;;
    *) echo "unknown fuzz target '$target' (known: codec, binance, upbit, bithumb, bithumb-legacy, bybit, coinone)" >&2; exit 2 ;;
esac

out="$root/fuzz/out/$target"
mkdir -p "$out/corpus" "$out/artifacts"

echo "building $target fuzzer…"
swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name "${module:-Fuzz_$target}" -package-name coinflux \
    "${sources[@]}" "$root/fuzz/$entry" -o "$out/fuzzer"

options=(-max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048
         -print_final_stats=1 -artifact_prefix="$out/artifacts/")
if [[ -f "$root/fuzz/$target.dict" ]]; then options+=(-dict="$root/fuzz/$target.dict"); fi
seeds=()
if [[ -d "$root/fuzz/seeds/$target" ]]; then seeds+=("$root/fuzz/seeds/$target"); fi

echo "fuzzing $target for $seconds s…"
"$out/fuzzer" "${options[@]}" "$out/corpus" "${seeds[@]}"
