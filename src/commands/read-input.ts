/** Reading flow files for a command: a progress bar while reading, the bad-row summary after. */
import { readFlows, type ReadOptions } from '../flows/read.js';
import { summarizeBadRows } from '../flows/read-options.js';
import type { FlowDataset } from '../flows/schema.js';
import { Progress } from '../util/progress.js';

export async function readWithProgress(paths: string[], opts: ReadOptions, label = 'reading'): Promise<{ ds: FlowDataset; rowsPerSec: number }> {
  let bar: Progress | undefined;
  const t0 = performance.now();
  const ds = await readFlows(paths, {
    ...opts,
    onProgress(p) {
      bar ??= new Progress({ label, total: p.bytesTotal > 0 ? p.bytesTotal / 1e6 : undefined, unit: 'MB' });
      bar.update(p.bytesRead / 1e6, `${p.rows.toLocaleString('en-US')} flows`);
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  bar?.done(`${ds.length.toLocaleString('en-US')} flows`);
  const bad = summarizeBadRows(ds);
  if (bad) process.stderr.write(`${bad}\n`);
  return { ds, rowsPerSec: seconds > 0 ? (ds.length + ds.badRowCount) / seconds : 0 };
}
