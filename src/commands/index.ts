import type { Command } from 'commander';

/** Each subcommand lives in its own file in this folder and is added here. */
export function registerCommands(program: Command): void {
  void program;
}
