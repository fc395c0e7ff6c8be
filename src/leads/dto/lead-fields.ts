import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { isEmail, isURL, registerDecorator, ValidationArguments } from 'class-validator';
import { LEAD_TEXT_LIMITS } from '../entities/lead.entity';
import { MAX_ID } from '../../common/pipes/id-param.pipe';
import { DATE_TIME_PROBLEM, isDateTimeWithZone } from '../../common/validation/date-time';

/** The seed's descriptions, word for word: LeadInput, UpdateLeadInput and Lead share them. */
export const LEAD_DESCRIPTIONS = {
  id: 'Unique identifier for the lead',
  accountId: 'ID of the account that owns this lead',
  teamId: 'ID of the team associated with this lead. Required if teams exist in the account, unless skipTeamAndSourceRequirement=true.',
  leadSourceId:
    'ID of the lead source associated with this lead. Required if the team has lead sources, unless skipTeamAndSourceRequirement=true.',
  applicationId: 'Optional application ID associated with this lead',
  firstName: "Lead's first name",
  lastName: "Lead's last name",
  imgSrc: "URL to lead's profile image",
  email: "Lead's email address",
  phone: "Lead's phone number",
  company: 'Company name',
  jobTitle: "Lead's job title",
  branch: 'Branch location',
  source: 'Text description of lead source',
  position: 'Position within company',
  location: 'Geographic location',
  productsServicesSold: 'Products or services the lead sells',
  numberOfEmployees: "Number of employees at the lead's company",
  currentPaymentProcessor: "Lead's current payment processor",
  monthlyTransactionVolume: 'Monthly transaction volume in dollars',
  interestedInSwitching: 'Whether the lead is interested in switching services',
  processStage: 'Current stage in the sales process',
  buyingRole: "Lead's role in buying decisions",
  assignedTo: 'User assigned to this lead. If not provided, will be automatically assigned using lead rotation if available.',
  notes: 'General notes about the lead',
  lastContacted: 'Date and time of last contact with this lead',
  archived: 'Whether the lead is archived',
  createdByInput: "Email of the user who created the lead. If not provided, will be set to the current user's email.",
  createdBy: 'Email of the user who created the lead',
  createdAt: 'When the lead was created',
  updatedAt: 'When the lead was last updated',
  auditLog: 'Comprehensive audit log of all significant events and actions performed on the lead',
} as const;

type TextFormat = 'email' | 'url';

export interface FieldOptions {
  /** Absent (undefined) is an error. */
  required?: boolean;
  /** null is accepted (and means "no value"). */
  nullable?: boolean;
}

/** Returns the problem with `value` as the end of a sentence that starts with the field name, or null. */
type Check = (value: unknown) => string | null;

/**
 * One constraint per field, so a field reports exactly one problem (the first that applies) and a
 * missing required field says "is required" instead of three unrelated messages.
 */
function field(kind: string, check: Check, opts: FieldOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    const problem = (value: unknown): string | null => {
      if (value === undefined) return opts.required ? 'is required' : null;
      if (value === null) return opts.nullable ? null : 'must not be null';
      return check(value);
    };
    registerDecorator({
      name: `lead${kind}`,
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate: (value: unknown) => problem(value) === null,
        defaultMessage: (args?: ValidationArguments) => `${args?.property} ${problem(args?.value) ?? 'is invalid'}`,
      },
    });
  };
}

/**
 * A text field: trimmed (except `notes`, whose whitespace may be deliberate), bounded by
 * LEAD_TEXT_LIMITS, optionally an email or an http(s) URL. When the field is nullable a blank value
 * means "no value" and becomes null; otherwise it must not be blank.
 */
export function TextField(name: keyof typeof LEAD_TEXT_LIMITS, opts: FieldOptions & { format?: TextFormat } = {}) {
  const max = LEAD_TEXT_LIMITS[name];
  const keepWhitespace = name === 'notes';
  const normalize = Transform(({ value }) => {
    if (typeof value !== 'string') return value;
    const v = keepWhitespace ? value : value.trim();
    return opts.nullable && v.trim() === '' ? null : v;
  });
  const check: Check = (value) => {
    if (typeof value !== 'string') return 'must be a string';
    if (value.trim() === '') return 'must not be empty';
    if (value.length > max) return `must be at most ${max} characters long`;
    if (opts.format === 'email' && !isEmail(value)) return 'must be a valid email address';
    if (opts.format === 'url' && !isURL(value, { protocols: ['http', 'https'], require_protocol: true, require_tld: false })) {
      return 'must be an http or https URL';
    }
    return null;
  };
  return applyDecorators(normalize, field('Text', check, opts));
}

/** A JSON integer (no strings, no fractions) in [min, MAX_ID]. */
export function IntField(min: number, opts: FieldOptions = {}) {
  return field(
    'Int',
    (value) => {
      if (typeof value !== 'number' || !Number.isInteger(value)) return 'must be an integer';
      if (value < min) return `must be at least ${min}`;
      if (value > MAX_ID) return `must be at most ${MAX_ID}`;
      return null;
    },
    opts,
  );
}

/** A JSON boolean (no "true" strings, no 0/1). */
export function BoolField(opts: FieldOptions = {}) {
  return field('Bool', (value) => (typeof value === 'boolean' ? null : 'must be a boolean (true or false)'), opts);
}

/** An ISO 8601 date-time with a time zone, e.g. 2024-05-01T14:30:00Z. */
export function DateTimeField(opts: FieldOptions = {}) {
  return field('DateTime', (value) => (isDateTimeWithZone(value) ? null : DATE_TIME_PROBLEM), opts);
}
