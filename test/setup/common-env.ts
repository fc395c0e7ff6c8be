/** Settings shared by every e2e run, whatever the database. */
export function applyCommonTestEnv(): void {
  process.env.NODE_ENV = 'test';
  process.env.JWT_SECRET = 'test-secret-0123456789-0123456789-0123456789';
  process.env.JWT_TTL = '1h';
  process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'silent';
  process.env.DEMO_DATA = 'false';
  delete process.env.BOOTSTRAP_ADMIN_EMAIL;
  delete process.env.BOOTSTRAP_ADMIN_PASSWORD;
  delete process.env.BOOTSTRAP_ACCOUNT_NAME;
  delete process.env.TRUST_PROXY;
  process.env.RATE_LIMIT_PER_MINUTE = '0';
  process.env.LOGIN_RATE_LIMIT_PER_MINUTE = '0';
}
