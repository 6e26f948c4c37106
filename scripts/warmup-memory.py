#!/usr/bin/env python3
"""The processor's resident memory across rebalances: does a warm-up leave memory behind?

Starts its own broker (noida-db) and InfluxDB, a `coinflux process` with the given
`processor.warmup_messages`, fills its ticks topic with MESSAGES synthetic trades (200 symbols,
keyed by base asset as the collector keys them) and waits until they are processed; then kills the
broker with SIGKILL and restarts it on its data KILLS times. Each restart revokes and reassigns every
partition, so each partition's state is dropped and rebuilt from its warm-up re-read. No message is
added meanwhile: any growth from one restart to the next is memory the warm-up left behind.
Prints the RSS after the first consumption and after each restart, once the processor is idle.

Usage: scripts/warmup-memory.py [--warmup-messages N] [--messages N] [--kills N]
Uses .build/debug/coinflux (or $COINFLUX_BIN).
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import soak  # noqa: E402  (servers, processes and samples as the soak runs them)


def synthetic_trades(count):
    """`count` trades of 200 symbols over the last ten minutes of event time, as `key<TAB>value`."""
    now = time.time_ns()
    lines = []
    for number in range(count):
        base = soak.BASES[number % len(soak.BASES)]
        exchange = soak.EXCHANGES[(number // len(soak.BASES)) % len(soak.EXCHANGES)]
        quote = "USDT" if exchange in soak.USDT_VENUES else "KRW"
        at = now - (count - number) * 600_000_000_000 // count
        event = {"v": 1, "type": "trade", "exchange": exchange, "symbol": f"{base}-{quote}", "price": 100 + number % 97,
                 "size": 0.5, "event_time_ns": at, "receive_time_ns": at + 1_000, "trade_id": str(number), "side": "buy"}
        lines.append(f"{base}\t{json.dumps(event, separators=(',', ':'))}")
    return "\n".join(lines).encode()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--warmup-messages", type=int, default=50_000)
    parser.add_argument("--messages", type=int, default=240_000, help="keep under ~60 MB of topic (noida-db)")
    parser.add_argument("--kills", type=int, default=3)
    arguments = parser.parse_args()
    coinflux = os.environ.get("COINFLUX_BIN", os.path.join(soak.ROOT, ".build/debug/coinflux"))
    run = soak.Soak(argparse.Namespace(minutes=0, rate=1, coinflux=coinflux))
    try:
        run.start_servers()
        port = soak.free_port()
        processor = soak.Coinflux("process", [
            run.coinflux, "process", "--set", f"kafka.brokers=127.0.0.1:{run.kafka_port}", "--set", "kafka.ticks_topic=warmup.ticks",
            "--set", "kafka.fx_topic=warmup.fx", "--set", "kafka.deadletter_topic=warmup.dead", "--set", "log.level=info",
            "--set", f"telemetry.listen=127.0.0.1:{port}", "--set", f"influxdb.url=http://127.0.0.1:{run.influx_port}",
            "--set", "influxdb.database=soak", "--set", "processor.group=warmup",
            "--set", f"processor.warmup_messages={arguments.warmup_messages}"], run.work, port)
        run.processes.append(processor)
        soak.wait_until("coinflux process ready", lambda: soak.http(f"http://127.0.0.1:{port}/readyz")[0] == 200, 120)
        subprocess.run(["kcat", "-P", "-b", f"127.0.0.1:{run.kafka_port}", "-t", "warmup.ticks", "-K", "\t"],
                       input=synthetic_trades(arguments.messages), check=True)

        def total(name):
            return sum(value for _, value in processor.samples(name))

        def report_when_idle(label):
            # Idle: nothing uncommitted and the warm-up count unchanged over three samples 5 s apart.
            last, unchanged = None, 0
            while unchanged < 3:
                time.sleep(5)
                now = (total("coinflux_processor_warmup_messages_total"), total("coinflux_processor_uncommitted_messages"))
                unchanged = unchanged + 1 if now == last and now[1] == 0 else 0
                last = now
            rss = processor.resources()["rss_kib"] / 1024
            print(f"warmup-memory: {label}: rss {rss:.1f} MiB, warm-up messages so far {last[0]:.0f}", flush=True)

        report_when_idle(f"{arguments.messages} messages processed")
        for kill in range(1, arguments.kills + 1):
            run.broker.signal(signal.SIGKILL)
            time.sleep(5)
            run.start_broker()
            time.sleep(20)
            report_when_idle(f"broker kill -9 {kill} of {arguments.kills}, partitions reassigned and warmed up")
    finally:
        for process in run.processes:
            process.terminate(10)
        for server in run.servers:
            server.signal(signal.SIGKILL)


if __name__ == "__main__":
    main()
