/**
 * Which TensorFlow.js backend runs the model: the native TensorFlow C library through
 * @tensorflow/tfjs-node ('tensorflow'), WebAssembly ('wasm'), or plain JavaScript ('cpu').
 *
 * tfjs-node is an optional dependency whose addon is built by scripts/native-tf/install.sh; when it
 * is missing or does not load, 'auto' falls back to wasm and says why. Every module imports
 * `@tensorflow/tfjs`, and tfjs-node requires the same (deduplicated) package, so registering a
 * backend here changes the backend for all of them; selectBackend checks that this holds.
 *
 * Runtime set-up, not a pure function: it changes process-wide state (the active tfjs backend, the
 * TF_* variables TensorFlow's C library reads when it first loads). `ensureBackend` is the
 * per-process cache the daily path uses.
 */
import { createRequire } from 'node:module';
import util from 'node:util';
import * as tfjs from '@tensorflow/tfjs';
import type { Logger } from '../../log.js';
import { PipelineError } from '../../types.js';
import { nativeLstm } from '../network/fused-lstm.js';
import { nativeEnv } from './native-env.js';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export type BackendPreference = 'auto' | BackendName;

export interface BackendAttempt {
  name: BackendName;
  /** Why this backend could not be used; absent for the one that was selected. */
  error?: string;
}

export interface BackendSelection {
  name: BackendName;
  /** Every backend tried, in order, the last being the selected one. */
  tried: BackendAttempt[];
  /** What exactly runs: the TensorFlow C library's version, or whether wasm uses SIMD. */
  detail: string;
}

/** The tfjs namespace every module uses; the backend selected here applies to it. */
export function tf(): typeof tfjs {
  return tfjs;
}

const AUTO_ORDER: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

// Loading a backend package registers it as a side effect; doing that twice in one process
// re-registers its kernels (with warnings) or, for tfjs-node, loads the addon again. Memoised per
// backend, failures included: a failed native load does not get better on a retry.
const loads = new Map<BackendName, Promise<string>>();

/** Loads (once) and registers a backend, resolving to its `detail` string. */
function load(name: BackendName): Promise<string> {
  let p = loads.get(name);
  if (!p) {
    // .then() turns loadNative's synchronous throw into a rejection like the others'.
    p =
      name === 'tensorflow'
        ? Promise.resolve().then(loadNative)
        : name === 'wasm'
          ? loadWasm()
          : loadCpu();
    loads.set(name, p);
  }
  return p;
}

/** TensorFlow's thread pools; 0 leaves the choice to TensorFlow (one thread per core). */
export interface ThreadSettings {
  intraOp: number;
  interOp: number;
}
let threads: ThreadSettings | undefined;

function loadNative(): string {
  // tfjs-node 4.22 calls util.isNullOrUndefined, which Node 23 removed; without this shim every
  // kernel that checks an optional input throws a TypeError. util.isArray is deprecated (it warns
  // once per process) and Array.isArray is the same function, so it is swapped in while here.
  const u = util as unknown as Record<string, unknown>;
  if (typeof u.isNullOrUndefined !== 'function') {
    u.isNullOrUndefined = (x: unknown): boolean => x === null || x === undefined;
  }
  if (typeof u.isArray === 'function') u.isArray = Array.isArray;
  // TensorFlow's C++ logging (INFO and WARNING lines, the oneDNN notice): see config.ts
  // runtimeFrom. A variable already set in the environment wins, as it does there.
  for (const [k, v] of Object.entries(nativeEnv())) process.env[k] ??= v;
  // TensorFlow sizes its pools from these when the library initialises, i.e. on first load only.
  if (threads?.intraOp) process.env.TF_NUM_INTRAOP_THREADS = String(threads.intraOp);
  if (threads?.interOp) process.env.TF_NUM_INTEROP_THREADS = String(threads.interOp);

  // createRequire instead of import(): tfjs-node is CommonJS and optional, and a string
  // specifier keeps typecheck from depending on it being installed.
  const require = createRequire(import.meta.url);
  let mod: unknown;
  try {
    mod = require('@tensorflow/tfjs-node');
  } catch (e) {
    throw new Error(`@tensorflow/tfjs-node did not load: ${firstLine(e)}`, { cause: e });
  }
  // tfjs-node registers 'tensorflow' in the tfjs-core that *it* resolves. If that were another
  // copy than ours, the backend would be invisible here and the model would silently run on wasm.
  if (!tfjs.findBackendFactory('tensorflow')) {
    throw new Error(
      '@tensorflow/tfjs-node registered its backend in a different @tensorflow/tfjs-core instance ' +
        '(node_modules is not deduplicated: run `npm ls @tensorflow/tfjs-core`)',
    );
  }
  const version = (mod as { backend?: () => { binding?: { TF_Version?: unknown } } }).backend?.()
    .binding?.TF_Version;
  return `TensorFlow ${typeof version === 'string' ? version : '(unknown version)'} via @tensorflow/tfjs-node`;
}

async function loadWasm(): Promise<string> {
  // Registers 'wasm'. In Node the package reads its .wasm files from its own dist/ folder, so no
  // setWasmPaths is needed. Threads are off in Node (tfjs issue #3830: the backend reports no
  // multithread support and forcing it fails to initialise), so setThreadsCount would do nothing.
  await import('@tensorflow/tfjs-backend-wasm');
  const simd = await tfjs.env().getAsync('WASM_HAS_SIMD_SUPPORT');
  return `WebAssembly, ${simd ? 'SIMD' : 'no SIMD'}, 1 thread`;
}

function loadCpu(): Promise<string> {
  // @tensorflow/tfjs bundles and registers the cpu backend.
  return Promise.resolve('plain JavaScript');
}

async function activate(name: BackendName): Promise<string> {
  const detail = await load(name);
  // setBackend resolves false (rather than throwing) when the backend's initialisation fails.
  const ok = await tfjs.setBackend(name);
  await tfjs.ready();
  if (!ok || tfjs.getBackend() !== name) {
    throw new Error(`tf.setBackend('${name}') failed; the active backend is ${tfjs.getBackend()}`);
  }
  return name === 'tensorflow' ? `${detail}; ${threadNote()}; ${fusedLstmNote()}` : detail;
}

/**
 * Makes `pref` the active backend ('auto': the first of tensorflow, wasm, cpu that works) and
 * reports which one it is and why others were passed over. A named preference that cannot be used
 * throws a PipelineError rather than quietly running on something else.
 */
export async function selectBackend(
  pref: BackendPreference,
  threadSettings?: ThreadSettings,
): Promise<BackendSelection> {
  // Only the first native load reads them: later calls cannot resize TensorFlow's pools.
  threads ??= threadSettings;
  const order = pref === 'auto' ? AUTO_ORDER : [pref];
  const tried: BackendAttempt[] = [];
  for (const name of order) {
    try {
      const detail = await activate(name);
      tried.push({ name });
      return { name, tried, detail };
    } catch (e) {
      tried.push({ name, error: firstLine(e) });
    }
  }
  const why = tried.map((t) => `${t.name}: ${t.error ?? 'unknown error'}`).join('; ');
  const hint =
    pref === 'tensorflow' ? ' (build it with scripts/native-tf/install.sh, or use auto)' : '';
  throw new PipelineError(`TensorFlow.js backend '${pref}' is unavailable${hint}: ${why}`);
}

const selections = new Map<BackendPreference, Promise<BackendSelection>>();

/**
 * The backend for this process, chosen once per preference (the first call selects it, later
 * calls share the result). A failure is not remembered: the next ticker tries again.
 */
export function ensureBackend(
  pref: BackendPreference,
  log?: Logger,
  threadSettings?: ThreadSettings,
): Promise<BackendSelection> {
  let b = selections.get(pref);
  if (!b) {
    b = selectBackend(pref, threadSettings).then(
      (sel) => {
        log?.info('TensorFlow.js backend selected', { backend: sel.name, preference: pref });
        return sel;
      },
      (e: unknown) => {
        selections.delete(pref);
        throw e;
      },
    );
    selections.set(pref, b);
  }
  return b;
}

function threadNote(): string {
  const v = (k: string): string => process.env[k] ?? 'TensorFlow default';
  return `intra-op threads ${v('TF_NUM_INTRAOP_THREADS')}, inter-op ${v('TF_NUM_INTEROP_THREADS')}`;
}

/** Whether the LSTM runs on TensorFlow's fused kernels here, and if not why (lstm.ts decides). */
function fusedLstmNote(): string {
  try {
    nativeLstm();
    return 'LSTM on fused BlockLSTMV2';
  } catch (e) {
    return `LSTM as plain-op BPTT (${firstLine(e)})`;
  }
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0] ?? msg;
}
