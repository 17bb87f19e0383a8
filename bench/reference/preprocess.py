"""Reference for the ingest benchmark: the preprocessing of the Keras script ntc replaces, with pandas.

Reads a CIDDS CSV, strips Proto, turns `2.1 M` byte counts into numbers, adds one 0/1 column per
TCP flag, label-encodes Proto, the addresses, class and attackType, drops Flows, attackID,
attackDescription and Date first seen, and converts everything to float arrays. Prints one JSON
line: rows, seconds for the work (after imports), and peak resident memory (VmHWM).

Run with Debian's python: /usr/bin/python3 bench/reference/preprocess.py FILE
"""
import json
import re
import sys
import time

import numpy as np
import pandas as pd
from sklearn.preprocessing import LabelEncoder


def peak_mb():
    with open('/proc/self/status') as f:
        m = re.search(r'VmHWM:\s+(\d+) kB', f.read())
    return int(m.group(1)) / 1024 if m else float('nan')


def convert_bytes(v):
    if isinstance(v, str):
        v = v.strip()
        if v.endswith('M'):
            return float(v[:-1].strip()) * 1e6
        if v.endswith('K'):
            return float(v[:-1].strip()) * 1e3
        if v.endswith('G'):
            return float(v[:-1].strip()) * 1e9
        return float(v)
    return float(v)


def add_flag_columns(frame, flags):
    """One 0/1 column per TCP flag, from the `.AP.SF`-style Flags strings."""
    flags = flags.astype(str)
    for i, name in enumerate('UAPRSF'):
        frame['flag_' + name] = (flags.str[i] == name).astype(np.int8)


def main(path):
    t0 = time.perf_counter()
    c0 = time.process_time()
    df = pd.read_csv(path)
    label_col = 'class' if 'class' in df.columns else 'label'
    df['Proto'] = df['Proto'].str.strip()
    df['Bytes'] = df['Bytes'].apply(convert_bytes)
    add_flag_columns(df, df['Flags'])
    df = df.drop(columns=['Flags'])
    for col in ['Proto', 'Src IP Addr', 'Dst IP Addr', label_col, 'attackType']:
        df[col] = LabelEncoder().fit_transform(df[col].astype(str))
    df = df.drop(columns=['Flows', 'attackID', 'attackDescription', 'Date first seen'])
    y = df[label_col].to_numpy(dtype=np.float32)
    x = df.drop(columns=[label_col, 'attackType']).to_numpy(dtype=np.float32)
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - c0
    print(json.dumps({'rows': int(x.shape[0]), 'cols': int(x.shape[1]), 'labels': int(y.shape[0]),
                      'totalS': elapsed, 'cpuS': cpu, 'peakMB': peak_mb()}))


if __name__ == '__main__':
    main(sys.argv[1])
