"""Reference for the classify benchmark: what `ntc classify` does, in pandas + PyTorch.

Reads a CIDDS CSV with pandas, preprocesses it as the ingest reference does (strip Proto, `2.1 M`
byte counts, one 0/1 column per TCP flag, label-encoded Proto and addresses, standardised), groups
flows by source address in time order, cuts consecutive windows of SEQ_LEN flows, runs an LSTM of
ntc's default architecture (2 stacked layers of 64 and 32 units, dense softmax over the classes;
random weights: only the time matters) over every window, and writes each flow with its predicted
class, score and class probabilities as CSV, in input order. Prints one JSON line with the rows,
seconds per phase (after imports) and peak resident memory (VmHWM).

Run with Debian's python: /usr/bin/python3 bench/reference/classify.py FILE OUT [SEQ_LEN]
"""
import json
import os
import sys
import time

# OpenBLAS keeps a thread pool of its own beside torch's: left at its default it oversubscribes
# the 2 cores and makes the reference 3-5x slower than it is (see lstm_throughput.py).
os.environ['OPENBLAS_NUM_THREADS'] = '1'

import numpy as np
import pandas as pd
import torch
from sklearn.preprocessing import LabelEncoder

# The same byte-count parsing and flag columns as the ingest reference (this directory is sys.path[0]).
from preprocess import add_flag_columns, convert_bytes, peak_mb

torch.set_num_threads(2)
torch.manual_seed(1)

CLASSES = ['normal', 'bruteForce', 'dos', 'pingScan', 'portScan']
BATCH = 512


class Net(torch.nn.Module):
    def __init__(self, inputs, classes):
        super().__init__()
        self.l1 = torch.nn.LSTM(inputs, 64, batch_first=True)
        self.l2 = torch.nn.LSTM(64, 32, batch_first=True)
        self.dense = torch.nn.Linear(32, classes)

    def forward(self, x):
        h, _ = self.l1(x)
        h, _ = self.l2(h)
        return torch.softmax(self.dense(h), dim=-1)


def main(path, out_path, seq_len):
    t0 = time.perf_counter()
    c0 = time.process_time()
    df = pd.read_csv(path)
    t_read = time.perf_counter()

    label_col = 'class' if 'class' in df.columns else 'label'
    feats = pd.DataFrame(index=df.index)
    proto = df['Proto'].str.strip()
    feats['Duration'] = df['Duration']
    feats['Src Pt'] = df['Src Pt']
    feats['Dst Pt'] = df['Dst Pt']
    feats['Packets'] = df['Packets']
    feats['Bytes'] = df['Bytes'].apply(convert_bytes)
    feats['Tos'] = df['Tos']
    add_flag_columns(feats, df['Flags'])
    feats['Proto'] = LabelEncoder().fit_transform(proto)
    feats['Src IP Addr'] = LabelEncoder().fit_transform(df['Src IP Addr'].astype(str))
    feats['Dst IP Addr'] = LabelEncoder().fit_transform(df['Dst IP Addr'].astype(str))
    x = feats.to_numpy(dtype=np.float32)
    x = (x - x.mean(axis=0)) / np.where(x.std(axis=0) > 0, x.std(axis=0), 1)

    # Windows: per source in time order, consecutive runs of seq_len flows.
    times = pd.to_datetime(df['Date first seen'])
    order = np.lexsort((np.arange(len(df)), times.to_numpy(), feats['Src IP Addr'].to_numpy()))
    src_sorted = feats['Src IP Addr'].to_numpy()[order]
    pos = pd.Series(src_sorted).groupby(src_sorted).cumcount().to_numpy()
    new_window = (pos % seq_len) == 0
    window = np.cumsum(new_window) - 1
    step = pos % seq_len
    n_windows = int(window[-1]) + 1 if len(window) else 0
    xs = np.zeros((n_windows, seq_len, x.shape[1]), dtype=np.float32)
    xs[window, step] = x[order]
    t_pre = time.perf_counter()

    net = Net(x.shape[1], len(CLASSES)).eval()
    probs_w = np.empty((n_windows, seq_len, len(CLASSES)), dtype=np.float32)
    with torch.no_grad():
        for b in range(0, n_windows, BATCH):
            probs_w[b:b + BATCH] = net(torch.from_numpy(xs[b:b + BATCH])).numpy()
    probs = np.empty((len(df), len(CLASSES)), dtype=np.float32)
    probs[order] = probs_w[window, step]
    t_model = time.perf_counter()

    pred = probs.argmax(axis=1)
    out = pd.DataFrame({
        'start': times.dt.strftime('%Y-%m-%dT%H:%M:%S.%f').str[:-3] + 'Z',
        'duration': df['Duration'], 'proto': proto, 'srcAddr': df['Src IP Addr'], 'srcPort': df['Src Pt'],
        'dstAddr': df['Dst IP Addr'], 'dstPort': df['Dst Pt'], 'packets': df['Packets'], 'bytes': feats['Bytes'],
        'predicted': np.array(CLASSES)[pred], 'score': probs[np.arange(len(df)), pred],
    })
    for j, c in enumerate(CLASSES):
        out['p_' + c] = probs[:, j]
    out.to_csv(out_path, index=False, float_format='%.6g')
    t_write = time.perf_counter()
    print(json.dumps({
        'rows': int(len(df)), 'windows': n_windows, 'cols': int(x.shape[1]),
        'readS': t_read - t0, 'preprocessS': t_pre - t_read, 'modelS': t_model - t_pre, 'writeS': t_write - t_model,
        'totalS': t_write - t0, 'cpuS': time.process_time() - c0, 'peakMB': peak_mb(),
    }))


if __name__ == '__main__':
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 16)
