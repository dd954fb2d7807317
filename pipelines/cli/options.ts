/** Turns the CLI's common flags into config overrides (flags win over env and file). */
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import { ConfigError, loadConfig, type Config, type ConfigOverrides } from '../config.js';

export interface CommonFlags {
  config?: string;
  source?: 'bundled' | 'csv' | 'yahoo';
  csvDir?: string;
  tickers?: string;
  epochs?: string;
  backend?: 'auto' | 'tensorflow' | 'wasm' | 'cpu';
  /** `evaluate` only. */
  retrainEvery?: string;
  ensembleSize?: string;
}

export function addCommonFlags(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'JSON config file (else $STOCKOPS_CONFIG)')
    .option('--source <kind>', 'market data: bundled | csv | yahoo')
    .option('--csv-dir <dir>', 'folder of Yahoo-format CSVs (implies --source csv)')
    .option('--tickers <list>', 'comma-separated tickers (default: the configured watchlist)')
    .option('--epochs <n>', 'maximum training epochs')
    .option('--backend <name>', 'TensorFlow.js backend: auto | tensorflow | wasm | cpu');
}

export function configFrom(flags: CommonFlags, env: NodeJS.ProcessEnv): Config {
  const overrides: ConfigOverrides = {};
  if (flags.source || flags.csvDir) {
    overrides.source = {
      kind: flags.source ?? 'csv',
      ...(flags.csvDir ? { csvDir: flags.csvDir } : {}),
    };
  }
  if (flags.tickers !== undefined) {
    const tickers = flags.tickers
      .split(',')
      .map((t) => t.trim().toUpperCase())
      .filter(Boolean);
    // An empty list would silently run the whole configured watchlist.
    if (!tickers.length) {
      throw new ConfigError(
        `--tickers "${flags.tickers}" names no ticker; give e.g. --tickers AAPL,MSFT`,
      );
    }
    overrides.watchlist = tickers;
  }
  if (flags.epochs || flags.backend) {
    overrides.model = {
      ...(flags.epochs ? { epochs: Number(flags.epochs) } : {}),
      ...(flags.backend ? { backend: flags.backend } : {}),
    };
  }
  if (flags.retrainEvery) overrides.evaluation = { retrainEvery: Number(flags.retrainEvery) };
  if (flags.ensembleSize) overrides.serving = { ensembleSize: Number(flags.ensembleSize) };
  const config = loadConfig({ env, file: flags.config, overrides });
  const dir = config.source.kind === 'csv' ? config.source.csvDir : undefined;
  // Every ticker would fail on it: a usage error, said once.
  if (dir && !isDirectory(dir)) {
    throw new ConfigError(
      `the CSV folder "${dir}" (--csv-dir / source.csvDir / STOCKOPS_CSV_DIR) does not exist or is not a folder`,
    );
  }
  return config;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
