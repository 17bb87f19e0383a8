/** Runs a benchmark child process and returns the JSON object it prints as its last stdout line. */
import { spawn } from 'node:child_process';

export interface ChildResult<T> {
  result: T;
  wallS: number;
}

export function runJsonChild<T>(command: string, args: string[], log: (s: string) => void): Promise<ChildResult<T>> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      err += d;
      log(d.trimEnd());
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const wallS = (performance.now() - t0) / 1000;
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`${command} ${args.join(' ')} exited with ${code}: ${err.slice(-2000)}`));
      try {
        resolve({ result: JSON.parse(last) as T, wallS });
      } catch {
        reject(new Error(`${command} printed no JSON result: ${out.slice(-500)}`));
      }
    });
  });
}

/**
 * Runs both sides `runs` times, alternating so that load from other work on the machine falls on
 * both alike, and keeps each side's fastest run.
 */
export async function fastestOfAlternating<A extends { totalS: number }, B extends { totalS: number }>(
  runs: number,
  first: (run: number) => Promise<A>,
  second: (run: number) => Promise<B>,
): Promise<[A, B]> {
  let a: A | undefined;
  let b: B | undefined;
  for (let run = 1; run <= runs; run++) {
    const x = await first(run);
    if (!a || x.totalS < a.totalS) a = x;
    const y = await second(run);
    if (!b || y.totalS < b.totalS) b = y;
  }
  if (!a || !b) throw new Error(`runs must be at least 1, got ${runs}`);
  return [a, b];
}
