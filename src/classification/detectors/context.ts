/**
 * Keywords before a value that say what it is. Formats such as "a letter and eight digits" or "a
 * bare 15-digit number" are shared by many identifiers, so several detectors accept them only
 * when the nearest keyword within a short window names the kind they look for.
 */
export function nearestKeyword<K extends string>(text: string, start: number, window: number, words: RegExp): K | undefined {
  let nearest: K | undefined;
  for (const match of text.slice(Math.max(0, start - window), start).matchAll(words)) {
    const groups = match.groups ?? {};
    nearest = Object.keys(groups).find((name) => groups[name] !== undefined) as K | undefined;
  }
  return nearest;
}
