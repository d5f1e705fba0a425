/**
 * Pure: "did you mean …" for a mistyped name (a setting, a command, a
 * companion), by optimal-string-alignment distance (Damerau-Levenshtein with
 * adjacent transpositions).
 */

/** The edit distance between two strings, a swap of neighbours counting as one edit. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((d[(i - 1) * cols + j] as number) + 1, (d[i * cols + j - 1] as number) + 1, (d[(i - 1) * cols + j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, (d[(i - 2) * cols + j - 2] as number) + 1);
      d[i * cols + j] = best;
    }
  }
  return d[rows * cols - 1] as number;
}

/** The most edits a suggestion may be away: a third of the longer word, at least 1, at most 3. */
function threshold(word: string): number {
  return Math.max(1, Math.min(3, Math.floor(word.length / 3)));
}

/** The known name closest to `word` when it is close enough (ties: the first listed), else null. */
export function closest(word: string, known: Iterable<string>): string | null {
  const lower = word.toLowerCase();
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    if (candidate === word) continue;
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance <= threshold(candidate.length > word.length ? candidate : word) && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** `; did you mean "x"?` when a known name is close to `word`, else "". */
export function didYouMean(word: string, known: Iterable<string>): string {
  const match = closest(word, known);
  return match === null ? "" : `; did you mean "${match}"?`;
}
