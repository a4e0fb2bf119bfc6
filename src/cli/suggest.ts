/** Edit distance (insertions, deletions, substitutions, and swaps of neighbours: "fromat"). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The candidate the user most likely meant: one that starts with what was typed, else the nearest
 * by edit distance if it is near enough to be a typo (at most a third of the word, and at most 3).
 */
export function closest(typed: string, candidates: readonly string[]): string | undefined {
  const word = typed.toLowerCase();
  if (!word) return undefined;
  const prefixed = candidates.filter((c) => c.toLowerCase().startsWith(word));
  if (prefixed.length === 1) return prefixed[0];
  let best: string | undefined;
  let bestDistance = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  for (const c of candidates) {
    const distance = editDistance(word, c.toLowerCase());
    if (distance <= bestDistance && (best === undefined || distance < bestDistance)) {
      best = c;
      bestDistance = distance;
    }
  }
  return best;
}
