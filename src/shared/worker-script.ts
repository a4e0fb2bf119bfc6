/**
 * The compiled script of a worker thread next to `moduleUrl`. Tests run modules from their
 * TypeScript source, where no `.js` sits beside them: the build's copy under dist/ is used then.
 */
export function compiledWorkerScript(name: string, moduleUrl: string): URL {
  const script = new URL(name, moduleUrl);
  if (!moduleUrl.endsWith('.ts')) return script;
  const i = script.pathname.lastIndexOf('/src/');
  return new URL(`file://${script.pathname.slice(0, i)}/dist/${script.pathname.slice(i + '/src/'.length)}`);
}
