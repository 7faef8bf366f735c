"""What both Python client scripts share: the stdin/stdout JSON protocol and byte decoding."""
import json
import sys


def text(b):
    return None if b is None else b.decode("utf-8")


def serve(ops):
    """Read one JSON request from stdin, run ops[request["op"]], print its answer as JSON."""
    req = json.load(sys.stdin)
    print(json.dumps(ops[req["op"]](req)))
