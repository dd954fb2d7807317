/**
 * What keeps library noise off the terminal: tfjs-layers' Orthogonal notice routed to the logger
 * at debug (other warnings untouched), and the TF_* settings config.ts resolves for TensorFlow's
 * C library (the user's own values win; STOCKOPS_DEBUG=1 shows TensorFlow's logs).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runtimeFrom } from '../../pipelines/config.js';
import { perTickerAtDebug } from '../../pipelines/cli/terminal.js';
import { createLogger } from '../../pipelines/log.js';
import { isLibraryNotice, routeLibraryNotices } from '../../pipelines/model/runtime/notices.js';

const ORTHOGONAL =
  'Orthogonal initializer is being called on a matrix with more than 2000 (160000) elements: Slowness may result.';

describe('library notices', () => {
  let restore: (() => void) | undefined;
  afterEach(() => restore?.());

  it('recognises the tfjs Orthogonal notice and nothing else', () => {
    expect(isLibraryNotice(ORTHOGONAL)).toBe(true);
    expect(isLibraryNotice(`${ORTHOGONAL} and more`)).toBe(false);
    expect(isLibraryNotice('Orthogonal initializer failed')).toBe(false);
  });

  it('routes it to the logger at debug, and passes any other warning to console.warn', () => {
    const seen: string[] = [];
    const before = console.warn;
    const passed: unknown[][] = [];
    console.warn = (...a: unknown[]) => void passed.push(a);
    try {
      const lines = (level: 'INFO' | 'DEBUG') =>
        createLogger({ json: true, level, write: (l) => seen.push(`${level} ${l}`) });
      restore = routeLibraryNotices(lines('INFO'));
      // tfjs formats it itself; a caller passing parts is matched on the formatted text too.
      console.warn(ORTHOGONAL);
      console.warn(
        'Orthogonal initializer is being called on a matrix with more than %d (%d) elements: Slowness may result.',
        2000,
        4096,
      );
      console.warn('something else', 42);
      expect(seen).toEqual([]);
      expect(passed).toEqual([['something else', 42]]);
      restore();
      restore = routeLibraryNotices(lines('DEBUG'));
      console.warn(ORTHOGONAL);
      expect(seen).toHaveLength(1);
      expect(JSON.parse(seen[0]?.slice('DEBUG '.length) ?? '')).toMatchObject({
        severity: 'DEBUG',
        message: ORTHOGONAL,
        from: 'tfjs-layers',
      });
      restore();
      restore = undefined;
    } finally {
      console.warn = before;
    }
  });
});

describe('runtimeFrom', () => {
  it('quiet by default: TensorFlow errors only, oneDNN ops off (their notice ignores the level)', () => {
    expect(runtimeFrom({})).toEqual({
      debug: false,
      nativeTfEnv: { TF_CPP_MIN_LOG_LEVEL: '2', TF_ENABLE_ONEDNN_OPTS: '0' },
    });
  });

  it('STOCKOPS_DEBUG=1 turns debug on and shows every TensorFlow log line', () => {
    const r = runtimeFrom({ STOCKOPS_DEBUG: '1' });
    expect(r.debug).toBe(true);
    expect(r.nativeTfEnv.TF_CPP_MIN_LOG_LEVEL).toBe('0');
    expect(runtimeFrom({ STOCKOPS_DEBUG: 'yes' }).debug).toBe(false);
  });

  it('the user’s own TF_* values win', () => {
    expect(
      runtimeFrom({ STOCKOPS_DEBUG: '1', TF_CPP_MIN_LOG_LEVEL: '3', TF_ENABLE_ONEDNN_OPTS: '1' })
        .nativeTfEnv,
    ).toEqual({ TF_CPP_MIN_LOG_LEVEL: '3', TF_ENABLE_ONEDNN_OPTS: '1' });
  });
});

describe('perTickerAtDebug (a terminal with a progress line)', () => {
  it('shows INFO about the run, hides INFO about one ticker unless debug, keeps warnings', () => {
    const run = (level: 'INFO' | 'DEBUG'): string[] => {
      const seen: string[] = [];
      const log = perTickerAtDebug(
        createLogger({ json: false, level, write: (l) => seen.push(l) }),
      );
      log.info('demo: backfill', { tickers: 'A,B' });
      log.info('model stage done', { ticker: 'A', decision: 'load' });
      log.child({ ticker: 'B' }).info('ingested', { rows: 3 });
      log.child({ runId: 'r' }).child({ ticker: 'B' }).warn('an earlier run never finished');
      log.child({ runId: 'r' }).error('ticker failed', { ticker: 'C' });
      return seen;
    };
    expect(run('INFO')).toEqual([
      'demo: backfill  tickers=A,B',
      'WARNING an earlier run never finished  runId=r ticker=B',
      'ERROR ticker failed  runId=r ticker=C',
    ]);
    expect(run('DEBUG')).toEqual([
      'demo: backfill  tickers=A,B',
      'DEBUG model stage done  ticker=A decision=load',
      'DEBUG ingested  ticker=B rows=3',
      'WARNING an earlier run never finished  runId=r ticker=B',
      'ERROR ticker failed  runId=r ticker=C',
    ]);
  });
});
