/**
 * Opens a flow file, stdin (`-`) or a stream as a sequence of byte chunks, gunzipping when the
 * data starts with the gzip magic bytes (whatever the file is called).
 */
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InputError } from '../util/errors.js';

const CHUNK = 1 << 20;

export interface ByteSource {
  /** Name for messages: the path, `stdin` or `stream`. */
  name: string;
  /** Size on disk, 0 when unknown (stdin, streams). */
  bytesTotal: number;
  /** Raw (possibly compressed) bytes consumed so far. */
  bytesRead(): number;
  chunks: AsyncGenerator<Buffer>;
  /** Stops reading early (nfdump's summary block, errors). */
  close(): void;
}

/** Size of a file, with a clear error when it is missing or not a file. */
export async function fileSize(path: string): Promise<number> {
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw new InputError(`${path}: is a directory, not a flow file`);
    return st.size;
  } catch (err) {
    if (err instanceof InputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${path}: no such file`);
    if (code === 'EACCES') throw new InputError(`${path}: permission denied`);
    throw new InputError(`${path}: cannot read: ${(err as Error).message}`);
  }
}

/** Byte range of a file to read: [start, end). Used to split one large file across workers. */
export interface ByteRange {
  start: number;
  end: number;
}

export async function openSource(source: string | NodeJS.ReadableStream, range?: ByteRange): Promise<ByteSource> {
  let stream: NodeJS.ReadableStream;
  let name: string;
  let bytesTotal = 0;
  if (source === '-') {
    stream = process.stdin;
    name = 'stdin';
  } else if (typeof source === 'string') {
    bytesTotal = await fileSize(source);
    if (range) return rangeSource(source, range);
    stream = createReadStream(source, { highWaterMark: CHUNK });
    name = source;
  } else {
    stream = source;
    name = 'stream';
  }
  let read = 0;
  const raw = (async function* (): AsyncGenerator<Buffer> {
    try {
      for await (const c of stream as AsyncIterable<Buffer | string>) {
        const b = typeof c === 'string' ? Buffer.from(c) : c;
        read += b.length;
        yield b;
      }
    } catch (err) {
      throw new InputError(`${name}: cannot read: ${(err as Error).message}`);
    }
  })();
  const closeStream = (): void => {
    const s = stream as NodeJS.ReadableStream & { destroy?: () => void };
    if (s !== process.stdin && typeof s.destroy === 'function') s.destroy();
  };
  return {
    name,
    bytesTotal,
    bytesRead: () => read,
    chunks: range ? raw : decode(raw, name),
    close: closeStream,
  };
}

/**
 * A byte range of a plain file (a parser worker's share), read synchronously into two buffers in
 * turn: a fresh megabyte per chunk cost page faults and collection work comparable to reading it.
 * Each chunk is a new Buffer object over the memory, valid until the next chunk but one is read
 * (the reader joins the tail of a chunk to the next one before it asks for another).
 */
function rangeSource(path: string, range: ByteRange): ByteSource {
  let fd: number | undefined = openSync(path, 'r');
  let read = 0;
  const memory = [new ArrayBuffer(CHUNK), new ArrayBuffer(CHUNK)];
  const close = (): void => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
  };
  const chunks = (async function* (): AsyncGenerator<Buffer> {
    try {
      for (let k = 0; range.start + read < range.end && fd !== undefined; k++) {
        const buf = Buffer.from(memory[k & 1]);
        const n = readSync(fd, buf, 0, Math.min(CHUNK, range.end - range.start - read), range.start + read);
        if (n <= 0) break;
        read += n;
        yield buf.subarray(0, n);
      }
    } catch (err) {
      throw new InputError(`${path}: cannot read: ${(err as Error).message}`);
    } finally {
      close();
    }
  })();
  return { name: path, bytesTotal: range.end - range.start, bytesRead: () => read, chunks, close };
}

async function* decode(raw: AsyncGenerator<Buffer>, name: string): AsyncGenerator<Buffer> {
  let head: Buffer = Buffer.alloc(0);
  while (head.length < 2) {
    const r = await raw.next();
    if (r.done) break;
    head = head.length === 0 ? r.value : Buffer.concat([head, r.value]);
  }
  if (head.length === 0) return;
  if (!(head[0] === 0x1f && head[1] === 0x8b)) {
    yield head;
    yield* raw;
    return;
  }
  const input = Readable.from(
    (async function* () {
      yield head;
      yield* raw;
    })(),
    { objectMode: false },
  );
  const gunzip = createGunzip({ chunkSize: CHUNK });
  pipeline(input, gunzip, () => {
    // Errors surface through the iteration of `gunzip` below.
  });
  try {
    for await (const c of gunzip) yield c as Buffer;
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`${name}: corrupt gzip data: ${(err as Error).message}`);
  }
}
