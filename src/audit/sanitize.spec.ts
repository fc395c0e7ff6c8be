import { getMetadataArgsStorage } from 'typeorm';
import { ENTITIES } from '../database/entities';
import { isSecretKey, MASK, maskSecrets, sanitizeHeaders, sanitizePath } from './sanitize';

describe('isSecretKey', () => {
  it('recognizes the contract words in any case and with any separators', () => {
    const secret = [
      ...[
        'password',
        'Password',
        'PASSWORD',
        'newPassword',
        'password_confirmation',
        'pass_word',
        'passwd',
        'passphrase',
        'passcode',
        'pass',
        'userPass',
      ],
      ...['pwd', 'userPwd', 'PWD'],
      ...['secret', 'apiSecret', 'client_secret', 'clientsecret', 'x-api-secret'],
      ...['token', 'accessToken', 'refresh_token', 'x-auth-token', 'x-access-token', 'x-csrf-token', '_csrf', 'x-xsrf-token', 'tokens'],
      ...['jwt', 'idJwt', 'JWT'],
      ...['apiKey', 'api_key', 'api-key', 'APIKEY', 'apikey', 'x-api-key', 'ApiKey'],
      ...['otp', 'otpCode', 'OTPCode', 'otp_code', 'totp', 'userOtp'],
      ...['pin', 'PIN', 'userPin', 'userPIN', 'pin_code', 'pinCode', 'PIN-CODE', 'card pin', 'pins', 'pin2'],
      ...['cookie', 'set-cookie', 'cookies', 'Cookie'],
      ...['auth', 'Auth', 'authToken', 'auth_header', 'x-auth', 'oauth', 'authorization', 'proxy-authorization', 'Authorization'],
      ...['credential', 'credentials', 'privateKey', 'private_key'],
    ];
    expect(secret.filter((k) => !isSecretKey(k))).toEqual([]);
  });

  it('leaves ordinary names alone, including those with a short secret word inside another word', () => {
    const plain = [
      ...[
        'email',
        'firstName',
        'lastName',
        'company',
        'assignedTo',
        'phone',
        'notes',
        'jobTitle',
        'source',
        'status',
        'page',
        'pageSize',
        'sort',
        'search',
      ],
      ...[
        'shipping',
        'opinion',
        'spinner',
        'pinned',
        'mapping',
        'pincode',
        'author',
        'authorName',
        'author_id',
        'authority',
        'footprint',
        'passport',
        'compass',
      ],
      ...[
        'key',
        'idempotency-key',
        'x-request-id',
        'x-account-id',
        'content-type',
        'user-agent',
        'accept',
        'host',
        'www-authenticate',
        '__proto__',
      ],
    ];
    expect(plain.filter((k) => isSecretKey(k))).toEqual([]);
  });

  it('masks no column of the schema but the stored credentials', () => {
    const columns = getMetadataArgsStorage()
      .columns.filter((c) => ENTITIES.includes(c.target as (typeof ENTITIES)[number]))
      .map((c) => `${(c.target as { name: string }).name}.${c.propertyName}`);
    expect(columns.length).toBeGreaterThan(50);
    expect(columns.filter((c) => isSecretKey(c.split('.')[1])).sort()).toEqual([
      'ApiKey.secretHash',
      'AuditLog.apiKey',
      'User.passwordHash',
      'Webhook.secretEncrypted',
    ]);
  });

  it('gives the same verdict when a name comes back', () => {
    expect([isSecretKey('userPin'), isSecretKey('userPin'), isSecretKey('shipping'), isSecretKey('shipping')]).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });
});

describe('sanitizeHeaders', () => {
  it('masks the values of headers named like a secret and keeps every name', () => {
    const headers = {
      authorization: 'Bearer t',
      cookie: 'sid=1',
      'x-api-key': 'k',
      'x-auth-token': 'a',
      'x-access-token': 'b',
      'x-csrf-token': 'c',
      'x-account-id': '12',
      'user-agent': 'ua',
    };
    expect(sanitizeHeaders(headers)).toEqual({
      authorization: MASK,
      cookie: MASK,
      'x-api-key': MASK,
      'x-auth-token': MASK,
      'x-access-token': MASK,
      'x-csrf-token': MASK,
      'x-account-id': '12',
      'user-agent': 'ua',
    });
  });
});

describe('sanitizePath', () => {
  it('masks the values of secret parameters, keeping the path, the names and every other parameter as sent', () => {
    for (const url of ['/leads', '/leads?', '/leads?page=2&search=shipping', '/leads?token', '/leads?a=1&&b', '/pin/token?x=1']) {
      expect(sanitizePath(url)).toBe(url);
    }
    expect(sanitizePath('/leads?token=abc&page=2')).toBe(`/leads?token=${MASK}&page=2`);
    expect(sanitizePath('/leads?token=abc&password=def&page=1')).toBe(`/leads?token=${MASK}&password=${MASK}&page=1`);
    expect(sanitizePath('/leads?search=a%20b&api_key=k&userPin=1&sort=-createdAt&token=')).toBe(
      `/leads?search=a%20b&api_key=${MASK}&userPin=${MASK}&sort=-createdAt&token=${MASK}`,
    );
  });

  it('decodes names as Express does before judging them', () => {
    expect(sanitizePath('/x?pass%77ord=1&x%2Dauth%2Dtoken=2&auth+token=3&%E0%A4%A=4')).toBe(
      `/x?pass%77ord=${MASK}&x%2Dauth%2Dtoken=${MASK}&auth+token=${MASK}&%E0%A4%A=4`,
    );
  });

  it('masks repeated parameters and values that contain = or ?', () => {
    expect(sanitizePath('/x?token=a&token=b=c?d&q=e')).toBe(`/x?token=${MASK}&token=${MASK}&q=e`);
  });
});

describe('maskSecrets', () => {
  it('leaves out undefined properties as JSON does, and keeps nulls', () => {
    expect(maskSecrets({ a: undefined, b: null, c: [undefined, 1], d: { e: undefined } })).toEqual({ b: null, c: [null, 1], d: {} });
    expect(Object.keys(maskSecrets({ a: undefined, b: 1 }) as object)).toEqual(['b']);
  });

  it('masks body keys named like a secret at any depth, lead fields never', () => {
    const lead = {
      firstName: 'A',
      lastName: 'B',
      email: 'a@example.com',
      company: 'Pinnacle',
      assignedTo: 'rep@example.com',
      shipping: 'x',
    };
    const body = { ...lead, pwd: 1, jwt: 2, otp: 3, pin: 4, apiKey: 5, cookie: 6, nested: [{ authToken: 7, author: 'C' }] };
    expect(maskSecrets(body)).toEqual({
      ...lead,
      pwd: MASK,
      jwt: MASK,
      otp: MASK,
      pin: MASK,
      apiKey: MASK,
      cookie: MASK,
      nested: [{ authToken: MASK, author: 'C' }],
    });
  });
});
