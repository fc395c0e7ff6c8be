import { ApiBody, ApiExtension } from '@nestjs/swagger';
import type { ErrorBody } from './common/errors/api-error';
import { DEMO_ACCOUNT_ID, DEMO_ADMIN, DEMO_REPS as REPS } from './demo/demo-credentials';

/** One documented error body: what the server answers for one cause of a status. */
export interface ErrorExample {
  summary: string;
  value: ErrorBody;
}

/** Operation extension carrying an operation's own error examples; buildOpenApiDocument moves them into the responses. */
export const X_ERROR_EXAMPLES = 'x-error-examples';

/**
 * Documents the bodies an operation answers for its own errors, by status and example name
 * (`{ 409: { teamInUse: { summary, value } } }`). The statuses every operation shares (401, 429,
 * 500, ...) get theirs in buildOpenApiDocument; these come first in each status's list.
 */
export const ApiErrorExamples = (examples: Record<number, Record<string, ErrorExample>>) => ApiExtension(X_ERROR_EXAMPLES, examples);

/** The error body of a failed validation of one field, as the validation pipe and the rules answer it. */
export const fieldError = (field: string, message: string): ErrorBody => ({
  error: 'Validation failed',
  message,
  details: [{ field, message }],
});

/**
 * The ids the demo records get on a fresh database (DemoDataService creates them in this order):
 * the account (its id fixed at the x-account-id example), the admin and the reps ana, ben and cleo (users 1–4), the team "Inbound", its lead
 * sources "Website form" and "Webinar", and the rotations "Inbound rotation" and "default".
 * test/openapi-examples.e2e-spec.ts sends every request example to a freshly seeded app.
 */
export const DEMO_IDS = {
  accountId: DEMO_ACCOUNT_ID,
  adminUserId: 1,
  anaUserId: 2,
  benUserId: 3,
  cleoUserId: 4,
  teamId: 1,
  websiteSourceId: 1,
  webinarSourceId: 2,
  teamRotationId: 1,
} as const;

const DEMO_REPS = { ana: REPS[0], ben: REPS[1], cleo: REPS[2] } as const;

const NEW_LEAD = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: 'ada@example.com',
  phone: '+44 20 7946 0000',
  company: 'Analytical Engines Ltd',
  teamId: DEMO_IDS.teamId,
  leadSourceId: DEMO_IDS.websiteSourceId,
};

/**
 * The request body "Try it out" starts from, per operation: each works as it is against the demo
 * data of a fresh development start (the x-account-id example, the demo admin's token). Paths with an id use
 * the id given here as the parameter's example.
 */
export const REQUEST_EXAMPLES = {
  login: { summary: 'The demo admin', value: { email: DEMO_ADMIN.email, password: DEMO_ADMIN.password } },
  createLead: { summary: 'A lead for the demo team, from its "Website form" source', value: NEW_LEAD },
  previewLead: { summary: 'Who would get the demo lead', value: NEW_LEAD },
  createLeadBatch: {
    summary: 'Two leads for the demo team, from an import',
    value: {
      leads: [
        { ...NEW_LEAD, firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.com', phone: '+1 202 555 0100', company: 'Navy' },
        { ...NEW_LEAD, firstName: 'Alan', lastName: 'Turing', email: 'alan@example.com', phone: '+44 161 555 0100', company: 'NPL' },
      ],
    },
  },
  updateLead: {
    summary: 'Record a first call',
    value: { processStage: 'Contacted', interestedInSwitching: true, lastContacted: '2026-03-02T15:30:00Z', notes: 'Call back next week' },
  },
  createTeam: {
    summary: 'A second team with two of the demo reps',
    value: { name: 'Outbound', members: [{ userId: DEMO_IDS.anaUserId }, { userId: DEMO_IDS.benUserId }] },
  },
  updateTeam: {
    summary: 'Rename the demo team and set its members',
    value: {
      name: 'Inbound (EMEA)',
      members: [{ userId: DEMO_IDS.anaUserId }, { userId: DEMO_IDS.benUserId }, { userId: DEMO_IDS.cleoUserId }],
    },
  },
  createLeadSource: { summary: 'A third source of the demo team', value: { name: 'Trade show', teamId: DEMO_IDS.teamId } },
  updateLeadSource: { summary: 'Rename the "Webinar" source', value: { name: 'Webinar (spring)' } },
  createRotation: {
    summary: 'A queued rotation for the demo team (the team already has an active one)',
    value: {
      name: 'Weekend rotation',
      teamId: DEMO_IDS.teamId,
      userRotationArray: [DEMO_REPS.ana, DEMO_REPS.cleo],
      status: 'queued',
      weights: { [DEMO_REPS.ana]: 2, [DEMO_REPS.cleo]: 1 },
      dailyCaps: { [DEMO_REPS.cleo]: 10 },
    },
  },
  updateRotation: {
    summary: 'Give ana twice the share of the demo team rotation',
    value: { userRotationArray: [DEMO_REPS.ana, DEMO_REPS.ben, DEMO_REPS.cleo], weights: { [DEMO_REPS.ana]: 2 } },
  },
  changeRotationStatus: { summary: 'Make the demo team rotation active (it already is)', value: { status: 'active' } },
  createUser: { summary: 'Add a rep to the demo account', value: { email: 'dana@demo.local', name: 'Dana', role: 'user' } },
  updateUser: { summary: 'Rename the rep ana', value: { name: 'Ana Lima' } },
  createApiKey: {
    summary: 'A key for a website form that only creates leads',
    value: { name: 'Website form', permissions: ['writeLeads'] },
  },
  updateApiKey: { summary: 'Rename the first key', value: { name: 'Website form (production)' } },
  createWebhook: {
    summary: 'Send new and reassigned leads to a dialer',
    value: { url: 'https://hooks.example.com/leads', events: ['lead.created', 'lead.assigned'], description: 'Dialer' },
  },
  updateWebhook: {
    summary: 'Also send updates to the first webhook',
    value: { events: ['lead.created', 'lead.assigned', 'lead.updated'] },
  },
  createAccount: { summary: 'A new account (platform administrators only)', value: { name: 'Acme Inc.' } },
  updateAccount: { summary: "Set the demo account's time zone", value: { timeZone: 'Europe/Berlin' } },
} as const;

/** `@ApiBody` with the body type and its "Try it out" example. */
export const ApiBodyExample = (type: new (...args: never[]) => unknown, example: { summary: string; value: object }) =>
  ApiBody({ type, examples: { demo: example } });

/** Extension naming the example of an operation's `id` path parameter; buildOpenApiDocument sets it on the parameter. */
export const X_ID_EXAMPLE = 'x-id-example';

/** The id the operation's "Try it out" starts from (a demo record, or the first one its create example makes). */
export const ApiIdExample = (id: number) => ApiExtension(X_ID_EXAMPLE, id);
