import { join } from 'node:path';
import { Command } from 'commander';
import { readFlows } from '../flows/read.js';
import { addReadOptions, readOptionsFrom, summarizeBadRows } from '../flows/read-options.js';
import { renderExplorePage, summarizeDataset, type ExploreSummary } from '../report/explore.js';
import type { Count } from '../report/charts/counts.js';
import { writeFileAtomic } from '../util/atomic.js';
import { Progress } from '../util/progress.js';

interface ExploreOptions {
  out: string;
  maxBadRows?: number;
  quiet?: boolean;
}

function countsLine(title: string, counts: Count[]): string {
  return `${title}: ${counts.map((c) => `${c.name} ${c.count.toLocaleString('en-US')}`).join(', ') || '(none)'}`;
}

export function describeSummary(s: ExploreSummary): string {
  const files = s.files.length === 1 ? '1 file' : `${s.files.length} files`;
  return [
    `read ${s.flows.toLocaleString('en-US')} flows from ${files} (${s.badRowCount.toLocaleString('en-US')} malformed rows skipped)`,
    `time span: ${s.firstFlow ?? '-'} .. ${s.lastFlow ?? '-'}`,
    countsLine('classes', s.classCounts),
    countsLine('attack types', s.attackTypeCounts),
    countsLine('protocols', s.protocolCounts),
  ].join('\n');
}

export function registerExplore(program: Command): void {
  const cmd = new Command('explore')
    .description('Summarise flow files: class, attack type and protocol counts, distributions and correlations, as JSON and a self-contained HTML page.')
    .argument('<files...>', 'CIDDS or nfdump CSV files (plain or gzipped); - for stdin')
    .requiredOption('-o, --out <dir>', 'directory to write explore.json and explore.html into')
    .option('-q, --quiet', 'no progress bar')
    .addHelpText(
      'after',
      '\nExample:\n  ntc explore CIDDS-002-week1.csv CIDDS-002-week2.csv --out out/explore\n  # then open out/explore/explore.html in a browser (it needs no network)\n',
    )
    .action(async (files: string[], opts: ExploreOptions) => {
      // Created on the first report, which knows the total size (0 when reading stdin).
      let progress: Progress | undefined;
      const ds = await readFlows(files, {
        ...readOptionsFrom(opts),
        onProgress: (p) => {
          progress ??= new Progress({ label: 'reading', unit: 'bytes', total: p.bytesTotal > 0 ? p.bytesTotal : undefined, quiet: opts.quiet });
          progress.update(p.bytesRead, `${p.rows.toLocaleString('en-US')} flows`);
        },
      });
      progress?.done(`${ds.length.toLocaleString('en-US')} flows`);
      const bad = summarizeBadRows(ds);
      if (bad) process.stderr.write(`${bad}\n`);
      const summary = summarizeDataset(ds);
      const html = await renderExplorePage(summary);
      const jsonPath = join(opts.out, 'explore.json');
      const htmlPath = join(opts.out, 'explore.html');
      await writeFileAtomic(jsonPath, `${JSON.stringify(summary, null, 2)}\n`);
      await writeFileAtomic(htmlPath, html);
      process.stdout.write(`${describeSummary(summary)}\nwrote ${jsonPath}\nwrote ${htmlPath}\n`);
    });
  // A command built apart from the program must take over its exit and error settings itself.
  cmd.copyInheritedSettings(program);
  program.addCommand(addReadOptions(cmd));
}
