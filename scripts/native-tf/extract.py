#!/usr/bin/env python3
"""Extract TensorFlow's C library and the C API headers tfjs-node's addon needs from a
`tensorflow-cpu` wheel, without installing TensorFlow for Python.

Usage: extract.py WHEEL DEST ADDON_SOURCE_DIR

Writes DEST/lib/*.so.2 (the two shared libraries, under their SONAME'd names) and DEST/include/
(only the header closure of the #includes in ADDON_SOURCE_DIR/*.cc|*.h, resolved against the
wheel's tensorflow/include/ tree). Unpacking the whole include tree would be ~270 MB; the closure
is a few hundred KB, and computing it also fails loudly if a header the addon needs is missing.
Prints one JSON line with what it did.
"""

import json
import os
import re
import sys
import zipfile

INCLUDE_ROOT = 'tensorflow/include/'
LIBS = ('tensorflow/libtensorflow_cc.so.2', 'tensorflow/libtensorflow_framework.so.2')
INCLUDE_RE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]', re.M)
# The addon includes this; TF >= 2.13 moved the real file to tsl/platform/ and left a forwarding
# header, which some wheels may drop. We then write the forwarding header ourselves.
CTSTRING = 'tensorflow/core/platform/ctstring_internal.h'
CTSTRING_MOVED = ('tsl/platform/ctstring_internal.h', 'tensorflow/tsl/platform/ctstring_internal.h')


def main() -> int:
    wheel, dest, addon_src = sys.argv[1], sys.argv[2], sys.argv[3]
    z = zipfile.ZipFile(wheel)
    names = set(z.namelist())

    missing_libs = [lib for lib in LIBS if lib not in names]
    if missing_libs:
        print(f'wheel {os.path.basename(wheel)} lacks {missing_libs}', file=sys.stderr)
        return 2

    os.makedirs(os.path.join(dest, 'lib'), exist_ok=True)
    lib_bytes = 0
    for lib in LIBS:
        out = os.path.join(dest, 'lib', os.path.basename(lib))
        with z.open(lib) as src, open(out + '.part', 'wb') as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
                lib_bytes += len(chunk)
        os.replace(out + '.part', out)

    # Seed: every quoted include in the addon's sources that the wheel can provide.
    seeds: list[str] = []
    for fn in sorted(os.listdir(addon_src)):
        if fn.endswith(('.cc', '.h')):
            with open(os.path.join(addon_src, fn), encoding='utf-8') as f:
                seeds += INCLUDE_RE.findall(f.read())
    seeds = [s for s in seeds if s.startswith('tensorflow/')]

    forwarded = False
    if CTSTRING in seeds and INCLUDE_ROOT + CTSTRING not in names:
        target = next((m for m in CTSTRING_MOVED if INCLUDE_ROOT + m in names), None)
        if target is None:
            print(f'wheel has no {CTSTRING} nor any of {CTSTRING_MOVED}', file=sys.stderr)
            return 2
        path = os.path.join(dest, 'include', CTSTRING)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w', encoding='utf-8') as f:
            f.write(f'// Written by scripts/native-tf: this header moved in TensorFlow.\n'
                    f'#include "{target}"\n')
        seeds = [s for s in seeds if s != CTSTRING] + [target]
        forwarded = True

    seen: set[str] = set()
    unresolved: set[str] = set()
    todo = list(seeds)
    while todo:
        inc = todo.pop()
        if inc in seen:
            continue
        seen.add(inc)
        member = INCLUDE_ROOT + inc
        if member not in names:
            # System and C++ standard headers are not in the wheel; a TensorFlow header that is
            # missing is an error, reported below.
            if inc.startswith(('tensorflow/', 'tsl/', 'xla/')):
                unresolved.add(inc)
            continue
        data = z.read(member)
        path = os.path.join(dest, 'include', inc)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'wb') as f:
            f.write(data)
        todo += INCLUDE_RE.findall(data.decode('utf-8', 'replace'))

    if unresolved:
        print(f'headers not in the wheel: {sorted(unresolved)}', file=sys.stderr)
        return 2
    print(json.dumps({'lib_bytes': lib_bytes, 'headers': len(seen), 'forwarded_ctstring': forwarded}))
    return 0


if __name__ == '__main__':
    sys.exit(main())
