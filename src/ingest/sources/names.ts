/** Where the built-in source definitions are, and their names: cheap to read, for --help (no YAML parsed). */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built-in definitions; the same relative place from src/ (tests) and dist/ (built CLI). */
export const SOURCES_DIR = fileURLToPath(new URL('../../../sources/', import.meta.url));

/** The name of the native schema as a source: docs/log-format.md. */
export const NATIVE_SOURCE = 'routeaudit';

export function builtInSourceFiles(): string[] {
  return readdirSync(SOURCES_DIR)
    .filter((name) => name.endsWith('.yaml'))
    .sort();
}

/** routeaudit, then the built-in sources, by name. */
export function sourceNames(): string[] {
  return [NATIVE_SOURCE, ...builtInSourceFiles().map((name) => name.slice(0, -'.yaml'.length))];
}
