/**
 * Atomic file writes for the embedded adapters: the bytes go to a temp file beside the target (one
 * filesystem, so rename and link are atomic), which is then renamed or linked into place. A reader
 * sees the old file or the new one, never half of one.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Names of temp files still being written (a listing must not show them). */
export const TEMP_FILE = /\.~stockops-[0-9a-f]{16}\.tmp$/;

/** Writes `data` to a fresh temp file beside `path` (creating its folder) and returns its path. */
export async function stageBeside(path: string, data: Uint8Array | string): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.~stockops-${randomBytes(8).toString('hex')}.tmp`;
  await writeFile(tmp, data);
  return tmp;
}

/** Replaces `path` with `data` atomically. */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await rename(await stageBeside(path, data), path);
}
