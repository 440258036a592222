#!/usr/bin/env python3
"""Checks `scalesim run --trace-format otlp` output against the OpenTelemetry protobuf classes.

usage: otlp_roundtrip.py FILE   (needs the opentelemetry-proto package; .ci/run installs it)

The file is parsed strictly (an unknown field is an error) into an ExportTraceServiceRequest,
after the one translation OTLP/JSON asks of a protobuf JSON parser: trace and span ids are hex
there and base64 in protobuf's own mapping. Then every span is written back to JSON and
compared with the original: ids, parent, name, kind, times, status and attributes.
"""

import base64
import json
import sys

from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

IDS = ("traceId", "spanId", "parentSpanId")


def spans(doc):
    for rs in doc["resourceSpans"]:
        for ss in rs["scopeSpans"]:
            yield from ss["spans"]


def main() -> None:
    original = json.load(open(sys.argv[1]))
    doc = json.loads(json.dumps(original))
    for s in spans(doc):
        for k in IDS:
            if k in s:
                s[k] = base64.b64encode(bytes.fromhex(s[k])).decode()
    msg = json_format.ParseDict(doc, ExportTraceServiceRequest())
    back = json_format.MessageToDict(msg)
    before, after = list(spans(original)), list(spans(back))
    assert len(before) == len(after) > 0, (len(before), len(after))
    for a, b in zip(before, after):
        for k in IDS:
            if k in a:
                assert base64.b64decode(b[k]).hex() == a[k], (k, a, b)
        assert b["name"] == a["name"]
        assert Span.SpanKind.Value(b["kind"]) == a["kind"], (a["kind"], b["kind"])
        assert b["startTimeUnixNano"] == a["startTimeUnixNano"]
        assert b["endTimeUnixNano"] == a["endTimeUnixNano"]
        code = Status.StatusCode.Value(b["status"].get("code", "STATUS_CODE_UNSET"))
        assert code == a["status"]["code"], (a["status"], b["status"])
        assert b["status"].get("message", "") == a["status"].get("message", "")
        assert b["attributes"] == a["attributes"], (a["attributes"], b["attributes"])
    services = [
        a["value"]["stringValue"]
        for rs in msg.resource_spans
        for a in json_format.MessageToDict(rs.resource)["attributes"]
        if a["key"] == "service.name"
    ]
    print(f"otlp: {len(before)} spans in {len(services)} services ({', '.join(services)}) round-trip")


if __name__ == "__main__":
    main()
