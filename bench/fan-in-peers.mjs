#!/usr/bin/env node
// The fan-in load generator: N raw BGP sessions from distinct loopback addresses, each announcing
// the same S Service /32s with its own next hop (every node of a cluster announcing its Services),
// then End-of-RIB; afterwards it only answers keepalives. Messages are encoded once, by hand, so
// the generator costs little CPU next to the receiver on a 2-core machine.
//   node bench/fan-in-peers.mjs HOST PORT [--peers 500] [--services 2000] [--asn 65100]
import { connect } from 'node:net';

const [host, portText] = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const PEERS = arg('--peers', 500);
const SERVICES = arg('--services', 2000);
const ASN = arg('--asn', 65100);
const PER_UPDATE = 800; // 43 + 800 * 5 bytes fits 4096

/** The i-th peer's loopback address: 127.1.1.1, ..., 127.1.1.250, 127.1.2.1, ... */
const peerAddress = (i) => `127.1.${1 + Math.floor(i / 250)}.${1 + (i % 250)}`;

function message(type, body) {
  const b = Buffer.alloc(19 + body.length, 0xff);
  b.writeUInt16BE(19 + body.length, 16);
  b[18] = type;
  body.copy(b, 19);
  return b;
}

function open(bgpId) {
  const caps = Buffer.from([2, 6, 1, 4, 0, 1, 0, 1, 2, 6, 65, 4, 0, 0, 0, 0]);
  caps.writeUInt32BE(ASN, 12);
  const body = Buffer.alloc(10);
  body[0] = 4;
  body.writeUInt16BE(ASN <= 0xffff ? ASN : 23456, 1);
  body.writeUInt16BE(240, 3);
  body.writeUInt32BE(bgpId, 5);
  body[9] = caps.length;
  return message(1, Buffer.concat([body, caps]));
}

const keepalive = message(4, Buffer.alloc(0));
const endOfRib = message(2, Buffer.alloc(4));

function updates(nextHop) {
  const out = [];
  for (let first = 0; first < SERVICES; first += PER_UPDATE) {
    const n = Math.min(PER_UPDATE, SERVICES - first);
    const attrs = Buffer.from([0x40, 1, 1, 0, 0x40, 2, 6, 2, 1, 0, 0, 0, 0, 0x40, 3, 4, 0, 0, 0, 0]);
    attrs.writeUInt32BE(ASN, 9);
    attrs.writeUInt32BE(nextHop, 16);
    const nlri = Buffer.alloc(n * 5);
    for (let k = 0; k < n; k++) {
      const s = first + k; // 10.96.0.0/32 upwards: the cluster's Service IPs
      nlri[k * 5] = 32;
      nlri.writeUInt32BE((10 << 24) | (96 << 16) | s, k * 5 + 1);
    }
    const head = Buffer.alloc(4);
    head.writeUInt16BE(attrs.length, 2);
    out.push(message(2, Buffer.concat([head, attrs, nlri])));
  }
  return Buffer.concat([...out, endOfRib]);
}

let established = 0;
let retries = 0;
const errors = new Map();
const OPEN_WAIT_MS = 5000;

/**
 * One peer: connect, OPEN, and on the receiver's OPEN confirm it and send the table. Like a
 * router, it tries again when the connection fails or no OPEN comes back within OPEN_WAIT_MS (a
 * listener whose accept queue overflowed leaves the connection half open), one second later.
 */
function peer(i) {
  const local = peerAddress(i);
  const [, , c, d] = local.split('.').map(Number);
  const id = (10 << 24) | (1 << 16) | (c << 8) | d;
  const socket = connect({ host, port: Number(portText), localAddress: local });
  let started = false;
  let retried = false;
  const retry = () => {
    if (retried || started) return;
    retried = true;
    retries++;
    socket.destroy();
    setTimeout(() => peer(i), 1000);
  };
  const openWait = setTimeout(retry, OPEN_WAIT_MS);
  socket.setNoDelay(true);
  socket.on('connect', () => socket.write(open(id)));
  socket.on('data', () => {
    // The receiver's OPEN: confirm it and send the table. Later data (keepalives) is dropped.
    if (started) return;
    started = true;
    clearTimeout(openWait);
    socket.write(keepalive);
    socket.write(updates(id));
    if (++established === PEERS) process.stderr.write(`all ${PEERS} sessions sent their routes\n`);
  });
  const timer = setInterval(() => socket.write(keepalive), 60_000);
  socket.on('error', (e) => {
    errors.set(e.code ?? e.message, (errors.get(e.code ?? e.message) ?? 0) + 1);
  });
  socket.on('close', () => {
    clearInterval(timer);
    clearTimeout(openWait);
    if (!started) retry();
  });
}

for (let i = 0; i < PEERS; i++) peer(i);
process.on('SIGTERM', () => {
  process.stderr.write(
    `closing: ${established} of ${PEERS} sessions sent their routes, ${retries} retries, errors ${JSON.stringify([...errors])}\n`,
  );
  process.exit(0);
});
