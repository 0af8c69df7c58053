// Names for the emails the preview shows (managers): first from the preview's own rows, then
// from the directory, then from the rest of the preview (a new manager further down the file).
export type NameLookup = (email: string) => Promise<string | undefined>;

/** Looks each email up at most once and remembers the answer, found or not. */
export class NameBook {
  private names = new Map<string, string>();
  private asked = new Set<string>();

  constructor(private readonly lookups: readonly NameLookup[], private readonly maxLookups = 200) {}

  learn(names: Map<string, string>): void {
    for (const [email, name] of names) this.names.set(email.toLowerCase(), name);
  }

  name(email: string): string | undefined {
    return this.names.get(email.toLowerCase());
  }

  /** Resolves the emails not known yet; true when any name was learned. */
  async resolve(emails: readonly string[]): Promise<boolean> {
    const todo = emails.map((e) => e.toLowerCase()).filter((e) => !this.names.has(e) && !this.asked.has(e));
    let learned = false;
    for (const email of todo) {
      // A bound on lookups keeps one huge preview from sending thousands of requests.
      if (this.asked.size >= this.maxLookups) break;
      this.asked.add(email);
      for (const lookup of this.lookups) {
        const name = await lookup(email).catch(() => undefined);
        if (name) {
          this.names.set(email, name);
          learned = true;
          break;
        }
      }
    }
    return learned;
  }
}

/** The entry of a search answer whose email is exactly the one asked for. */
export function exactMatch<T extends { email: string }>(items: readonly T[], email: string): T | undefined {
  const want = email.toLowerCase();
  return items.find((i) => i.email.toLowerCase() === want);
}
