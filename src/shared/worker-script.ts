/**
 * The compiled script of a worker thread beside `moduleUrl`. Tests run modules from their
 * TypeScript source, which a worker cannot load: they get the build's copy in dist/.
 */
export function compiledWorkerScript(relative: string, moduleUrl: string): URL {
  const script = new URL(relative, moduleUrl);
  if (!moduleUrl.endsWith('.ts')) return script;
  const i = script.pathname.lastIndexOf('/src/');
  return new URL(`file://${script.pathname.slice(0, i)}/dist/${script.pathname.slice(i + '/src/'.length)}`);
}
