import { link, readFile, readdir, rm } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stageBeside, TEMP_FILE, writeFileAtomic } from '../atomic-file.js';
import { assertKey, type ObjectStore } from './port.js';

export interface LocalObjectStoreOptions {
  dir: string;
}

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
  return {
    kind: 'local',
    async put(key, data) {
      await writeFileAtomic(pathOf(key), data);
    },
    async putIfAbsent(key, data) {
      const path = pathOf(key);
      const tmp = await stageBeside(path, data);
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
        .filter((d) => d.isFile() && !TEMP_FILE.test(d.name))
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
