import { textArrayParam } from './prepared';
const { prepareValue } = require('pg/lib/utils') as { prepareValue: (v: unknown) => unknown };

describe('textArrayParam', () => {
  it('is the array literal pg itself sends for the list, quotes and backslashes escaped', () => {
    const lists = [['lead_created', 'lead_updated'], ['a"b', 'back\\slash', 'comma,x', '{brace}', '', ' spaced '], []];
    for (const list of lists) expect(textArrayParam(list)).toBe(prepareValue(list));
    expect(textArrayParam(['a"b', 'c\\d'])).toBe('{"a\\"b","c\\\\d"}');
  });

  it('builds the literal once per list', () => {
    const list = ['x', 'y'];
    const first = textArrayParam(list);
    list.push('z');
    expect(textArrayParam(list)).toBe(first);
    expect(textArrayParam([...list])).toBe('{"x","y","z"}');
  });
});
