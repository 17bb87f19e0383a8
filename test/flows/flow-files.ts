/** Helpers for the flow reader tests: write small flow files and decode data set rows. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CIDDS_002_HEADER, CIDDS_HEADER } from '../../src/flows/cidds-format.js';
import { flowKeyAt } from '../../src/flows/flow-key.js';
import type { FlowDataset } from '../../src/flows/schema.js';

export const CIDDS_001_HEAD = CIDDS_HEADER.join(',');
export const CIDDS_002_HEAD = CIDDS_002_HEADER.join(',');

export async function writeLines(dir: string, name: string, lines: string[], opts: { crlf?: boolean; gzip?: boolean } = {}): Promise<string> {
  const text = lines.map((l) => `${l}${opts.crlf ? '\r\n' : '\n'}`).join('');
  const path = join(dir, name);
  await writeFile(path, opts.gzip ? gzipSync(text) : text);
  return path;
}

/** Row i of a data set with text columns decoded, for readable assertions. */
export function rowOf(ds: FlowDataset, i: number): Record<string, string | number> {
  const c = ds.columns;
  return {
    ...flowKeyAt(ds, i),
    flows: c.flows[i],
    flags: c.flags[i],
    tos: c.tos[i],
    label: c.label.values[c.label.codes[i]],
    attackType: c.attackType.values[c.attackType.codes[i]],
    attackId: c.attackId.values[c.attackId.codes[i]],
    attackDescription: c.attackDescription.values[c.attackDescription.codes[i]],
  };
}

export function rowsOf(ds: FlowDataset): Record<string, string | number>[] {
  return Array.from({ length: ds.length }, (_, i) => rowOf(ds, i));
}
