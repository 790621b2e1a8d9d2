// grpc-js over TLS, driven by Cascade's TLS interop tests: a health check that trusts the given CA (or, with '-', only
// the system's roots), optionally presenting a client certificate for mutual TLS.
// Usage: node tls_client.js <host:port> <ca.crt|-> [client.crt client.key]; prints one JSON object with the outcome.
'use strict';
const fs = require('fs');
const path = require('path');
const grpc = require('@grpc/grpc-js');
const loader = require('@grpc/proto-loader');

const [address, caFile, certFile, keyFile] = process.argv.slice(2);
const protoRoot = path.resolve(__dirname, '../../../contracts/protos');
const health = grpc.loadPackageDefinition(loader.loadSync(path.join(protoRoot, 'grpc/health/v1/health.proto'), { keepCase: true, includeDirs: [protoRoot] })).grpc.health.v1;
const read = (file) => (file ? fs.readFileSync(file) : null);
const credentials = grpc.credentials.createSsl(caFile === '-' ? null : read(caFile), read(keyFile), read(certFile));
const client = new health.Health(address, credentials);
client.Check({ service: '' }, { deadline: new Date(Date.now() + 10000) }, (err, res) => {
  console.log(JSON.stringify(err ? { code: err.code, details: err.details } : { code: 0, status: res.status }));
  process.exit(0);
});
