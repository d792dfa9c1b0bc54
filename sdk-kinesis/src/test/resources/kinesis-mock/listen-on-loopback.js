// Preloaded into kinesis-mock with `node -r` by KinesisMockServer (sdk-kinesis tests).
// kinesis-mock binds every interface; the tests must only expose it on 127.0.0.1, so every
// net.Server.listen call is rewritten to that host, and each bound address is reported on stderr
// so the test can check it.
'use strict';
const net = require('net');
const LOOPBACK = '127.0.0.1';
const originalListen = net.Server.prototype.listen;

net.Server.prototype.listen = function listenOnLoopback(...args) {
  this.once('listening', () => {
    process.stderr.write('[twinstream-preload] listening ' + JSON.stringify(this.address()) + '\n');
  });
  const first = args[0];
  if (first !== null && typeof first === 'object' && !Array.isArray(first)) {
    if (first.path !== undefined) {
      return originalListen.apply(this, args); // a Unix socket has no host
    }
    args[0] = Object.assign({}, first, { host: LOOPBACK });
    return originalListen.apply(this, args);
  }
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    const rest = args.slice(1);
    if (rest.length > 0 && (typeof rest[0] === 'string' || rest[0] === undefined || rest[0] === null)) {
      rest.shift(); // the host kinesis-mock asked for
    }
    return originalListen.call(this, first, LOOPBACK, ...rest);
  }
  if (first === undefined || typeof first === 'function') {
    return originalListen.call(this, 0, LOOPBACK, ...args.slice(first === undefined ? 1 : 0));
  }
  return originalListen.apply(this, args);
};
