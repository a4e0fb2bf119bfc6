/** Polls until `probe` holds, for work that completes on its own schedule (sockets, batch writers, relays); fails naming `what`. */
export async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; !(await probe()); await new Promise((r) => setTimeout(r, 50))) {
    if (Date.now() > deadline) throw new Error(`never happened within ${timeoutMs} ms: ${what}`);
  }
}
