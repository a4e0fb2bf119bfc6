import { readFileSync } from 'node:fs';

/**
 * Datagrams the kernel dropped on the UDP socket bound to `port` because its receive buffer was
 * full: the `drops` column of /proc/net/udp and /proc/net/udp6. These never reach the service, so
 * no counter of its own can see them. Undefined where /proc is not available (not Linux).
 */
export function kernelUdpDrops(port: number, tables: readonly string[] = ['/proc/net/udp', '/proc/net/udp6']): number | undefined {
  let total: number | undefined;
  for (const table of tables) {
    let text: string;
    try {
      text = readFileSync(table, 'latin1');
    } catch {
      continue;
    }
    total = (total ?? 0) + dropsInTable(text, port);
  }
  return total;
}

/** Sums the `drops` column over the lines whose local address has this port. */
export function dropsInTable(text: string, port: number): number {
  // local_address is hex address:port, e.g. 0100007F:157A; drops is the last column.
  const suffix = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  let drops = 0;
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 13 || !fields[1].endsWith(suffix)) continue;
    drops += Number(fields[fields.length - 1]) || 0;
  }
  return drops;
}
