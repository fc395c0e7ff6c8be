/** What test/client/main-flow.ts needs and answers; kept apart so the e2e test can use it without the generated types. */
export interface MainFlowInput {
  /** Where the app listens, e.g. http://127.0.0.1:3000 */
  baseUrl: string;
  /** An admin of an account, who logs in with a password. */
  email: string;
  password: string;
  /** The fetch the client uses (the e2e test records every answer through it); the global fetch when absent. */
  fetch?: (request: Request) => Promise<Response>;
}

export interface MainFlowReport {
  accountId: string;
  repEmail: string;
  teamId: number;
  leadSourceId: number;
  rotationId: number;
  leadId: number;
  assignedTo: string;
  /** Ids GET /leads answered for the team's leads. */
  listedLeadIds: number[];
  /** Ids GET /leads answered for `teamId=null`. */
  unteamedLeadIds: number[];
  notesAfterPatch: string;
  /** Events of the lead's entries in GET /audit-logs, newest first. */
  auditEvents: string[];
  /** Roles of the session opened with the API key the flow created. */
  keySessionRoles: string[];
}
