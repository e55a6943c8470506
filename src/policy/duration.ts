// Units in descending order, each at most once: "1h30m" reads one way only, and "30m1h" is more likely a slip than a choice.
const DURATION = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;
/** Milliseconds per unit, in the order of DURATION's groups: w, d, h, m, s. */
const UNIT_MS = [604_800_000, 86_400_000, 3_600_000, 60_000, 1_000] as const;

/**
 * Milliseconds in a duration such as `90s`, `30m`, `1h`, `1h30m`, `1d` or `2w`
 * (units w, d, h, m, s; whole numbers), or null when the text is not one.
 * Zero (`0m`) is a valid duration; callers that need a positive one check.
 */
export function parseDuration(text: string): number | null {
  const match = DURATION.exec(text);
  if (!match || text === '') return null;
  // One group per unit, so `unit` indexes UNIT_MS.
  const total = match.slice(1).reduce((sum, amount, unit) => (amount === undefined ? sum : sum + Number(amount) * UNIT_MS[unit]!), 0);
  return Number.isSafeInteger(total) ? total : null;
}
