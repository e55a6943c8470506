/**
 * What a log file's name says: its format and compression. Shared by discovery
 * (which files to read) and the database layer (a --db that names a log is a slip).
 */
export type LogFormat = 'jsonl' | 'csv' | 'parquet';
export type Compression = 'none' | 'gzip' | 'zstd';

export const COMPRESSION_SUFFIXES: readonly [string, Compression][] = [
  ['.gz', 'gzip'],
  ['.gzip', 'gzip'],
  ['.zst', 'zstd'],
  ['.zstd', 'zstd'],
];
export const FORMAT_SUFFIXES: readonly [string, LogFormat][] = [
  ['.jsonl', 'jsonl'],
  ['.ndjson', 'jsonl'],
  ['.json', 'jsonl'],
  ['.log', 'jsonl'],
  ['.csv', 'csv'],
  ['.parquet', 'parquet'],
];

/** For messages: ".jsonl, .ndjson, .json, .log, .csv or .parquet". */
export const LOG_SUFFIXES_TEXT = `${FORMAT_SUFFIXES.slice(0, -1).map(([suffix]) => suffix).join(', ')} or ${FORMAT_SUFFIXES.at(-1)![0]}`;

/** A name ending like a log or a compressed file. */
export function looksLikeLogFile(name: string): boolean {
  const lower = name.toLowerCase();
  return [...FORMAT_SUFFIXES, ...COMPRESSION_SUFFIXES].some(([suffix]) => lower.endsWith(suffix));
}
