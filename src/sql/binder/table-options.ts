// CREATE TABLE ... WITH (...) options: Sluice's names and Fluss's quoted names, each validated.
// An unknown option, a bad bucket count or an invalid engine is a clear error, never ignored.

import type { DefElem } from 'libpg-query';
import { SqlError, SqlState } from '../../common/errors.js';
import { limits } from '../../common/limits.js';

export interface RawTableOptions {
  buckets?: number;
  bucketKey?: string[];
  logTtlMs?: number;
  mergeEngine?: string;
  versionColumn?: string;
  changelogImage?: string;
  autoPartition?: string;
  partitionRetention?: number;
  partitionPrecreate?: number;
}

type OptionName = keyof RawTableOptions;

const optionNames: Readonly<Record<string, OptionName>> = {
  buckets: 'buckets', 'bucket.num': 'buckets',
  bucket_key: 'bucketKey', 'bucket.key': 'bucketKey',
  log_ttl: 'logTtlMs', 'table.log.ttl': 'logTtlMs',
  merge_engine: 'mergeEngine', 'table.merge-engine': 'mergeEngine',
  version_column: 'versionColumn', 'table.merge-engine.versioned.ver-column': 'versionColumn',
  changelog_image: 'changelogImage', 'table.changelog.image': 'changelogImage',
  auto_partition: 'autoPartition', 'table.auto-partition.time-unit': 'autoPartition',
  partition_retention: 'partitionRetention', 'table.auto-partition.num-retention': 'partitionRetention',
  partition_precreate: 'partitionPrecreate', 'table.auto-partition.num-precreate': 'partitionPrecreate',
};

function invalid(message: string): SqlError {
  return new SqlError(SqlState.invalidParameterValue, message);
}

/** The option's value as text, whatever literal form it was written in. */
export function optionText(element: DefElem): string {
  const arg = element.arg;
  if (arg === undefined) throw invalid(`option "${element.defname}" requires a value`);
  if ('Integer' in arg) return String(arg.Integer.ival ?? 0);
  if ('Float' in arg) return arg.Float.fval ?? '0';
  if ('String' in arg) return arg.String.sval ?? '';
  if ('Boolean' in arg) return String(arg.Boolean.boolval ?? false);
  if ('TypeName' in arg) return (arg.TypeName.names ?? []).map((n) => ('String' in n ? n.String.sval : '')).join('.');
  if ('A_Const' in arg) {
    const constant = arg.A_Const;
    return String(constant.ival?.ival ?? constant.sval?.sval ?? constant.fval?.fval ?? 0);
  }
  throw invalid(`invalid value for option "${element.defname}"`);
}

function integerOption(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(`invalid value for option "${name}": "${text}" (must be an integer between ${min} and ${max})`);
  }
  return value;
}

const durationUnitsMs: Readonly<Record<string, number>> = {
  ms: 1, millisecond: 1, milliseconds: 1,
  s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
  m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
  w: 604_800_000, week: 604_800_000, weeks: 604_800_000,
};

/** Durations such as '7 days', '12h', '30 min', or a bare number of milliseconds. */
export function parseDurationMs(name: string, text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = match?.[2]?.toLowerCase() ?? '';
  const factor = unit === '' ? 1 : durationUnitsMs[unit];
  if (!match || factor === undefined) {
    throw invalid(`invalid value for option "${name}": "${text}" (expected a duration such as '7 days')`);
  }
  return Math.round(Number(match[1]) * factor);
}

export function readTableOptions(elements: readonly DefElem[]): RawTableOptions {
  const options: RawTableOptions = {};
  for (const element of elements) {
    const name = element.defname ?? '';
    const key = optionNames[name.toLowerCase()];
    if (key === undefined) throw invalid(`unrecognized parameter "${name}"`);
    if (options[key] !== undefined) throw invalid(`option "${name}" specified more than once`);
    const text = optionText(element);
    switch (key) {
      case 'buckets': options.buckets = integerOption(name, text, 1, limits.bucketsMax); break;
      case 'bucketKey': options.bucketKey = text.split(',').map((column) => column.trim()).filter((column) => column !== ''); break;
      case 'logTtlMs': options.logTtlMs = parseDurationMs(name, text); break;
      case 'mergeEngine': options.mergeEngine = text.toLowerCase().replace('-', '_'); break;
      case 'versionColumn': options.versionColumn = text; break;
      case 'changelogImage': options.changelogImage = text.toLowerCase(); break;
      case 'autoPartition': options.autoPartition = text.toLowerCase(); break;
      case 'partitionRetention': options.partitionRetention = integerOption(name, text, 0, 100_000); break;
      case 'partitionPrecreate': options.partitionPrecreate = integerOption(name, text, 0, 1000); break;
    }
  }
  return options;
}
