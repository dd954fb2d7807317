/** The Pub/Sub emulator (pstest) for tests: installed if needed, on a free loopback port, stopped after. */
import { execFile, spawn } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../net.js';
import { repoRoot } from '../paths.js';

const script = join(repoRoot, 'scripts', 'emulators', 'pubsub.sh');

export interface PubSubEmulator {
  /** host:port, the value of PUBSUB_EMULATOR_HOST. */
  host: string;
  stop(): Promise<void>;
}

// The functions' tests import it from here.
export { freePort };

export async function startPubSubEmulator(): Promise<PubSubEmulator> {
  await promisify(execFile)(script, ['install'], { timeout: 900_000 });
  const port = await freePort();
  const child = spawn(script, ['start', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pstest did not start: ${output}`)), 30_000);
    const onData = (b: Buffer) => {
      output += b.toString();
      if (output.includes('pstest listening on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`pstest exited with ${code}: ${output}`));
    });
  });
  child.removeAllListeners('exit');
  return {
    host: `127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
