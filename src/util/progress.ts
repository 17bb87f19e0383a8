/**
 * A progress bar on stderr. On a terminal it redraws one line; elsewhere (CI, pipes) it prints a
 * plain line at most every few seconds, so logs stay readable. It never writes to stdout, which
 * belongs to results.
 */
export interface ProgressOptions {
  label: string;
  total?: number;
  unit?: string;
  stream?: NodeJS.WriteStream;
  /** Silence it entirely (tests, --quiet). */
  quiet?: boolean;
}

export class Progress {
  private readonly stream: NodeJS.WriteStream;
  private readonly started = Date.now();
  /** Off a terminal the first line waits a full interval, so short tasks print only their final line. */
  private lastDraw: number;
  private current = 0;
  private note = '';
  private finished = false;

  constructor(private readonly opts: ProgressOptions) {
    this.stream = opts.stream ?? process.stderr;
    this.lastDraw = this.stream.isTTY ? 0 : this.started;
  }

  update(current: number, note = ''): void {
    this.current = current;
    this.note = note;
    const now = Date.now();
    const interval = this.stream.isTTY ? 100 : 5000;
    if (now - this.lastDraw >= interval) {
      this.lastDraw = now;
      this.draw(false);
    }
  }

  done(note = this.note): void {
    if (this.finished) return;
    this.finished = true;
    this.note = note;
    if (this.opts.total !== undefined) this.current = this.opts.total;
    this.draw(true);
  }

  private draw(final: boolean): void {
    if (this.opts.quiet) return;
    const elapsed = (Date.now() - this.started) / 1000;
    const { total, unit = '' } = this.opts;
    const rate = elapsed > 0 ? this.current / elapsed : 0;
    let bar = '';
    let eta = '';
    if (total !== undefined && total > 0) {
      const frac = Math.min(1, this.current / total);
      const width = 24;
      const filled = Math.round(frac * width);
      bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${(frac * 100).toFixed(0).padStart(3)}% `;
      if (!final && rate > 0) eta = ` eta ${formatSeconds((total - this.current) / rate)}`;
    }
    const count = `${formatCount(this.current)}${total !== undefined ? `/${formatCount(total)}` : ''} ${unit}`.trim();
    const line = `${this.opts.label} ${bar}${count} ${formatCount(rate)}${unit ? ` ${unit}` : ''}/s ${formatSeconds(elapsed)}${eta}${this.note ? `  ${this.note}` : ''}`;
    if (this.stream.isTTY) {
      const cols = this.stream.columns ?? 120;
      this.stream.write(`\r\x1b[K${line.slice(0, cols - 1)}${final ? '\n' : ''}`);
    } else {
      this.stream.write(`${line}\n`);
    }
  }
}

export function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  return `${m}m${String(Math.round(s - m * 60)).padStart(2, '0')}s`;
}
