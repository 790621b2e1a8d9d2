// A gRPC client we did not write (@grpc/grpc-js), driven by Cascade's interop tests.
// Usage: node client.js <host:port> <scenario>; prints one JSON object with the outcome.
'use strict';
const path = require('path');
const grpc = require('@grpc/grpc-js');
const loader = require('@grpc/proto-loader');

const protoRoot = path.resolve(__dirname, '../../../contracts/protos');
const testingProto = path.resolve(__dirname, '../Protos/testing.proto');
const load = (file, includeDirs) => grpc.loadPackageDefinition(loader.loadSync(file, { keepCase: true, longs: Number, defaults: true, includeDirs }));

const [address, scenario] = process.argv.slice(2);
const testing = load(testingProto, []).cascade.testing.v1;
const health = load(path.join(protoRoot, 'grpc/health/v1/health.proto'), [protoRoot]).grpc.health.v1;
const client = new testing.TestService(address, grpc.credentials.createInsecure());
const healthClient = new health.Health(address, grpc.credentials.createInsecure());
const deadline = (ms) => new Date(Date.now() + ms);
const done = (result) => { console.log(JSON.stringify(result)); process.exit(0); };
const fail = (err) => done({ code: err.code, details: err.details, metadata: err.metadata ? err.metadata.getMap() : {} });

const scenarios = {
  unary: () => client.Unary({ text: 'from-node' }, { deadline: deadline(10000) }, (err, res) => err ? fail(err) : done({ code: 0, text: res.text, deadline: res.deadline })),
  error: () => client.Unary({ text: 'bad', fail_code: 3 }, { deadline: deadline(10000) }, (err) => fail(err)),
  deadline: () => client.Unary({ delay_ms: 30000 }, { deadline: deadline(300) }, (err) => fail(err)),
  metadata: () => {
    const md = new grpc.Metadata();
    md.add('echo-text', 'node-value');
    md.add('echo-data-bin', Buffer.from([0, 1, 2, 255]));
    const result = {};
    const call = client.Unary({ text: 'md' }, md, { deadline: deadline(10000) }, (err) => {
      if (err) return fail(err);
      setImmediate(() => done(result));
    });
    call.on('metadata', (m) => { result.header = m.get('echo-text')[0]; result.headerBin = [...m.get('echo-data-bin')[0]]; });
    call.on('status', (s) => { result.code = s.code; result.trailer = s.metadata.get('trailer-echo-text')[0]; result.trailerBin = [...s.metadata.get('trailer-echo-data-bin')[0]]; });
  },
  serverStream: () => {
    const texts = [];
    const call = client.ServerStream({ text: 's', count: 20, response_size: 1000 }, { deadline: deadline(10000) });
    call.on('data', (m) => texts.push(m.text));
    call.on('error', fail);
    call.on('status', (s) => { if (s.code === 0) done({ code: 0, texts }); });
  },
  clientStream: () => {
    const call = client.ClientStream({ deadline: deadline(30000) }, (err, res) => err ? fail(err) : done({ code: 0, bytes: res.received_bytes, messages: res.received_messages }));
    const chunk = Buffer.alloc(100000);
    for (let i = 0; i < 50; i++) call.write({ payload: chunk });
    call.end();
  },
  bidi: () => {
    const texts = [];
    const call = client.Duplex({ deadline: deadline(10000) });
    let sent = 0;
    call.on('data', (m) => { texts.push(m.text); if (++sent < 5) call.write({ text: 'b' + sent }); else call.end(); });
    call.on('error', fail);
    call.on('status', (s) => { if (s.code === 0) done({ code: 0, texts }); });
    call.write({ text: 'b0' });
  },
  cancel: () => {
    // The server sends a delayed call's headers at once: cancelling on them cancels a call its handler is running
    // (cancelled earlier, grpc-js ends it locally and the server never sees it).
    const call = client.Unary({ text: 'cancel-me', delay_ms: 30000 }, { deadline: deadline(30000) }, (err) => fail(err));
    call.on('metadata', () => call.cancel());
  },
  unimplemented: () => {
    const Missing = grpc.makeGenericClientConstructor({
      DoesNotExist: { path: '/cascade.testing.v1.TestService/DoesNotExist', requestStream: false, responseStream: false,
        requestSerialize: (x) => x, requestDeserialize: (x) => x, responseSerialize: (x) => x, responseDeserialize: (x) => x },
    });
    new Missing(address, grpc.credentials.createInsecure()).DoesNotExist(Buffer.alloc(0), { deadline: deadline(10000) }, (err) => fail(err));
  },
  watch: () => {
    // Health/Watch streams the status now and on every change, and never ends by itself: the deadline ends it.
    const statuses = [];
    const call = healthClient.Watch({ service: '' }, { deadline: deadline(1500) });
    call.on('data', (m) => statuses.push(m.status));
    call.on('error', (err) => done({ code: err.code, statuses }));
    call.on('status', (s) => { if (s.code === 0) done({ code: 0, statuses }); });
  },
  health: () => healthClient.Check({ service: '' }, { deadline: deadline(10000) }, (err, res) => err ? fail(err) : done({ code: 0, status: res.status })),
  // Server reflection through a client library we did not write (npm grpc-js-reflection-client), both versions.
  reflect: async () => {
    const { GrpcReflection } = require('grpc-js-reflection-client');
    try {
      const v1 = await new GrpcReflection(address, grpc.credentials.createInsecure(), {}, 'v1').listServices();
      const v1alpha = await new GrpcReflection(address, grpc.credentials.createInsecure(), {}, 'v1alpha').listServices();
      const serving = await new GrpcReflection(address, grpc.credentials.createInsecure(), {}, 'v1').getDescriptorBySymbol('cascade.serving.v1.Serving');
      const methods = Object.keys(serving.getPackageObject({ keepCase: true }).cascade.serving.v1.Serving.service);
      done({ code: 0, v1, v1alpha, methods });
    } catch (err) {
      done({ code: err.code ?? 13, details: String(err.details ?? err.message) });
    }
  },
};

if (!scenarios[scenario]) { console.error(`unknown scenario ${scenario}`); process.exit(2); }
scenarios[scenario]();
