import { plateDetector } from './plate.js';

const values = (text: string) => plateDetector.detect(text).map((found) => found.value);

describe('plateDetector', () => {
  it.each([
    ['入场 车牌:京A12345 时间 08:01', '京A12345'],
    ['plate=粤B·8K2P7', '粤B·8K2P7'],
    ['新能源小车 沪AD12345 出场', '沪AD12345'],
    ['新能源小车 沪AFB1234 出场', '沪AFB1234'],
    ['新能源大车 苏E12345D', '苏E12345D'],
    ['挂车 冀F1234挂', '冀F1234挂'],
    ['教练车 川A1234学', '川A1234学'],
    ['港澳车 粤Z1234港', '粤Z1234港'],
    ['"plate":"琼A 88888"', '琼A 88888'],
    ['plate=京a12345 (typed in lower case)', '京a12345'],
    ['救援 粤B1234应急', '粤B1234应急'],
    ['领馆 沪A1234领', '沪A1234领'],
    ['使馆 使014401', '使014401'],
  ])('finds the plate in %j', (text, plate) => {
    expect(values(text)).toEqual([plate]);
  });

  it.each([
    ['I as office letter', '京I12345'],
    ['O in the serial', '京A1O345'],
    ['a seventh character', '京A123456'],
    ['too short', '京A1234'],
    ['three letters in the serial', '新ABCD1'],
    ['not a province', '港A12345'],
    ['new-energy marker in the wrong place', '京A1D2345'],
  ])('ignores %s', (_reason, text) => {
    expect(values(`车牌 ${text} 出场`)).toEqual([]);
  });

  it('normalises away the separator', () => {
    expect(plateDetector.normalize('粤B·8K2P7')).toBe('粤B8K2P7');
    expect(plateDetector.normalize('粤b·8k2p7')).toBe('粤B8K2P7');
  });
});
