import type { Command } from 'commander';
import { registerExplore } from './explore.js';
import { registerLab } from './lab.js';
import { registerEvaluate } from './evaluate.js';
import { registerRun } from './run.js';
import { registerTrain } from './train.js';
import { registerClassify } from './classify.js';
import { registerServe } from './serve.js';
import { addEngineOptions } from './engine-options.js';

/** Each subcommand lives in its own file in this folder and is added here. */
export function registerCommands(program: Command): void {
  void program;
  registerRun(program);
  registerTrain(program);
  registerEvaluate(program);
  registerExplore(program);
  registerLab(program);
  registerClassify(program);
  registerServe(program);
  addEngineOptions(program);
}
