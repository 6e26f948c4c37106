"""Offline checks of compose.yml (and compose.demo.yml) through docker-compose 1.29's own model:
every combination of files and profiles must pass `config -q`, and in every combination no topic
or bucket may receive data from two kinds of collector (live exchanges vs the simulator)."""

import itertools
import os
import re
import subprocess

import yaml

from . import partitions, repo_path, rules

FILE_SETS = (("compose.yml",), ("compose.yml", "compose.demo.yml"))
TICKS_PARTITIONS = 6            # kafka-init creates the ticks topics with 6 partitions
DEFAULT_TICKS_TOPIC = "market.ticks"
DEFAULT_SHUTDOWN_TIMEOUT = "10s"
SHUTDOWN_MARGIN = 10            # seconds stop_grace_period must exceed processor.shutdown_timeout by


def compose(files, profiles, *arguments):
    # .env.example as the env file: what a fresh checkout gets, whatever the developer's .env says.
    argv = ["docker-compose", "--env-file", repo_path(".env.example")] + [a for f in files for a in ("-f", repo_path(f))]
    argv += [a for p in profiles for a in ("--profile", p)] + list(arguments)
    # Nor may the developer's COMPOSE_* variables.
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPOSE_")}
    return subprocess.run(argv, capture_output=True, text=True, cwd=repo_path(), env=env, timeout=120)


def combinations():
    """(files, profiles) for every file set and every subset of the profiles it declares."""
    for files in FILE_SETS:
        result = compose(files, (), "config", "--profiles")
        declared = sorted(result.stdout.split()) if result.returncode == 0 else []
        for size in range(len(declared) + 1):
            for chosen in itertools.combinations(declared, size):
                yield files, chosen


def describe(files, profiles):
    return " ".join(f"-f {f}" for f in files) + "".join(f" --profile {p}" for p in profiles)


def command_of(service):
    command = service.get("command") or []
    return command.split() if isinstance(command, str) else list(command)


def environment_of(service):
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) if "=" in item else (item, "") for item in environment)
    return {k: "" if v is None else str(v) for k, v in environment.items()}


def replicas_of(service):
    return int((service.get("deploy") or {}).get("replicas") or service.get("scale") or 1)


def collector_kind(environment):
    """'simulator', 'exchanges' or 'mixed', from the collector's data sources: the exchanges'
    URLs (all ten point at the simulator, or none) and the FX source's (collector.fx_url)."""
    urls = {k: v for k, v in environment.items() if re.fullmatch(r"COINFLUX_COLLECTOR_\w+_(REST_)?URL", k) and v}
    simulated = [k for k, u in urls.items() if re.match(r"\w+://simulator[:/]", u)]
    if not simulated:
        return "exchanges"
    exchange_urls = [k for k in simulated if k != "COINFLUX_COLLECTOR_FX_URL"]
    return "simulator" if len(simulated) == len(urls) and len(exchange_urls) == 10 else "mixed"


def active_services(model, profiles):
    return {name: service for name, service in (model.get("services") or {}).items()
            if not service.get("profiles") or set(service["profiles"]) & set(profiles)}


def data_flow_problems(services):
    """Two collector kinds into one topic, or into one bucket through the processors."""
    problems = []
    topic_kinds = {}
    for name, service in services.items():
        command = command_of(service)
        if command[:1] not in (["collect"], ["run"]):
            continue
        environment = environment_of(service)
        kind = collector_kind(environment)
        if kind == "mixed":
            problems.append(f"{name}: some exchanges from the simulator, some live: one collector mixes both")
        topic = environment.get("COINFLUX_KAFKA_TICKS_TOPIC", DEFAULT_TICKS_TOPIC)
        topic_kinds.setdefault(topic, {})[name] = kind
    for topic, kinds in sorted(topic_kinds.items()):
        if len(set(kinds.values())) > 1:
            problems.append(f"topic {topic} gets two kinds of collector: {kinds}")
    bucket_kinds = {}
    for name, service in services.items():
        if command_of(service)[:1] != ["process"]:
            continue
        environment = environment_of(service)
        topic = environment.get("COINFLUX_KAFKA_TICKS_TOPIC", DEFAULT_TICKS_TOPIC)
        bucket = environment.get("COINFLUX_INFLUXDB_BUCKET", "market")
        for collector, kind in topic_kinds.get(topic, {}).items():
            bucket_kinds.setdefault(bucket, {})[f"{collector} via {name}"] = kind
    for bucket, kinds in sorted(bucket_kinds.items()):
        if len(set(kinds.values())) > 1:
            problems.append(f"bucket {bucket} gets two kinds of collector: {kinds}")
    return problems


def operation_problems(services):
    """Log rotation and memory limits everywhere, processor grace, replica counts, symbols,
    secrets only from files, no unauthenticated lifecycle API, InfluxDB health."""
    problems = []
    expected = expected_replicas()
    for name, service in sorted(services.items()):
        options = (service.get("logging") or {}).get("options") or {}
        if not {"max-size", "max-file"} <= set(options):
            problems.append(f"{name}: no log rotation (logging.options max-size and max-file)")
        if not service.get("mem_limit"):
            problems.append(f"{name}: no memory limit (mem_limit)")
        environment = environment_of(service)
        for key, value in environment.items():
            if re.search(r"TOKEN|PASSWORD|SECRET", key) and not key.endswith("FILE") and value:
                problems.append(f"{name}: {key} carries a secret in the environment; use a file (*_FILE, --config)")
        command = command_of(service)
        if "--web.enable-lifecycle" in command:
            problems.append(f"{name}: --web.enable-lifecycle opens an unauthenticated /-/quit and /-/reload")
        if command[:1] in (["collect"], ["process"]):
            job = "coinflux-collector" if command[0] == "collect" else "coinflux-processor"
            if replicas_of(service) != expected.get(job):
                problems.append(f"{name}: {replicas_of(service)} replicas, but prometheus/rules/replicas.rules.yml "
                                f"expects {expected.get(job)} for {job}")
        if command[:1] == ["process"]:
            timeout = rules.seconds(environment.get("COINFLUX_PROCESSOR_SHUTDOWN_TIMEOUT", DEFAULT_SHUTDOWN_TIMEOUT))
            grace = rules.seconds(service.get("stop_grace_period") or "10s")
            if grace < timeout + SHUTDOWN_MARGIN:
                problems.append(f"{name}: stop_grace_period {grace} s is not above processor.shutdown_timeout "
                                f"{timeout} s + {SHUTDOWN_MARGIN} s")
        if command[:1] == ["collect"]:
            symbols = [s.strip() for k, v in environment.items() if re.fullmatch(r"COINFLUX_COLLECTOR_\w+_SYMBOLS", k)
                       for s in v.split(",") if s.strip()]
            missing = partitions.uncovered(symbols, TICKS_PARTITIONS)
            if not symbols or missing:
                problems.append(f"{name}: the symbols' base assets leave partitions {missing} of {TICKS_PARTITIONS} "
                                f"empty: {partitions.spread(symbols, TICKS_PARTITIONS)}")
        if (service.get("image") or "").startswith("influxdb:") and "healthcheck" in service \
                and not any("/health" in str(part) for part in service["healthcheck"].get("test", [])):
            problems.append(f"{name}: InfluxDB healthcheck does not ask /health")
    return problems


def expected_replicas():
    """{job: count} from prometheus/rules/replicas.rules.yml."""
    counts = {}
    for group in rules.groups(repo_path("prometheus", "rules", "replicas.rules.yml")):
        for rule in group.get("rules", []):
            match = re.fullmatch(r"\s*vector\((\d+)\)\s*", str(rule.get("expr")))
            if rule.get("record") == "coinflux_job:replicas:expected" and match:
                counts[rule.get("labels", {}).get("job")] = int(match.group(1))
    return counts


def ignore_problems():
    """.env and secrets kept out of git and Docker builds; the build stage copies no `.`."""
    problems = []
    for path in (".gitignore", ".dockerignore"):
        with open(repo_path(path)) as source:
            lines = {line.strip() for line in source}
        if ".env" not in lines:
            problems.append(f"{path}: does not ignore .env")
    with open(repo_path("Dockerfile")) as source:
        dockerfile = source.read()
    if re.search(r"(?m)^\s*(COPY|ADD)\s+(--\S+\s+)*\.\s", dockerfile):
        problems.append("Dockerfile: COPY/ADD of the whole context would bring .env into the build stage")
    if not os.path.exists(repo_path(".env.example")):
        problems.append(".env.example is missing")
    return problems


def check(out=print):
    """Runs every compose check; returns the number of failing combinations/checks."""
    failures = 0
    for files, profiles in combinations():
        name = describe(files, profiles)
        quiet = compose(files, profiles, "config", "-q")
        if quiet.returncode != 0:
            out(f"FAIL  docker-compose {name} config -q\n{quiet.stderr.strip()}")
            failures += 1
            continue
        full = compose(files, profiles, "config")
        services = active_services(yaml.safe_load(full.stdout), profiles)
        problems = data_flow_problems(services) + operation_problems(services)
        collectors = sorted(f"{n}({collector_kind(environment_of(s))}→"
                            f"{environment_of(s).get('COINFLUX_KAFKA_TICKS_TOPIC', DEFAULT_TICKS_TOPIC)})"
                            for n, s in services.items() if command_of(s)[:1] == ["collect"])
        out(f"{'FAIL' if problems else 'ok  '}  docker-compose {name}: config -q passes; collectors {', '.join(collectors)}")
        for problem in problems:
            out(f"        {problem}")
        failures += bool(problems)
    for problem in ignore_problems():
        out(f"FAIL  {problem}")
        failures += 1
    return failures
