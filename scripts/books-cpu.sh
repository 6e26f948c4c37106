#!/bin/bash
# The collector's CPU with order books on and off, side by side against one simulator (every
# default market of each exchange's main quote: 28 Binance, 26 Bybit, 21 on each KRW venue, each
# book at the simulator's 10 updates a second). Three 60 s windows after 15 s of warm-up: books off,
# books on, books off again. Needs a broker: scripts/with-services.sh scripts/books-cpu.sh
# Binary: COINFLUX_BINARY (default .build/release/coinflux: swift build -c release --product coinflux).
set -u
BIN=${COINFLUX_BINARY:-.build/release/coinflux}
PORT=18790
$BIN simulate --port $PORT --rate 5 --ticker-rate 1 > /dev/null 2>&1 &
SIM=$!
sleep 3
list() { # exchange quote bases...
  local quote=$1; shift; local out=""; for b in "$@"; do out="$out,$b-$quote"; done; echo "${out#,}"; }
BN=$(list USDT BTC ETH BNB SOL XRP DOGE ADA TRX AVAX LINK DOT LTC BCH UNI ATOM XLM ETC FIL APT ARB OP NEAR ICP HBAR SUI AAVE INJ TON)
BY=$(list USDT BTC ETH SOL XRP DOGE ADA TRX AVAX LINK DOT LTC BCH UNI ATOM XLM ETC FIL APT ARB OP NEAR SUI AAVE TON MNT)
KR=$(list KRW BTC ETH XRP SOL DOGE USDT ADA TRX AVAX LINK DOT ETC BCH SUI APT ARB NEAR HBAR XLM ATOM)
common=(--set kafka.brokers=$COINFLUX_TEST_KAFKA --set collector.rest_fallback_after=1h --set log.level=warning)
for ex in binance:binance/ws upbit:upbit/websocket/v1 bybit:bybit/v5/public/spot bithumb:bithumb/websocket/v1 coinone:coinone/; do
  name=${ex%%:*}; path=${ex#*:}
  common+=(--set collector.$name.url=ws://127.0.0.1:$PORT/$path --set collector.$name.rest_url=http://127.0.0.1:$PORT/$name)
done
ticks() { awk '{print $14+$15}' /proc/$1/stat; }
run() { # label, extra args...
  local label=$1; shift
  $BIN collect "${common[@]}" --set telemetry.listen=127.0.0.1:19464 --set kafka.ticks_topic=cpu.ticks.$label --set kafka.books_topic=cpu.books.$label "$@" > /dev/null 2>&1 &
  local pid=$!
  sleep 15
  local t0=$(ticks $pid) s0=$(date +%s.%N)
  sleep 60
  local t1=$(ticks $pid) s1=$(date +%s.%N)
  local rss=$(awk '/VmRSS/{print $2}' /proc/$pid/status)
  local applied=$(curl -s http://127.0.0.1:19464/metrics | awk '/^coinflux_orderbook_updates_total\{.*outcome="applied"/ {sum += $2} END {print sum + 0}')
  kill -INT $pid; wait $pid 2>/dev/null
  python3 -c "import sys; t=($t1-$t0)/100; s=$s1-$s0; print(f'$label: CPU {t:.2f} s over {s:.1f} s = {100*t/s:.2f} % of one core, RSS {$rss/1024:.1f} MiB, book updates applied since start {$applied}')"
}
run booksoff
run bookson --set collector.binance.books=$BN --set collector.bybit.books=$BY --set collector.upbit.books=$KR --set collector.bithumb.books=$KR --set collector.coinone.books=$KR
run booksoff2
kill $SIM; wait $SIM 2>/dev/null
