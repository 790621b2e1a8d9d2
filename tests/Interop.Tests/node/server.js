// A gRPC server we did not write (@grpc/grpc-js) serving the interop scenario service, for Cascade's client.
// Usage: node server.js; prints "PORT <n>" once it listens on 127.0.0.1, then "STARTED <text>" and "CANCELLED <text>"
// when the handler of a delayed unary call (request text <text>) starts and is cancelled; runs until stdin closes.
'use strict';
const path = require('path');
const grpc = require('@grpc/grpc-js');
const loader = require('@grpc/proto-loader');

const testingProto = path.resolve(__dirname, '../Protos/testing.proto');
const testing = grpc.loadPackageDefinition(loader.loadSync(testingProto, { keepCase: true, longs: Number, defaults: true })).cascade.testing.v1;

const fail = (req) => ({ code: req.fail_code, details: `requested failure: ${req.text}`, metadata: (() => { const m = new grpc.Metadata(); m.add('failure-reason', 'requested'); return m; })() });

const service = {
  Unary: (call, callback) => {
    const req = call.request;
    const headers = new grpc.Metadata();
    const trailers = new grpc.Metadata();
    for (const [key, value] of Object.entries(call.metadata.getMap())) {
      if (key.startsWith('echo-')) { headers.add(key, value); trailers.add('trailer-' + key, value); }
    }
    const reply = () => {
      if (req.fail_code) return callback(fail(req));
      call.sendMetadata(headers);
      callback(null, { text: req.text, deadline: call.getDeadline() === Infinity ? 'none' : 'set', payload: Buffer.alloc(req.response_size || 0) }, trailers);
    };
    if (req.delay_ms) {
      const timer = setTimeout(reply, req.delay_ms);
      call.on('cancelled', () => { clearTimeout(timer); console.log(`CANCELLED ${req.text}`); });
      console.log(`STARTED ${req.text}`);
    } else reply();
  },
  ServerStream: (call) => {
    const req = call.request;
    for (let i = 0; i < req.count; i++) call.write({ text: `${req.text}${i}`, payload: Buffer.alloc(req.response_size || 0) });
    if (req.fail_code) call.emit('error', fail(req)); else call.end();
  },
  ClientStream: (call, callback) => {
    let bytes = 0, messages = 0, failed = false;
    call.on('data', (m) => { if (m.fail_code && !failed) { failed = true; callback(fail(m)); } bytes += m.payload.length; messages++; });
    call.on('end', () => { if (!failed) callback(null, { received_bytes: bytes, received_messages: messages }); });
  },
  Duplex: (call) => {
    let messages = 0;
    call.on('data', (m) => { messages++; call.write({ text: m.text, received_messages: messages }); });
    call.on('end', () => call.end());
  },
};

const server = new grpc.Server({ 'grpc.max_receive_message_length': 4 * 1024 * 1024 });
server.addService(testing.TestService.service, service);
server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => {
  if (err) { console.error(err); process.exit(1); }
  console.log(`PORT ${port}`);
});
process.stdin.on('end', () => server.forceShutdown());
process.stdin.resume();
