import { inspectBody, MAX_BODY_DEPTH } from './validation';

describe('inspectBody', () => {
  it('accepts ordinary bodies', () => {
    expect(inspectBody({ firstName: 'a', tags: [1, { b: 2 }] })).toEqual([]);
  });

  it('names prototype-reaching keys wherever they are', () => {
    const body = JSON.parse('{"__proto__": {"x": 1}, "a": {"constructor": 1}, "b": [{"prototype": 2}]}');
    expect(inspectBody(body)).toEqual(
      expect.arrayContaining([
        { field: '__proto__', message: '__proto__ is not an allowed property' },
        { field: 'a.constructor', message: 'a.constructor is not an allowed property' },
        { field: 'b.0.prototype', message: 'b.0.prototype is not an allowed property' },
      ]),
    );
  });

  it('refuses nesting deeper than the limit without recursing', () => {
    const deep = JSON.parse(`{"notes":${'['.repeat(100000)}1${']'.repeat(100000)}}`);
    const problems = inspectBody(deep);
    expect(problems).toHaveLength(1);
    expect(problems[0].message).toBe(`nesting deeper than ${MAX_BODY_DEPTH} levels is not allowed`);
  });
});
