// Preloaded with `node --import` into a CLI process under test: on exit, writes the
// process's peak resident set size (KiB, as process.resourceUsage reports it) to
// the file named by ROUTEAUDIT_TEST_MAX_RSS_FILE. Native (DuckDB) memory counts too.
import { writeFileSync } from 'node:fs';

const file = process.env.ROUTEAUDIT_TEST_MAX_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
