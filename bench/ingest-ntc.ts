/**
 * Child process of the ingest benchmark: reads FILE with ntc and preprocesses it as training does,
 * then prints one JSON line with its own timings and peak memory (VmHWM), so the parent measures
 * nothing but this work.
 */
import { readFileSync } from 'node:fs';
import { readFlows } from '../src/flows/read.js';
import type { FlowDataset } from '../src/flows/schema.js';

interface FeaturesModule {
  fitPreprocessor(ds: FlowDataset, rows?: Uint32Array): unknown;
  transformFlows(p: unknown, ds: FlowDataset): { names: string[]; data: Float32Array; rows: number; cols: number };
}

export function peakRssMB(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function loadFeatures(): Promise<FeaturesModule | undefined> {
  try {
    const mod = (await import(new URL('../src/features/index.js', import.meta.url).href)) as Partial<FeaturesModule>;
    return typeof mod.fitPreprocessor === 'function' && typeof mod.transformFlows === 'function' ? (mod as FeaturesModule) : undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: ingest-ntc FILE');
  const features = await loadFeatures();
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const ds = await readFlows([file]);
  const t1 = performance.now();
  let cols = 0;
  if (features) {
    const p = features.fitPreprocessor(ds);
    const m = features.transformFlows(p, ds);
    cols = m.cols;
  }
  const t2 = performance.now();
  const cpu = process.cpuUsage(c0);
  process.stdout.write(
    `${JSON.stringify({ rows: ds.length, readS: (t1 - t0) / 1000, preprocessS: (t2 - t1) / 1000, totalS: (t2 - t0) / 1000, cpuS: (cpu.user + cpu.system) / 1e6, cols, preprocessed: Boolean(features), peakMB: peakRssMB() })}\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
