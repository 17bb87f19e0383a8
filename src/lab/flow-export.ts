/**
 * Packets to NetFlow to text: tcpdump records the bridge while the lab runs; afterwards softflowd
 * turns the recording into NetFlow v9 sent to nfcapd on 127.0.0.1 (both inside the lab's switch
 * namespace), and nfdump prints the collected flows.
 *
 * Why not softflowd live on the bridge: on this machine (kernel 6.18, libpcap 1.10.3) softflowd's
 * live capture hands no packet to softflowd at ordinary packet rates (libpcap's TPACKET_V3 blocks
 * are only delivered when full); tcpdump --immediate-mode does not have that problem, and
 * softflowd reading the recording (-r) keeps every packet's kernel timestamp.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { exited, sleep, type ProcessRegistry } from './processes.js';
import type { Topology } from './topology.js';

export const PCAP_NAME = 'lab.pcap';

/** The nfdump layout parse-nfdump.ts reads: `-N` plain numbers, `%ts` with milliseconds. */
export const NFDUMP_FORMAT = 'fmt:%ts|%td|%pr|%sa|%sp|%da|%dp|%pkt|%byt|%flg|%tos';

/**
 * softflowd expiry (seconds): short enough that long sessions become several flows as in CIDDS
 * (nfdump's collectors cut flows the same way), and a flow ends promptly after FIN/RST.
 */
export const SOFTFLOWD_TIMEOUTS = ['maxlife=300', 'tcp=120', 'tcp.rst=10', 'tcp.fin=10', 'udp=60', 'icmp=60', 'general=120', 'expint=10'];

export function startPacketCapture(topo: Topology, procs: ProcessRegistry, dir: string): ChildProcess {
  // -s 128: headers are all a flow needs; softflowd counts bytes from the IP length field.
  return procs.start('ip', ['netns', 'exec', topo.switchNs, 'tcpdump', '-i', topo.bridge, '-s', '128', '-U', '--immediate-mode', '-Z', 'root', '-n', '-w', join(dir, PCAP_NAME), 'ip'], { stdio: 'ignore' });
}

export async function stopPacketCapture(child: ChildProcess): Promise<void> {
  child.kill('SIGTERM');
  if (!(await exited(child, 5000))) child.kill('SIGKILL');
}

export async function pcapBytes(dir: string): Promise<number> {
  try {
    return (await stat(join(dir, PCAP_NAME))).size;
  } catch {
    return 0;
  }
}

export interface ExportResult {
  /** nfdump's text output in NFDUMP_FORMAT. */
  text: string;
  /** Records softflowd says it exported (each becomes one nfdump line). */
  recordsExported: number;
  packetsProcessed: number;
}

export async function exportFlows(topo: Topology, procs: ProcessRegistry, dir: string): Promise<ExportResult> {
  const nfDir = join(dir, 'nfcapd');
  await mkdir(nfDir, { recursive: true });
  const port = 20000 + Math.floor(Math.random() * 20000);
  const collector = procs.start('ip', ['netns', 'exec', topo.switchNs, 'nfcapd', '-b', '127.0.0.1', '-p', String(port), '-w', nfDir, '-t', '60', '-B', '8388608'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let collectorLog = '';
  collector.stdout!.on('data', (d: Buffer) => (collectorLog += d.toString()));
  collector.stderr!.on('data', (d: Buffer) => (collectorLog += d.toString()));
  try {
    for (let i = 0; i < 100 && !/Startup/.test(collectorLog); i++) await sleep(50);
    if (!/Startup/.test(collectorLog)) throw new Error(`nfcapd did not start: ${collectorLog.trim()}`);
    // softflowd 1.1.0 hangs when the control socket path is long: give it short relative paths.
    // -A milli: absolute flow times; the default uptime-relative ones came out 50 days off.
    const sf = await procs.run(
      'ip',
      ['netns', 'exec', topo.switchNs, 'softflowd', '-d', '-r', PCAP_NAME, '-v', '9', '-A', 'milli', '-n', `127.0.0.1:${port}`, '-c', 'sf.ctl', '-p', 'sf.pid', '-m', '65536', ...SOFTFLOWD_TIMEOUTS.flatMap((t) => ['-t', t])],
      { cwd: dir, timeoutMs: 600_000 },
    );
    if (sf.code !== 0) throw new Error(`softflowd failed (${sf.code ?? sf.signal}): ${sf.stderr.trim()}`);
    const recordsExported = Number(/Flows exported: \d+ \((\d+) records\)/.exec(sf.stdout)?.[1] ?? NaN);
    const packetsProcessed = Number(/Packets processed: (\d+)/.exec(sf.stdout)?.[1] ?? NaN);
    await sleep(500);
    collector.kill('SIGTERM');
    if (!(await exited(collector, 10000))) throw new Error('nfcapd did not stop');
    const files = (await readdir(nfDir)).filter((f) => /^nfcapd\.\d+$/.test(f));
    if (files.length === 0) return { text: '', recordsExported, packetsProcessed };
    const nf = await procs.run('nfdump', ['-R', nfDir, '-N', '-q', '-o', NFDUMP_FORMAT], { env: { ...process.env, TZ: 'UTC' }, timeoutMs: 300_000 });
    if (nf.code !== 0) throw new Error(`nfdump failed (${nf.code ?? nf.signal}): ${nf.stderr.trim()}`);
    return { text: nf.stdout, recordsExported, packetsProcessed };
  } finally {
    if (collector.exitCode === null) collector.kill('SIGKILL');
  }
}
