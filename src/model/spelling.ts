// How far apart two names are, for "did you mean" in what users write by hand: a rule id in
// settings (rollout/ruleIds.ts), a SAM property (iac/cloudformation/sam.ts), a repository name in
// the organization's settings (config/repositoryGlobs.ts). Our own few lines,
// since nothing in package.json offers one and the names are short.

/** Levenshtein distance with one row of memory. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The name in `known` (a SAM type or property, a repository) that `name`, which is none of them, is likely a
 * misspelling of: equal but for case, or within two edits of a name of six letters or more (one of
 * a shorter name).
 */
export function closestName(name: string, known: readonly string[]): string | undefined {
  if (known.includes(name)) return undefined;
  const typed = name.toLowerCase();
  let closest: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(typed, candidate.toLowerCase());
    const allowed = candidate.length >= 6 ? 2 : 1;
    if (distance <= allowed && distance < (closest?.distance ?? Infinity))
      closest = { name: candidate, distance };
  }
  return closest?.name;
}
