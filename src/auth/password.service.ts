import { randomBytes } from 'node:crypto';
import { Injectable, OnModuleInit } from '@nestjs/common';
// argon2 (node-argon2) ships prebuilt N-API binaries for linux/macOS/windows on x64 and arm64, so it
// installs without a compiler and gives us argon2id, the OWASP first choice for password storage.
import * as argon2 from 'argon2';

/** OWASP's minimum recommended argon2id configuration: 19 MiB of memory, 2 iterations, 1 lane. */
export const ARGON2_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19456,
  timeCost: 2,
  parallelism: 1,
} as const;

/** Hashes and verifies passwords. Plain passwords never leave this class (nor reach a log). */
@Injectable()
export class PasswordService implements OnModuleInit {
  private dummyHash: Promise<string> | null = null;

  /** Computes the dummy hash at start-up, so not even the first failed login takes longer. */
  async onModuleInit(): Promise<void> {
    await this.dummy();
  }

  hash(password: string): Promise<string> {
    return argon2.hash(password, ARGON2_OPTIONS);
  }

  /**
   * True when `password` matches `hash`. With no hash (unknown email, or a user without a password)
   * it verifies against a dummy hash with the same parameters and answers false, so a failed login
   * takes about the same time whichever part was wrong.
   */
  async verify(hash: string | null | undefined, password: string): Promise<boolean> {
    if (!hash) {
      await this.safeVerify(await this.dummy(), password);
      return false;
    }
    return this.safeVerify(hash, password);
  }

  private async safeVerify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password);
    } catch {
      // A malformed stored hash is a failed login, not a 500.
      return false;
    }
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= this.hash(randomBytes(32).toString('base64url'));
    return this.dummyHash;
  }
}
