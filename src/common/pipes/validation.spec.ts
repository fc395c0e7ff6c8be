import { inspectBody, MAX_BODY_DEPTH } from './validation';

describe('inspectBody', () => {
  it('accepts ordinary bodies', () => {
    expect(inspectBody({ firstName: 'a', tags: [1, { b: 2 }] })).toEqual({ structural: [], text: [] });
  });

  it('names prototype-reaching keys wherever they are', () => {
    const body = JSON.parse('{"__proto__": {"x": 1}, "a": {"constructor": 1}, "b": [{"prototype": 2}]}');
    expect(inspectBody(body).structural).toEqual(
      expect.arrayContaining([
        { field: '__proto__', message: '__proto__ is not an allowed property' },
        { field: 'a.constructor', message: 'a.constructor is not an allowed property' },
        { field: 'b.0.prototype', message: 'b.0.prototype is not an allowed property' },
      ]),
    );
  });

  it('finds NUL characters and lone surrogates in any text value, in the order of the input', () => {
    const body = { a: 'ok \u{1F600}', b: { c: 'x\u0000y' }, d: ['\u0000', 'z\ud800'], e: '\udc00\u0000', f: '\ud83d' };
    expect(inspectBody(body).text).toEqual([
      { field: 'b.c', message: 'b.c must not contain NUL characters' },
      { field: 'd.0', message: 'd.0 must not contain NUL characters' },
      { field: 'd.1', message: 'd.1 must not contain unpaired UTF-16 surrogates' },
      { field: 'e', message: 'e must not contain NUL characters' },
      { field: 'e', message: 'e must not contain unpaired UTF-16 surrogates' },
      { field: 'f', message: 'f must not contain unpaired UTF-16 surrogates' },
    ]);
  });

  it('accepts surrogate pairs and every other character', () => {
    expect(inspectBody({ a: '\u{1F600}\u{10FFFF}\uFFFF\u0001 ✓ 中文' }).text).toEqual([]);
  });

  it('refuses nesting deeper than the limit without recursing', () => {
    const deep = JSON.parse(`{"notes":${'['.repeat(100000)}1${']'.repeat(100000)}}`);
    const problems = inspectBody(deep).structural;
    expect(problems).toHaveLength(1);
    expect(problems[0].message).toBe(`nesting deeper than ${MAX_BODY_DEPTH} levels is not allowed`);
  });
});
