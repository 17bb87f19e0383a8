/**
 * Ingest benchmark: ntc's read + preprocess against the pandas preprocessing of the Keras script
 * it replaces, on the same generated CIDDS file, each in its own child process (so peak memory is
 * the child's own VmHWM). Rates use the time each child measures for the work itself, without
 * interpreter start-up and imports.
 */
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { fastestOfAlternating, runJsonChild } from './child.js';
import { ensureCiddsFile } from './generate-cidds.js';

export interface IngestSection {
  rows: number;
  ntcRowsPerSec: number;
  pandasRowsPerSec: number;
  ratio: number;
  ntcPeakMB: number;
  pandasPeakMB: number;
}

interface NtcChild {
  rows: number;
  readS: number;
  preprocessS: number;
  totalS: number;
  cpuS: number;
  cols: number;
  preprocessed: boolean;
  peakMB: number;
}

interface PandasChild {
  rows: number;
  cols: number;
  totalS: number;
  cpuS: number;
  peakMB: number;
}

export interface IngestOptions {
  root: string;
  rows: number;
  seed: number;
  /** Runs of each side; the fastest counts (the first run also warms the page cache). */
  runs: number;
  log: (s: string) => void;
}

export async function ingestBenchmark(o: IngestOptions): Promise<IngestSection> {
  const file = join(o.root, 'bench', 'out', `cidds-${o.rows}-seed${o.seed}.csv`);
  o.log(`ingest: load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${availableParallelism()} cores (other work on the machine slows both sides)`);
  const bytes = await ensureCiddsFile(file, o.rows, o.seed, o.log);
  o.log(`ingest: ${file} (${(bytes / 1e6).toFixed(0)} MB)`);
  const [ntc, pandas] = await fastestOfAlternating(
    o.runs,
    async (run) => {
      const n = await runJsonChild<NtcChild>(process.execPath, [join(o.root, 'dist', 'bench', 'ingest-ntc.js'), file], o.log);
      o.log(`ingest: ntc run ${run}: read ${n.result.readS.toFixed(2)} s + preprocess ${n.result.preprocessS.toFixed(2)} s` +
        `${n.result.preprocessed ? ` (${n.result.cols} columns)` : ' (features module missing: read only)'}, ` +
        `${n.result.cpuS.toFixed(2)} s CPU, peak ${n.result.peakMB.toFixed(0)} MB`);
      return n.result;
    },
    async (run) => {
      const p = await runJsonChild<PandasChild>('/usr/bin/python3', [join(o.root, 'bench', 'reference', 'preprocess.py'), file], o.log);
      o.log(`ingest: pandas run ${run}: ${p.result.totalS.toFixed(2)} s (${p.result.cols} columns), ${p.result.cpuS.toFixed(2)} s CPU, peak ${p.result.peakMB.toFixed(0)} MB`);
      return p.result;
    },
  );
  if (ntc.rows !== o.rows || pandas.rows !== o.rows) throw new Error(`row counts differ: ntc ${ntc.rows}, pandas ${pandas.rows}, file ${o.rows}`);
  const ntcRowsPerSec = ntc.rows / ntc.totalS;
  const pandasRowsPerSec = pandas.rows / pandas.totalS;
  return {
    rows: o.rows,
    ntcRowsPerSec: Math.round(ntcRowsPerSec),
    pandasRowsPerSec: Math.round(pandasRowsPerSec),
    ratio: Number((ntcRowsPerSec / pandasRowsPerSec).toFixed(2)),
    ntcPeakMB: Math.round(ntc.peakMB),
    pandasPeakMB: Math.round(pandas.peakMB),
  };
}
