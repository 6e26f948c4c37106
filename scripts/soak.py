#!/usr/bin/env python3
"""Soak: simulator -> coinflux collect -> Kafka -> coinflux process -> InfluxDB, with faults.

    scripts/soak.sh [MINUTES]        (MINUTES may be fractional; default 10)

Starts its own broker (noida-db) and InfluxDB 1.6 on free loopback ports (it kills and restarts
them), `coinflux simulate` serving all five exchanges, `coinflux process` and `coinflux collect`
subscribed to 200 symbols (40 per exchange) plus USDT-KRW. Every cycle (5 minutes, or the whole run
if shorter) it injects, from its first 55 % on: a dropped WebSocket (Binance), a silent feed (Upbit),
malformed frames (Bybit), an InfluxDB kill -9 and restart, refused upgrades and a dropped
connection (Coinone), and a broker kill -9 and restart on its data (once the exchanges fell quiet and
noida-db wrote what it acknowledged to its data file: killed before, it loses those writes, which
Apache Kafka does not). Every 10 s it samples
RSS, open FDs and threads of the collector and the processor.

It fails (exit 1) on:
- growth that does not level off: after the first sample, the largest value of the last third of
  the samples exceeds the largest of the middle third by more than the tolerance (RSS: 16 MiB or
  10 %, FDs: 8, threads: 4);
- any lost point. An event counts as acknowledged when the collector's producer got a delivery
  report for it (coinflux_producer_deliveries_total{outcome="delivered"}). Nothing is lost when:
  (1) every queued event was acknowledged and none failed or was dropped, (2) the ticks topic holds
  exactly the events the collector queued to it, (3) the processor's group committed every
  partition to its end (an offset is committed only after InfluxDB acknowledged every point derived
  from the messages before it), and (4) InfluxDB holds exactly the ticker, trade and candle_1m points
  those events give, recomputed here from the topic by the schema's rules (ticker: one point per
  series and event time, ticks older than the series' last left out; trade: one per series, side
  and trade timestamp; candle_1m: one per series and minute with a trade, but its last);
- a coinflux process that dies, or does not exit 0 on SIGTERM.

The dependence on `coinflux simulate`'s options is in simulator_command() only.
"""
import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXCHANGES = ["binance", "bybit", "upbit", "bithumb", "coinone"]
USDT_VENUES = {"binance", "bybit"}
FEED_PATHS = {"binance": "binance/ws", "upbit": "upbit/websocket/v1", "bybit": "bybit/v5/public/spot",
              "bithumb": "bithumb/websocket/v1", "coinone": "coinone/"}
BASES = ["BTC", "ETH", "XRP", "SOL", "ADA", "DOGE", "TRX", "DOT", "LINK", "AVAX", "MATIC", "LTC", "BCH", "ATOM",
         "ETC", "XLM", "NEAR", "APT", "ARB", "OP", "FIL", "HBAR", "VET", "ICP", "SAND", "MANA", "AXS", "AAVE",
         "UNI", "EOS", "XTZ", "THETA", "ALGO", "EGLD", "CHZ", "FLOW", "GRT", "IMX", "STX", "SUI"]
SAMPLE_EVERY = 10.0
# Before noida-db is killed: how long its data directory must stay unchanged, and the longest wait.
BROKER_SAVE_QUIET = 8.0
BROKER_SAVE_WAIT = 60.0
CYCLE = 300.0
TOLERANCE = {"rss_kib": lambda peak: max(16 * 1024, peak * 0.10), "fds": lambda _: 8, "threads": lambda _: 4}
# A run shorter than two cycles has every fault's after-effects (an InfluxDB outage's backlog, the
# broker's whole-partition fetches after its restart) in its last third: it only catches growth
# beyond these bounds. Leveling off is judged in longer runs.
SHORT_RUN_TOLERANCE = {"rss_kib": lambda peak: max(48 * 1024, peak), "fds": lambda _: 16, "threads": lambda _: 8}


def simulator_command(coinflux, port, rate):
    """The one place that knows `coinflux simulate`'s options: `rate` trades a second per market,
    one ticker frame a second per ticker subscription."""
    return [coinflux, "simulate", "--port", str(port), "--trade-rate", str(rate), "--ticker-rate", "1", "--seed", "7",
            "--log-level", "warning"]


def trade_discriminator(event):
    """The sub-millisecond part of a trade point's time (PointDeriver.tradeTimestamp)."""
    trade_id = event.get("trade_id")
    if trade_id is not None and trade_id.isdigit() and int(trade_id) < 2 ** 64:
        return int(trade_id)
    if trade_id is not None:
        value = 0xCBF29CE484222325
        for byte in trade_id.encode():
            value = ((value ^ byte) * 0x100000001B3) % 2 ** 64
        return value
    return event.get("seq", 0) % 2 ** 64


def log(text):
    print(f"soak: {text}", flush=True)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http(url, data=None, method=None, timeout=5):
    request = urllib.request.Request(url, data=data, method=method)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, response.read().decode()


def wait_until(what, condition, timeout, every=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except Exception:
            pass
        time.sleep(every)
    raise SystemExit(f"soak: {what} did not happen within {timeout} s")


class Server:
    """A server process in a session of its own, killed as a process group."""

    def __init__(self, name, command, log_path):
        self.name, self.command, self.log_path, self.process = name, command, log_path, None

    def start(self):
        self.process = subprocess.Popen(self.command, stdout=open(self.log_path, "ab"), stderr=subprocess.STDOUT,
                                        start_new_session=True)

    def signal(self, number):
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, number)
        except ProcessLookupError:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None


class Coinflux:
    """A coinflux process with its telemetry port and log."""

    def __init__(self, name, arguments, work, telemetry_port):
        self.name, self.port = name, telemetry_port
        self.log_path = os.path.join(work, f"{name}.log")
        self.process = subprocess.Popen(arguments, stdout=subprocess.DEVNULL, stderr=open(self.log_path, "ab"))

    def metrics(self):
        return http(f"http://127.0.0.1:{self.port}/metrics")[1]

    def sample(self, series):
        for line in self.metrics().splitlines():
            if line.startswith(series + " "):
                return float(line.split()[-1])
        return None

    def samples(self, prefix):
        return [(line.split()[0], float(line.split()[-1])) for line in self.metrics().splitlines() if line.startswith(prefix)]

    def resources(self):
        pid = self.process.pid
        status = open(f"/proc/{pid}/status").read()
        rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
        threads = int(re.search(r"Threads:\s+(\d+)", status).group(1))
        return {"rss_kib": rss, "fds": len(os.listdir(f"/proc/{pid}/fd")), "threads": threads}

    def alive(self):
        return self.process.poll() is None

    def terminate(self, timeout):
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return None

    def tail(self):
        return open(self.log_path, errors="replace").read()[-3000:]


class Soak:
    def __init__(self, arguments):
        self.minutes = arguments.minutes
        self.coinflux = os.path.abspath(arguments.coinflux)
        self.rate = arguments.rate
        self.work = tempfile.mkdtemp(prefix="coinflux-soak.")
        self.servers = []
        self.processes = []
        self.samples = {"collect": [], "process": []}
        self.failures = []

    # ----- servers

    def start_servers(self):
        self.kafka_port = free_port()
        os.makedirs(f"{self.work}/kafka")
        self.broker = Server("noida-db", ["noida-db", "start", "--only", "kafka", "--kafka-port", str(self.kafka_port),
                                          "--data-dir", f"{self.work}/kafka"], f"{self.work}/noida-db.log")
        self.influx_port, rpc = free_port(), free_port()
        with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "influxdb-test.conf")) as template:
            text = template.read()
        with open(f"{self.work}/influxdb.conf", "w") as conf:
            conf.write(text.replace("@DIR@", f"{self.work}/influxdb").replace("@HTTP_PORT@", str(self.influx_port))
                       .replace("@RPC_PORT@", str(rpc)))
        self.influx = Server("influxd", ["influxd", "-config", f"{self.work}/influxdb.conf"], f"{self.work}/influxd.log")
        self.servers = [self.broker, self.influx]
        self.start_broker()
        self.start_influx()
        self.query("CREATE DATABASE soak")

    def start_broker(self):
        self.broker.start()
        wait_until("noida-db", lambda: subprocess.run(["kcat", "-b", f"127.0.0.1:{self.kafka_port}", "-L", "-m", "2"],
                                                      capture_output=True).returncode == 0, 60)

    def wait_for_broker_save(self):
        """Until nothing in noida-db's data directory (its JSON file and any file it writes to replace
        it) changed for BROKER_SAVE_QUIET seconds, at most BROKER_SAVE_WAIT seconds."""
        directory = f"{self.work}/kafka"

        def state():
            files = []
            for root, _, names in os.walk(directory):
                for name in names:
                    try:
                        info = os.stat(os.path.join(root, name))
                    except FileNotFoundError:
                        continue
                    files.append((name, info.st_size, info.st_mtime_ns))
            return sorted(files)

        last, since = state(), time.monotonic()
        deadline = since + BROKER_SAVE_WAIT
        while time.monotonic() - since < BROKER_SAVE_QUIET:
            if time.monotonic() > deadline:
                raise SystemExit(f"soak: noida-db still writing its data after {BROKER_SAVE_WAIT:.0f} s")
            time.sleep(0.5)
            now = state()
            if now != last:
                last, since = now, time.monotonic()

    def start_influx(self):
        self.influx.start()
        wait_until("influxd", lambda: http(f"http://127.0.0.1:{self.influx_port}/ping")[0] == 204, 60)

    def query(self, text):
        data = urllib.parse.urlencode({"q": text, "db": "soak"}).encode()
        return json.loads(http(f"http://127.0.0.1:{self.influx_port}/query", data=data, timeout=60)[1])

    def count(self, measurement, field):
        result = self.query(f"SELECT count({field}) FROM {measurement}")["results"][0]
        series = result.get("series") or [{"values": [[0, 0]]}]
        return int(series[0]["values"][0][1])

    # ----- coinflux

    def start_coinflux(self):
        simulator_port = free_port()
        self.simulator = Server("simulator", simulator_command(self.coinflux, simulator_port, self.rate), f"{self.work}/simulate.log")
        self.simulator.start()
        self.simulator_port = simulator_port
        wait_until("the simulator", lambda: socket.create_connection(("127.0.0.1", simulator_port), timeout=1).close() or True, 60)

        common = ["--set", f"kafka.brokers=127.0.0.1:{self.kafka_port}", "--set", "kafka.ticks_topic=soak.ticks",
                  "--set", "kafka.fx_topic=soak.fx", "--set", "kafka.deadletter_topic=soak.dead", "--set", "log.level=info"]
        port = free_port()
        self.processor = Coinflux("process", [self.coinflux, "process", *common, "--set", f"telemetry.listen=127.0.0.1:{port}",
                                              "--set", f"influxdb.url=http://127.0.0.1:{self.influx_port}",
                                              "--set", "influxdb.database=soak", "--set", "processor.group=soak"], self.work, port)
        self.processes.append(self.processor)
        wait_until("coinflux process ready", lambda: http(f"http://127.0.0.1:{port}/readyz")[0] == 200, 120)

        feeds = []
        for exchange in EXCHANGES:
            quote = "USDT" if exchange in USDT_VENUES else "KRW"
            symbols = [f"{base}-{quote}" for base in BASES] + ([] if exchange in USDT_VENUES else ["USDT-KRW"])
            feeds += ["--set", f"collector.{exchange}.symbols={','.join(symbols)}",
                      "--set", f"collector.{exchange}.url=ws://127.0.0.1:{simulator_port}/{FEED_PATHS[exchange]}",
                      "--set", f"collector.{exchange}.rest_url=http://127.0.0.1:{simulator_port}/{exchange}"]
        port = free_port()
        self.collector = Coinflux("collect", [self.coinflux, "collect", *common, *feeds, "--set", f"telemetry.listen=127.0.0.1:{port}",
                                              "--set", "collector.rest_fallback_after=1h"], self.work, port)
        self.processes.append(self.collector)
        wait_until("coinflux collect serving metrics", lambda: self.collector.metrics() != "", 60)

    # ----- faults

    def faults(self):
        """(offset in the cycle as a fraction, name, action)."""
        def admin(path):
            return lambda: http(f"http://127.0.0.1:{self.simulator_port}/admin/{path}", data=b"", method="POST")

        def restart(server, start):
            def action():
                server.signal(signal.SIGKILL)
                time.sleep(5)
                start()
            return action

        def broker_restart():
            # noida-db loses the writes it acknowledged but had not yet saved when killed (Apache
            # Kafka does not, on a process kill), which also desynchronises the idempotent
            # producer. It saves a few seconds after a write by rewriting one JSON file, which takes
            # longer as the topic grows and the machine is busier (a fixed 10 s wait was too short
            # at 27 minutes on a loaded machine): the exchanges fall quiet, and once the collector
            # delivered the rest, the broker dies when its data directory has been left alone for
            # a while. Should it lose acknowledged messages all the same, the collector exits on
            # the producer's fatal error.
            for exchange in EXCHANGES:
                admin(f"{exchange}/silence?seconds={5 + BROKER_SAVE_WAIT:.0f}")()
            time.sleep(5)  # the collector's last deliveries
            self.wait_for_broker_save()
            restart(self.broker, self.start_broker)()

        # All within the first 55 % of a cycle: the rest shows whether the resources level off.
        return [
            (0.05, "binance connection dropped", admin("binance/close")),
            (0.13, "upbit silent 6 s", admin("upbit/silence?seconds=6")),
            (0.21, "bybit 20 malformed frames", admin("bybit/malformed?count=20")),
            (0.29, "InfluxDB kill -9, 5 s down, restarted", restart(self.influx, self.start_influx)),
            (0.37, "coinone refuses upgrades 3 s, connection dropped", lambda: (admin("coinone/refuse?seconds=3")(), admin("coinone/close")())),
            # The longest (15 s), last: in a one-minute run it would push the others late.
            (0.40, "exchanges quiet, broker kill -9, 5 s down, restarted", broker_restart),
        ]

    # ----- the run

    def sample(self, elapsed):
        for process in self.processes:
            if not process.alive():
                raise SystemExit(f"soak: coinflux {process.name} died:\n{process.tail()}")
            values = process.resources()
            self.samples[process.name].append((elapsed, values))
        log("t=%4.0fs " % elapsed + "  ".join(
            f"{name}: rss {values['rss_kib'] / 1024:.1f} MiB fds {values['fds']} threads {values['threads']}"
            for name in ("collect", "process") for _, values in self.samples[name][-1:]))

    def run(self):
        duration = self.minutes * 60
        cycle = min(CYCLE, duration)
        schedule = []
        start_offset = 0.0
        while start_offset < duration:
            for fraction, name, action in self.faults():
                at = start_offset + fraction * cycle
                if at < duration:
                    schedule.append((at, name, action))
            start_offset += cycle
        started = time.monotonic()

        def inject():
            for at, name, action in schedule:
                time.sleep(max(0.0, at - (time.monotonic() - started)))
                log(f"t={time.monotonic() - started:4.0f}s fault: {name}")
                try:
                    action()
                except BaseException as error:  # a server that does not come back is a failure, not a crash
                    self.failures.append(f"fault {name} could not be injected: {error}")
        faults = threading.Thread(target=inject, daemon=True)
        faults.start()
        next_sample = 0.0
        while True:
            elapsed = time.monotonic() - started
            if elapsed >= next_sample:
                self.sample(elapsed)
                next_sample += SAMPLE_EVERY
            if elapsed >= duration:
                break
            time.sleep(0.2)
        faults.join()
        self.sample(time.monotonic() - started)

    # ----- checks

    def check_growth(self, duration):
        tolerances = TOLERANCE if duration >= 2 * CYCLE else SHORT_RUN_TOLERANCE
        if tolerances is SHORT_RUN_TOLERANCE:
            log("shorter than two cycles: growth checked against the loose bounds of a short run")
        for name, samples in self.samples.items():
            values = [v for _, v in samples[1:]]
            if len(values) < 3:
                self.failures.append(f"{name}: only {len(values)} samples")
                continue
            third = len(values) // 3
            middle, last = values[third:2 * third] or values[:1], values[2 * third:]
            for key, tolerance in tolerances.items():
                middle_peak = max(v[key] for v in middle)
                last_peak = max(v[key] for v in last)
                if last_peak > middle_peak + tolerance(middle_peak):
                    self.failures.append(f"{name}: {key} still growing: peak {middle_peak} in the middle third, {last_peak} in the last")

    def drain(self):
        self.simulator.signal(signal.SIGTERM)
        queued_ticks = 'coinflux_producer_messages_total{topic="soak.ticks",outcome="queued"}'
        queued_fx = 'coinflux_producer_messages_total{topic="soak.fx",outcome="queued"}'
        delivered = 'coinflux_producer_deliveries_total{outcome="delivered"}'

        def settled():
            queued = (self.collector.sample(queued_ticks) or 0) + (self.collector.sample(queued_fx) or 0)
            return queued > 0 and self.collector.sample(delivered) == queued
        try:
            wait_until("the collector's deliveries", settled, 120)
        except SystemExit as error:
            self.failures.append(str(error))
        self.collected = {
            "queued_ticks": int(self.collector.sample(queued_ticks) or 0),
            "queued_fx": int(self.collector.sample(queued_fx) or 0),
            "delivered": int(self.collector.sample(delivered) or 0),
            "failed": int(self.collector.sample('coinflux_producer_deliveries_total{outcome="failed"}') or 0),
            "dropped": int(sum(v for k, v in self.collector.samples("coinflux_producer_messages_total") if 'outcome="dropped"' in k)),
        }
        status = self.collector.terminate(30)
        if status != 0:
            self.failures.append(f"coinflux collect exited with {status} on SIGTERM")
        # Backfills still under way when the exchanges stopped end with their gap records: the
        # producer's last log line has the final count (no FX rate comes after the exchanges stop).
        with open(self.collector.log_path) as log_file:
            closed = [line for line in log_file if "Kafka producer closed" in line]
        final = re.search(r"delivered=(\d+) dropped=(\d+) failed=(\d+)", closed[-1]) if closed else None
        if final:
            self.collected["queued_ticks"] = int(final.group(1)) - self.collected["queued_fx"]
            self.collected["delivered"] = int(final.group(1))
            self.collected["dropped"] += int(final.group(2))
            self.collected["failed"] = int(final.group(3))
        else:
            self.failures.append("coinflux collect did not log its producer's final counts")

        def caught_up():
            lags = self.processor.samples("coinflux_consumer_lag_messages{")
            return len(lags) == 6 and all(value == 0 for _, value in lags) \
                and self.processor.sample("coinflux_processor_uncommitted_messages") == 0
        try:
            wait_until("the processor's commits to the end of every partition", caught_up, 180, every=1)
        except SystemExit as error:
            self.failures.append(str(error) + ": " + str(self.processor.samples("coinflux_consumer_lag_messages{")))
        status = self.processor.terminate(40)
        if status != 0:
            self.failures.append(f"coinflux process exited with {status} on SIGTERM")

    def expected_points(self):
        """Events stored, distinct events stored, and the ticker, trade and candle_1m points the
        topic's events give, by the schema's rules."""
        tickers, trades, candles, stored, distinct = set(), set(), 0, 0, set()
        for partition in range(6):
            output = subprocess.run(["kcat", "-b", f"127.0.0.1:{self.kafka_port}", "-C", "-t", "soak.ticks", "-p", str(partition),
                                     "-o", "beginning", "-e", "-q", "-f", "%s\\n", "-X", "receive.message.max.bytes=1000000000"],
                                    capture_output=True, check=True).stdout
            last_time, minutes = {}, {}
            for line in output.splitlines():
                if not line:
                    continue
                stored += 1
                distinct.add(line)
                event = json.loads(line)
                if event.get("type") not in ("ticker", "trade"):
                    continue  # gap records: the gap measurement, not counted here
                series = (event["exchange"], event["symbol"])
                time_ns = event["event_time_ns"]
                if event["type"] == "ticker":
                    if event["price"] > 0 and time_ns >= last_time.get(series, time_ns):
                        last_time[series] = time_ns
                        tickers.add((series, time_ns))
                elif event["price"] > 0 and event.get("size", 0) >= 0:
                    millisecond = time_ns - time_ns % 1_000_000
                    trades.add((series, event.get("side", "unknown"), millisecond + trade_discriminator(event) % 1_000_000))
                    minutes.setdefault(series, set()).add(time_ns // 60_000_000_000)
            # Every minute with a trade gets a candle once a later minute of its series has one.
            candles += sum(len(seen) - 1 for seen in minutes.values())
        return stored, len(distinct), len(tickers), len(trades), candles

    def check_loss(self):
        collected = self.collected
        log(f"collector: queued {collected['queued_ticks']} ticks + {collected['queued_fx']} FX, delivered {collected['delivered']}, "
            f"failed {collected['failed']}, dropped {collected['dropped']}")
        if collected["delivered"] != collected["queued_ticks"] + collected["queued_fx"] or collected["failed"] or collected["dropped"]:
            self.failures.append("the collector lost events before Kafka acknowledged them")
        stored, distinct, tickers, trades, candles = self.expected_points()
        got = {"ticker": self.count("ticker", "price"), "trade": self.count("trade", "price"), "candle_1m": self.count("candle_1m", "close"),
               "premium": self.count("premium", "premium")}
        log(f"ticks topic holds {stored} events (collector queued {collected['queued_ticks']})")
        log(f"points per measurement (InfluxDB/expected): ticker {got['ticker']}/{tickers}, trade {got['trade']}/{trades}, "
            f"candle_1m {got['candle_1m']}/{candles}, premium {got['premium']}")
        # At least once: a batch the broker wrote but whose acknowledgement died with it may be sent
        # again (noida-db does not always drop the idempotent producer's repeat after a kill -9;
        # Apache Kafka does). The processor drops repeated trades and tickers; the rest must match.
        if stored > distinct:
            log(f"the topic holds {stored - distinct} events twice (resent after the broker restart)")
        if stored - (stored - distinct) != collected["queued_ticks"]:
            self.failures.append(f"lost between the collector and Kafka: topic holds {distinct} distinct events, collector queued {collected['queued_ticks']}")
        for measurement, expected in (("ticker", tickers), ("trade", trades), ("candle_1m", candles)):
            if got[measurement] != expected:
                self.failures.append(f"{measurement}: InfluxDB holds {got[measurement]} points, the topic's events give {expected}")

    def stop(self):
        for process in self.processes:
            if process.alive():
                process.process.kill()
        for server in [self.simulator, *self.servers]:
            server.signal(signal.SIGKILL) if server and server.process else None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("minutes", nargs="?", type=float, default=10)
    parser.add_argument("--coinflux", default=os.environ.get("COINFLUX_BIN", os.path.join(ROOT, ".build/debug/coinflux")))
    parser.add_argument("--rate", type=float, default=2, help="simulator trades per second per market (200 markets)")
    soak = Soak(parser.parse_args())
    soak.simulator = None
    log(f"{soak.minutes} min, work directory {soak.work}")
    try:
        soak.start_servers()
        soak.start_coinflux()
        soak.run()
        soak.check_growth(soak.minutes * 60)
        soak.drain()
        soak.check_loss()
    finally:
        soak.stop()
    for name, samples in soak.samples.items():
        marks = [samples[0], min(samples, key=lambda s: abs(s[0] - 300)), samples[-1]]
        log(f"{name}: " + ", ".join(f"t={t:.0f}s rss {v['rss_kib'] / 1024:.1f} MiB fds {v['fds']} threads {v['threads']}" for t, v in marks))
    if soak.failures:
        for failure in soak.failures:
            log(f"FAILED: {failure}")
        log(f"logs kept in {soak.work}")
        sys.exit(1)
    log("passed: no growth that does not level off, no lost point")
    subprocess.run(["rm", "-rf", soak.work])


if __name__ == "__main__":
    main()
