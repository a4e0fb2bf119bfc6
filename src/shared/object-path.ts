/**
 * The value `keys` lead to below `root`, one plain property read per key (a dotted path split at
 * its dots); undefined where a level is missing or is not an object. Arrays are left whole: what
 * a caller takes from one (its first element, all of it) is the caller's choice.
 */
export function valueAt(root: unknown, keys: readonly string[]): unknown {
  let v = root;
  for (const key of keys) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
  return v;
}
