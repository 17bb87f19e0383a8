// Compiles the AssemblyScript kernels (src/nn/kernels, not part of the tsc build) into
// dist/src/nn/kernels/: a plain 128-bit SIMD build that every Node >= 20 runs, and a relaxed-SIMD
// build (fused multiply-add) that the engine uses where the runtime validates it.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const asc = join(dirname(createRequire(import.meta.url).resolve('assemblyscript/package.json')), 'bin', 'asc.js');
const outDir = join(root, 'dist', 'src', 'nn', 'kernels');
mkdirSync(outDir, { recursive: true });
// Shared memory so that worker threads run the same kernels over the same weights; 32768 pages
// (2 GiB) keeps every byte offset a positive int32.
const common = ['-O3', '--runtime', 'stub', '--noAssert', '--importMemory', '--sharedMemory', '--initialMemory', '1', '--maximumMemory', '32768'];
for (const [name, features] of [['lstm-simd', 'simd,threads'], ['lstm-relaxed-simd', 'simd,threads,relaxed-simd']]) {
  execFileSync(process.execPath, [asc, join(root, 'src', 'nn', 'kernels', 'index.ts'), '-o', join(outDir, `${name}.wasm`), ...common, '--enable', features], { stdio: 'inherit' });
}

// The row scanner of the flow readers' fast path (src/flows/kernels): its own memory, grown by
// src/flows/wasm-rows.ts to hold the bytes it scans.
const flowsOut = join(root, 'dist', 'src', 'flows', 'kernels');
mkdirSync(flowsOut, { recursive: true });
execFileSync(process.execPath, [asc, join(root, 'src', 'flows', 'kernels', 'row-scan.ts'), '-o', join(flowsOut, 'row-scan.wasm'), '-O3', '--runtime', 'stub', '--noAssert', '--initialMemory', '64'], { stdio: 'inherit' });
