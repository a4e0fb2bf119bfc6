import { coordinateKeyAxis, locationDetector } from './location.js';

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
      locationDetector.detect('116.3975,39.9087')[0].confidence,
    );
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
