/**
 * The lab servers' services, run inside a server's namespace (`ip netns exec NS node server.js
 * --http 80,8080 --dns 53 --ssh 22`): an HTTP file server with pages and files of any size and an
 * upload sink, a DNS responder over UDP, and an ssh-like line service over TCP. It listens on the
 * namespace's own address only because that is all the namespace has.
 */
import { createServer as createHttp } from 'node:http';
import { createServer as createTcp } from 'node:net';
import { createSocket } from 'node:dgram';
import { dnsAnswer } from './dns-message.js';

const args = process.argv.slice(2);
function opt(name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

// A fixed pseudo-random block, so bodies do not compress to nothing and cost no CPU to make.
const BLOCK = Buffer.alloc(65536);
for (let i = 0, x = 2463534242; i < BLOCK.length; i++) {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  BLOCK[i] = x & 255;
}

function sendBytes(res: import('node:http').ServerResponse, size: number, type: string): void {
  res.writeHead(200, { 'content-type': type, 'content-length': size });
  let left = size;
  const pump = (): void => {
    while (left > 0) {
      const n = Math.min(left, BLOCK.length);
      left -= n;
      if (!res.write(n === BLOCK.length ? BLOCK : BLOCK.subarray(0, n))) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
}

for (const port of (opt('--http') ?? '').split(',').filter(Boolean).map(Number)) {
  createHttp((req, res) => {
    const url = req.url ?? '/';
    if (req.method === 'POST' || req.method === 'PUT') {
      let n = 0;
      req.on('data', (d: Buffer) => (n += d.length));
      req.on('end', () => {
        res.writeHead(201, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ stored: n }));
      });
      return;
    }
    const m = /^\/(file|page)\/(\d{1,9})$/.exec(url);
    if (m) return sendBytes(res, Math.min(Number(m[2]), 200_000_000), m[1] === 'page' ? 'text/html' : 'application/octet-stream');
    if (url === '/' || url === '/index.html') return sendBytes(res, 5120, 'text/html');
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  })
    .on('clientError', (_e, sock) => sock.destroy())
    .listen(port);
}

const dnsPort = opt('--dns');
if (dnsPort) {
  const sock = createSocket('udp4');
  sock.on('message', (msg, rinfo) => {
    const reply = dnsAnswer(msg);
    if (reply) sock.send(reply, rinfo.port, rinfo.address);
  });
  sock.bind(Number(dnsPort));
}

const sshPort = opt('--ssh');
if (sshPort) {
  // Banner, then one answer per line of input: the packet rhythm of an interactive session.
  createTcp((s) => {
    s.on('error', () => s.destroy());
    s.write('SSH-2.0-OpenSSH_9.2p1 Debian-2 ntc-lab\r\n');
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString('latin1');
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        s.write(BLOCK.subarray(0, 40 + ((line.length * 97) % 1400)));
      }
    });
  }).listen(Number(sshPort));
}

process.on('SIGTERM', () => process.exit(0));
