import { inspectBody, MAX_BODY_DEPTH } from './validation';

describe('inspectBody', () => {
  it('accepts ordinary bodies', () => {
    expect(inspectBody({ firstName: 'a', tags: [1, { b: 2 }] })).toEqual({ structural: [], nul: [] });
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

  it('finds NUL characters in any text value', () => {
    expect(inspectBody({ a: 'ok', b: { c: 'x\u0000y' }, d: ['\u0000'] }).nul).toEqual(
      expect.arrayContaining([
        { field: 'b.c', message: 'b.c must not contain NUL characters' },
        { field: 'd.0', message: 'd.0 must not contain NUL characters' },
      ]),
    );
  });

  it('refuses nesting deeper than the limit without recursing', () => {
    const deep = JSON.parse(`{"notes":${'['.repeat(100000)}1${']'.repeat(100000)}}`);
    const problems = inspectBody(deep).structural;
    expect(problems).toHaveLength(1);
    expect(problems[0].message).toBe(`nesting deeper than ${MAX_BODY_DEPTH} levels is not allowed`);
  });
});
