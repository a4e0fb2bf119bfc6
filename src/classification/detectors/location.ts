import type { Candidate, Detector } from './types.js';

/**
 * Precise coordinates inside China: latitude/longitude pairs where both numbers carry at least
 * four decimals (about 10 m), inside the bounding box 3.8–53.6°N, 73.5–135.1°E. The box also
 * covers parts of neighbouring countries (Mongolia, the Korean peninsula, northern Vietnam…);
 * telling them apart needs a border polygon, which is not worth its weight for log screening.
 * The latitude and longitude ranges do not overlap, so a bare pair in either order is unambiguous.
 */
export const CHINA_BOX = { minLat: 3.8, maxLat: 53.6, minLon: 73.5, maxLon: 135.1 } as const;
const MIN_DECIMALS = 4;
const PAIR_DISTANCE = 64;

type Axis = 'lat' | 'lon';

// `lat=39.9087`, `"lng": "116.3975"`, `gpsLat:39.9087`, `gps_lat`, `纬度：39.9087`. A lower-case key
// must not continue a lower-case word, which keeps `flat=` or `salon=` out; a capitalised key may
// (camel case).
const KEYED_NUMBER =
  /(?:(?<lat>(?<![a-z])lat(?:itude)?|Lat(?:itude)?|LAT(?:ITUDE)?|纬度)|(?<lon>(?<![a-z])l(?:ng|on(?:g(?:itude)?)?)|L(?:ng|on(?:g(?:itude)?)?)|L(?:NG|ON(?:G(?:ITUDE)?)?)|经度))["']?\s*[:=：]\s*["']?(?<number>-?\d{1,3}\.\d+)(?![\d.])/g;
// `116.3975,39.9087` or `[39.9087, 116.3975]`.
const BARE_PAIR = /(?<![\d.-])(\d{1,3}\.\d{4,}),\s?(\d{1,3}\.\d{4,})(?![\d.])/g;

export function axisOf(value: number): Axis | undefined {
  if (value >= CHINA_BOX.minLat && value <= CHINA_BOX.maxLat) return 'lat';
  if (value >= CHINA_BOX.minLon && value <= CHINA_BOX.maxLon) return 'lon';
  return undefined;
}

export function isPreciseCoordinate(text: string): boolean {
  const dot = text.indexOf('.');
  return dot >= 0 && text.length - dot - 1 >= MIN_DECIMALS;
}

/** True when `lat` and `lon` (as written) are a precise pair inside the box. */
export function isPrecisePairInChina(lat: string, lon: string): boolean {
  return (
    isPreciseCoordinate(lat) && isPreciseCoordinate(lon) && axisOf(Number(lat)) === 'lat' && axisOf(Number(lon)) === 'lon'
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
  applies: (profile) => profile.longestFraction >= MIN_DECIMALS,
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
