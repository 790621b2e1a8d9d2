// An Open Inference Protocol v2 client built only from the protocol's proto with @grpc/grpc-js, as a
// KServe/Triton user would write it. Usage: node oip_client.js <host:port> <model>; prints one JSON object.
'use strict';
const path = require('path');
const grpc = require('@grpc/grpc-js');
const loader = require('@grpc/proto-loader');

const [address, model] = process.argv.slice(2);
const proto = path.resolve(__dirname, '../../../contracts/protos/inference/grpc_predict_v2.proto');
const inference = grpc.loadPackageDefinition(loader.loadSync(proto, { keepCase: true, longs: Number, defaults: true })).inference;
const client = new inference.GRPCInferenceService(address, grpc.credentials.createInsecure());
const deadline = () => new Date(Date.now() + 10000);
const result = {};

client.ModelMetadata({ name: model }, { deadline: deadline() }, (err, metadata) => {
  if (err) { console.log(JSON.stringify({ error: err.code, details: err.details })); process.exit(0); }
  const features = metadata.inputs[0].shape[1];
  result.features = features;
  const infer = (n, values, cb) => client.ModelInfer({
    model_name: model, id: 'node',
    inputs: [{ name: 'input', datatype: 'FP32', shape: [n, values.length / n], contents: { fp32_contents: values } }],
  }, { deadline: deadline() }, cb);
  const good = Array.from({ length: 2 * features }, (_, i) => (i % 3) - 1);
  infer(2, good, (err, response) => {
    if (err) { result.inferError = err.code; result.inferDetails = err.details; }
    else { result.shape = response.outputs[0].shape; result.outputs = response.outputs[0].contents.fp32_contents; result.version = response.model_version; }
    infer(2, good.slice(0, 2 * (features - 1)), (err2) => {
      result.wrongCode = err2 ? err2.code : 0;
      result.wrongDetails = err2 ? err2.details : '';
      console.log(JSON.stringify(result));
      process.exit(0);
    });
  });
});
