#!/usr/bin/python3
"""Debian's python3-confluent-kafka (1.7) against Rollout Ledger's /registry.

Looks up the telemetry subject of the topic contract, serializes a CrashReport with the
subject's registered schema (a top-level union, ADR 0003) in the Confluent wire format,
deserializes it back, and writes the bytes to OUT_DIR/python-crash.bin for the Java check.

Usage: python_client.py REGISTRY_URL TOKEN OUT_DIR
"""
import datetime
import importlib
import json
import os
import sys

import confluent_kafka
from confluent_kafka.avro import CachedSchemaRegistryClient
from confluent_kafka.avro.serializer.message_serializer import MessageSerializer
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError

SUBJECT = "ledger.telemetry-value"
CRASH_REPORT = {
    "type": "record",
    "name": "CrashReport",
    "namespace": "dev.rolloutledger.avro",
    "fields": [
        {"name": "tenant", "type": "string"},
        {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "host", "type": "string"},
        {"name": "release", "type": "string"},
        {"name": "signature", "type": "string"},
        {"name": "kind", "type": "string"},
    ],
}


def main(url, token, out_dir):
    print("python: confluent-kafka", confluent_kafka.version()[0])
    # the token is the Basic password; the user name is anything
    client = SchemaRegistryClient({"url": url, "basic.auth.user.info": "ledger:" + token})

    latest = client.get_latest_version(SUBJECT)
    union = json.loads(latest.schema.schema_str)
    print("python: latest %s: version %d, id %d, a union of %s" % (
        SUBJECT, latest.version, latest.schema_id, [t["name"] for t in union]))
    found = client.lookup_schema(SUBJECT, Schema(latest.schema.schema_str, "AVRO"))
    print("python: lookup (POST /subjects/%s) finds id %d version %d" % (
        SUBJECT, found.schema_id, found.version))

    # 1.7's AvroSerializer cannot take the union (upstream #1198): it turns "[...]" into
    # '{"type":"[...]"}'. Debian has no fastavro, which that serializer imports, in any case.
    try:
        importlib.import_module("confluent_kafka.schema_registry.avro")
        print("python: AvroSerializer importable")
    except ImportError as e:
        print("python: AvroSerializer not importable here (%s)" % e)
    source = os.path.join(os.path.dirname(confluent_kafka.__file__), "schema_registry", "avro.py")
    with open(source) as f:
        if """schema_str = '{"type":"' + schema_str + '"}'""" in f.read():
            print("python: this 1.7 AvroSerializer wraps a top-level union string (bug #1198)")

    # A 1.7 AvroSerializer can only be given the one record a producer writes. With
    # auto.register.schemas=False it looks that record up, which finds nothing until it is in the
    # subject: an admin registers it once (the topic contract accepts one event record of the
    # union), and from then on it is the subject's latest version. See docs/registry.md.
    record_schema = Schema(json.dumps(CRASH_REPORT), "AVRO")
    try:
        print("python: lookup of CrashReport alone: id %d" % client.lookup_schema(
            SUBJECT, record_schema).schema_id)
    except SchemaRegistryError as e:
        print("python: lookup of CrashReport alone: HTTP %d error_code %d (%s)" % (
            e.http_status_code, e.error_code, e.error_message))
    try:
        client.register_schema(SUBJECT, Schema('"string"', "AVRO"))
    except SchemaRegistryError as e:
        print("python: registering \"string\" with a non-admin token: HTTP %d error_code %d" % (
            e.http_status_code, e.error_code))

    # The legacy API (python3-avro) writes with the registered union by its id.
    legacy = CachedSchemaRegistryClient({
        "url": url,
        "basic.auth.credentials.source": "USER_INFO",
        "basic.auth.user.info": "ledger:" + token,
    })
    serializer = MessageSerializer(legacy)
    crash = {
        "tenant": "demo",
        "at": datetime.datetime(2026, 12, 7, 12, 0, tzinfo=datetime.timezone.utc),
        "host": "host-7",
        "release": "cf-291",
        "signature": "PAGE_FAULT_IN_NONPAGED_AREA",
        "kind": "BSOD",
    }
    data = serializer.encode_record_with_schema_id(latest.schema_id, crash)
    print("python: wire format: magic %d, schema id %d, %d bytes: %s" % (
        data[0], int.from_bytes(data[1:5], "big"), len(data), data.hex()))
    back = serializer.decode_message(data)
    print("python: decoded back:", {k: str(v) for k, v in back.items()})
    assert back["signature"] == crash["signature"] and back["host"] == crash["host"]
    with open(os.path.join(out_dir, "python-crash.bin"), "wb") as f:
        f.write(data)


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
