import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitPreprocessor, transformFlows } from '../../src/features/index.js';
import { datasetFromFlows, syntheticFlows } from './dataset.js';

/**
 * Feature values of a fixed synthetic data set (out-of-order starts, several sources and protocols,
 * a short idle limit), recorded from the straightforward per-column implementation before it was
 * optimised: any change to what a feature means, or to its float rounding, shows here.
 */
const GOLDEN = {
  full: {
    names: ['logDuration', 'logPackets', 'logBytes', 'logBytesPerPacket', 'tos', 'flagUrg', 'flagAck', 'flagPsh', 'flagRst', 'flagSyn', 'flagFin', 'protoICMP', 'protoTCP', 'protoUDP', 'srcPortWellKnown', 'srcPortRegistered', 'srcPortEphemeral', 'srcPortIcmp', 'dstPortWellKnown', 'dstPortRegistered', 'dstPortEphemeral', 'dstPortIcmp', 'srcInternal', 'dstInternal', 'srcNew', 'srcLogGap', 'dstAddrChanged', 'dstPortChanged'],
    dropped: ['flagCwr', 'flagEce', 'protoUnknown', 'srcPortNone', 'dstPortNone'],
    rows: {
      0: [0.50694340467453, 1.11906898021698, -0.6796408891677856, -1.2886744737625122, -0.19459743797779083, 1, 1, 0, 0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 1, 3.083376884460449, 0, 0],
      1: [-0.5203522443771362, -0.3525896966457367, -3.6351420879364014, -2.3015990257263184, -0.6270362138748169, 1, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 1, 1, 3.083376884460449, 0, 0],
      150: [-1.4873348474502563, 1.144885540008545, -0.5706840753555298, -1.2308030128479004, -0.19459743797779083, 0, 0, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, -0.19507083296775818, 1, 1],
      299: [-1.0379313230514526, 0.936195969581604, -2.260692596435547, -2.259526014328003, -0.6270362138748169, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1.2959011793136597, 0, 0],
    },
  },
  compat: {
    names: ['duration', 'proto', 'srcAddr', 'srcPort', 'dstAddr', 'dstPort', 'packets', 'bytes', 'flagUrg', 'flagAck', 'flagPsh', 'flagRst', 'flagSyn', 'flagFin', 'tos'],
    dropped: ['flagCwr', 'flagEce'],
    rows: {
      0: [0.3777018189430237, 1.5355231761932373, -0.9734693765640259, 0.7002314329147339, 1.3677767515182495, -0.5430043339729309, 1.714091181755066, -1.0268678665161133, 1, 1, 0, 0, 0, 1, -0.19459743797779083],
      1: [-0.7372391819953918, 1.5355231761932373, 0.1785653829574585, 0.8210494518280029, -0.031483352184295654, -0.12850819528102875, -0.7346104979515076, -1.7846437692642212, 1, 1, 0, 0, 1, 0, -0.6270362138748169],
      150: [-1.3838220834732056, -1.7490184307098389, 1.3306001424789429, -1.2992103099822998, 1.3677767515182495, -0.4558933973312378, 1.789435863494873, -0.9479246139526367, 0, 0, 0, 1, 1, 0, -0.19459743797779083],
      299: [-1.1206296682357788, -0.10674760490655899, 1.3306001424789429, 0.7463695406913757, 1.3677767515182495, -0.5430043339729309, 1.2243508100509644, -1.6338881254196167, 0, 0, 1, 0, 0, 0, -0.6270362138748169],
    },
  },
} as const;

for (const features of ['full', 'compat'] as const) {
  test(`${features} features of a fixed data set are unchanged, to the bit`, () => {
    const ds = datasetFromFlows(syntheticFlows(300, 5));
    const p = fitPreprocessor(ds, Uint32Array.from({ length: 200 }, (_, i) => i), { features, contextIdleSeconds: 60 });
    const m = transformFlows(p, ds);
    const want = GOLDEN[features];
    assert.deepEqual(p.names, want.names);
    assert.deepEqual(p.droppedConstant, want.dropped);
    for (const [row, values] of Object.entries(want.rows)) {
      const r = Number(row);
      assert.deepEqual(Array.from(m.data.subarray(r * m.cols, (r + 1) * m.cols)), values, `row ${r}`);
    }
  });
}
