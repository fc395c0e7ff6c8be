/**
 * How the service stores and compares every email: users', assignees', creators', rotation members',
 * the duplicate check's key. Trimmed and lower-cased (every letter, not only ASCII) here in
 * TypeScript, so neither database's own lower-casing takes part.
 */
export function normalizeEmail(email: string): string;
export function normalizeEmail(email: string | null | undefined): string | null;
export function normalizeEmail(email: string | null | undefined): string | null {
  return email == null ? null : email.trim().toLowerCase();
}
