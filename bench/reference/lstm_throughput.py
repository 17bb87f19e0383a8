"""Reference for the train/predict benchmarks: the network ntc trains, in PyTorch, on the same data.

Two stacked nn.LSTM modules (their sizes differ, so one num_layers=2 module cannot express them),
inverted dropout after each (as ntc applies it), a Linear head at every step, Adam and
cross-entropy averaged over every step. The data are the files bench/train.ts writes (float32 x
[batches, batch, seqLen, inputSize] and int32 y [batches, batch, seqLen], little-endian), cycled.

  /usr/bin/python3 bench/reference/lstm_throughput.py MODE X_FILE Y_FILE BATCHES BATCH SEQ_LEN
      INPUT_SIZE CLASSES STEPS THREADS
MODE is train or predict; THREADS is torch's intra-op thread count (its only pool: OpenBLAS is
held to one thread, see the imports). Prints one JSON line: seconds for the timed steps (after
imports, data loading and one warm-up step), CPU seconds, peak resident memory, the output shape
and, for train, the mean loss of the first and last timed passes over the data.
"""
import json
import os
import re
import sys
import time

# Debian's torch does its matrix products in OpenBLAS (pthreads), whose own thread pool ignores
# torch.set_num_threads: left at its default (one thread per core) beside torch's OpenMP threads
# it oversubscribes the cores, and on this 2-core machine set_num_threads(2) then runs 3-5x
# slower than one thread. torch's pool alone sets the thread count; must precede the import.
os.environ['OPENBLAS_NUM_THREADS'] = '1'

import numpy as np  # noqa: E402
import torch  # noqa: E402

LAYERS = (64, 32)
DROPOUT = 0.2
LR = 1e-3


def peak_mb():
    with open('/proc/self/status') as f:
        m = re.search(r'VmHWM:\s+(\d+) kB', f.read())
    return int(m.group(1)) / 1024 if m else float('nan')


class Net(torch.nn.Module):
    def __init__(self, inputs, classes):
        super().__init__()
        self.l1 = torch.nn.LSTM(inputs, LAYERS[0], batch_first=True)
        self.l2 = torch.nn.LSTM(LAYERS[0], LAYERS[1], batch_first=True)
        self.drop = torch.nn.Dropout(DROPOUT)
        self.dense = torch.nn.Linear(LAYERS[1], classes)

    def forward(self, x):
        h, _ = self.l1(x)
        h, _ = self.l2(self.drop(h))
        return self.dense(self.drop(h))


def main():
    mode, x_file, y_file = sys.argv[1:4]
    batches, batch, seq_len, inputs, classes, steps, threads = map(int, sys.argv[4:11])
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    xs = torch.from_numpy(np.fromfile(x_file, dtype='<f4').reshape(batches, batch, seq_len, inputs))
    ys = torch.from_numpy(np.fromfile(y_file, dtype='<i4').astype(np.int64).reshape(batches, batch, seq_len))
    net = Net(inputs, classes)
    losses = []
    if mode == 'train':
        net.train()
        opt = torch.optim.Adam(net.parameters(), lr=LR)
        loss_fn = torch.nn.CrossEntropyLoss()

        def step(i):
            opt.zero_grad()
            logits = net(xs[i % batches])
            loss = loss_fn(logits.reshape(-1, classes), ys[i % batches].reshape(-1))
            loss.backward()
            opt.step()
            return logits.shape, loss.item()
    elif mode == 'predict':
        net.eval()

        def step(i):
            with torch.no_grad():
                probs = torch.softmax(net(xs[i % batches]), dim=-1)
            return probs.shape, None
    else:
        raise SystemExit(f'unknown mode {mode!r}: train or predict')

    step(0)  # warm-up: first-call allocations and kernel selection
    c0 = time.process_time()
    t0 = time.perf_counter()
    for i in range(steps):
        shape, loss = step(i)
        if loss is not None:
            losses.append(loss)
    total = time.perf_counter() - t0
    cpu = time.process_time() - c0
    passes = [losses[k:k + batches] for k in range(0, len(losses), batches)]
    result = {
        'mode': mode, 'steps': steps, 'batch': batch, 'totalS': total, 'cpuS': cpu, 'peakMB': peak_mb(),
        'outputShape': list(shape), 'threads': torch.get_num_threads(),
    }
    if losses:
        result['firstLoss'] = float(np.mean(passes[0]))
        result['lastLoss'] = float(np.mean(passes[-1]))
    print(json.dumps(result))


main()
