#!/usr/bin/python3
"""cri.py — call one method of a CRI server, as the kubelet would.

    cri.py SOCKET METHOD [JSON]

METHOD is one of RuntimeService's (RunPodSandbox, CreateContainer,
ExecSync ...); JSON is its request in protobuf's JSON form (field names
as in cri.proto: {"pod_sandbox_id": "..."}), {} when left out. The
answer is printed as JSON, bytes fields (ExecSync's stdout, stderr)
decoded as text. Exit status: 0, or 1 with gRPC's status and message on
stderr.

The message classes come from cri.proto by protoc --python_out (the
test makes them in $CRI_PY, the directory given by that variable); the
service needs no generated stub: a gRPC call is a path
(/runtime.v1.RuntimeService/METHOD) and two serialisers.
"""
import base64
import json
import os
import sys

sys.path.insert(0, os.environ.get("CRI_PY", os.path.dirname(__file__)))

import grpc  # noqa: E402
from google.protobuf import json_format  # noqa: E402

import cri_pb2  # noqa: E402


def main(argv):
    if len(argv) not in (3, 4):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    socket, method = argv[1], argv[2]
    request_class = getattr(cri_pb2, method + "Request", None)
    if request_class is None:
        print(f"cri.py: {method}: not a method of cri.proto", file=sys.stderr)
        return 2
    request = json_format.Parse(argv[3] if len(argv) == 4 else "{}", request_class())
    response_class = getattr(cri_pb2, method + "Response")
    with grpc.insecure_channel("unix://" + socket) as channel:
        call = channel.unary_unary(
            "/runtime.v1.RuntimeService/" + method,
            request_serializer=request_class.SerializeToString,
            response_deserializer=response_class.FromString,
        )
        try:
            response = call(request, timeout=120)
        except grpc.RpcError as e:
            print(f"cri.py: {method}: {e.code().name}: {e.details()}", file=sys.stderr)
            return 1
    out = json_format.MessageToDict(response, preserving_proto_field_name=True,
                                    including_default_value_fields=True)
    for field in ("stdout", "stderr"):
        if field in out:
            out[field] = base64.b64decode(out[field]).decode(errors="replace")
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
