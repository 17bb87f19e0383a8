/**
 * How the parser threads of one read (range-parse.ts) get at each other's columns, which are in
 * shared memory: over a BroadcastChannel, not through the main thread's messages, whose copies of
 * the arrays would keep their memory alive until its next collection. (The main thread parses a
 * range too; it asks for other ranges' columns only when one outgrew its window.)
 */
import { BroadcastChannel } from 'node:worker_threads';
import type { WorkerColumns } from './range-parse.js';

/**
 * The columns of the read's workers, shared among them on a BroadcastChannel: a worker asks for
 * the ranges it is to copy from, and each worker answers for its own.
 */
export class ColumnExchange {
  private readonly channel: BroadcastChannel;
  private readonly known = new Map<number, WorkerColumns>();
  private readonly waiting = new Map<number, Array<() => void>>();
  private own: WorkerColumns | undefined;

  constructor(name: string, private readonly index: number) {
    this.channel = new BroadcastChannel(name);
    this.channel.onmessage = (e) => {
      const m = (e as MessageEvent).data as { want: number } | { from: number; columns: WorkerColumns };
      if ('want' in m) {
        if (m.want === this.index && this.own) this.channel.postMessage({ from: this.index, columns: this.own });
        return;
      }
      this.known.set(m.from, m.columns);
      for (const done of this.waiting.get(m.from) ?? []) done();
      this.waiting.delete(m.from);
    };
  }

  /** Stops listening (a channel left open on the main thread would keep the process alive). */
  close(): void {
    this.channel.close();
  }

  /** This worker's parsed columns, for the others that ask. */
  offer(columns: WorkerColumns): void {
    this.own = columns;
    this.known.set(this.index, columns);
  }

  async columnsOf(ranges: number[]): Promise<Map<number, WorkerColumns>> {
    await Promise.all(
      [...new Set(ranges)].filter((k) => !this.known.has(k)).map(
        (k) =>
          new Promise<void>((resolve) => {
            this.waiting.set(k, [...(this.waiting.get(k) ?? []), resolve]);
            this.channel.postMessage({ want: k });
          }),
      ),
    );
    return this.known;
  }
}
