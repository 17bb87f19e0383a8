import { Command, CommanderError } from 'commander';
import { EXIT, UserError } from './util/errors.js';
import { registerCommands } from './commands/index.js';

export function buildProgram(): Command {
  const program = new Command('ntc')
    .description('Network traffic classifier: read NetFlow/CIDDS flow records, train an LSTM, evaluate, report, classify.')
    .version(process.env.npm_package_version ?? '0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerCommands(program);
  return program;
}

/** Runs the command line and returns the process exit code (see util/errors.ts). */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end through here with exit code 0.
      return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (err instanceof UserError) {
      process.stderr.write(`ntc: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`ntc: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
    return EXIT.internal;
  }
}
