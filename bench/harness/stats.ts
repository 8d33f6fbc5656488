// Summaries of repeated runs and the number formats used in the table.

export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: readonly number[];
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new Error('no runs to summarize');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median =
    sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted[sorted.length - 1] as number, runs: values };
}

/** 1234567 → "1 234 567"; small values keep significant decimals (0.123, 4.56, 78.9). */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  const digits = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3;
  const [whole = '0', fraction] = value.toFixed(digits).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ' ');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/** 12.3 → "12×", 0.456 → "0.46×", 0.00123 → "0.0012×" (small ratios keep two significant digits). */
export function formatFactor(value: number): string {
  if (value >= 10) return `${value.toFixed(0)}×`;
  if (value >= 0.1 || value === 0) return `${value.toFixed(2)}×`;
  return `${Number(value.toPrecision(2))}×`;
}

/** 2000000 → "2 000 000 rows". */
export function formatRows(rows: number): string {
  return `${formatNumber(rows)} rows`;
}
