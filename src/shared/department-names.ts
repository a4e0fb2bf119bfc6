/** Spaces at either end, character width and letter case do not make another department. */
export const departmentKey = (name: string) => name.normalize('NFKC').trim().toLowerCase();

/** The listed spelling of a department name as someone wrote it, if it is listed. */
export function listedDepartment(listed: readonly string[], written: string): string | undefined {
  const key = departmentKey(written);
  return listed.find((name) => departmentKey(name) === key);
}
