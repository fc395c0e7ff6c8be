import { ApiExtraModels, ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { isEmail, registerDecorator, ValidationArguments } from 'class-validator';
import { ClosedBody, OneOfBody } from '../../common/openapi/schema-decorators';

type CredentialField = 'email' | 'password' | 'apiKey' | 'apiSecret';

const PAIRS: Record<'password' | 'key', CredentialField[]> = {
  password: ['email', 'password'],
  key: ['apiKey', 'apiSecret'],
};
const MAX_LENGTH: Record<CredentialField, number> = { email: 320, password: 1024, apiKey: 64, apiSecret: 256 };

function sent(o: Record<string, unknown>, fields: CredentialField[]): boolean {
  return fields.some((f) => o[f] !== undefined);
}

/** The problem with one credential field, or null. Exactly one of the two pairs must be sent. */
function credentialProblem(field: CredentialField, o: Record<string, unknown>): string | null {
  const pair = PAIRS.password.includes(field) ? 'password' : 'key';
  const withPassword = sent(o, PAIRS.password);
  const withKey = sent(o, PAIRS.key);
  if (withPassword && withKey) {
    // Reported once, on the first key field sent.
    const first = PAIRS.key.find((f) => o[f] !== undefined);
    return field === first ? 'send either email and password, or apiKey and apiSecret, not both' : null;
  }
  if (!withPassword && !withKey) {
    return pair === 'password' ? `${field} is required (or log in with apiKey and apiSecret)` : null;
  }
  if ((pair === 'password') !== withPassword) return null;
  const value = o[field];
  if (value === undefined || value === null) return `${field} is required`;
  if (typeof value !== 'string') return `${field} must be a string`;
  if (value.length === 0) return `${field} must not be empty`;
  if (value.length > MAX_LENGTH[field]) return `${field} must be at most ${MAX_LENGTH[field]} characters`;
  if (field === 'email' && !isEmail(value.trim())) return 'email must be an email address';
  return null;
}

/** One validator per field, so each problem is reported once with a message that says what to send. */
function Credential(): PropertyDecorator {
  return (target, propertyName) => {
    registerDecorator({
      name: 'loginCredential',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (_: unknown, args: ValidationArguments) =>
          credentialProblem(args.property as CredentialField, args.object as Record<string, unknown>) === null,
        defaultMessage: (args?: ValidationArguments) =>
          credentialProblem(args!.property as CredentialField, args!.object as Record<string, unknown>) ?? '',
      },
    });
  };
}

/** Documents the first credential shape of LoginDto (validation is LoginDto's). */
@ClosedBody('Log in as a user')
export class PasswordLoginDto {
  @ApiProperty({
    description: 'Email of the user',
    format: 'email',
    example: 'jane@example.com',
    minLength: 1,
    maxLength: MAX_LENGTH.email,
  })
  email: string;

  @ApiProperty({ description: 'Password of the user', format: 'password', minLength: 1, maxLength: MAX_LENGTH.password })
  password: string;
}

/** Documents the second credential shape of LoginDto. */
@ClosedBody('Log in with an API key')
export class ApiKeyLoginDto {
  @ApiProperty({
    description: 'Public id of an API key',
    example: 'lk_3f9a0c1b2d4e5f6a7b8c9d0e',
    minLength: 1,
    maxLength: MAX_LENGTH.apiKey,
  })
  apiKey: string;

  @ApiProperty({
    description: 'Secret of the API key, as shown when it was created',
    format: 'password',
    minLength: 1,
    maxLength: MAX_LENGTH.apiSecret,
  })
  apiSecret: string;
}

/**
 * Either `{email, password}` or `{apiKey, apiSecret}`, and nothing else. The document describes it as
 * a oneOf of the two shapes (so this class declares no Swagger properties of its own); the
 * validators here check the same rules and word each problem for the caller.
 */
@ApiExtraModels(PasswordLoginDto, ApiKeyLoginDto)
@OneOfBody({ $ref: getSchemaPath(PasswordLoginDto) }, { $ref: getSchemaPath(ApiKeyLoginDto) })
export class LoginDto {
  @Credential()
  email?: string;

  @Credential()
  password?: string;

  @Credential()
  apiKey?: string;

  @Credential()
  apiSecret?: string;
}
