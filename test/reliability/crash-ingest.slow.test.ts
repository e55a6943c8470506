/**
 * Crash during ingest: 20 runs of `routeaudit ingest` over 300,000 lines in ten
 * files are SIGKILLed at random moments (seeded; RELIABILITY_SEED reproduces a
 * run). After every kill the database opens and is consistent; every run that
 * completes, and a final normal rerun, has stored each line exactly once.
 * The trials are test/ingest/crash-trials.ts, which test/ingest/process.test.ts
 * runs at a few fixed moments.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { FILES, crashIngestTrials, writeLogs } from '../ingest/crash-trials.js';
import { ensureBuilt, seededRandom } from '../support/cli-process.js';
import { tempDir } from '../helpers.js';

const KILLS = 20;
const SEED = Number(process.env.RELIABILITY_SEED ?? 2020);
/** Kill moments: up to 4 s after the run first changes the database, about a whole ingest of the ten files. */
const MAX_DELAY_MS = 4000;

beforeAll(() => {
  ensureBuilt();
}, 120_000);

describe('SIGKILL at random moments during ingest', () => {
  it(`loses and duplicates nothing over ${KILLS} kills (seed ${SEED})`, async () => {
    const dir = tempDir();
    const expected = writeLogs(dir);
    expect(expected).toEqual({ linesRead: 300_000, loaded: 294_000, duplicates: 5_700, rejected: 300 });
    const random = seededRandom(SEED);
    const trials = await crashIngestTrials(dir, expected, KILLS, () => random() * MAX_DELAY_MS);
    const kills = trials.filter((t) => t.signal === 'SIGKILL');
    expect(kills).toHaveLength(KILLS);
    // Kills landed before the first commit, between commits, and after some of a run's files were stored.
    expect(kills.some((t) => t.entries === t.entriesBefore), JSON.stringify(trials)).toBe(true);
    expect(kills.some((t) => t.entries > t.entriesBefore && t.entries < FILES), JSON.stringify(trials)).toBe(true);
    console.log(
      `crash during ingest: ${trials.length} runs, ${kills.length} killed (seed ${SEED}), ` +
        `${trials.length - kills.length} completed plus the final rerun; lines lost 0, stored twice 0; ` +
        `kills at ${kills.map((t) => `${t.afterMs}ms:${t.entriesBefore}->${t.entries}`).join(' ')}`,
    );
  }, 900_000);
});
