"""A client of the Open Inference Protocol generated from the .proto at run time (grpc_tools), none of
mtl-split's code in it: live/ready, model metadata and ModelInfer answers of one server, printed as JSON.

usage: oip-client.py PROTO_DIR PROTO_FILE OUT_DIR PORT REQUESTS_JSON
REQUESTS_JSON: [{"model", "input", "shape", "file", "typed"}], `file` holding the input as float32 bytes;
`typed` sends the values in fp32_contents instead of raw_input_contents.
"""
import json
import os
import re
import sys

import grpc
import numpy as np
from grpc_tools import protoc

proto_dir, proto_file, out_dir, port, requests_file = sys.argv[1:6]
# the file and the files beside it that it imports (Triton's grpc_service.proto imports model_config.proto)
imports = re.findall(r'^import\s+"([^"]+)";', open(os.path.join(proto_dir, proto_file)).read(), re.M)
files = [proto_file] + [f for f in imports if os.path.exists(os.path.join(proto_dir, f))]
if protoc.main(['protoc', f'-I{proto_dir}', f'--python_out={out_dir}', f'--grpc_python_out={out_dir}', *files]) != 0:
    sys.exit('protoc failed')
sys.path.insert(0, out_dir)
module = proto_file[: -len('.proto')]
pb = __import__(f'{module}_pb2')
rpc = __import__(f'{module}_pb2_grpc')

stub = rpc.GRPCInferenceServiceStub(grpc.insecure_channel(f'127.0.0.1:{port}'))
report = {
    'live': stub.ServerLive(pb.ServerLiveRequest(), timeout=10).live,
    'ready': stub.ServerReady(pb.ServerReadyRequest(), timeout=10).ready,
    'server': stub.ServerMetadata(pb.ServerMetadataRequest(), timeout=10).name,
    'models': [],
}
for r in json.load(open(requests_file)):
    md = stub.ModelMetadata(pb.ModelMetadataRequest(name=r['model']), timeout=10)
    values = np.fromfile(r['file'], dtype='<f4')
    tensor = pb.ModelInferRequest.InferInputTensor(name=r['input'], datatype='FP32', shape=r['shape'])
    req = pb.ModelInferRequest(model_name=r['model'], id='py-' + r['model'], inputs=[tensor])
    if r['typed']:
        req.inputs[0].contents.fp32_contents.extend(values.tolist())
    else:
        req.raw_input_contents.append(values.tobytes())
    res = stub.ModelInfer(req, timeout=30)
    outputs = {}
    for k, o in enumerate(res.outputs):
        data = np.frombuffer(res.raw_output_contents[k], dtype='<f4') if res.raw_output_contents else np.array(o.contents.fp32_contents)
        outputs[o.name] = {'datatype': o.datatype, 'shape': list(o.shape), 'data': data.astype(float).tolist()}
    report['models'].append({
        'name': r['model'],
        'ready': stub.ModelReady(pb.ModelReadyRequest(name=r['model']), timeout=10).ready,
        'id': res.id,
        'inputs': [[t.name, t.datatype, list(t.shape)] for t in md.inputs],
        'outputs_metadata': [[t.name, t.datatype, list(t.shape)] for t in md.outputs],
        'outputs': outputs,
    })
print(json.dumps(report))
