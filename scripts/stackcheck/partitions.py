"""Which partition a Kafka key lands on: librdkafka's default partitioner (consistent_random)
takes the CRC-32 of the key modulo the partition count. coinflux keys every event by its base
asset, so the configured symbols decide how many partitions (and processor replicas) carry data."""

import zlib


def partition(key, partitions):
    return zlib.crc32(key.encode()) % partitions


def spread(symbols, partitions):
    """{partition: sorted bases} for symbols like BTC-USDT (the key is the base, BTC)."""
    placed = {}
    for symbol in symbols:
        base = symbol.split("-", 1)[0].upper()
        placed.setdefault(partition(base, partitions), set()).add(base)
    return {p: sorted(bases) for p, bases in sorted(placed.items())}


def uncovered(symbols, partitions):
    """Partitions no symbol's base lands on."""
    return sorted(set(range(partitions)) - set(spread(symbols, partitions)))
