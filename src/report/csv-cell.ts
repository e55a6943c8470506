/**
 * RFC 4180 records, safe to open in a spreadsheet: a cell that would start a
 * formula (=, +, -, @, tab, carriage return: OWASP's CSV injection list) gets a
 * leading single quote, which spreadsheets show as text and scripts can strip.
 * A value that already begins with `'` gets one more, so that removing one
 * leading `'` from any cell that starts with one recovers every value exactly.
 */

const FORMULA_START = /^[=+\-@\t\r']/;

export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

export function csvCell(value: string, neutralise = true): string {
  const safe = neutralise ? neutraliseFormula(value) : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** One CSV record with its CRLF line end; `neutralise: false` for output meant for programs only. */
export function csvRecord(values: readonly string[], neutralise = true): string {
  return values.map((v) => csvCell(v, neutralise)).join(',') + '\r\n';
}
