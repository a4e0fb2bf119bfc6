import { coordinateKeyAxis, insideChinaOutline, locationDetector } from './location.js';

const values = (text: string) => locationDetector.detect(text).map((found) => found.value);

describe('locationDetector', () => {
  it.each([
    ['GET /nearby?lat=39.9087&lon=116.3975', '39.9087&lon=116.3975'],
    ['{"lng":116.3975,"lat":39.9087}', '116.3975,"lat":39.9087'],
    ['{"gpsLat":"31.2304","gpsLng":"121.4737"}', '31.2304","gpsLng":"121.4737'],
    ['纬度：30.5728，经度：104.0668', '30.5728，经度：104.0668'],
    ['point 116.3975,39.9087 reported', '116.3975,39.9087'],
    ['"coordinates":[113.2644, 23.1291]', '113.2644, 23.1291'],
    ['pos=39.9087,116.3975', '39.9087,116.3975'],
  ])('finds the pair in %j', (text, pair) => {
    expect(values(text)).toEqual([pair]);
  });

  it('scores unlabelled pairs lower than labelled ones', () => {
    expect(locationDetector.detect('lat=39.9087,lon=116.3975')[0].confidence).toBeGreaterThan(
      locationDetector.detect('coordinates 116.3975,39.9087')[0].confidence,
    );
  });

  it('takes an unlabelled pair only after a word that says coordinates follow, not telemetry in a CSV row', () => {
    expect(locationDetector.detect('116.3975,39.9087')).toEqual([]);
    expect(locationDetector.detect('temperature,pressure\n36.1234,101.3250')).toEqual([]);
    expect(locationDetector.detect('定位 116.3975,39.9087')).toHaveLength(1);
  });

  it.each([
    ['three decimals', 'lat=39.908&lon=116.397'],
    ['one imprecise half', 'lat=39.9087&lon=116.39'],
    ['Paris', 'lat=48.8566&lon=2.3522'],
    ['Tokyo (east of the box)', 'lat=35.6762&lon=139.6503'],
    ['New York', '-74.0060,40.7128'],
    ['southern hemisphere', 'lat=-33.8688&lon=151.2093'],
    ['two latitudes', '39.9087,40.1234'],
    ['a lone latitude', 'lat=39.9087'],
    ['keys too far apart', `lat=39.9087 ${'x'.repeat(80)} lon=116.3975`],
    ['a word ending in lat', 'flat=39.9087&lon=116.3975'],
    ['version numbers', 'v1.2.3 116.3975.39.9087'],
  ])('ignores %s', (_reason, text) => {
    expect(values(text)).toEqual([]);
  });

  it('normalises a pair to lat,lon whatever the order', () => {
    expect(locationDetector.normalize('116.3975,39.9087')).toBe('39.9087,116.3975');
    expect(locationDetector.normalize('39.90870&lon=116.3975')).toBe('39.9087,116.3975');
  });
});

describe('coordinateKeyAxis', () => {
  it.each([
    ['lat', 'lat'],
    ['Latitude', 'lat'],
    ['gpsLat', 'lat'],
    ['gps_latitude', 'lat'],
    ['纬度', 'lat'],
    ['lng', 'lon'],
    ['device.longitude', 'lon'],
    ['经度', 'lon'],
    ['flat', undefined],
    ['plate', undefined],
    ['', undefined],
  ])('%j → %s', (key, axis) => {
    expect(coordinateKeyAxis(key)).toBe(axis);
  });
});

describe('China outline', () => {
  // Cities near every stretch of the border and coast, and the neighbours the bounding box covers.
  const inside: [string, number, number][] = [
    ['北京', 39.9042, 116.4074], ['乌鲁木齐', 43.8256, 87.6168], ['哈尔滨', 45.8038, 126.535], ['三亚', 18.2528, 109.512],
    ['拉萨', 29.65, 91.1], ['喀什', 39.47, 75.99], ['海拉尔', 49.2, 119.7], ['满洲里', 49.59, 117.43], ['台北', 25.03, 121.56],
    ['香港', 22.3, 114.17], ['景洪', 22.0, 100.8], ['丹东', 40.13, 124.38], ['大连', 38.91, 121.6], ['漠河', 52.97, 122.54],
    ['延吉', 42.9, 129.5], ['二连浩特', 43.65, 111.98], ['阿勒泰', 47.84, 88.14], ['瑞丽', 24.01, 97.85], ['日喀则', 29.27, 88.88],
    ['南宁', 22.82, 108.32], ['珠海', 22.27, 113.57],
  ];
  const outside: [string, number, number][] = [
    ['Seoul', 37.5665, 126.978], ['Pyongyang', 39.03, 125.75], ['Vladivostok', 43.12, 131.9], ['Ulaanbaatar', 47.8864, 106.9057],
    ['Choibalsan', 48.07, 114.5], ['Chita', 52.03, 113.5], ['Hanoi', 21.0278, 105.8342], ['Haiphong', 20.86, 106.68],
    ['Vientiane', 17.97, 102.6], ['Mandalay', 21.97, 96.08], ['Kathmandu', 27.7, 85.3], ['Thimphu', 27.47, 89.64],
    ['Gangtok', 27.33, 88.61], ['Leh', 34.15, 77.58], ['Almaty', 43.24, 76.9], ['Bishkek', 42.87, 74.6], ['Manila', 14.6, 121.0],
    ['Busan', 35.18, 129.08], ['Khabarovsk', 48.48, 135.07],
  ];
  it.each(inside)('%s is inside', (_name, lat, lon) => expect(insideChinaOutline(lat, lon)).toBe(true));
  it.each(outside)('%s is outside', (_name, lat, lon) => expect(insideChinaOutline(lat, lon)).toBe(false));
});
