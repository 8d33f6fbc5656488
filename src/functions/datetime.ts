// Date and time functions and operators: date/timestamp ± interval (month arithmetic clamps to the
// end of the month; timestamptz arithmetic happens in the session's time zone, so a day across a DST
// change stays a calendar day), differences, date_trunc, extract/date_part, make_date, now() and
// friends. timestamptz values are UTC µs; fields are taken from the session-zone local time.

import {
  MICROS_PER_DAY, MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND, TIMESTAMP_INFINITY, TIMESTAMP_NEG_INFINITY,
  checkDateRange, checkTimestampRange, civilFromDays, daysFromCivil, daysInMonth, floorDivMod, isFiniteTimestamp,
  localToUtc, splitTimestamp, timestampFromParts, zoneOffsetSeconds, isValidTimeZone,
} from '../common/datetime.js';
import { Decimal } from '../common/decimal.js';
import { SqlError, SqlState } from '../common/errors.js';
import { formatType, type DataType, type Interval, type Value } from '../common/types.js';
import type { FunctionContext, FunctionDef } from './function.js';
import { dateToTimestamp, timestampToDate, utcToLocal } from './casts.js';
import { T, binary, def, unary } from './define.js';
import { checkInt4, divisionByZero, outOfRange, roundHalfEven, sessionZone } from './numeric-checks.js';

// ---------------------------------------------------------------------------------------------
// Interval arithmetic

function checkIntervalFields(months: number, days: number): void {
  if (!Number.isSafeInteger(months) || Math.abs(months) > 2147483647 || !Number.isSafeInteger(days) || Math.abs(days) > 2147483647) {
    throw outOfRange('interval out of range');
  }
}

export function addIntervals(a: Interval, b: Interval): Interval {
  const months = a.months + b.months;
  const days = a.days + b.days;
  checkIntervalFields(months, days);
  return { months, days, micros: a.micros + b.micros };
}

export function negateInterval(a: Interval): Interval {
  return { months: -a.months + 0, days: -a.days + 0, micros: -a.micros };
}

/** interval * factor, spilling fractional months into days (30 per month) and days into time. */
export function multiplyInterval(span: Interval, factor: number): Interval {
  if (Number.isNaN(factor)) throw outOfRange('interval out of range');
  const monthsExact = span.months * factor;
  const daysExact = span.days * factor;
  if (!Number.isFinite(monthsExact) || Math.abs(monthsExact) > 2147483647 || Math.abs(daysExact) > 2147483647) {
    throw outOfRange('interval out of range');
  }
  const months = Math.trunc(monthsExact);
  let days = Math.trunc(daysExact);
  const monthRemainderDays = (monthsExact - months) * 30;
  let secondRemainder = (daysExact - days + monthRemainderDays - Math.trunc(monthRemainderDays)) * 86400;
  secondRemainder = Math.round(secondRemainder * 1e6) / 1e6;
  if (Math.abs(secondRemainder) >= 86400) {
    const extraDays = Math.trunc(secondRemainder / 86400);
    days += extraDays;
    secondRemainder -= extraDays * 86400;
  }
  days += Math.trunc(monthRemainderDays);
  const micros = roundHalfEven(Number(span.micros) * factor + secondRemainder * 1e6);
  if (!Number.isFinite(micros)) throw outOfRange('interval out of range');
  return { months: months + 0, days: days + 0, micros: BigInt(micros) };
}

function divideInterval(span: Interval, divisor: number): Interval {
  if (divisor === 0) throw divisionByZero();
  return multiplyInterval(span, 1 / divisor);
}

/** justify_hours: whole days out of the time part, with the signs of days and time agreeing. */
export function justifyHours(span: Interval): Interval {
  let days = span.days + Number(span.micros / MICROS_PER_DAY);
  let micros = span.micros % MICROS_PER_DAY;
  if (days > 0 && micros < 0n) {
    micros += MICROS_PER_DAY;
    days--;
  } else if (days < 0 && micros > 0n) {
    micros -= MICROS_PER_DAY;
    days++;
  }
  return { months: span.months, days: days + 0, micros };
}

function justifyDays(span: Interval): Interval {
  let months = span.months + Math.trunc(span.days / 30);
  let days = span.days % 30;
  if (months > 0 && days < 0) {
    days += 30;
    months--;
  } else if (months < 0 && days > 0) {
    days -= 30;
    months++;
  }
  return { months: months + 0, days: days + 0, micros: span.micros };
}

// ---------------------------------------------------------------------------------------------
// Timestamp arithmetic

function addMonthsToDays(days: number, months: number): number {
  const { year, month, day } = civilFromDays(days);
  const total = year * 12 + (month - 1) + months;
  const newYear = Math.floor(total / 12);
  const newMonth = total - newYear * 12 + 1;
  return daysFromCivil(newYear, newMonth, Math.min(day, daysInMonth(newYear, newMonth)));
}

/** timestamp (local time) + interval. */
export function addIntervalToTimestamp(micros: bigint, span: Interval): bigint {
  if (!isFiniteTimestamp(micros)) return micros;
  let { days, timeMicros } = splitTimestamp(micros);
  if (span.months !== 0) days = addMonthsToDays(days, span.months);
  days += span.days;
  return checkTimestampRange(timestampFromParts(days, timeMicros) + span.micros);
}

/** timestamptz + interval: months and days move the local calendar date in `zone`, then time is added. */
export function addIntervalToTimestamptz(micros: bigint, span: Interval, zone: string): bigint {
  if (!isFiniteTimestamp(micros)) return micros;
  let result = micros;
  if (span.months !== 0 || span.days !== 0) {
    const local = utcToLocal(micros, zone);
    const moved = addIntervalToTimestamp(local, { months: span.months, days: span.days, micros: 0n });
    result = localToUtc(moved, zone);
  }
  return checkTimestampRange(result + span.micros);
}

function subtractTimestamps(a: bigint, b: bigint): Interval {
  if (!isFiniteTimestamp(a) || !isFiniteTimestamp(b)) {
    throw new SqlError(SqlState.datetimeFieldOverflow, 'cannot subtract infinite timestamps');
  }
  return justifyHours({ months: 0, days: 0, micros: a - b });
}

function addDays(date: number, days: number): number {
  if (!Number.isFinite(date)) return date;
  return checkDateRange(date + days);
}

function subtractDates(a: number, b: number): number {
  if (!Number.isFinite(a) || !Number.isFinite(b)) {
    throw new SqlError(SqlState.datetimeFieldOverflow, 'cannot subtract infinite dates');
  }
  return checkInt4(a - b);
}

function timeOfDay(micros: bigint): bigint {
  return floorDivMod(micros, MICROS_PER_DAY)[1];
}

const zoneOf = (context: FunctionContext): string => sessionZone(context);

export const datetimeOperatorDefs: readonly FunctionDef[] = [
  binary('+', T.date, T.int4, T.date, addDays),
  binary('+', T.int4, T.date, T.date, (days: number, date: number) => addDays(date, days)),
  binary('-', T.date, T.int4, T.date, (date: number, days: number) => addDays(date, -days)),
  binary('-', T.date, T.date, T.int4, subtractDates),
  binary('+', T.date, T.interval, T.timestamp, (date: number, span: Interval) => addIntervalToTimestamp(dateToTimestamp(date), span)),
  binary('+', T.interval, T.date, T.timestamp, (span: Interval, date: number) => addIntervalToTimestamp(dateToTimestamp(date), span)),
  binary('-', T.date, T.interval, T.timestamp, (date: number, span: Interval) => addIntervalToTimestamp(dateToTimestamp(date), negateInterval(span))),
  binary('+', T.date, T.time, T.timestamp, (date: number, time: bigint) => addTime(dateToTimestamp(date), time)),
  binary('+', T.time, T.date, T.timestamp, (time: bigint, date: number) => addTime(dateToTimestamp(date), time)),
  binary('+', T.timestamp, T.interval, T.timestamp, addIntervalToTimestamp),
  binary('+', T.interval, T.timestamp, T.timestamp, (span: Interval, micros: bigint) => addIntervalToTimestamp(micros, span)),
  binary('-', T.timestamp, T.interval, T.timestamp, (micros: bigint, span: Interval) => addIntervalToTimestamp(micros, negateInterval(span))),
  binary('-', T.timestamp, T.timestamp, T.interval, subtractTimestamps),
  def('+', [T.timestamptz, T.interval], T.timestamptz,
    (args, context) => addIntervalToTimestamptz(args[0] as bigint, args[1] as Interval, zoneOf(context)), { volatility: 'stable' }),
  def('+', [T.interval, T.timestamptz], T.timestamptz,
    (args, context) => addIntervalToTimestamptz(args[1] as bigint, args[0] as Interval, zoneOf(context)), { volatility: 'stable' }),
  def('-', [T.timestamptz, T.interval], T.timestamptz,
    (args, context) => addIntervalToTimestamptz(args[0] as bigint, negateInterval(args[1] as Interval), zoneOf(context)), { volatility: 'stable' }),
  binary('-', T.timestamptz, T.timestamptz, T.interval, subtractTimestamps),
  binary('+', T.time, T.interval, T.time, (time: bigint, span: Interval) => timeOfDay(time + span.micros)),
  binary('+', T.interval, T.time, T.time, (span: Interval, time: bigint) => timeOfDay(time + span.micros)),
  binary('-', T.time, T.interval, T.time, (time: bigint, span: Interval) => timeOfDay(time - span.micros)),
  binary('-', T.time, T.time, T.interval, (a: bigint, b: bigint): Interval => ({ months: 0, days: 0, micros: a - b })),
  binary('+', T.interval, T.interval, T.interval, addIntervals),
  binary('-', T.interval, T.interval, T.interval, (a: Interval, b: Interval) => addIntervals(a, negateInterval(b))),
  unary('-', T.interval, T.interval, negateInterval),
  unary('+', T.interval, T.interval, (a: Interval) => a),
  binary('*', T.interval, T.float8, T.interval, multiplyInterval),
  binary('*', T.float8, T.interval, T.interval, (factor: number, span: Interval) => multiplyInterval(span, factor)),
  binary('/', T.interval, T.float8, T.interval, divideInterval),
];

function addTime(timestamp: bigint, time: bigint): bigint {
  return isFiniteTimestamp(timestamp) ? checkTimestampRange(timestamp + time) : timestamp;
}

// ---------------------------------------------------------------------------------------------
// date_trunc

const truncUnits = new Map<string, string>([
  ...['microsecond', 'microseconds', 'us', 'usec', 'usecs'].map((u) => [u, 'microseconds'] as [string, string]),
  ...['millisecond', 'milliseconds', 'ms', 'msec', 'msecs'].map((u) => [u, 'milliseconds'] as [string, string]),
  ...['second', 'seconds', 's', 'sec', 'secs'].map((u) => [u, 'second'] as [string, string]),
  ...['minute', 'minutes', 'm', 'min', 'mins'].map((u) => [u, 'minute'] as [string, string]),
  ...['hour', 'hours', 'h', 'hr', 'hrs'].map((u) => [u, 'hour'] as [string, string]),
  ...['day', 'days', 'd'].map((u) => [u, 'day'] as [string, string]),
  ...['week', 'weeks', 'w'].map((u) => [u, 'week'] as [string, string]),
  ...['month', 'months', 'mon', 'mons'].map((u) => [u, 'month'] as [string, string]),
  ...['quarter', 'qtr'].map((u) => [u, 'quarter'] as [string, string]),
  ...['year', 'years', 'y', 'yr', 'yrs'].map((u) => [u, 'year'] as [string, string]),
  ...['decade', 'decades', 'dec', 'decs'].map((u) => [u, 'decade'] as [string, string]),
  ...['century', 'centuries', 'c', 'cent'].map((u) => [u, 'century'] as [string, string]),
  ...['millennium', 'millennia', 'mil', 'mils', 'millenniums'].map((u) => [u, 'millennium'] as [string, string]),
  ...['epoch'].map((u) => [u, 'epoch'] as [string, string]),
  ...['dow'].map((u) => [u, 'dow'] as [string, string]),
  ...['isodow'].map((u) => [u, 'isodow'] as [string, string]),
  ...['doy'].map((u) => [u, 'doy'] as [string, string]),
  ...['isoyear'].map((u) => [u, 'isoyear'] as [string, string]),
  ...['julian', 'j'].map((u) => [u, 'julian'] as [string, string]),
  ...['timezone'].map((u) => [u, 'timezone'] as [string, string]),
  ...['timezone_hour'].map((u) => [u, 'timezone_hour'] as [string, string]),
  ...['timezone_minute', 'timezone_m'].map((u) => [u, 'timezone_minute'] as [string, string]),
]);

function unitOf(text: string, type: DataType): string {
  const unit = truncUnits.get(text.trim().toLowerCase());
  if (unit === undefined) {
    throw new SqlError(SqlState.invalidParameterValue, `unit "${text}" not recognized for type ${formatType(type)}`);
  }
  return unit;
}

function unsupportedUnit(text: string, type: DataType): SqlError {
  return new SqlError(SqlState.featureNotSupported, `unit "${text}" not supported for type ${formatType(type)}`);
}

/** Truncates a local timestamp to the start of `unit`. */
function truncateLocal(unitText: string, micros: bigint, type: DataType): bigint {
  if (!isFiniteTimestamp(micros)) return micros;
  const unit = unitOf(unitText, type);
  const { days, timeMicros } = splitTimestamp(micros);
  const { year, month } = civilFromDays(days);
  const atDay = (d: number): bigint => timestampFromParts(d, 0n);
  const within = (size: bigint): bigint => timestampFromParts(days, timeMicros - (timeMicros % size));
  switch (unit) {
    case 'microseconds': return micros;
    case 'milliseconds': return within(1000n);
    case 'second': return within(MICROS_PER_SECOND);
    case 'minute': return within(MICROS_PER_MINUTE);
    case 'hour': return within(MICROS_PER_HOUR);
    case 'day': return atDay(days);
    case 'week': return atDay(days - ((((days + 3) % 7) + 7) % 7));
    case 'month': return atDay(daysFromCivil(year, month, 1));
    case 'quarter': return atDay(daysFromCivil(year, Math.floor((month - 1) / 3) * 3 + 1, 1));
    case 'year': return atDay(daysFromCivil(year, 1, 1));
    case 'decade': return atDay(daysFromCivil(year > 0 ? Math.floor(year / 10) * 10 : -Math.floor((9 - year) / 10) * 10 + 1, 1, 1));
    case 'century': return atDay(daysFromCivil(year > 0 ? Math.floor((year - 1) / 100) * 100 + 1 : -Math.floor((99 - year) / 100) * 100 + 1, 1, 1));
    case 'millennium': return atDay(daysFromCivil(year > 0 ? Math.floor((year - 1) / 1000) * 1000 + 1 : -Math.floor((999 - year) / 1000) * 1000 + 1, 1, 1));
    default: throw unsupportedUnit(unitText, type);
  }
}

function truncateInterval(unitText: string, span: Interval): Interval {
  const unit = unitOf(unitText, T.interval);
  const years = Math.trunc(span.months / 12);
  const keepTime = (size: bigint): Interval => ({ months: span.months, days: span.days, micros: span.micros - (span.micros % size) });
  switch (unit) {
    case 'microseconds': return span;
    case 'milliseconds': return keepTime(1000n);
    case 'second': return keepTime(MICROS_PER_SECOND);
    case 'minute': return keepTime(MICROS_PER_MINUTE);
    case 'hour': return keepTime(MICROS_PER_HOUR);
    case 'day': return { months: span.months, days: span.days, micros: 0n };
    case 'month': return { months: span.months, days: 0, micros: 0n };
    case 'quarter': return { months: years * 12 + Math.trunc((span.months % 12) / 3) * 3, days: 0, micros: 0n };
    case 'year': return { months: years * 12, days: 0, micros: 0n };
    case 'decade': return { months: Math.trunc(years / 10) * 120, days: 0, micros: 0n };
    case 'century': return { months: Math.trunc(years / 100) * 1200, days: 0, micros: 0n };
    case 'millennium': return { months: Math.trunc(years / 1000) * 12000, days: 0, micros: 0n };
    default: throw unsupportedUnit(unitText, T.interval);
  }
}

// ---------------------------------------------------------------------------------------------
// extract / date_part

function cDiv(a: number, b: number): number {
  return Math.trunc(a / b);
}

/** ISO 8601 week number and week-based year of a day. */
function isoWeek(days: number): { week: number; year: number } {
  const isoDow = ((((days + 3) % 7) + 7) % 7) + 1;
  const thursday = days - isoDow + 4;
  const { year } = civilFromDays(thursday);
  return { week: Math.floor((thursday - daysFromCivil(year, 1, 1)) / 7) + 1, year };
}

function decimalOfMicros(micros: bigint, scale: number): Decimal {
  // micros / 10^(6 - scale) exactly at `scale` digits (all callers divide evenly or truncate to scale).
  return new Decimal(micros / 10n ** BigInt(6 - scale), scale);
}

/** A date part of a local timestamp (or of a date, for which time fields are refused). */
function extractFromLocal(unitText: string, micros: bigint, type: DataType, utcMicros: bigint, offsetSeconds: number): Decimal | null {
  const unit = unitOf(unitText, type);
  const isDate = type.name === 'date';
  if (!isFiniteTimestamp(micros)) {
    const sign = micros > 0n ? 'Infinity' : '-Infinity';
    const monotonic = ['epoch', 'year', 'decade', 'century', 'millennium', 'julian', 'isoyear'].includes(unit);
    if (monotonic) return sign === 'Infinity' ? Decimal.Infinity : Decimal.NegativeInfinity;
    if (['timezone', 'timezone_hour', 'timezone_minute'].includes(unit) && type.name !== 'timestamptz') throw unsupportedUnit(unitText, type);
    return null;
  }
  const { days, timeMicros } = splitTimestamp(micros);
  const { year, month, day } = civilFromDays(days);
  const integer = (value: number): Decimal => new Decimal(BigInt(value), 0);
  const timeOnly = (): void => {
    if (isDate) throw unsupportedUnit(unitText, type);
  };
  switch (unit) {
    case 'microseconds': timeOnly(); return integer(Number(timeMicros % MICROS_PER_MINUTE));
    case 'milliseconds': timeOnly(); return new Decimal(timeMicros % MICROS_PER_MINUTE, 3);
    case 'second': timeOnly(); return new Decimal(timeMicros % MICROS_PER_MINUTE, 6);
    case 'minute': timeOnly(); return integer(Number((timeMicros % MICROS_PER_HOUR) / MICROS_PER_MINUTE));
    case 'hour': timeOnly(); return integer(Number(timeMicros / MICROS_PER_HOUR));
    case 'day': return integer(day);
    case 'month': return integer(month);
    case 'quarter': return integer(Math.floor((month - 1) / 3) + 1);
    case 'week': return integer(isoWeek(days).week);
    case 'year': return integer(year > 0 ? year : year - 1);
    case 'decade': return integer(year >= 0 ? cDiv(year, 10) : -cDiv(8 - (year - 1), 10));
    case 'century': return integer(year > 0 ? cDiv(year + 99, 100) : -cDiv(99 - (year - 1), 100));
    case 'millennium': return integer(year > 0 ? cDiv(year + 999, 1000) : -cDiv(999 - (year - 1), 1000));
    case 'dow': return integer(((((days + 4) % 7) + 7) % 7));
    case 'isodow': return integer(((((days + 3) % 7) + 7) % 7) + 1);
    case 'doy': return integer(days - daysFromCivil(year, 1, 1) + 1);
    case 'isoyear': {
      const isoYear = isoWeek(days).year;
      return integer(isoYear > 0 ? isoYear : isoYear - 1);
    }
    case 'julian': {
      if (isDate) return integer(days + 2440588);
      return new Decimal(BigInt(days + 2440588) * MICROS_PER_DAY + timeMicros, 0).divToScale(new Decimal(MICROS_PER_DAY, 0), 16).round(16);
    }
    case 'epoch':
      if (isDate) return new Decimal(BigInt(days) * 86400n, 0);
      return new Decimal(utcMicros, 6);
    case 'timezone':
    case 'timezone_hour':
    case 'timezone_minute': {
      if (type.name !== 'timestamptz') throw unsupportedUnit(unitText, type);
      if (unit === 'timezone') return integer(offsetSeconds);
      if (unit === 'timezone_hour') return integer(cDiv(offsetSeconds, 3600));
      return integer(cDiv(offsetSeconds % 3600, 60));
    }
    default: throw unsupportedUnit(unitText, type);
  }
}

function extractFromInterval(unitText: string, span: Interval): Decimal {
  const unit = unitOf(unitText, T.interval);
  const integer = (value: number | bigint): Decimal => new Decimal(BigInt(value), 0);
  const years = Math.trunc(span.months / 12);
  switch (unit) {
    case 'microseconds': return integer(span.micros % MICROS_PER_MINUTE);
    case 'milliseconds': return new Decimal(span.micros % MICROS_PER_MINUTE, 3);
    case 'second': return new Decimal(span.micros % MICROS_PER_MINUTE, 6);
    case 'minute': return integer((span.micros % MICROS_PER_HOUR) / MICROS_PER_MINUTE);
    case 'hour': return integer(span.micros / MICROS_PER_HOUR);
    case 'day': return integer(span.days);
    case 'month': return integer(span.months % 12);
    case 'quarter': return integer(Math.trunc((span.months % 12) / 3) + 1);
    case 'year': return integer(years);
    case 'decade': return integer(Math.trunc(years / 10));
    case 'century': return integer(Math.trunc(years / 100));
    case 'millennium': return integer(Math.trunc(years / 1000));
    case 'epoch': {
      // 365.25 days per year and 30 per month, as PostgreSQL; exact in µs.
      const yearMicros = BigInt(years) * 36525n * MICROS_PER_DAY / 100n;
      const monthMicros = BigInt(span.months % 12) * 30n * MICROS_PER_DAY;
      return decimalOfMicros(yearMicros + monthMicros + BigInt(span.days) * MICROS_PER_DAY + span.micros, 6);
    }
    default: throw unsupportedUnit(unitText, T.interval);
  }
}

function extractFromTime(unitText: string, micros: bigint): Decimal | null {
  const unit = unitOf(unitText, T.time);
  switch (unit) {
    case 'microseconds': case 'milliseconds': case 'second': case 'minute': case 'hour':
      return extractFromLocal(unitText, micros, T.timestamp, micros, 0);
    case 'epoch': return new Decimal(micros, 6);
    default: throw unsupportedUnit(unitText, T.time);
  }
}

function extractTimestamptz(unitText: string, micros: bigint, zone: string): Decimal | null {
  const offset = isFiniteTimestamp(micros) ? zoneOffsetSeconds(zone, micros) : 0;
  const local = isFiniteTimestamp(micros) ? micros + BigInt(offset) * MICROS_PER_SECOND : micros;
  return extractFromLocal(unitText, local, T.timestamptz, micros, offset);
}

function asFloat(value: Decimal | null): number | null {
  return value === null ? null : value.toNumber();
}

function extractDefs(name: string, convert: (value: Decimal | null) => Value, returns: DataType): FunctionDef[] {
  return [
    binary(name, T.text, T.timestamp, returns, (unit: string, micros: bigint) => convert(extractFromLocal(unit, micros, T.timestamp, micros, 0))),
    def(name, [T.text, T.timestamptz], returns, (args, context) =>
      convert(extractTimestamptz(args[0] as string, args[1] as bigint, zoneOf(context))), { volatility: 'stable' }),
    binary(name, T.text, T.date, returns, (unit: string, date: number) => {
      if (name === 'date_part') return convert(extractFromLocal(unit, dateToTimestamp(date), T.timestamp, dateToTimestamp(date), 0));
      return convert(extractFromLocal(unit, dateToTimestamp(date), T.date, dateToTimestamp(date), 0));
    }),
    binary(name, T.text, T.interval, returns, (unit: string, span: Interval) => convert(extractFromInterval(unit, span))),
    binary(name, T.text, T.time, returns, (unit: string, micros: bigint) => convert(extractFromTime(unit, micros))),
  ];
}

// ---------------------------------------------------------------------------------------------
// Constructors and session times

function makeDate(year: number, month: number, day: number): number {
  const astronomical = year < 0 ? year + 1 : year;
  if (year === 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(astronomical, month)) {
    throw new SqlError(SqlState.datetimeFieldOverflow,
      `date field value out of range: ${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`);
  }
  return checkDateRange(daysFromCivil(astronomical, month, day));
}

function makeTimestamp(args: readonly Value[]): bigint {
  const [year, month, day, hour, minute] = args as readonly number[];
  const seconds = args[5] as number;
  const days = makeDate(year ?? 0, month ?? 0, day ?? 0);
  if ((hour ?? 0) < 0 || (hour ?? 0) > 24 || (minute ?? 0) < 0 || (minute ?? 0) > 59 || seconds < 0 || seconds > 60) {
    throw new SqlError(SqlState.datetimeFieldOverflow,
      `time field value out of range: ${hour ?? 0}:${String(minute ?? 0).padStart(2, '0')}:${String(seconds).padStart(2, '0')}`);
  }
  const micros = BigInt(hour ?? 0) * MICROS_PER_HOUR + BigInt(minute ?? 0) * MICROS_PER_MINUTE + BigInt(Math.round(seconds * 1e6));
  return checkTimestampRange(timestampFromParts(days, micros));
}

function toTimestamp(seconds: number): bigint {
  if (Number.isNaN(seconds)) throw new SqlError(SqlState.datetimeFieldOverflow, 'timestamp cannot be NaN');
  if (seconds === Number.POSITIVE_INFINITY) return TIMESTAMP_INFINITY;
  if (seconds === Number.NEGATIVE_INFINITY) return TIMESTAMP_NEG_INFINITY;
  const micros = Math.round(seconds * 1e6);
  if (!Number.isSafeInteger(micros) && Math.abs(micros) > 9.2e18) throw new SqlError(SqlState.datetimeFieldOverflow, 'timestamp out of range');
  return checkTimestampRange(BigInt(micros));
}

function localNow(context: FunctionContext, micros: bigint): bigint {
  return utcToLocal(micros, zoneOf(context));
}

function clockMicros(): bigint {
  return BigInt(Date.now()) * 1000n;
}

function atTimeZoneOfTimestamptz(zone: string, micros: bigint): bigint {
  checkZone(zone);
  return utcToLocal(micros, zone);
}

function atTimeZoneOfTimestamp(zone: string, micros: bigint): bigint {
  checkZone(zone);
  return isFiniteTimestamp(micros) ? checkTimestampRange(localToUtc(micros, zone)) : micros;
}

function checkZone(zone: string): void {
  if (!isValidTimeZone(zone)) throw new SqlError(SqlState.invalidParameterValue, `time zone "${zone}" not recognized`);
}

const stable = { volatility: 'stable' } as const;

export const datetimeFunctionDefs: readonly FunctionDef[] = [
  ...['now', 'transaction_timestamp', 'current_timestamp'].map((name) =>
    def(name, [], T.timestamptz, (_args, context) => context.transactionTimestamp, stable)),
  def('statement_timestamp', [], T.timestamptz, (_args, context) => context.statementTimestamp, stable),
  def('clock_timestamp', [], T.timestamptz, () => clockMicros(), { volatility: 'volatile' }),
  def('current_date', [], T.date, (_args, context) => timestampToDate(localNow(context, context.transactionTimestamp)), stable),
  def('localtimestamp', [], T.timestamp, (_args, context) => localNow(context, context.transactionTimestamp), stable),
  ...['localtime', 'current_time'].map((name) =>
    def(name, [], T.time, (_args, context) => splitTimestamp(localNow(context, context.transactionTimestamp)).timeMicros, stable)),
  binary('date_trunc', T.text, T.timestamp, T.timestamp, (unit: string, micros: bigint) => truncateLocal(unit, micros, T.timestamp)),
  def('date_trunc', [T.text, T.timestamptz], T.timestamptz, (args, context) => {
    const micros = args[1] as bigint;
    if (!isFiniteTimestamp(micros)) return micros;
    const zone = zoneOf(context);
    return localToUtc(truncateLocal(args[0] as string, utcToLocal(micros, zone), T.timestamptz), zone);
  }, stable),
  binary('date_trunc', T.text, T.interval, T.interval, truncateInterval),
  ...extractDefs('extract', (value) => value, T.numeric),
  ...extractDefs('date_part', asFloat, T.float8),
  def('make_date', [T.int4, T.int4, T.int4], T.date, (args) => makeDate(args[0] as number, args[1] as number, args[2] as number)),
  def('make_timestamp', [T.int4, T.int4, T.int4, T.int4, T.int4, T.float8], T.timestamp, makeTimestamp),
  unary('to_timestamp', T.float8, T.timestamptz, toTimestamp),
  unary('isfinite', T.date, T.bool, (date: number) => Number.isFinite(date)),
  unary('isfinite', T.timestamp, T.bool, (micros: bigint) => isFiniteTimestamp(micros)),
  unary('isfinite', T.timestamptz, T.bool, (micros: bigint) => isFiniteTimestamp(micros)),
  unary('isfinite', T.interval, T.bool, () => true),
  unary('justify_hours', T.interval, T.interval, justifyHours),
  unary('justify_days', T.interval, T.interval, justifyDays),
  unary('justify_interval', T.interval, T.interval, (span: Interval) => justifyHours(justifyDays(span))),
  binary('timezone', T.text, T.timestamptz, T.timestamp, atTimeZoneOfTimestamptz),
  binary('timezone', T.text, T.timestamp, T.timestamptz, atTimeZoneOfTimestamp),
];
