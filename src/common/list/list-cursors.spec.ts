import { CursorCodec, KeysetKind } from './list-cursors';

const SECRET = 'a-secret-of-at-least-thirty-two-characters';
const SORT = '-l.created_at,-l.id';
const KINDS: KeysetKind[] = ['timestamp', 'integer'];
const cursor = { v: ['2026-03-01T10:00:00.000Z', 42], p: 2, s: SORT };

describe('CursorCodec', () => {
  it('reads back what it wrote, and what another instance with the same secret wrote', () => {
    const issued = new CursorCodec(SECRET).encode(cursor);
    expect(new CursorCodec(SECRET).decode(issued, SORT, KINDS)).toEqual(cursor);
  });

  it('refuses cursors of another secret, another sort, or with a payload or MAC changed', () => {
    const codec = new CursorCodec(SECRET);
    const issued = codec.encode(cursor);
    const [payload, mac] = issued.split('.');
    const other = new CursorCodec(`${SECRET}!`).encode(cursor);
    const altered = Buffer.from(JSON.stringify({ ...cursor, p: 3 })).toString('base64url');
    for (const raw of [
      other,
      `${altered}.${mac}`,
      payload,
      `${payload}.`,
      `${payload}.${mac.slice(1)}`,
      `.${mac}`,
      `${issued}.${mac}`,
      '',
    ]) {
      expect(codec.decode(raw, SORT, KINDS)).toBeNull();
    }
    expect(codec.decode(issued, '-l.updated_at,-l.id', KINDS)).toBeNull();
  });

  it('refuses a signed cursor whose values do not fit their columns', () => {
    const codec = new CursorCodec(SECRET);
    const bad = [
      { ...cursor, v: ['+275760-09-13T00:00:00.000Z', 42] },
      { ...cursor, v: ['2026-02-30T00:00:00.000Z', 42] },
      { ...cursor, v: ['2026-03-01T10:00:00Z', 42] },
      { ...cursor, v: [1e308, 42] },
      { ...cursor, v: ['2026-03-01T10:00:00.000Z', 'x'] },
      { ...cursor, v: ['2026-03-01T10:00:00.000Z', 1e308] },
      { ...cursor, v: ['2026-03-01T10:00:00.000Z', 2_147_483_648] },
      { ...cursor, v: ['2026-03-01T10:00:00.000Z', 1.5] },
      { ...cursor, v: ['2026-03-01T10:00:00.000Z'] },
      { ...cursor, p: 1 },
      { ...cursor, p: 1e308 },
      { ...cursor, p: '2' },
    ];
    for (const c of bad) expect(codec.decode(codec.encode(c as never), SORT, KINDS)).toBeNull();
    expect(codec.decode(codec.encode({ v: ['a\u0000'], p: 2, s: SORT }), SORT, ['text'])).toBeNull();
    expect(codec.decode(codec.encode({ v: ['ok'], p: 2, s: SORT }), SORT, ['text'])).toEqual({ v: ['ok'], p: 2, s: SORT });
  });
});
