// Calendar arithmetic and PostgreSQL-compatible text for date, time, timestamp, timestamptz and
// interval values. Dates are days since 1970-01-01 in the proleptic Gregorian calendar
// (astronomical years: year 0 is 1 BC); timestamps are µs since 1970-01-01 00:00:00, with the
// extreme bigints standing for 'infinity' and '-infinity' as in PostgreSQL. Time zones are
// resolved through Intl (full ICU ships with Node), fixed offsets and UTC without it.

import { SqlError, SqlState } from './errors.js';
import type { Interval } from './types.js';

export const MICROS_PER_SECOND = 1_000_000n;
export const MICROS_PER_MINUTE = 60_000_000n;
export const MICROS_PER_HOUR = 3_600_000_000n;
export const MICROS_PER_DAY = 86_400_000_000n;
/** 'infinity' and '-infinity' timestamps, PostgreSQL's DT_NOEND and DT_NOBEGIN. */
export const TIMESTAMP_INFINITY = 9223372036854775807n;
export const TIMESTAMP_NEG_INFINITY = -9223372036854775808n;
/** Days of 4714-11-24 BC (Julian day 0) and of the first day past 5874897-12-31, PostgreSQL's date range. */
export const DATE_MIN_DAYS = -2440588;
export const DATE_END_DAYS = 2145031949;
/** µs of 4714-11-24 BC 00:00 and of 294277-01-01 00:00, PostgreSQL's timestamp range. */
export const TIMESTAMP_MIN_MICROS = -210866803200000000n;
export const TIMESTAMP_END_MICROS = 9224318016000000000n;

export interface CivilDate { readonly year: number; readonly month: number; readonly day: number }

/** Days since 1970-01-01 of an astronomical (year 0 = 1 BC) Gregorian date. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const shiftedMonth = (month + 9) % 12;
  const dayOfYear = Math.floor((153 * shiftedMonth + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

export function civilFromDays(days: number): CivilDate {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Floor division and its non-negative remainder for bigints. */
export function floorDivMod(a: bigint, b: bigint): [bigint, bigint] {
  let quotient = a / b;
  let remainder = a % b;
  if (remainder !== 0n && (remainder < 0n) !== (b < 0n)) {
    quotient -= 1n;
    remainder += b;
  }
  return [quotient, remainder];
}

export function isFiniteTimestamp(micros: bigint): boolean {
  return micros !== TIMESTAMP_INFINITY && micros !== TIMESTAMP_NEG_INFINITY;
}

/** Splits a finite timestamp into its day number and µs within that day. */
export function splitTimestamp(micros: bigint): { days: number; timeMicros: bigint } {
  const [days, timeMicros] = floorDivMod(micros, MICROS_PER_DAY);
  return { days: Number(days), timeMicros };
}

export function timestampFromParts(days: number, timeMicros: bigint): bigint {
  return BigInt(days) * MICROS_PER_DAY + timeMicros;
}

export function checkTimestampRange(micros: bigint): bigint {
  if (micros < TIMESTAMP_MIN_MICROS || micros >= TIMESTAMP_END_MICROS) {
    throw new SqlError(SqlState.datetimeFieldOverflow, 'timestamp out of range');
  }
  return micros;
}

export function checkDateRange(days: number): number {
  if (Number.isFinite(days) && (days < DATE_MIN_DAYS || days >= DATE_END_DAYS)) {
    throw new SqlError(SqlState.datetimeFieldOverflow, 'date out of range');
  }
  return days;
}

// ---------------------------------------------------------------------------------------------
// Time zones

const zoneFormatters = new Map<string, Intl.DateTimeFormat>();

function zoneFormatter(zone: string): Intl.DateTimeFormat | undefined {
  let formatter = zoneFormatters.get(zone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone: zone, hourCycle: 'h23', era: 'short',
        year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
      });
    } catch {
      return undefined;
    }
    zoneFormatters.set(zone, formatter);
  }
  return formatter;
}

/** Parses a fixed offset such as '+05', '-0330', '+05:30:15', 'UTC', 'Z'; seconds east of UTC. */
export function parseFixedOffset(text: string): number | undefined {
  const upper = text.trim().toUpperCase();
  if (upper === 'UTC' || upper === 'GMT' || upper === 'Z' || upper === 'ZULU' || upper === 'UCT' || upper === 'ETC/UTC') return 0;
  const match = /^([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$/.exec(upper);
  if (!match) return undefined;
  const seconds = Number(match[2]) * 3600 + Number(match[3] ?? 0) * 60 + Number(match[4] ?? 0);
  return match[1] === '-' ? -seconds : seconds;
}

export function isValidTimeZone(zone: string): boolean {
  return parseFixedOffset(zone) !== undefined || zoneFormatter(zone) !== undefined;
}

/**
 * The offset (seconds east of UTC) of `zone` at the UTC instant `micros`. A POSIX-style fixed
 * offset given as a TimeZone setting ('+05') means west of UTC, as in PostgreSQL's SET TIME ZONE;
 * offsets written in a timestamp literal are parsed by the caller with parseFixedOffset.
 */
export function zoneOffsetSeconds(zone: string, micros: bigint): number {
  const fixed = parseFixedOffset(zone);
  if (fixed !== undefined) return /^[A-Za-z]/.test(zone.trim()) ? fixed : -fixed;
  const formatter = zoneFormatter(zone);
  if (formatter === undefined) {
    throw new SqlError(SqlState.invalidParameterValue, `time zone "${zone}" not recognized`);
  }
  const millis = Number(floorDivMod(micros, 1000n)[0]);
  // Intl covers ±8.64e15 ms; beyond it, use the offset at the edge.
  const clamped = Math.max(-8.64e15, Math.min(8.64e15, millis));
  const wholeSecondMillis = Math.floor(clamped / 1000) * 1000;
  const parts = formatter.formatToParts(new Date(wholeSecondMillis));
  let year = 0; let month = 1; let day = 1; let hour = 0; let minute = 0; let second = 0; let bc = false;
  for (const part of parts) {
    switch (part.type) {
      case 'year': year = Number(part.value); break;
      case 'month': month = Number(part.value); break;
      case 'day': day = Number(part.value); break;
      case 'hour': hour = Number(part.value); break;
      case 'minute': minute = Number(part.value); break;
      case 'second': second = Number(part.value); break;
      case 'era': bc = part.value.startsWith('B'); break;
      default: break;
    }
  }
  if (bc) year = 1 - year;
  const localSeconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
  return localSeconds - wholeSecondMillis / 1000;
}

/** UTC µs of a wall-clock time (µs since 1970 as if UTC) in `zone`. */
export function localToUtc(localMicros: bigint, zone: string): bigint {
  let guess = localMicros - BigInt(zoneOffsetSeconds(zone, localMicros)) * MICROS_PER_SECOND;
  for (let i = 0; i < 2; i++) {
    const offset = BigInt(zoneOffsetSeconds(zone, guess)) * MICROS_PER_SECOND;
    const next = localMicros - offset;
    if (next === guess) break;
    guess = next;
  }
  return guess;
}

// ---------------------------------------------------------------------------------------------
// Output

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function yearText(year: number): { text: string; bc: boolean } {
  const bc = year <= 0;
  return { text: pad(bc ? 1 - year : year, 4), bc };
}

export function formatDate(days: number): string {
  if (days === Number.POSITIVE_INFINITY) return 'infinity';
  if (days === Number.NEGATIVE_INFINITY) return '-infinity';
  const { year, month, day } = civilFromDays(days);
  const { text, bc } = yearText(year);
  return `${text}-${pad(month, 2)}-${pad(day, 2)}${bc ? ' BC' : ''}`;
}

/** 'HH:MM:SS[.ffffff]' with trailing zeros of the fraction removed. */
export function formatTimeOfDay(timeMicros: bigint): string {
  const totalSeconds = Number(timeMicros / MICROS_PER_SECOND);
  const fraction = Number(timeMicros % MICROS_PER_SECOND);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  return `${pad(hours, 2)}:${pad(minutes, 2)}:${pad(seconds, 2)}${fractionText(fraction)}`;
}

function fractionText(micros: number): string {
  if (micros === 0) return '';
  return '.' + pad(micros, 6).replace(/0+$/, '');
}

export function formatOffset(offsetSeconds: number): string {
  const sign = offsetSeconds < 0 ? '-' : '+';
  const absolute = Math.abs(offsetSeconds);
  const hours = Math.floor(absolute / 3600);
  const minutes = Math.floor((absolute % 3600) / 60);
  const seconds = absolute % 60;
  let text = sign + pad(hours, 2);
  if (minutes !== 0 || seconds !== 0) text += ':' + pad(minutes, 2);
  if (seconds !== 0) text += ':' + pad(seconds, 2);
  return text;
}

export function formatTimestamp(micros: bigint): string {
  if (micros === TIMESTAMP_INFINITY) return 'infinity';
  if (micros === TIMESTAMP_NEG_INFINITY) return '-infinity';
  return formatLocal(micros, '');
}

export function formatTimestamptz(micros: bigint, zone = 'UTC'): string {
  if (micros === TIMESTAMP_INFINITY) return 'infinity';
  if (micros === TIMESTAMP_NEG_INFINITY) return '-infinity';
  const offset = zoneOffsetSeconds(zone, micros);
  return formatLocal(micros + BigInt(offset) * MICROS_PER_SECOND, formatOffset(offset));
}

function formatLocal(localMicros: bigint, offsetText: string): string {
  const { days, timeMicros } = splitTimestamp(localMicros);
  const { year, month, day } = civilFromDays(days);
  const { text, bc } = yearText(year);
  return `${text}-${pad(month, 2)}-${pad(day, 2)} ${formatTimeOfDay(timeMicros)}${offsetText}${bc ? ' BC' : ''}`;
}

export function formatTime(micros: bigint): string {
  return formatTimeOfDay(micros);
}

/** PostgreSQL's IntervalStyle 'postgres': '1 year 2 mons 3 days 04:05:06', '-1 days +04:00:00'. */
export function formatInterval(interval: Interval): string {
  const parts: string[] = [];
  let isBefore = false;
  const addPart = (value: number, unit: string): void => {
    if (value === 0) return;
    parts.push(`${isBefore && value > 0 ? '+' : ''}${value} ${unit}${value === 1 ? '' : 's'}`);
    isBefore = value < 0;
  };
  addPart(Math.trunc(interval.months / 12), 'year');
  addPart(interval.months % 12 === 0 ? 0 : interval.months % 12, 'mon');
  addPart(interval.days, 'day');
  const micros = interval.micros;
  if (parts.length === 0 || micros !== 0n) {
    const negative = micros < 0n;
    const absolute = negative ? -micros : micros;
    const hours = absolute / MICROS_PER_HOUR;
    const minutes = Number((absolute % MICROS_PER_HOUR) / MICROS_PER_MINUTE);
    const seconds = Number((absolute % MICROS_PER_MINUTE) / MICROS_PER_SECOND);
    const fraction = Number(absolute % MICROS_PER_SECOND);
    const sign = negative ? '-' : isBefore ? '+' : '';
    parts.push(`${sign}${hours.toString().padStart(2, '0')}:${pad(minutes, 2)}:${pad(seconds, 2)}${fractionText(fraction)}`);
  }
  return parts.join(' ');
}

// ---------------------------------------------------------------------------------------------
// Input

function badDatetime(typeName: string, text: string): SqlError {
  return new SqlError(SqlState.invalidDatetimeFormat, `invalid input syntax for type ${typeName}: "${text}"`);
}

function fieldOverflow(text: string): SqlError {
  return new SqlError(SqlState.datetimeFieldOverflow, `date/time field value out of range: "${text}"`);
}

interface ParsedDateTime {
  special?: 'infinity' | '-infinity' | 'epoch' | 'now' | 'today' | 'tomorrow' | 'yesterday';
  days?: number;
  timeMicros?: bigint;
  /** Seconds east of UTC written in the text, or a zone name. */
  offsetSeconds?: number;
  zoneName?: string;
}

/** Parses a time of day 'HH:MM[:SS[.fff]]' into µs; undefined if the text is not one. */
function parseTimeOfDay(text: string, original: string, typeName: string): bigint | undefined {
  const match = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d*))?)?$/.exec(text);
  if (!match) return undefined;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  const seconds = Number(match[3] ?? 0);
  const fractionDigits = match[4] ?? '';
  let fraction = 0;
  if (fractionDigits.length > 0) {
    fraction = Math.round(Number('0.' + fractionDigits) * 1e6);
  }
  if (minutes > 59 || seconds > 60 || hours > 24) throw fieldOverflow(original);
  const total = BigInt(hours) * MICROS_PER_HOUR + BigInt(minutes) * MICROS_PER_MINUTE + BigInt(seconds) * MICROS_PER_SECOND + BigInt(fraction);
  if (total > MICROS_PER_DAY) throw fieldOverflow(original);
  void typeName;
  return total;
}

/** Fast path for a date written exactly `YYYY-MM-DD` (a real date of year 1 or later); undefined for anything else. */
function parsePlainIsoDate(text: string): number | undefined {
  if (text.length !== 10 || text.charCodeAt(4) !== 0x2d || text.charCodeAt(7) !== 0x2d) return undefined;
  const year = fixedDigits(text, 0, 4);
  const month = fixedDigits(text, 5, 2);
  const day = fixedDigits(text, 8, 2);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return checkDateRange(daysFromCivil(year, month, day));
}

/** The number written by `count` digits at text[start], or -1 if one is not a digit. */
function fixedDigits(text: string, start: number, count: number): number {
  let value = 0;
  for (let at = start; at < start + count; at++) {
    const digit = text.charCodeAt(at) - 0x30;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

function parseDatePart(text: string, original: string, bc: boolean): number | undefined {
  let year: number; let month: number; let day: number;
  let match = /^(\d{1,7})-(\d{1,2})-(\d{1,2})$/.exec(text) ?? /^(\d{4,7})\/(\d{1,2})\/(\d{1,2})$/.exec(text);
  if (match) {
    year = Number(match[1]); month = Number(match[2]); day = Number(match[3]);
  } else if ((match = /^(\d{4})(\d{2})(\d{2})$/.exec(text))) {
    year = Number(match[1]); month = Number(match[2]); day = Number(match[3]);
  } else if ((match = /^(\d{1,2})\/(\d{1,2})\/(\d{1,7})$/.exec(text))) {
    // DateStyle MDY, PostgreSQL's default.
    month = Number(match[1]); day = Number(match[2]); year = Number(match[3]);
  } else if ((match = /^([a-z]{3,9})[ -](\d{1,2}),?[ -](\d{1,7})$/i.exec(text))) {
    month = monthIndex(match[1] ?? '');
    day = Number(match[2]); year = Number(match[3]);
    if (month === 0) return undefined;
  } else if ((match = /^(\d{1,2})[ -]([a-z]{3,9})[ -](\d{1,7})$/i.exec(text))) {
    day = Number(match[1]); month = monthIndex(match[2] ?? ''); year = Number(match[3]);
    if (month === 0) return undefined;
  } else {
    return undefined;
  }
  if (year === 0 && bc) throw fieldOverflow(original);
  if (month < 1 || month > 12 || day < 1) throw fieldOverflow(original);
  if (year === 0) throw fieldOverflow(original);
  const astronomicalYear = bc ? 1 - year : year;
  if (day > daysInMonth(astronomicalYear, month)) throw fieldOverflow(original);
  return daysFromCivil(astronomicalYear, month, day);
}

const fullMonthNames = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** 1-based month of an English month name or its abbreviation (at least 3 letters); 0 if none. */
function monthIndex(name: string): number {
  const lower = name.toLowerCase();
  if (lower.length < 3) return 0;
  return fullMonthNames.findIndex((full) => full.startsWith(lower)) + 1;
}

const specialWords = new Set(['infinity', '+infinity', '-infinity', 'epoch', 'now', 'today', 'tomorrow', 'yesterday']);

function parseDateTimeText(text: string, typeName: string): ParsedDateTime {
  let rest = text.trim().toLowerCase();
  if (specialWords.has(rest)) {
    const word = rest === '+infinity' ? 'infinity' : rest;
    return { special: word as NonNullable<ParsedDateTime['special']> };
  }
  let bc = false;
  const eraMatch = /\s*\b(bc|ad)$/.exec(rest);
  if (eraMatch) {
    bc = eraMatch[1] === 'bc';
    rest = rest.slice(0, eraMatch.index).trim();
  }
  const result: ParsedDateTime = {};
  // Date and time separated by 'T' or spaces.
  const isoMatch = /^(\d{1,7}-\d{1,2}-\d{1,2})t(.*)$/.exec(rest);
  let datePart: string;
  let timePart: string;
  if (isoMatch) {
    datePart = isoMatch[1] ?? '';
    timePart = isoMatch[2] ?? '';
  } else {
    const tokens = rest.split(/\s+/);
    const timeIndex = tokens.findIndex((token) => /^\d{1,2}:/.test(token));
    if (timeIndex >= 0) {
      datePart = tokens.slice(0, timeIndex).join(' ');
      timePart = tokens.slice(timeIndex).join(' ');
    } else {
      // A zone name may follow a date alone ('2020-01-01 UTC'); keep it with the time part.
      const last = tokens[tokens.length - 1] ?? '';
      if (tokens.length > 1 && /^[a-z+-]/.test(last) && parseDatePart(tokens.join(' '), text, bc) === undefined) {
        datePart = tokens.slice(0, -1).join(' ');
        timePart = last;
      } else {
        datePart = rest;
        timePart = '';
      }
    }
  }
  if (datePart !== '') {
    const days = parseDatePart(datePart, text, bc);
    if (days === undefined) throw badDatetime(typeName, text);
    result.days = days;
  } else if (typeName !== 'time') {
    throw badDatetime(typeName, text);
  }
  if (timePart !== '') {
    const zoneMatch = /^([\d:.]*)\s*(.*)$/.exec(timePart);
    const clock = zoneMatch?.[1] ?? '';
    const zone = (zoneMatch?.[2] ?? '').trim();
    if (clock !== '') {
      const micros = parseTimeOfDay(clock, text, typeName);
      if (micros === undefined) throw badDatetime(typeName, text);
      result.timeMicros = micros;
    }
    if (zone !== '') {
      const fixed = /^[+-]/.test(zone) ? parseFixedOffset(zone) : undefined;
      if (fixed !== undefined) {
        result.offsetSeconds = fixed;
      } else {
        const named = zoneByName(zone);
        if (named === undefined) throw badDatetime(typeName, text);
        result.zoneName = named;
      }
    }
  }
  return result;
}

function zoneByName(zone: string): string | undefined {
  const upper = zone.toUpperCase();
  if (upper === 'Z' || upper === 'UTC' || upper === 'GMT' || upper === 'ZULU') return 'UTC';
  for (const candidate of [zone, zone.replace(/(^|\/)([a-z])/g, (_all, slash: string, letter: string) => slash + letter.toUpperCase())]) {
    if (zoneFormatter(candidate) !== undefined) return candidate;
  }
  return undefined;
}

/** The current time, for 'now'/'today' inputs. */
function nowMicros(): bigint {
  return BigInt(Date.now()) * 1000n;
}

export function parseDate(text: string, zone = 'UTC'): number {
  const plain = parsePlainIsoDate(text);
  if (plain !== undefined) return plain;
  const parsed = parseDateTimeText(text, 'date');
  switch (parsed.special) {
    case 'infinity': return Number.POSITIVE_INFINITY;
    case '-infinity': return Number.NEGATIVE_INFINITY;
    case 'epoch': return 0;
    case 'now': case 'today': case 'tomorrow': case 'yesterday': {
      const local = nowMicros() + BigInt(zoneOffsetSeconds(zone, nowMicros())) * MICROS_PER_SECOND;
      const today = splitTimestamp(local).days;
      return today + (parsed.special === 'tomorrow' ? 1 : parsed.special === 'yesterday' ? -1 : 0);
    }
    case undefined: break;
  }
  return checkDateRange(parsed.days ?? 0);
}

/** timestamp without time zone: a zone written in the text is ignored, as PostgreSQL does. */
export function parseTimestamp(text: string, zone = 'UTC'): bigint {
  const parsed = parseDateTimeText(text, 'timestamp without time zone');
  const special = specialTimestamp(parsed, zone, false);
  if (special !== undefined) return special;
  return checkTimestampRange(timestampFromParts(parsed.days ?? 0, parsed.timeMicros ?? 0n));
}

export function parseTimestamptz(text: string, zone = 'UTC'): bigint {
  const parsed = parseDateTimeText(text, 'timestamp with time zone');
  const special = specialTimestamp(parsed, zone, true);
  if (special !== undefined) return special;
  const local = timestampFromParts(parsed.days ?? 0, parsed.timeMicros ?? 0n);
  let utc: bigint;
  if (parsed.offsetSeconds !== undefined) utc = local - BigInt(parsed.offsetSeconds) * MICROS_PER_SECOND;
  else utc = localToUtc(local, parsed.zoneName ?? zone);
  return checkTimestampRange(utc);
}

function specialTimestamp(parsed: ParsedDateTime, zone: string, withZone: boolean): bigint | undefined {
  switch (parsed.special) {
    case 'infinity': return TIMESTAMP_INFINITY;
    case '-infinity': return TIMESTAMP_NEG_INFINITY;
    case 'epoch': return 0n;
    case 'now': return withZone ? nowMicros() : nowMicros() + BigInt(zoneOffsetSeconds(zone, nowMicros())) * MICROS_PER_SECOND;
    case 'today': case 'tomorrow': case 'yesterday': {
      const now = nowMicros();
      const offset = BigInt(zoneOffsetSeconds(zone, now)) * MICROS_PER_SECOND;
      const days = splitTimestamp(now + offset).days + (parsed.special === 'tomorrow' ? 1 : parsed.special === 'yesterday' ? -1 : 0);
      const local = timestampFromParts(days, 0n);
      return withZone ? localToUtc(local, zone) : local;
    }
    case undefined: return undefined;
  }
}

export function parseTime(text: string): bigint {
  const trimmed = text.trim().toLowerCase();
  const match = /^(?:\d{1,7}-\d{1,2}-\d{1,2}[t ]\s*)?([\d:.]+)\s*(am|pm)?$/.exec(trimmed);
  const micros = match ? parseTimeOfDay(match[1] ?? '', text, 'time') : undefined;
  if (micros === undefined) throw badDatetime('time without time zone', text);
  if (match?.[2] !== undefined) {
    const hours = micros / MICROS_PER_HOUR;
    if (hours > 12n || hours === 0n) throw fieldOverflow(text);
    const base = hours === 12n ? micros - 12n * MICROS_PER_HOUR : micros;
    return match[2] === 'pm' ? base + 12n * MICROS_PER_HOUR : base;
  }
  return micros;
}

// Interval input: PostgreSQL's verbose syntax ('1 year 2 mons -3 days 04:05:06', '@ 1 hour ago',
// '1.5 days') and ISO 8601 durations ('P1Y2M3DT4H5M6S').

interface IntervalUnit { readonly months?: number; readonly days?: number; readonly micros?: number }

function unitEntries(names: readonly string[], unit: IntervalUnit): [string, IntervalUnit][] {
  return names.map((name) => [name, unit]);
}

const intervalUnits: ReadonlyMap<string, IntervalUnit> = new Map<string, IntervalUnit>([
  ...unitEntries(['millennium', 'millennia', 'millenniums', 'mil', 'mils'], { months: 12000 }),
  ...unitEntries(['century', 'centuries', 'cent', 'c'], { months: 1200 }),
  ...unitEntries(['decade', 'decades', 'dec', 'decs'], { months: 120 }),
  ...unitEntries(['year', 'years', 'y', 'yr', 'yrs'], { months: 12 }),
  ...unitEntries(['month', 'months', 'mon', 'mons'], { months: 1 }),
  ...unitEntries(['week', 'weeks', 'w'], { days: 7 }),
  ...unitEntries(['day', 'days', 'd'], { days: 1 }),
  ...unitEntries(['hour', 'hours', 'h', 'hr', 'hrs'], { micros: 3_600_000_000 }),
  ...unitEntries(['minute', 'minutes', 'm', 'min', 'mins'], { micros: 60_000_000 }),
  ...unitEntries(['second', 'seconds', 's', 'sec', 'secs'], { micros: 1_000_000 }),
  ...unitEntries(['millisecond', 'milliseconds', 'ms', 'msec', 'msecs', 'millisecon'], { micros: 1000 }),
  ...unitEntries(['microsecond', 'microseconds', 'us', 'usec', 'usecs'], { micros: 1 }),
]);

class IntervalBuilder {
  months = 0;
  days = 0;
  micros = 0;
  /** Adds `amount` of a unit, spilling fractions down (months → days at 30, days → µs at 24h). */
  add(amount: number, unit: { months?: number; days?: number; micros?: number }): void {
    if (unit.months !== undefined) {
      const totalMonths = amount * unit.months;
      const wholeMonths = Math.trunc(totalMonths);
      this.months += wholeMonths;
      const fractionDays = (totalMonths - wholeMonths) * 30;
      this.addDays(fractionDays);
    } else if (unit.days !== undefined) {
      this.addDays(amount * unit.days);
    } else {
      this.micros += Math.round(amount * (unit.micros ?? 0));
    }
  }
  private addDays(amount: number): void {
    const whole = Math.trunc(amount);
    this.days += whole;
    this.micros += Math.round((amount - whole) * 86_400_000_000);
  }
  build(negate: boolean): Interval {
    const sign = negate ? -1 : 1;
    return { months: sign * this.months + 0, days: sign * this.days + 0, micros: BigInt(sign * this.micros) };
  }
}

export function parseInterval(text: string): Interval {
  const bad = (): SqlError => badDatetime('interval', text);
  let rest = text.trim().toLowerCase();
  if (rest.startsWith('p')) return parseIsoInterval(rest, bad);
  let ago = false;
  if (rest.startsWith('@')) rest = rest.slice(1).trim();
  if (/\bago$/.test(rest)) {
    ago = true;
    rest = rest.slice(0, -3).trim();
  }
  if (rest === '') throw bad();
  const builder = new IntervalBuilder();
  const tokens = rest.replace(/([0-9.])([a-z])/g, '$1 $2').split(/\s+/);
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? '';
    const clock = /^([+-]?)(\d+):(\d+)(?::(\d+(?:\.\d*)?))?$/.exec(token);
    if (clock) {
      const sign = clock[1] === '-' ? -1 : 1;
      const micros = Number(clock[2]) * 3_600_000_000 + Number(clock[3]) * 60_000_000 + Math.round(Number(clock[4] ?? 0) * 1e6);
      builder.micros += sign * micros;
      continue;
    }
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(token)) throw bad();
    const amount = Number(token);
    const unitText = tokens[i + 1];
    const unit = unitText === undefined ? undefined : intervalUnits.get(unitText);
    if (unit === undefined) {
      if (unitText === undefined) {
        builder.add(amount, { micros: 1_000_000 });
        continue;
      }
      throw bad();
    }
    builder.add(amount, unit);
    i++;
  }
  return checkInterval(builder.build(ago), text);
}

function parseIsoInterval(text: string, bad: () => SqlError): Interval {
  const match = /^p(?:([-\d.]+)y)?(?:([-\d.]+)m)?(?:([-\d.]+)w)?(?:([-\d.]+)d)?(?:t(?:([-\d.]+)h)?(?:([-\d.]+)m)?(?:([-\d.]+)s)?)?$/.exec(text);
  if (!match || text === 'p' || text.endsWith('t')) throw bad();
  const builder = new IntervalBuilder();
  const units = [{ months: 12 }, { months: 1 }, { days: 7 }, { days: 1 }, { micros: 3_600_000_000 }, { micros: 60_000_000 }, { micros: 1_000_000 }];
  const groups = match;
  units.forEach((unit, index) => {
    const amount = groups[index + 1];
    if (amount === undefined) return;
    const value = Number(amount);
    if (!Number.isFinite(value)) throw bad();
    builder.add(value, unit);
  });
  return checkInterval(builder.build(false), text);
}

function checkInterval(interval: Interval, text: string): Interval {
  if (!Number.isSafeInteger(interval.months) || Math.abs(interval.months) > 2147483647 || Math.abs(interval.days) > 2147483647) {
    throw new SqlError(SqlState.datetimeFieldOverflow, `interval field value out of range: "${text}"`);
  }
  return interval;
}
