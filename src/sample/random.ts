/**
 * A seeded pseudo-random generator (mulberry32): `routeaudit sample` must write
 * the same bytes for the same seed on every machine, and Math.random cannot be
 * seeded. Statistical quality is ample for synthetic logs; it is not for
 * anything secret.
 */
export class Random {
  private state: number;

  constructor(seed: number) {
    // Scrambled first: the raw state advances by a constant per draw, so seeds that differ by a
    // multiple of it would replay the same stream one draw apart.
    let mixed = seed >>> 0;
    mixed = Math.imul(mixed ^ (mixed >>> 16), 0x85ebca6b);
    mixed = Math.imul(mixed ^ (mixed >>> 13), 0xc2b2ae35);
    this.state = (mixed ^ (mixed >>> 16)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** A whole number in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('cannot pick from an empty list');
    return items[this.int(0, items.length - 1)] as T;
  }

  weighted<T>(choices: readonly { value: T; weight: number }[]): T {
    const total = choices.reduce((sum, choice) => sum + choice.weight, 0);
    let remaining = this.next() * total;
    for (const choice of choices) {
      remaining -= choice.weight;
      if (remaining < 0) return choice.value;
    }
    const last = choices.at(-1);
    if (!last) throw new Error('cannot pick from an empty list');
    return last.value;
  }

  /** The items in a weighted random order: heavier items tend to come first. */
  weightedOrder<T>(choices: readonly { value: T; weight: number }[]): T[] {
    const left = [...choices];
    const order: T[] = [];
    while (left.length > 0) {
      const chosen = this.weighted(left.map((choice, index) => ({ value: index, weight: choice.weight })));
      order.push((left.splice(chosen, 1)[0] as { value: T }).value);
    }
    return order;
  }

  shuffled<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
    }
    return copy;
  }

  hex(digits: number): string {
    let text = '';
    for (let i = 0; i < digits; i++) text += this.int(0, 15).toString(16);
    return text;
  }
}
