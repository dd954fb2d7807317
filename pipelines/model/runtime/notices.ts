/**
 * Library notices that are not for the operator. tfjs-layers' Orthogonal initializer calls
 * console.warn each time it builds a matrix over 2000 elements: the LSTM's 200×800 recurrent
 * kernel, once per ensemble member and training day (42 lines in one `make demo`). It is a hint
 * about its own speed, not about the run, so it goes to the logger at debug (STOCKOPS_DEBUG=1
 * shows it). Any other console.warn passes through unchanged.
 *
 * Runtime set-up, not a pure function: it replaces console.warn for the process.
 */
/* eslint-disable no-console -- console.warn is what tfjs writes to; this module replaces it. */
import { format } from 'node:util';
import type { Logger } from '../../log.js';

/** What tfjs prints that is known to be noise here; matched on the formatted message. */
export const LIBRARY_NOTICES: readonly RegExp[] = [
  /^Orthogonal initializer is being called on a matrix with more than \d+ \(\d+\) elements: Slowness may result\.$/,
];

export function isLibraryNotice(message: string): boolean {
  return LIBRARY_NOTICES.some((r) => r.test(message));
}

let original: typeof console.warn | undefined;

/** Routes the known notices to `log.debug`; returns the function that restores console.warn. */
export function routeLibraryNotices(log: Logger): () => void {
  original ??= console.warn;
  const passOn = original;
  console.warn = (...args: unknown[]): void => {
    const message = format(...args);
    if (isLibraryNotice(message)) log.debug(message, { from: 'tfjs-layers' });
    else passOn.apply(console, args);
  };
  return () => {
    console.warn = passOn;
    original = undefined;
  };
}
