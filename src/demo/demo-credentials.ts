/**
 * The demo login, documented in the README and used by the OpenAPI examples. Development only:
 * never created in production. Kept apart from DemoDataService so the documentation can name it
 * without importing the service's entities.
 */
export const DEMO_ADMIN = { email: 'admin@demo.local', password: 'demo-password' } as const;
export const DEMO_REPS = ['ana@demo.local', 'ben@demo.local', 'cleo@demo.local'] as const;

/**
 * The demo account's id: the `x-account-id` example of the OpenAPI document (the contract's "2311"),
 * so "Try it out" in /docs works on the demo data without editing the header.
 */
export const DEMO_ACCOUNT_ID = 2311;
