/**
 * How the parser threads of one read (range-parse.ts) get at each other's columns, which are in
 * shared memory: over a BroadcastChannel, not through the main thread's messages, whose copies of
 * the arrays would keep their memory alive until its next collection. (The main thread parses a
 * range too; it asks for other ranges' columns only when one outgrew its window.)
 */
import { BroadcastChannel } from 'node:worker_threads';
import type { WorkerColumns } from './range-parse.js';

/**
 * The columns of the read's ranges, shared among its threads on a BroadcastChannel: a thread asks
 * for the ranges it is to copy from, and the thread that parsed each answers for it.
 */
export class ColumnExchange {
  private readonly channel: BroadcastChannel;
  private readonly known = new Map<number, WorkerColumns>();
  private readonly waiting = new Map<number, Array<() => void>>();
  private readonly own = new Map<number, WorkerColumns>();

  constructor(name: string) {
    this.channel = new BroadcastChannel(name);
    this.channel.onmessage = (e) => {
      const m = (e as MessageEvent).data as { want: number } | { from: number; columns: WorkerColumns };
      if ('want' in m) {
        const columns = this.own.get(m.want);
        if (columns) this.channel.postMessage({ from: m.want, columns });
        return;
      }
      const waiting = this.waiting.get(m.from);
      if (!waiting) return; // another thread's answer
      this.known.set(m.from, m.columns);
      for (const done of waiting) done();
      this.waiting.delete(m.from);
    };
  }

  /** Stops listening (a channel left open on the main thread would keep the process alive). */
  close(): void {
    this.channel.close();
  }

  /** Columns of a range this thread parsed, for the others that ask. */
  offer(range: number, columns: WorkerColumns): void {
    this.own.set(range, columns);
    this.known.set(range, columns);
  }

  async columnsOf(ranges: number[]): Promise<Map<number, WorkerColumns>> {
    await Promise.all(
      [...new Set(ranges)].filter((k) => !this.known.has(k)).map(
        (k) =>
          new Promise<void>((resolve) => {
            const asked = this.waiting.has(k);
            this.waiting.set(k, [...(this.waiting.get(k) ?? []), resolve]);
            if (!asked) this.channel.postMessage({ want: k });
          }),
      ),
    );
    return this.known;
  }
}
