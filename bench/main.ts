import { detectBenchmark } from './detect.js';
import { ingestBenchmark } from './ingest.js';
import { serviceBenchmark } from './service.js';
import { windowsRulesBenchmark } from './windows-rules.js';

const suites: Record<string, () => Promise<void>> = { ingest: ingestBenchmark, service: serviceBenchmark, detect: detectBenchmark, 'windows-rules': windowsRulesBenchmark };

const requested = process.argv.slice(2);
const unknown = requested.filter((s) => !(s in suites));
if (unknown.length) {
  process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; available: ${Object.keys(suites).join(', ')}\n`);
  process.exit(2);
}
for (const name of requested.length ? requested : Object.keys(suites)) await suites[name]();
process.exit(0);
