/**
 * The main flow of the API, written as a client would write it: against the types openapi-typescript
 * generates from /docs-json (test/client/generated/schema.d.ts, made by the e2e test) and with
 * openapi-fetch. No casts, no `any`, no non-null assertions: if the document says less than the
 * server sends, this file does not compile under `tsc --strict` (test/generated-client.e2e-spec.ts
 * checks that, then runs it). Every step also checks what the server answered.
 */
import createClient from 'openapi-fetch';
import type { MainFlowInput, MainFlowReport } from './flow-types';
import type { paths } from './generated/schema';

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new Error(`main flow: ${message}`);
}

/** The body of a successful answer; anything else fails the step with its status and error body. */
function ok<T>(step: string, result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data === undefined) {
    throw new Error(`main flow: ${step} answered ${result.response.status} ${JSON.stringify(result.error)}`);
  }
  return result.data;
}

export async function runMainFlow(input: MainFlowInput): Promise<MainFlowReport> {
  // `sort` is documented as a comma-separated list (style form, explode false): the client must send arrays so.
  const client = (headers: Record<string, string> = {}) =>
    createClient<paths>({
      baseUrl: input.baseUrl,
      headers,
      querySerializer: { array: { style: 'form', explode: false } },
      fetch: input.fetch,
    });
  const anonymous = client();

  const session = ok('POST /auth/login', await anonymous.POST('/auth/login', { body: { email: input.email, password: input.password } }));
  check(session.email === input.email, `logged in as ${session.email}`);
  check(session.primaryAccount !== null, 'the admin has a primary account');
  const accountId = session.primaryAccount.accountId;
  check(session.permissions.includes('writeLeads'), 'an admin may write leads');

  const api = client({ Authorization: `Bearer ${session.token}` });
  const header = { 'x-account-id': accountId };

  const repEmail = `rep-${Date.now()}@example.com`;
  const rep = ok(
    'POST /users',
    await api.POST('/users', {
      params: { header },
      body: { email: repEmail, name: 'Rita Rep', role: 'user', password: 'a-long-password' },
    }),
  );
  check(rep.email === repEmail && rep.role === 'user' && rep.active, 'the rep is an active user');
  check(rep.awayUntil === null, 'a new user is not away');

  const team = ok(
    'POST /teams',
    await api.POST('/teams', { params: { header }, body: { name: 'West Coast', members: [{ userId: rep.id }] } }),
  );
  check(team.active && team.members.length === 1 && team.members[0].email === repEmail, 'the team has the rep');

  const source = ok(
    'POST /lead-sources',
    await api.POST('/lead-sources', { params: { header }, body: { name: 'Website form', teamId: team.id } }),
  );
  check(source.teamId === team.id && source.active, 'the source belongs to the team');

  const rotation = ok(
    'POST /lead-rotations',
    await api.POST('/lead-rotations', {
      params: { header },
      body: { name: 'West rotation', teamId: team.id, userRotationArray: [repEmail] },
    }),
  );
  check(rotation.status === 'active' && rotation.team !== null && rotation.team.id === team.id, 'the rotation routes the team');

  // Errors are typed too: the body of every error answer is the Error schema.
  const refused = await api.POST('/leads', { params: { header }, body: { firstName: 'No', lastName: 'Team' } });
  check(
    refused.response.status === 400 && refused.error?.error === 'team ID is required when teams exist in the account',
    'a lead without a team is refused with the contract error',
  );

  const lead = ok(
    'POST /leads',
    await api.POST('/leads', {
      params: { header },
      body: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', teamId: team.id, leadSourceId: source.id },
    }),
  );
  check(lead.firstName === 'Ada' && lead.lastName === 'Lovelace', 'the lead has its names');
  // Set by routing, so present whether or not unset fields are sent.
  const assignedTo = lead.assignedTo;
  check(assignedTo === repEmail, `the team's rotation assigned the lead (to ${assignedTo})`);

  const page = ok(
    'GET /leads',
    await api.GET('/leads', { params: { header, query: { teamId: team.id, sort: ['-createdAt', 'id'], pageSize: 10 } } }),
  );
  check(page.totalCount === 1 && page.currentPage === 1, `one lead of the team (${page.totalCount})`);
  const unteamed = ok('GET /leads?teamId=null', await api.GET('/leads', { params: { header, query: { teamId: 'null' } } }));

  const patched = ok(
    'PATCH /leads/{id}',
    await api.PATCH('/leads/{id}', {
      params: { header, path: { id: lead.id } },
      body: { notes: 'Called back', processStage: 'qualified' },
    }),
  );
  const notesAfterPatch = patched.notes;
  check(notesAfterPatch === 'Called back' && patched.processStage === 'qualified', 'the patch is applied');
  const read = ok('GET /leads/{id}', await api.GET('/leads/{id}', { params: { header, path: { id: lead.id } } }));
  check(read.id === lead.id && read.notes === 'Called back' && !read.archived, 'GET answers the patched lead');

  const rotations = ok(
    'GET /lead-rotations',
    await api.GET('/lead-rotations', {
      params: { header, query: { status: ['active', 'queued'], teamId: team.id, sort: ['-createdAt'] } },
    }),
  );
  check(
    rotations.data.some((r) => r.id === rotation.id),
    'the rotation is listed',
  );

  const audit = ok(
    'GET /audit-logs',
    await api.GET('/audit-logs', { params: { header, query: { leadId: lead.id, sort: ['-created', '-id'], pageSize: 50 } } }),
  );
  const updated = audit.data.find((e) => e.event === 'lead_updated');
  check(updated !== undefined, 'the update is in the audit log');
  check(updated.user === input.email && updated.apiKey === null && updated.statusCode === 200, 'the entry names the admin');
  check('changes' in updated.data, 'the entry says what changed');

  const created = ok(
    'POST /apikeys',
    await api.POST('/apikeys', { params: { header }, body: { name: 'Website form', permissions: ['writeLeads', 'readLeads'] } }),
  );
  const keySession = ok(
    'POST /auth/login (API key)',
    await anonymous.POST('/auth/login', { body: { apiKey: created.apiKey, apiSecret: created.apiSecret } }),
  );
  check(keySession.apiKeyId === created.id, 'the key session names its key');
  const keyApi = client({ Authorization: `Bearer ${keySession.token}` });
  const keyLeads = ok('GET /leads (API key)', await keyApi.GET('/leads', { params: { header, query: { search: 'Lovelace' } } }));
  check(
    keyLeads.data.some((l) => l.id === lead.id),
    'the key reads the lead',
  );

  // The other reads, so the test checks their answers against the document too.
  const me = ok('GET /auth/session', await api.GET('/auth/session'));
  check(me.id === session.id && me.apiKeyId === undefined, 'a user session has no apiKeyId');
  const accounts = ok('GET /accounts', await api.GET('/accounts'));
  check(
    accounts.some((a) => a.accountId === accountId && a.accountAdmin),
    'the admin sees the account',
  );
  const detailed = ok('GET /lead-rotations/{id}', await api.GET('/lead-rotations/{id}', { params: { header, path: { id: rotation.id } } }));
  check(detailed.members !== undefined && detailed.members.some((m) => m.email === repEmail && m.eligible), 'the rep can be picked');
  const next = ok(
    'GET /lead-rotations/{id}/next-user',
    await api.GET('/lead-rotations/{id}/next-user', { params: { header, path: { id: rotation.id } } }),
  );
  check(next.user !== null && next.user.email === repEmail, 'the next user is the rep');
  const teams = ok('GET /teams', await api.GET('/teams', { params: { header, query: { sort: ['-createdAt', 'name'] } } }));
  const sources = ok('GET /lead-sources', await api.GET('/lead-sources', { params: { header, query: { teamId: team.id } } }));
  const users = ok('GET /users', await api.GET('/users', { params: { header, query: { role: 'user' } } }));
  const keys = ok('GET /apikeys', await api.GET('/apikeys', { params: { header, query: { active: true } } }));
  check(
    teams.data.some((x) => x.id === team.id) &&
      sources.data.some((x) => x.id === source.id) &&
      users.data.some((x) => x.id === rep.id) &&
      keys.data.some((x) => x.id === created.id),
    'the lists hold what the flow created',
  );

  return {
    accountId,
    repEmail,
    teamId: team.id,
    leadSourceId: source.id,
    rotationId: rotation.id,
    leadId: lead.id,
    assignedTo,
    listedLeadIds: page.data.map((l) => l.id),
    unteamedLeadIds: unteamed.data.map((l) => l.id),
    notesAfterPatch,
    auditEvents: audit.data.map((e) => e.event),
    keySessionRoles: keySession.roles,
  };
}
