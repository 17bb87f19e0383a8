/** `--engine` and `--threads` on every command that trains or runs a model. */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { setEngineDefaults } from '../nn/engine.js';

const MODEL_COMMANDS = ['run', 'train', 'evaluate', 'classify', 'serve'];

function threads(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive whole number, got "${v}"`);
  return n;
}

export function addEngineOptions(program: Command): void {
  for (const cmd of program.commands) {
    if (!MODEL_COMMANDS.includes(cmd.name())) continue;
    cmd
      .addOption(new Option('--engine <name>', 'compute engine: auto (native kernels if built at install, else wasm), native, wasm (portable SIMD), or tfjs (the reference)').choices(['auto', 'native', 'wasm', 'tfjs']).default('auto'))
      .addOption(new Option('--threads <n>', 'threads of the native/wasm engine (default: one per core, up to 8)').argParser(threads));
    cmd.hook('preAction', (_, action) => {
      const o = action.opts();
      setEngineDefaults({ engine: o.engine as string, threads: o.threads as number | undefined });
    });
  }
}
