/**
 * The known name closest to a mistyped one, or undefined when none is close: the same name in another
 * case or spelling of separators (`time_out` → `timeOut`), a known name it starts (`timeOut` →
 * `timeoutMs`), or one within a small edit distance (`secrt` → `secret`).
 */
export function didYouMean(typed: string, known: readonly string[]): string | undefined {
  const simple = simplify(typed);
  if (simple === '') return undefined;
  const exact = known.find((name) => simplify(name) === simple);
  if (exact !== undefined) return exact;
  const prefixed = known.filter((name) => simplify(name).startsWith(simple) || simple.startsWith(simplify(name)));
  if (prefixed.length === 1) return prefixed[0];
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(simple, simplify(name));
    if (best === undefined || distance < best.distance) best = { name, distance };
  }
  return best !== undefined && best.distance <= Math.max(1, Math.floor(simple.length / 3)) ? best.name : undefined;
}

function simplify(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Levenshtein distance, with one row of memory. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length] as number;
}
