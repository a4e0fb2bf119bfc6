import { PRECISE_DECIMALS } from './profile.js';
import type { Candidate, Detector } from './types.js';

/**
 * Precise coordinates inside China: latitude/longitude pairs where both numbers carry at least
 * four decimals (about 10 m), inside China's outline. The bounding box 3.8–53.6°N, 73.5–135.1°E
 * decides which number is which (the latitude and longitude ranges do not overlap, so a bare
 * pair in either order is unambiguous); the outline then keeps out the neighbours the box covers
 * (Mongolia, the Korean peninsula, northern Vietnam, Nepal…).
 */
export const CHINA_BOX = { minLat: 3.8, maxLat: 53.6, minLon: 73.5, maxLon: 135.1 } as const;
const PAIR_DISTANCE = 64;

type Axis = 'lat' | 'lon';

// `lat=39.9087`, `"lng": "116.3975"`, `gpsLat:39.9087`, `gps_lat`, `纬度：39.9087`. A lower-case key
// must not continue a lower-case word, which keeps `flat=` or `salon=` out; a capitalised key may
// (camel case).
const KEYED_NUMBER =
  /(?:(?<lat>(?<![a-z])lat(?:itude)?|Lat(?:itude)?|LAT(?:ITUDE)?|纬度)|(?<lon>(?<![a-z])l(?:ng|on(?:g(?:itude)?)?)|L(?:ng|on(?:g(?:itude)?)?)|L(?:NG|ON(?:G(?:ITUDE)?)?)|经度))["']?\s*[:=：]\s*["']?(?<number>-?\d{1,3}\.\d+)(?![\d.])/g;
// `116.3975,39.9087` or `[39.9087, 116.3975]`, only after a word that says coordinates follow:
// unlabelled, two numbers in range are as often telemetry (a temperature and a pressure in a CSV
// row) as a place.
const PAIR_CONTEXT_WINDOW = 48;
const PAIR_CONTEXT = /(?:lat|lng|lon|coord|gps|geo|locat|position|(?<![a-z])pos(?![a-z])|point|wgs|gcj|bd09|坐标|位置|经纬|定位|轨迹)/i;
const BARE_PAIR = /(?<![\d.-])(\d{1,3}\.\d{4,}),\s?(\d{1,3}\.\d{4,})(?![\d.])/g;

export function axisOf(value: number): Axis | undefined {
  if (value >= CHINA_BOX.minLat && value <= CHINA_BOX.maxLat) return 'lat';
  if (value >= CHINA_BOX.minLon && value <= CHINA_BOX.maxLon) return 'lon';
  return undefined;
}

export function isPreciseCoordinate(text: string): boolean {
  const dot = text.indexOf('.');
  return dot >= 0 && text.length - dot - 1 >= PRECISE_DECIMALS;
}

/**
 * A coarse outline of China (mainland, Hainan and Taiwan) as [longitude, latitude] points, traced
 * by the project from well-known border towns and coastal points. It is good to some tens of
 * kilometres: near a border a point may fall on the wrong side, coastal waters count as inside,
 * and the South China Sea islands are left out. For telling a city's own users from foreign ones
 * in logs that is enough; it is not a map.
 */
const CHINA_OUTLINE: readonly (readonly [number, number])[] = [
  [121.2, 53.6], [123.5, 53.6], [126.0, 52.8], [127.5, 50.2], [130.7, 48.9], [132.6, 47.8], [134.8, 48.4],
  [133.2, 45.1], [132.0, 45.2], [131.1, 44.8], [131.3, 43.4], [130.7, 42.3], [129.5, 42.4], [128.1, 41.9],
  [126.2, 41.1], [124.3, 39.8], [123.2, 37.2], [122.5, 34.0], [123.0, 31.0], [122.6, 29.0], [122.2, 25.3],
  [121.9, 24.0], [121.0, 21.8], [120.0, 22.5], [116.5, 22.8], [114.3, 22.0], [113.3, 21.8], [111.5, 21.3],
  [110.9, 20.2], [111.3, 19.7], [110.2, 17.9], [108.4, 18.3], [108.5, 19.4], [109.2, 21.3], [108.0, 21.5],
  [106.7, 22.0], [105.3, 23.3], [103.9, 22.5], [102.5, 22.7], [101.7, 22.4], [101.2, 21.1], [100.2, 21.4],
  [99.2, 22.1], [98.9, 23.2], [97.5, 23.9], [98.2, 25.2], [98.7, 27.5], [97.3, 28.2], [96.0, 27.3],
  [92.0, 26.9], [91.0, 27.9], [89.0, 28.0], [88.8, 27.3], [88.1, 27.9], [86.0, 27.9], [84.0, 28.6],
  [82.0, 30.1], [81.0, 30.2], [79.0, 30.9], [78.4, 32.5], [78.0, 35.5], [75.4, 36.9], [74.5, 37.4],
  [73.5, 39.4], [75.6, 40.6], [78.2, 41.5], [80.2, 42.2], [80.8, 43.2], [80.4, 45.0], [82.5, 45.4],
  [83.0, 47.2], [85.6, 47.0], [87.3, 49.1], [90.7, 46.0], [91.0, 45.2], [93.0, 44.9], [96.4, 42.7],
  [100.8, 42.6], [105.0, 41.6], [107.0, 42.4], [110.4, 42.6], [112.0, 43.7], [114.5, 44.8], [116.5, 46.3],
  [117.8, 46.5], [119.9, 46.7], [119.7, 47.2], [117.8, 47.9], [115.9, 47.8], [117.0, 49.7], [117.8, 49.8],
  [119.2, 50.3], [120.1, 51.7],
];

/** Even-odd ray casting: a horizontal ray from the point crosses the outline an odd number of times. */
export function insideChinaOutline(lat: number, lon: number): boolean {
  let inside = false;
  for (let i = 0, j = CHINA_OUTLINE.length - 1; i < CHINA_OUTLINE.length; j = i++) {
    const [xi, yi] = CHINA_OUTLINE[i];
    const [xj, yj] = CHINA_OUTLINE[j];
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** True when `lat` and `lon` (as written) are a precise pair inside China's outline. */
export function isPrecisePairInChina(lat: string, lon: string): boolean {
  return (
    isPreciseCoordinate(lat) &&
    isPreciseCoordinate(lon) &&
    axisOf(Number(lat)) === 'lat' &&
    axisOf(Number(lon)) === 'lon' &&
    insideChinaOutline(Number(lat), Number(lon))
  );
}

interface KeyedNumber {
  axis: Axis;
  number: string;
  start: number;
  end: number;
}

function keyedNumbers(text: string): KeyedNumber[] {
  const numbers: KeyedNumber[] = [];
  for (const match of text.matchAll(KEYED_NUMBER)) {
    const number = match.groups!.number;
    const end = match.index + match[0].length;
    numbers.push({ axis: match.groups!.lat ? 'lat' : 'lon', number, start: end - number.length, end });
  }
  return numbers;
}

function keyedPairs(text: string): Candidate[] {
  const numbers = keyedNumbers(text);
  const pairs: Candidate[] = [];
  for (let i = 0; i + 1 < numbers.length; i++) {
    const [first, second] = [numbers[i], numbers[i + 1]];
    if (first.axis === second.axis || second.start - first.end > PAIR_DISTANCE) continue;
    const [lat, lon] = first.axis === 'lat' ? [first, second] : [second, first];
    if (!isPrecisePairInChina(lat.number, lon.number)) continue;
    pairs.push({ value: text.slice(first.start, second.end), start: first.start, end: second.end, confidence: 0.95 });
    i++;
  }
  return pairs;
}

function barePairs(text: string): Candidate[] {
  const pairs: Candidate[] = [];
  for (const match of text.matchAll(BARE_PAIR)) {
    const [value, first, second] = match;
    if (!PAIR_CONTEXT.test(text.slice(Math.max(0, match.index - PAIR_CONTEXT_WINDOW), match.index))) continue;
    const [lat, lon] = axisOf(Number(first)) === 'lat' ? [first, second] : [second, first];
    if (!isPrecisePairInChina(lat, lon)) continue;
    // Unlabelled pairs may also be two unrelated measurements that happen to fall in range.
    pairs.push({ value, start: match.index, end: match.index + value.length, confidence: 0.8 });
  }
  return pairs;
}

export const locationDetector: Detector = {
  type: 'location',
  sensitive: true,
  // a pair, keyed or bare, is two precise numbers
  applies: (profile) => profile.preciseDecimals >= 2,
  detect(text) {
    const keyed = keyedPairs(text);
    const bare = barePairs(text).filter((pair) => !keyed.some((k) => pair.start < k.end && k.start < pair.end));
    return [...keyed, ...bare];
  },
  normalize: (value) => {
    const numbers = value.match(/-?\d{1,3}\.\d+/g) ?? [];
    const lat = numbers.find((n) => axisOf(Number(n)) === 'lat') ?? '';
    const lon = numbers.find((n) => axisOf(Number(n)) === 'lon') ?? '';
    return `${Number(lat)},${Number(lon)}`;
  },
};

const LAT_WORDS = new Set(['lat', 'latitude', '纬度']);
const LON_WORDS = new Set(['lng', 'lon', 'long', 'longitude', '经度']);

/** Which coordinate a JSON key holds, judged by its last word: `lat`, `gpsLat`, `gps_longitude`. */
export function coordinateKeyAxis(key: string): Axis | undefined {
  const lastWord = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[\s_.-]+/)
    .at(-1)
    ?.toLowerCase();
  if (lastWord === undefined) return undefined;
  if (LAT_WORDS.has(lastWord)) return 'lat';
  if (LON_WORDS.has(lastWord)) return 'lon';
  return undefined;
}
