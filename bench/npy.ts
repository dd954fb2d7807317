/**
 * Minimal NumPy .npy writer (format 1.0, little-endian float32, C order): how the bench hands the
 * exact training arrays to the Keras reference without a JSON round trip of a few million numbers.
 */
import { writeFileSync } from 'node:fs';

type Nested = number | Nested[];

function shapeOf(a: Nested): number[] {
  const shape: number[] = [];
  let v: Nested = a;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v[0] ?? Number.NaN;
  }
  return shape;
}

export function writeNpy(path: string, a: Nested[]): number[] {
  const shape = shapeOf(a);
  const flat = (a as unknown[]).flat(Infinity) as number[];
  const expected = shape.reduce((p, d) => p * d, 1);
  if (flat.length !== expected)
    throw new Error(`${path}: ragged array, shape [${shape.join(', ')}]`);
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  // Magic (6) + version (2) + header length (2) + header, padded with spaces to a multiple of 64.
  const pad = 64 - ((10 + header.length + 1) % 64);
  header = `${header}${' '.repeat(pad % 64)}\n`;
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre.writeUInt8(1, 6);
  pre.writeUInt8(0, 7);
  pre.writeUInt16LE(header.length, 8);
  const data = Buffer.from(new Float32Array(flat).buffer);
  writeFileSync(path, Buffer.concat([pre, Buffer.from(header, 'latin1'), data]));
  return shape;
}
