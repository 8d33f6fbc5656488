// Resume tokens: where a subscription stood after the changes it had sent, as the next offset to
// read in each bucket's log: `sluice:<table oid>:<tablet id>=<offset>,...`. A subscription started
// from a token continues exactly after it; buckets the token does not name (partitions created
// later) are read from their beginning.

import { SqlError, SqlState } from '../../common/errors.js';
import { resumeTokenPrefix } from '../../sql/binder/subscribe-binder.js';

export function encodeResumeToken(tableOid: number, positions: ReadonlyMap<number, bigint>): string {
  const parts = [...positions].sort(([a], [b]) => a - b).map(([tablet, offset]) => `${tablet}=${offset}`);
  return `${resumeTokenPrefix}${tableOid}:${parts.join(',')}`;
}

function invalid(token: string, why: string): SqlError {
  return new SqlError(SqlState.invalidParameterValue, `invalid resume token "${token}": ${why}`);
}

export function decodeResumeToken(token: string, tableOid: number): Map<number, bigint> {
  const body = token.slice(resumeTokenPrefix.length);
  const match = /^(\d+):((?:\d+=\d+)(?:,\d+=\d+)*)?$/.exec(body);
  if (match === null) throw invalid(token, 'malformed');
  if (Number(match[1]) !== tableOid) throw invalid(token, 'it was issued for another table');
  const positions = new Map<number, bigint>();
  for (const part of (match[2] ?? '').split(',').filter((item) => item !== '')) {
    const [tablet, offset] = part.split('=');
    positions.set(Number(tablet), BigInt(offset ?? '0'));
  }
  return positions;
}
