// Functions that report on the session and the server: version(), current_database(),
// current_schema(), current_user, session_user, current_setting(), pg_typeof(), gen_random_uuid().

import { randomUUID } from 'node:crypto';
import { SqlError, SqlState } from '../common/errors.js';
import { typeOid } from '../common/types.js';
import type { FunctionDef } from './function.js';
import { T, def } from './define.js';

function setting(name: string, missingOk: boolean, read: (name: string) => string | undefined): string | null {
  const value = read(name.toLowerCase());
  if (value !== undefined) return value;
  if (missingOk) return null;
  throw new SqlError(SqlState.undefinedObject, `unrecognized configuration parameter "${name}"`);
}

export const systemFunctionDefs: readonly FunctionDef[] = [
  def('version', [], T.text, (_args, context) => context.serverVersion, { volatility: 'stable' }),
  def('current_database', [], T.name, (_args, context) => context.database, { volatility: 'stable' }),
  def('current_catalog', [], T.name, (_args, context) => context.database, { volatility: 'stable' }),
  def('current_schema', [], T.name, (_args, context) => context.schema, { volatility: 'stable' }),
  ...['current_user', 'session_user', 'user', 'current_role'].map((name) =>
    def(name, [], T.name, (_args, context) => context.user, { volatility: 'stable' })),
  def('current_setting', [T.text], T.text, (args, context) => setting(args[0] as string, false, (name) => context.setting(name)), { volatility: 'stable' }),
  def('current_setting', [T.text, T.bool], T.text,
    (args, context) => setting(args[0] as string, args[1] === true, (name) => context.setting(name)), { volatility: 'stable' }),
  { ...def('pg_typeof', [T.any], T.regtype, () => 0, { strict: false, volatility: 'stable' }), bind: (types) => {
    const oid = types[0] === undefined ? 0 : typeOid(types[0]);
    return () => oid;
  } },
  def('gen_random_uuid', [], T.uuid, () => randomUUID(), { volatility: 'volatile' }),
];
