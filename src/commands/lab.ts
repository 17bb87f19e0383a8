import { type Command, InvalidArgumentError } from 'commander';
import { EXIT, UserError } from '../util/errors.js';
import { capture } from '../lab/capture.js';
import { SCENARIOS } from '../lab/attack-plan.js';
import { checkRequirements, formatRequirements } from '../lab/doctor.js';
import { cleanupLeftovers } from '../lab/cleanup.js';
import { formatStats, labStats } from '../lab/stats.js';
import { readFlows } from '../flows/read.js';

function positiveNumber(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

function integer(v: string): number {
  if (!/^\d{1,9}$/.test(v)) throw new InvalidArgumentError('expected a non-negative integer');
  return Number(v);
}

/** `ntc lab ...`: the traffic lab that makes labelled CIDDS-style flows from an emulated network. */
export function registerLab(program: Command): void {
  const lab = program
    .command('lab')
    .description('traffic lab: emulate a small network in Linux namespaces, run user traffic and nmap scans, export labelled NetFlow (needs root)');

  lab
    .command('capture')
    .description('run the lab and write its flows as a labelled CIDDS-002 CSV (.csv or .csv.gz) plus a .schedule.json of the attacks')
    .requiredOption('--out <file>', 'CSV to write (gzipped when it ends in .gz)')
    .option('--minutes <n>', 'minutes of traffic', positiveNumber, 5)
    .option('--seed <s>', 'seed of the traffic and attack schedule', integer, 1)
    .option('--scenario <name>', `attack parameters: ${Object.keys(SCENARIOS).join(', ')}`, 'default')
    .option('--quiet', 'no progress on stderr')
    .option('--nfdump-out <file>', "also write nfdump's raw output (lab layout, see src/lab/flow-export.ts)")
    .action(async (o: { out: string; minutes: number; seed: number; scenario: string; quiet?: boolean; nfdumpOut?: string }) => {
      if (!SCENARIOS[o.scenario]) throw new UserError(`unknown scenario ${JSON.stringify(o.scenario)} (known: ${Object.keys(SCENARIOS).join(', ')})`);
      const s = await capture({ out: o.out, minutes: o.minutes, seed: o.seed, scenario: o.scenario, quiet: o.quiet, nfdumpOut: o.nfdumpOut });
      const labels = Object.entries(s.byLabel).map(([k, v]) => `${k} ${v}`).join(', ');
      process.stdout.write(`wrote ${s.flows} flows (${labels}) from ${s.attacks} scans to ${s.out}; schedule ${s.schedulePath}\n`);
    });

  lab
    .command('doctor')
    .description('check root, network namespaces and the lab tools; exit code 4 if something is missing')
    .action(() => {
      const reqs = checkRequirements();
      process.stdout.write(formatRequirements(reqs));
      if (reqs.some((r) => !r.ok)) throw new UserError('the lab is missing requirements (see above)', EXIT.missingRequirement);
    });

  lab
    .command('cleanup')
    .description('remove namespaces, processes and temp dirs left by lab runs that are no longer running')
    .action(() => {
      if (typeof process.getuid === 'function' && process.getuid() !== 0) throw new UserError('ntc lab cleanup needs root', EXIT.missingRequirement);
      const r = cleanupLeftovers();
      for (const x of r.removed) process.stdout.write(`removed ${x}\n`);
      for (const x of r.live) process.stdout.write(`kept ${x} (its run is still going)\n`);
      if (r.removed.length === 0) process.stdout.write('nothing to remove\n');
      if (r.failed.length > 0) throw new UserError(`could not remove: ${r.failed.join(', ')}`, EXIT.internal);
    });

  lab
    .command('stats')
    .description('count flows per label, attack type, scan kind and protocol in labelled CSV files')
    .argument('<files...>', 'CIDDS CSV files (.csv or .csv.gz)')
    .option('--json', 'print JSON instead of a table')
    .action(async (files: string[], o: { json?: boolean }) => {
      for (const f of files) {
        const s = labStats(await readFlows([f]));
        process.stdout.write(o.json ? `${JSON.stringify({ file: f, ...s }, null, 2)}\n` : formatStats(f, s));
      }
    });
}
