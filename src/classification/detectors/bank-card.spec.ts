import { bankCardDetector, knownIssuer, luhnValid } from './bank-card.js';

const values = (text: string) => bankCardDetector.detect(text).map((found) => found.value);

describe('luhnValid', () => {
  it.each(['4111111111111111', '5500000000000004', '378282246310005', '6200000000000005', '6011111111111117'])('accepts %s', (digits) => {
    expect(luhnValid(digits)).toBe(true);
  });

  it.each(['4111111111111112', '6200000000000006', '1234567890123'])('rejects %s', (digits) => {
    expect(luhnValid(digits)).toBe(false);
  });
});

describe('knownIssuer', () => {
  it.each([
    ['6200000000000005', 'UnionPay'],
    ['4111111111111111', 'Visa'],
    ['5500000000000004', 'Mastercard'],
    ['2221000000000009', 'Mastercard'],
    ['378282246310005', 'American Express'],
    ['3530111333300000', 'JCB'],
    ['6011111111111117', 'Discover'],
  ])('%s is %s', (digits, issuer) => {
    expect(knownIssuer(digits)).toBe(issuer);
  });

  it('requires the length to fit the scheme', () => {
    expect(knownIssuer('41111111111111111')).toBeUndefined(); // Visa never issues 17 digits
    expect(knownIssuer('378282246310005' + '0')).toBeUndefined();
  });
});

describe('bankCardDetector', () => {
  it('finds a card next to a card keyword with high confidence', () => {
    expect(bankCardDetector.detect('银行卡号：6200000000000005，持卡人张三')).toMatchObject([
      { value: '6200000000000005', confidence: 0.95 },
    ]);
  });

  it('finds a card by issuer prefix alone with lower confidence', () => {
    expect(bankCardDetector.detect('pay 4111111111111111 ok')).toMatchObject([{ value: '4111111111111111', confidence: 0.75 }]);
  });

  it('finds a grouped card number', () => {
    expect(values('card: 4111 1111 1111 1111')).toEqual(['4111 1111 1111 1111']);
    expect(values('card: 4111-1111-1111-1111')).toEqual(['4111-1111-1111-1111']);
  });

  it('accepts a Luhn-valid number without a known prefix only when a card keyword is near', () => {
    // 9558 cards are old ICBC domestic cards: no international scheme prefix.
    const digits = '9558800000000000000';
    expect(luhnValid(digits)).toBe(true);
    expect(values(`卡号=${digits}`)).toEqual([digits]);
    expect(values(`id=${digits}`)).toEqual([]);
  });

  it('rejects a failing Luhn sum even next to a card keyword', () => {
    expect(values('card_no=4111111111111112')).toEqual([]);
  });

  it('treats a number labelled as an order or transaction as not a card', () => {
    expect(values('order_no=4111111111111111')).toEqual([]);
    expect(values('订单号：6200000000000005')).toEqual([]);
    expect(values('txn 6200000000000005')).toEqual([]);
    // The nearest keyword decides.
    expect(values('order=88 card=4111111111111111')).toEqual(['4111111111111111']);
    expect(values('card payment, order_no=4111111111111111')).toEqual([]);
  });

  it('does not read a card out of a longer digit run', () => {
    expect(values('card 41111111111111111111')).toEqual([]);
    expect(values('card 4111 1111 1111 1111 1111 1')).toEqual([]);
  });
});

describe('bankCardDetector and identity documents', () => {
  it('does not take a Luhn-passing number labelled as an id card for a bank card', () => {
    // Luhn-valid with a UnionPay prefix: only the label says what it is.
    expect(values('idcard=6200000000000005')).toEqual([]);
    expect(values('id_card: 6200000000000005')).toEqual([]);
    expect(values('身份证号 6200000000000005')).toEqual([]);
  });
});
