/**
 * Where classified flows go: stdout, or a file that appears only when complete (written to a
 * temporary sibling and renamed at the end, so a reader never sees half a result file).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { siblingTempPath } from '../util/atomic.js';
import { UserError } from '../util/errors.js';

export interface OutputSink {
  /**
   * Resolves once the data is accepted (waits while the stream is backed up). `done` is called once
   * the sink has finished with the bytes (written out, or dropped after the reader went away), so
   * the caller may reuse their buffer; it may not be called when the stream fails.
   */
  write(data: string | Uint8Array, done?: () => void): Promise<void>;
  /** True once the reader went away (stdout closed by `| head`): stop producing, quietly. */
  readonly closed: boolean;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

function streamSink(stream: NodeJS.WritableStream, onCommit: () => Promise<void>, onAbort: () => Promise<void>, name: string): OutputSink {
  let closed = false;
  let failure: Error | undefined;
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') closed = true;
    else failure = err;
  });
  const check = (): void => {
    if (failure) throw new UserError(`cannot write ${name}: ${failure.message}`);
  };
  return {
    get closed() {
      return closed;
    },
    async write(data, done) {
      check();
      if (closed || data.length === 0) {
        done?.();
        return;
      }
      if (!stream.write(data, done && (() => done()))) {
        await new Promise<void>((resolve) => {
          const done = (): void => {
            stream.off('drain', done);
            stream.off('error', done);
            stream.off('close', done);
            resolve();
          };
          stream.on('drain', done);
          stream.on('error', done);
          stream.on('close', done);
        });
      }
      check();
    },
    async commit() {
      check();
      await onCommit();
    },
    abort: onAbort,
  };
}

export function stdoutSink(): OutputSink {
  return streamSink(process.stdout, async () => {}, async () => {}, 'stdout');
}

/** A file written atomically: `commit` renames the finished temporary into place. */
export async function fileSink(path: string): Promise<OutputSink> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = siblingTempPath(path);
  const out: WriteStream = createWriteStream(tmp);
  await new Promise<void>((resolve, reject) => {
    out.once('open', () => resolve());
    out.once('error', (err) => reject(new UserError(`cannot write ${path}: ${err.message}`)));
  });
  const finish = (): Promise<void> => new Promise((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return streamSink(
    out,
    async () => {
      await finish();
      await rename(tmp, path);
    },
    async () => {
      out.destroy();
      await rm(tmp, { force: true });
    },
    path,
  );
}
