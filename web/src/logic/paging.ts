// Cursor paging over the API's next_page_token: the console remembers the token of every
// page it has seen, so "Previous" works without the server keeping any state.
export interface Pager {
  /** Token of each visited page; the first page's token is "". */
  tokens: string[];
  /** Index of the page on screen. */
  index: number;
  /** Token of the page after the one on screen; "" when this is the last page. */
  next: string;
}

export function firstPage(): Pager {
  return { tokens: [""], index: 0, next: "" };
}

export function currentToken(p: Pager): string {
  return p.tokens[p.index];
}

/** Records the next_page_token of the page that just arrived. */
export function withNext(p: Pager, next: string): Pager {
  return { ...p, next };
}

export function hasNext(p: Pager): boolean {
  return p.next !== "";
}

export function hasPrevious(p: Pager): boolean {
  return p.index > 0;
}

export function nextPage(p: Pager): Pager {
  if (!hasNext(p)) return p;
  return { tokens: [...p.tokens.slice(0, p.index + 1), p.next], index: p.index + 1, next: "" };
}

export function previousPage(p: Pager): Pager {
  if (!hasPrevious(p)) return p;
  return { tokens: p.tokens, index: p.index - 1, next: p.tokens[p.index] };
}

/** "101–200 of 12,345" for the page on screen. */
export function rangeLabel(p: Pager, pageSize: number, shown: number, total: number): string {
  const fmt = new Intl.NumberFormat("en-US");
  if (shown === 0) return `0 of ${fmt.format(total)}`;
  const from = p.index * pageSize + 1;
  return `${fmt.format(from)}–${fmt.format(from + shown - 1)} of ${fmt.format(total)}`;
}
