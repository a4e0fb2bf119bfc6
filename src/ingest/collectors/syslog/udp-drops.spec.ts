import { dropsInTable } from './udp-drops.js';

// Lines in the layout of the Linux kernel's /proc/net/udp and /proc/net/udp6 (net/ipv4/udp.c).
const UDP = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  112: 0100007F:157A 00000000:0000 07 00000000:00030000 00:00000000 00000000     0        0 81233 2 0000000000000000 172
  201: 00000000:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000   101        0 10443 2 0000000000000000 5
  305: 0100007F:A57A 0100007F:157A 01 00000000:00000000 00:00000000 00000000     0        0 81240 2 0000000000000000 9
`;
const UDP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  112: 00000000000000000000000000000000:157A 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 81234 2 0000000000000000 3
`;

describe('kernel UDP drops from /proc/net/udp', () => {
  it('reads the drops column of the lines bound to the port, not of sockets whose peer has that port', () => {
    expect(dropsInTable(UDP, 5498)).toBe(172);
    expect(dropsInTable(UDP, 53)).toBe(5);
    expect(dropsInTable(UDP6, 5498)).toBe(3);
    expect(dropsInTable(UDP, 5514)).toBe(0);
  });
});
