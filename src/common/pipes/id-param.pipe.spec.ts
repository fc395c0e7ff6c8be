import { IdParamPipe, MAX_ID } from './id-param.pipe';

describe('IdParamPipe', () => {
  const pipe = new IdParamPipe();
  const meta = { type: 'param' as const, data: 'id' };

  it('accepts positive integers in decimal that fit the id columns', () => {
    expect(pipe.transform('12', meta)).toBe(12);
    expect(pipe.transform(String(MAX_ID), meta)).toBe(MAX_ID);
  });

  it('answers 400 naming the parameter otherwise', () => {
    // Number() would read the exponent, hex, padded and leading-zero forms as ids: they are refused.
    for (const v of ['0', '-1', 'abc', '1.5', String(MAX_ID + 1), '1e3', '0x10', ' 12', '012', '12.0', 12, NaN]) {
      expect(() => pipe.transform(v, meta)).toThrow(
        expect.objectContaining({
          status: 400,
          response: {
            error: 'Validation failed',
            message: 'id must be a positive integer',
            details: [{ field: 'id', message: 'id must be a positive integer' }],
          },
        }),
      );
    }
  });
});
