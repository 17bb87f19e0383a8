/** Worker thread of row-pool.ts: runs the blocks of each task it is sent that are still unclaimed. */
import { parentPort } from 'node:worker_threads';
import { runClaimedBlocks, type BlockTask } from './row-pool.js';

parentPort!.on('message', (task: BlockTask) => {
  try {
    runClaimedBlocks(task);
  } catch {
    // runClaimedBlocks has flagged the failure; the main thread reports it.
  }
});
