#!/usr/bin/env python3
"""Removes static members from a Kafka consumer group by group.instance.id (KIP-345).

    scripts/kafka-leave-group.py HOST:PORT GROUP INSTANCE_ID [INSTANCE_ID...]

Sends FindCoordinator (v0) for the group, then LeaveGroup (v3) to the coordinator naming each
instance with an unknown member id, as Kafka's AdminClient.removeMembersFromConsumerGroup does.
librdkafka 2.0.2 has no call for it. Exits 0 when every member was removed, 1 otherwise, printing
the coordinator's answer per member.

The fault tests use it where Apache Kafka would expire a crashed member after session.timeout.ms:
the test broker (noida-db) never expires a session, so a crashed static member keeps its partitions
until it comes back or is removed like this.
"""
import socket
import struct
import sys

FIND_COORDINATOR, LEAVE_GROUP = 10, 13


def string(text):
    data = text.encode()
    return struct.pack(">h", len(data)) + data


def request(address, api_key, version, body, correlation=1):
    """Sends one request (header v1) and returns the response body after the correlation id."""
    host, port = address
    with socket.create_connection((host, port), timeout=10) as sock:
        header = struct.pack(">hhi", api_key, version, correlation) + string("coinflux-leave-group")
        message = header + body
        sock.sendall(struct.pack(">i", len(message)) + message)
        size = struct.unpack(">i", receive(sock, 4))[0]
        response = receive(sock, size)
    if struct.unpack(">i", response[:4])[0] != correlation:
        raise SystemExit("kafka-leave-group: answer to another request")
    return response[4:]


def receive(sock, size):
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise SystemExit("kafka-leave-group: connection closed by the broker")
        data += chunk
    return data


def read_string(data, offset):
    length = struct.unpack(">h", data[offset:offset + 2])[0]
    offset += 2
    if length < 0:
        return None, offset
    return data[offset:offset + length].decode(), offset + length


def main():
    if len(sys.argv) < 4:
        raise SystemExit(__doc__)
    host, port = sys.argv[1].rsplit(":", 1)
    group, instances = sys.argv[2], sys.argv[3:]

    answer = request((host, int(port)), FIND_COORDINATOR, 0, string(group))
    error = struct.unpack(">h", answer[:2])[0]
    if error != 0:
        raise SystemExit(f"kafka-leave-group: FindCoordinator for {group}: error {error}")
    node, coordinator_host, offset = struct.unpack(">i", answer[2:6])[0], *read_string(answer, 6)
    coordinator_port = struct.unpack(">i", answer[offset:offset + 4])[0]

    members = struct.pack(">i", len(instances)) + b"".join(string("") + string(instance) for instance in instances)
    answer = request((coordinator_host, coordinator_port), LEAVE_GROUP, 3, string(group) + members)
    error = struct.unpack(">h", answer[4:6])[0]
    count = struct.unpack(">i", answer[6:10])[0]
    offset, failed = 10, error != 0
    print(f"coordinator {node} at {coordinator_host}:{coordinator_port}: LeaveGroup error {error}")
    for _ in range(count):
        member, offset = read_string(answer, offset)
        instance, offset = read_string(answer, offset)
        member_error = struct.unpack(">h", answer[offset:offset + 2])[0]
        offset += 2
        failed = failed or member_error != 0
        print(f"  instance {instance} (member {member}): error {member_error}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
