/**
 * Shapes shared by training, evaluation and classification. A `Preprocessor` is plain JSON so a
 * trained model directory can carry it and a classifier can rebuild exactly the same features.
 */

/** `full`: the features ntc trains on. `compat`: the replaced project's set, for comparison runs only. */
export type FeatureSet = 'full' | 'compat';

/** `attackType`: portScan/dos/... with `---` as `normal`. `class`: the CIDDS class/label column. */
export type TargetKind = 'attackType' | 'class';

export interface PreprocessOptions {
  features?: FeatureSet;
  target?: TargetKind;
  /**
   * Per-source context is forgotten after this many seconds without a flow from that source, in
   * batch exactly as in a streaming classifier that evicts idle sources.
   */
  contextIdleSeconds?: number;
}

export type ResolvedPreprocessOptions = Required<PreprocessOptions>;

export const DEFAULT_PREPROCESS_OPTIONS: ResolvedPreprocessOptions = {
  features: 'full',
  target: 'attackType',
  contextIdleSeconds: 3600,
};

/**
 * A fitted vocabulary: `values[i]` has code `i + 1`; code 0 is reserved for values not seen in
 * the training rows.
 */
export type Vocabulary = string[];

export const PREPROCESSOR_VERSION = 1;

export interface Preprocessor {
  version: typeof PREPROCESSOR_VERSION;
  options: ResolvedPreprocessOptions;
  /** Output feature columns, in order. */
  names: string[];
  /** Per output column: centre and scale (`(x - mean) / std`); binary columns keep mean 0, std 1. */
  scaler: { mean: number[]; std: number[] };
  /** Candidate columns left out because they were constant on the training rows. */
  droppedConstant: string[];
  vocabularies: {
    proto: Vocabulary;
    /** Compat mode only: the replaced project label-encoded addresses. */
    srcAddr?: Vocabulary;
    dstAddr?: Vocabulary;
  };
  /** Target classes, `normal` first when present; a prediction is an index into this list. */
  classes: string[];
  /** Training rows the statistics came from. */
  fittedRows: number;
}

export interface FeatureMatrix {
  names: string[];
  /** Row-major, rows x cols. */
  data: Float32Array;
  rows: number;
  cols: number;
}

export interface Sequences {
  seqLen: number;
  count: number;
  /**
   * count * seqLen positions into the `rows` given to buildSequences (which are also the rows of
   * the FeatureMatrix and targets built from those rows); -1 is padding.
   */
  rowIndex: Int32Array;
}

export interface SequenceBatch {
  /** batch * seqLen * cols, zeros at padding. */
  x: Float32Array;
  /** batch * seqLen, -1 at padding. */
  y: Int32Array;
  /** batch * seqLen, 1 for a real flow, 0 for padding. */
  mask: Float32Array;
}
