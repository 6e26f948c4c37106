#!/usr/bin/env python3
"""cryptofeed's Binance feed against coinflux's simulator: the peer of `coinflux-bench collector-rates`.

One combined-stream connection (ws://HOST:PORT/binance/stream?streams=...) carrying trades and
24 h tickers of the given symbols, as cryptofeed opens it for Binance; the callbacks only count
(no output, no storage), so what the process costs is cryptofeed's own path: the WebSocket
client, JSON with Decimal floats, symbol mapping, Trade/Ticker objects, callback dispatch.

Stock cryptofeed 2.4.1 subscribes to `@aggTrade` and `@bookTicker`, which the simulator does not
stream, so the subclass below asks for `@trade` and `@ticker` instead and routes their events
(`trade`, `24hrTicker`) to cryptofeed's own `_trade` and `_ticker` handlers. A `trade` event names
its id `t` where `aggTrade` says `a`; it is aliased before the handler reads it.

The count is read with SIGUSR1: the script writes "<messages handled>" to --count-file (through a
rename, so a reader never sees half a line). The caller reads the process's CPU from /proc.

    scripts/peer/cryptofeed_binance.py --port 18000 --count-file /tmp/count
"""
import argparse
import asyncio
import os
import signal
import sys
from decimal import Decimal

from yapic import json

import cryptofeed.connection
from cryptofeed import FeedHandler
from cryptofeed.connection import RestEndpoint, Routes, WebsocketEndpoint
from cryptofeed.defines import TICKER, TRADES
from cryptofeed.exchanges import Binance


def plain_websocket_connect(connect):
    """websockets' `connect` for a simulator that speaks plain WebSocket (cryptofeed insists on wss://)."""
    def plain(address: str, **options):
        return connect(address.replace("wss://", "ws://", 1), **options)
    return plain


def simulated_binance(host: str, port: int) -> type:
    """cryptofeed's Binance feed with its endpoints on the simulator and the simulator's stream names."""
    base = f"{host}:{port}/binance"

    class SimulatedBinance(Binance):
        # `_address()` appends "/stream?streams=<pair>@<channel>/..." to the WebSocket address.
        # cryptofeed accepts only wss:// addresses; plain_websocket_connect below connects in plain text.
        websocket_endpoints = [WebsocketEndpoint(f"wss://{base}")]
        # Symbol discovery (`symbol_mapping`) reads the simulator's /api/v3/exchangeInfo.
        rest_endpoints = [RestEndpoint(f"http://{base}", routes=Routes("/api/v3/exchangeInfo"))]
        websocket_channels = {TRADES: "trade", TICKER: "ticker"}

        async def message_handler(self, msg: str, conn, timestamp: float):
            wrapper = json.loads(msg, parse_float=Decimal)
            data = wrapper["data"]
            event = data.get("e")
            if event == "trade":
                data["a"] = data["t"]
                await self._trade(data, timestamp)
            elif event == "24hrTicker":
                await self._ticker(data, timestamp)

    return SimulatedBinance


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True, help="the simulator's port")
    parser.add_argument("--symbols", default="BTC-USDT,ETH-USDT")
    parser.add_argument("--count-file", required=True, help="where SIGUSR1 writes the message count")
    parser.add_argument("--log-file", default=os.devnull, help="cryptofeed's log (warnings and errors)")
    arguments = parser.parse_args()

    handled = 0

    async def count(_message, _receipt_timestamp):
        nonlocal handled
        handled += 1

    def write_count(_signal, _frame):
        temporary = arguments.count_file + ".tmp"
        with open(temporary, "w") as file:
            file.write(f"{handled}\n")
        os.replace(temporary, arguments.count_file)

    # A process started from Swift's Foundation `Process` inherits its parent's blocked signals;
    # SIGUSR1 and SIGTERM would stay pending for ever.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGUSR1, signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGUSR1, write_count)
    cryptofeed.connection.connect = plain_websocket_connect(cryptofeed.connection.connect)
    handler = FeedHandler(config={"uvloop": True, "log": {"filename": arguments.log_file, "level": "WARNING"}})
    feed = simulated_binance(arguments.host, arguments.port)
    handler.add_feed(feed(symbols=arguments.symbols.split(","), channels=[TRADES, TICKER],
                          callbacks={TRADES: count, TICKER: count}))
    # cryptofeed 2.4.1 asks asyncio for the current loop; Python 3.12+ and uvloop 0.22+ no longer
    # make one on demand.
    asyncio.set_event_loop(asyncio.new_event_loop())
    handler.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
