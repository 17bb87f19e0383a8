// Compiles src/nn/native/kernels.cc into dist/src/nn/native/ntc-kernels.node with the CPU's own
// vector instructions (-march=native), for the `native` engine. Optional: without a C++ compiler
// or Node's headers, ntc says so and uses the portable WebAssembly engine; nothing else changes.
// NTC_NATIVE=0 skips the build.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'dist', 'src', 'nn', 'native');
const out = join(outDir, 'ntc-kernels.node');

function headerDir() {
  const candidates = [];
  try {
    candidates.push(createRequire(import.meta.url)('node-api-headers').include_dir);
  } catch {
    // not installed: Node's own headers below
  }
  candidates.push(join(dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node', '/usr/local/include/node');
  return candidates.find((d) => d && existsSync(join(d, 'node_api.h')));
}

/** The CPU's instruction-set flags (Linux), or null where /proc/cpuinfo is not there. */
export function cpuFlags() {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => /^flags\s*:/.test(l));
    return line ? line.replace(/^flags\s*:\s*/, '').trim().split(/\s+/).sort() : null;
  } catch {
    return null;
  }
}

function skip(why) {
  process.stderr.write(`ntc: native kernels not built (${why}); the wasm engine will be used\n`);
  process.exit(0);
}

if (process.env.NTC_NATIVE === '0') skip('NTC_NATIVE=0');
const include = headerDir();
if (!include) skip('no node_api.h found');
const cxx = process.env.CXX || 'g++';

// The service's memory release (src/util/release-memory.ts): portable code, so no CPU check.
const memoryOut = join(root, 'dist', 'src', 'util', 'native', 'ntc-release-memory.node');
mkdirSync(dirname(memoryOut), { recursive: true });
const memoryTmp = `${memoryOut}.${process.pid}.tmp`;
try {
  execFileSync(cxx, ['-O2', '-std=c++17', '-fPIC', '-shared', '-I', include, join(root, 'src', 'util', 'native', 'release-memory.cc'), '-o', memoryTmp],
    { stdio: ['ignore', 'inherit', 'inherit'] });
  renameSync(memoryTmp, memoryOut);
} catch (err) {
  rmSync(memoryTmp, { force: true });
  process.stderr.write(`ntc: memory release helper not built (${cxx} failed: ${err.message.split('\n')[0]}); ntc serve keeps its peak memory after load\n`);
}

mkdirSync(outDir, { recursive: true });
const tmp = `${out}.${process.pid}.tmp`;
try {
  execFileSync(cxx, ['-O3', '-march=native', '-fno-math-errno', '-std=c++17', '-fPIC', '-shared', '-I', include,
    join(root, 'src', 'nn', 'native', 'kernels.cc'), '-o', tmp], { stdio: ['ignore', 'inherit', 'inherit'] });
  renameSync(tmp, out);
  // -march=native code dies with SIGILL on a CPU without these instructions (a copied dist/, a
  // published package): the loader compares them with the CPU it runs on first.
  writeFileSync(join(outDir, 'ntc-kernels.json'), `${JSON.stringify({ cpu: cpus()[0]?.model ?? '', flags: cpuFlags() })}\n`);
} catch (err) {
  rmSync(tmp, { force: true });
  skip(`${cxx} failed: ${err.message.split('\n')[0]}`);
}
