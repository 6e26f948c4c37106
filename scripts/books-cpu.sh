#!/bin/bash
# The collector's CPU with order books on and off, side by side against one simulator. Three 60 s
# windows after 15 s of warm-up: books off, books on, books off again. Needs a broker:
#   scripts/with-services.sh scripts/books-cpu.sh            every default market of each exchange's
#       main quote (28 Binance, 26 Bybit, 21 on each KRW venue), each book at 10 updates a second
#   BOOKS_REAL_RATES=1 scripts/with-services.sh scripts/books-cpu.sh    50 books on every exchange
#       (the simulator lists extra markets X01… to reach 50) at each exchange's real pace: Binance
#       @depth@100ms 10 a second, Bybit spot orderbook.50 50 a second (every 20 ms), Upbit, Bithumb
#       and Coinone 10 a second (they push on every change; 10 is a busy market's pace)
# Binary: COINFLUX_BINARY (default .build/release/coinflux: swift build -c release --product coinflux).
set -u
BIN=${COINFLUX_BINARY:-.build/release/coinflux}
PORT=18790
REAL=${BOOKS_REAL_RATES:-0}
RATES=10
[ "$REAL" = 1 ] && RATES=binance=10,bybit=50,upbit=10,bithumb=10,coinone=10
$BIN simulate --port $PORT --rate 5 --ticker-rate 1 --book-rate $RATES > /dev/null 2>&1 &
SIM=$!
sleep 3
list() { # exchange quote bases...
  local quote=$1; shift; local out=""; for b in "$@"; do out="$out,$b-$quote"; done; echo "${out#,}"; }
pad() { # exchange quote count bases...: the bases, then X01… listed on the simulator up to count
  local exchange=$1 quote=$2 count=$3; shift 3; local bases=("$@") n=1
  while [ ${#bases[@]} -lt $count ]; do
    local extra=$(printf 'X%02d' $n); n=$((n + 1))
    curl -s -o /dev/null -X POST "http://127.0.0.1:$PORT/admin/$exchange/list?symbol=$extra-$quote"
    bases+=("$extra")
  done
  list $quote "${bases[@]}"; }
BN_BASES=(BTC ETH BNB SOL XRP DOGE ADA TRX AVAX LINK DOT LTC BCH UNI ATOM XLM ETC FIL APT ARB OP NEAR ICP HBAR SUI AAVE INJ TON)
BY_BASES=(BTC ETH SOL XRP DOGE ADA TRX AVAX LINK DOT LTC BCH UNI ATOM XLM ETC FIL APT ARB OP NEAR SUI AAVE TON MNT)
KR_BASES=(BTC ETH XRP SOL DOGE USDT ADA TRX AVAX LINK DOT ETC BCH SUI APT ARB NEAR HBAR XLM ATOM)
if [ "$REAL" = 1 ]; then
  BN=$(pad binance USDT 50 "${BN_BASES[@]}"); BY=$(pad bybit USDT 50 "${BY_BASES[@]}")
  UP=$(pad upbit KRW 50 "${KR_BASES[@]}"); BT=$(pad bithumb KRW 50 "${KR_BASES[@]}"); CO=$(pad coinone KRW 50 "${KR_BASES[@]}")
else
  BN=$(list USDT "${BN_BASES[@]}"); BY=$(list USDT "${BY_BASES[@]}")
  UP=$(list KRW "${KR_BASES[@]}"); BT=$UP; CO=$UP
fi
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
  local synced=$(curl -s http://127.0.0.1:19464/metrics | awk '/^coinflux_orderbooks\{.*state="in_sync"/ {sum += $2} END {print sum + 0}')
  kill -INT $pid; wait $pid 2>/dev/null
  python3 -c "import sys; t=($t1-$t0)/100; s=$s1-$s0; print(f'$label: CPU {t:.2f} s over {s:.1f} s = {100*t/s:.2f} % of one core, RSS {$rss/1024:.1f} MiB, book updates applied since start {$applied}, books in sync {$synced}')"
}
run booksoff
run bookson --set collector.binance.books=$BN --set collector.bybit.books=$BY --set collector.upbit.books=$UP --set collector.bithumb.books=$BT --set collector.coinone.books=$CO
run booksoff2
kill $SIM; wait $SIM 2>/dev/null
