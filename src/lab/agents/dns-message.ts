/** Minimal DNS messages: a query for a name, and an A-record answer to any well-formed query. */

export function dnsQuery(name: string, id: number): Buffer {
  const labels = name.split('.').filter(Boolean);
  const qname = Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'ascii')])), Buffer.from([0])]);
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id & 0xffff, 0);
  header.writeUInt16BE(0x0100, 2); // recursion desired
  header.writeUInt16BE(1, 4);
  return Buffer.concat([header, qname, Buffer.from([0, 1, 0, 1])]);
}

/** Answers with one A record in 198.18.100.0/24 (NXDOMAIN for names starting with `x`); null if malformed. */
export function dnsAnswer(q: Buffer): Buffer | null {
  if (q.length < 17 || q.readUInt16BE(4) !== 1) return null;
  let i = 12;
  let first = '';
  while (i < q.length && q[i] !== 0) {
    if (!first) first = q.toString('ascii', i + 1, i + 2);
    i += q[i] + 1;
  }
  if (i + 5 > q.length) return null;
  const question = q.subarray(12, i + 5);
  const nx = first === 'x';
  const header = Buffer.alloc(12);
  q.copy(header, 0, 0, 2);
  header.writeUInt16BE(nx ? 0x8183 : 0x8180, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(nx ? 0 : 1, 6);
  if (nx) return Buffer.concat([header, question]);
  const answer = Buffer.alloc(16);
  answer.writeUInt16BE(0xc00c, 0);
  answer.writeUInt16BE(1, 2);
  answer.writeUInt16BE(1, 4);
  answer.writeUInt32BE(300, 6);
  answer.writeUInt16BE(4, 10);
  answer.set([198, 18, 100, 10 + (question.length % 2)], 12);
  return Buffer.concat([header, question, answer]);
}
