/**
 * Every process the lab starts goes through here, so teardown can find and end all of them: a
 * registry of live children, and a promise-returning `run` for short commands.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface RunOutput {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export class ProcessRegistry {
  private readonly live = new Set<ChildProcess>();

  get size(): number {
    return this.live.size;
  }

  /** Starts a long-running process; output goes where `stdio` says (default: ignored). */
  start(cmd: string, args: string[], opts: SpawnOptions = {}): ChildProcess {
    const child = spawn(cmd, args, { stdio: 'ignore', ...opts });
    this.live.add(child);
    child.on('exit', () => this.live.delete(child));
    child.on('error', () => this.live.delete(child));
    return child;
  }

  /** Runs a command to its end (or until timeoutMs, then SIGKILL) and collects its output. */
  run(cmd: string, args: string[], opts: { timeoutMs?: number; input?: string | Buffer; cwd?: string; env?: NodeJS.ProcessEnv; keepStdout?: boolean } = {}): Promise<RunOutput> {
    return new Promise((resolve, reject) => {
      const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], cwd: opts.cwd, env: opts.env });
      this.live.add(child);
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let errLen = 0;
      child.stdout!.on('data', (d: Buffer) => {
        if (opts.keepStdout !== false) out.push(d);
      });
      child.stderr!.on('data', (d: Buffer) => {
        if (errLen < 65536) {
          err.push(d);
          errLen += d.length;
        }
      });
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(opts.input ?? '');
      const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
      child.on('error', (e) => {
        if (timer) clearTimeout(timer);
        this.live.delete(child);
        reject(e);
      });
      child.on('close', (code, signal) => {
        if (timer) clearTimeout(timer);
        this.live.delete(child);
        resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
      });
    });
  }

  /** Like run, but a non-zero exit is an error naming the command and its stderr. */
  async check(cmd: string, args: string[], opts: { timeoutMs?: number; input?: string; cwd?: string } = {}): Promise<string> {
    const r = await this.run(cmd, args, opts);
    if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.code ?? r.signal}): ${r.stderr.trim()}`);
    return r.stdout;
  }

  /** Ends every live child: SIGTERM, then SIGKILL for those still there after graceMs. */
  async stopAll(graceMs = 2000): Promise<void> {
    const children = [...this.live];
    for (const c of children) signal(c, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (this.live.size > 0 && Date.now() < deadline) await sleep(50);
    for (const c of [...this.live]) signal(c, 'SIGKILL');
  }

  /** Synchronous last resort (second Ctrl-C, process exit). */
  killAllNow(): void {
    for (const c of [...this.live]) signal(c, 'SIGKILL');
  }
}

function signal(c: ChildProcess, sig: NodeJS.Signals): void {
  try {
    c.kill(sig);
  } catch {
    // already gone
  }
}

/** Resolves when the child exits (or at once if it has). */
export function exited(c: ChildProcess, timeoutMs = 10000): Promise<boolean> {
  if (c.exitCode !== null || c.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), timeoutMs);
    c.once('exit', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
