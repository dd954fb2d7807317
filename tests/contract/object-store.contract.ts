/** The object-store port's contract: one suite, run on every adapter. */
import { describe, expect, it } from 'vitest';
import type { ObjectStore } from '../../pipelines/ports/object-store/port.js';

const text = (b: Uint8Array | undefined): string | undefined =>
  b === undefined ? undefined : new TextDecoder().decode(b);

export function objectStoreContract(name: string, make: () => Promise<ObjectStore>): void {
  describe(`object store contract: ${name}`, () => {
    it('puts, gets byte-identical, lists by prefix and deletes', async () => {
      const s = await make();
      const bytes = new Uint8Array([0, 1, 2, 255, 128]);
      await s.put('models/AAA/v1/weights.bin', bytes);
      await s.put('models/AAA/v1/model.json', '{"a":1}');
      await s.put('models/BBB/v1/model.json', '{}');
      expect(await s.get('models/AAA/v1/weights.bin')).toEqual(bytes);
      expect(text(await s.get('models/AAA/v1/model.json'))).toBe('{"a":1}');
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
      expect(text(await s.get('x/y.txt'))).toBe('second');
    });

    it('round-trips an empty object and a 1 MiB one of every byte value', async () => {
      const s = await make();
      await s.put('e/empty.bin', new Uint8Array(0));
      expect(await s.get('e/empty.bin')).toEqual(new Uint8Array(0));
      const big = new Uint8Array(1 << 20).map((_, i) => (i * 7919) % 256);
      await s.put('e/big.bin', big);
      const back = await s.get('e/big.bin');
      expect(back?.byteLength).toBe(big.byteLength);
      expect(Buffer.from(back as Uint8Array).equals(Buffer.from(big))).toBe(true);
    });

    it('refuses keys that escape the store or are not names', async () => {
      const s = await make();
      for (const bad of ['../evil', '/abs', 'a//b', 'a/./b', 'a/', '']) {
        await expect(s.put(bad, 'x'), bad).rejects.toThrow(/invalid object key/);
        await expect(s.putIfAbsent(bad, 'x'), bad).rejects.toThrow(/invalid object key/);
        await expect(s.get(bad), bad).rejects.toThrow(/invalid object key/);
      }
    });

    describe('create-only writes (putIfAbsent)', () => {
      it('creates once; a second write is refused and leaves the first bytes', async () => {
        const s = await make();
        expect(await s.putIfAbsent('raw/AAA/2024-01-02.json', '{"n":1}')).toBe(true);
        expect(await s.putIfAbsent('raw/AAA/2024-01-02.json', '{"n":2}')).toBe(false);
        expect(text(await s.get('raw/AAA/2024-01-02.json'))).toBe('{"n":1}');
        expect(await s.list('raw/AAA/')).toEqual(['raw/AAA/2024-01-02.json']);
      });

      it('refuses to replace an object written by put; put still replaces one it created', async () => {
        const s = await make();
        await s.put('k/a.json', 'by put');
        expect(await s.putIfAbsent('k/a.json', 'create-only')).toBe(false);
        expect(text(await s.get('k/a.json'))).toBe('by put');
        expect(await s.putIfAbsent('k/b.json', 'create-only')).toBe(true);
        await s.put('k/b.json', 'replaced');
        expect(text(await s.get('k/b.json'))).toBe('replaced');
      });

      it('a key freed by delete can be created again', async () => {
        const s = await make();
        expect(await s.putIfAbsent('k/c.json', 'one')).toBe(true);
        await s.delete('k/c.json');
        expect(await s.putIfAbsent('k/c.json', 'two')).toBe(true);
        expect(text(await s.get('k/c.json'))).toBe('two');
      });

      it('of eight writers racing on one key exactly one wins, and its bytes are what stays', async () => {
        const s = await make();
        const wins = await Promise.all(
          Array.from({ length: 8 }, (_, i) => s.putIfAbsent('race/one.json', `writer ${i}`)),
        );
        expect(wins.filter(Boolean)).toHaveLength(1);
        expect(text(await s.get('race/one.json'))).toBe(`writer ${wins.indexOf(true)}`);
        expect(await s.list('race/')).toEqual(['race/one.json']);
      });
    });

    describe('keys and listing', () => {
      it('lists by plain string prefix, sorted, and all keys for ""', async () => {
        const s = await make();
        for (const k of ['m/AAB/1', 'm/AA/2', 'm/AA/1', 'm/AAA/1', 'n/1']) await s.put(k, k);
        expect(await s.list('m/AA/')).toEqual(['m/AA/1', 'm/AA/2']);
        expect(await s.list('m/AA')).toEqual(['m/AA/1', 'm/AA/2', 'm/AAA/1', 'm/AAB/1']);
        expect(await s.list('')).toEqual(['m/AA/1', 'm/AA/2', 'm/AAA/1', 'm/AAB/1', 'n/1']);
        expect(await s.list('nothing/')).toEqual([]);
      });

      it('a folder-like prefix is not an object; deleting a missing key is not an error', async () => {
        const s = await make();
        await s.put('f/g/h.json', '1');
        expect(await s.get('f/g')).toBeUndefined();
        await expect(s.delete('f/g/missing.json')).resolves.toBeUndefined();
        await expect(s.delete('never/was.json')).resolves.toBeUndefined();
        expect(await s.list('f/')).toEqual(['f/g/h.json']);
      });

      it('keeps ticker symbols and odd characters in keys intact', async () => {
        const s = await make();
        const keys = [
          'raw/^GSPC/2024-01-02.json',
          'raw/BRK.B/2024-01-02.json',
          'raw/EURUSD=X/2024-01-02.json',
          'raw/BF-B/2024-01-02.json',
          'odd/a b+c%20d&e#f?g.json',
          'odd/ümlaut-€.json',
        ];
        for (const k of keys) expect(await s.putIfAbsent(k, k), k).toBe(true);
        for (const k of keys) expect(text(await s.get(k)), k).toBe(k);
        expect(await s.list('raw/')).toEqual(keys.slice(0, 4).sort());
        expect(await s.list('odd/')).toEqual(keys.slice(4).sort());
      });

      it('names ending like temp files are ordinary keys', async () => {
        const s = await make();
        await s.put('t/upload.tmp', 'a');
        await s.put('t/x.json.tmp', 'b');
        expect(await s.list('t/')).toEqual(['t/upload.tmp', 't/x.json.tmp']);
      });
    });
  });
}
