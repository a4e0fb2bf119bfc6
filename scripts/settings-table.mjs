// Prints the README settings table from the settings the service reads (run after `npm run build`):
//   node scripts/settings-table.mjs
import { SETTINGS } from '../dist/config/settings.js';

console.log('| variable | default | accepted | meaning |\n|---|---|---|---|');
for (const [name, spec] of Object.entries(SETTINGS)) {
  console.log(`| \`${name}\` | ${spec.default !== undefined ? `\`${spec.default}\`` : '—'} | ${spec.accepted} | ${spec.doc} |`);
}
