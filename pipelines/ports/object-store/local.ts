import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { assertKey, type ObjectStore } from './port.js';

export interface LocalObjectStoreOptions {
  dir: string;
}

// Temp files sit beside their target (one filesystem, so rename and link are atomic) under a name
// no listing shows.
const TMP = /\.~stockops-[0-9a-f]{16}\.tmp$/;

/**
 * Embedded default: a folder. `put` writes a temp file renamed into place (atomic replace);
 * `putIfAbsent` hard-links the temp file to the key, which fails when the key exists (atomic create).
 */
export function createLocalObjectStore({ dir }: LocalObjectStoreOptions): ObjectStore {
  const root = resolve(dir);
  const pathOf = (key: string): string => {
    assertKey(key);
    return join(root, ...key.split('/'));
  };
  const staged = async (path: string, data: Uint8Array | string): Promise<string> => {
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.~stockops-${randomBytes(8).toString('hex')}.tmp`;
    await writeFile(tmp, data);
    return tmp;
  };
  return {
    kind: 'local',
    async put(key, data) {
      const path = pathOf(key);
      await rename(await staged(path, data), path);
    },
    async putIfAbsent(key, data) {
      const path = pathOf(key);
      const tmp = await staged(path, data);
      try {
        await link(tmp, path);
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw e;
      } finally {
        await rm(tmp, { force: true });
      }
    },
    async get(key) {
      try {
        return new Uint8Array(await readFile(pathOf(key)));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        // EISDIR: the key names a folder of other keys, not an object.
        if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') return undefined;
        throw e;
      }
    },
    async list(prefix) {
      let entries;
      try {
        entries = await readdir(root, { recursive: true, withFileTypes: true });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw e;
      }
      return entries
        .filter((d) => d.isFile() && !TMP.test(d.name))
        .map((d) => relative(root, join(d.parentPath, d.name)).split(sep).join('/'))
        .filter((key) => key.startsWith(prefix))
        .sort();
    },
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
    uri(key) {
      return pathToFileURL(pathOf(key)).href;
    },
  };
}
