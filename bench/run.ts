/**
 * `npm run bench`: runs the benchmark sections and prints their figures. With `--json`, stdout gets
 * exactly one JSON object `{ "<section>": {...}, ... }` and everything else goes to stderr.
 * Each section lives in its own file and exports a function returning its figures; new ones go
 * into SECTIONS.
 *
 * Options: --json, --only a,b (sections: ingest, classify, serve, train, predict, fullScale),
 * --rows N (the ingest file's size, default 4,000,000, or fullScale's, default 16,000,000),
 * --runs N (runs per side, fastest counts; default 1).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ingestBenchmark } from './ingest.js';
import { classifyBenchmark } from './classify.js';
import { serveBenchmark } from './serve.js';
import { lstmBenchmark } from './train.js';
import { FULL_SCALE_ROWS, fullScaleBenchmark } from './full-scale.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Context {
  root: string;
  rows: number;
  runs: number;
  log: (s: string) => void;
}

const SECTIONS: Record<string, (c: Context) => Promise<object>> = {
  ingest: (c) => ingestBenchmark({ root: c.root, rows: c.rows, seed: 42, runs: c.runs, log: c.log }),
  classify: (c) => classifyBenchmark({ root: c.root, rows: Math.min(c.rows, 1_000_000), seed: 42, runs: c.runs, log: c.log }),
  serve: (c) => serveBenchmark({ root: c.root, seed: 42, log: c.log }),
  train: (c) => lstmBenchmark('train', { root: c.root, runs: c.runs, log: c.log }),
  predict: (c) => lstmBenchmark('predict', { root: c.root, runs: c.runs, log: c.log }),
  // 16M flows (CIDDS-002's size) unless --rows asks for a quicker run.
  fullScale: (c) => fullScaleBenchmark({ root: c.root, rows: process.argv.includes('--rows') ? c.rows : FULL_SCALE_ROWS, seed: 42, log: c.log }),
};

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

const USAGE = `usage: npm run bench -- [--json] [--only SECTIONS] [--rows N] [--runs N]

  --json          print one JSON object on stdout (progress goes to stderr)
  --only a,b      run only these sections: ${Object.keys(SECTIONS).join(', ')}
  --rows N        rows in the ingest file (default 4,000,000) or fullScale's (default 16,000,000)
  --runs N        runs per side; the fastest counts (default 1)
`;

const FLAGS = new Set(['--json', '--help', '-h']);
const VALUED = new Set(['--only', '--rows', '--runs']);

function checkArgs(args: string[]): void {
  for (let i = 0; i < args.length; i++) {
    if (VALUED.has(args[i])) {
      const v = args[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${args[i - 1]} needs a value`);
      if (args[i - 1] !== '--only' && !(Number.isInteger(Number(v)) && Number(v) > 0)) throw new UsageError(`${args[i - 1]} must be a positive integer, got '${v}'`);
    } else if (!FLAGS.has(args[i])) {
      throw new UsageError(`unknown option '${args[i]}'`);
    }
  }
}

class UsageError extends Error {}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(USAGE);
    return;
  }
  checkArgs(args);
  const json = args.includes('--json');
  const only = argValue(args, '--only')?.split(',') ?? Object.keys(SECTIONS);
  const unknown = only.filter((s) => !(s in SECTIONS));
  if (unknown.length > 0) throw new UsageError(`unknown section(s): ${unknown.join(', ')}; known: ${Object.keys(SECTIONS).join(', ')}`);
  const ctx: Context = {
    root: ROOT,
    rows: Number(argValue(args, '--rows') ?? 4_000_000),
    runs: Number(argValue(args, '--runs') ?? 1),
    log: (s) => process.stderr.write(`${s}\n`),
  };
  const results: Record<string, object> = {};
  for (const name of only) results[name] = await SECTIONS[name](ctx);
  if (json) {
    process.stdout.write(`${JSON.stringify(results)}\n`);
    return;
  }
  for (const [name, figures] of Object.entries(results)) {
    process.stdout.write(`${name}\n`);
    for (const [k, v] of Object.entries(figures)) process.stdout.write(`  ${k.padEnd(18)} ${typeof v === 'number' ? v.toLocaleString('en-US') : String(v)}\n`);
  }
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) {
    process.stderr.write(`bench: ${err.message}\n${USAGE}`);
    process.exit(2);
  }
  process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
