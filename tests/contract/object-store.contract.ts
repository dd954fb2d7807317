/** The object-store port's contract: one suite, run on every adapter. */
import { describe, expect, it } from 'vitest';
import type { ObjectStore } from '../../pipelines/ports/object-store/port.js';

export function objectStoreContract(name: string, make: () => Promise<ObjectStore>): void {
  describe(`object store contract: ${name}`, () => {
    it('puts, gets byte-identical, lists by prefix and deletes', async () => {
      const s = await make();
      const bytes = new Uint8Array([0, 1, 2, 255, 128]);
      await s.put('models/AAA/v1/weights.bin', bytes);
      await s.put('models/AAA/v1/model.json', '{"a":1}');
      await s.put('models/BBB/v1/model.json', '{}');
      expect(await s.get('models/AAA/v1/weights.bin')).toEqual(bytes);
      expect(new TextDecoder().decode(await s.get('models/AAA/v1/model.json'))).toBe('{"a":1}');
      expect(await s.list('models/AAA/')).toEqual([
        'models/AAA/v1/model.json',
        'models/AAA/v1/weights.bin',
      ]);
      expect(await s.get('models/AAA/v2/none')).toBeUndefined();
      await s.delete('models/AAA/v1/model.json');
      expect(await s.list('models/AAA/')).toEqual(['models/AAA/v1/weights.bin']);
      expect(s.uri('models/AAA/v1/weights.bin')).toMatch(/AAA\/v1\/weights\.bin$/);
    });

    it('overwrites an object whole', async () => {
      const s = await make();
      await s.put('x/y.txt', 'first version, longer');
      await s.put('x/y.txt', 'second');
      expect(new TextDecoder().decode(await s.get('x/y.txt'))).toBe('second');
    });

    it('refuses keys that escape the store', async () => {
      const s = await make();
      await expect(s.put('../evil', 'x')).rejects.toThrow(/invalid object key/);
      await expect(s.put('/abs', 'x')).rejects.toThrow(/invalid object key/);
    });
  });
}
