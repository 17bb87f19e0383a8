import type { FlowDataset } from '../flows/schema.js';
import { batchContext, streamingContext, type ContextValues, type SourceContextStore } from './source-context.js';
import type { Preprocessor, ResolvedPreprocessOptions } from './types.js';

/** The rows being featurised, and the per-source context that several columns share. */
export class FeatureEnv {
  private contextValues?: ContextValues;

  constructor(
    readonly ds: FlowDataset,
    readonly rows: Uint32Array,
    readonly options: ResolvedPreprocessOptions,
    readonly vocabularies: Preprocessor['vocabularies'],
    private readonly store?: SourceContextStore,
    /** timeOrder(ds, rows), when the caller has it already (streaming only). */
    private readonly order?: Uint32Array,
  ) {}

  context(): ContextValues {
    this.contextValues ??= this.store
      ? streamingContext(this.ds, this.rows, this.store, this.order)
      : batchContext(this.ds, this.rows, this.options.contextIdleSeconds);
    return this.contextValues;
  }
}
