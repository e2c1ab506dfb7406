import type { Bilingual, FieldIssue } from '../../../schemas/validation.ts';

/**
 * Domain errors. Each carries a bilingual message safe to show the user; the HTTP layer maps
 * them to status codes in one place (`functions/http/respond.ts`). Anything else is a 5xx.
 */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  readonly zh: string;
  readonly en: string;

  constructor(message: Bilingual, options?: ErrorOptions) {
    super(message.en, options);
    this.name = new.target.name;
    this.zh = message.zh;
    this.en = message.en;
  }
}

export class ValidationError extends DomainError {
  readonly status = 400;
  readonly issues: FieldIssue[];

  constructor(
    issues: FieldIssue[],
    summary: Bilingual = { zh: '提交的内容有误', en: 'The input is invalid' },
  ) {
    super(summary);
    this.issues = issues;
  }
}

export class NotFoundError extends DomainError {
  readonly status = 404;
}

/** A conditional write lost: the item changed or already exists. Safe to re-read and retry. */
export class ConflictError extends DomainError {
  readonly status = 409;
}

export class TooManyRequestsError extends DomainError {
  readonly status = 429;
}

/** The request is understood but not allowed now, e.g. filing after a hard close. */
export class ForbiddenError extends DomainError {
  readonly status = 403;
}

/** The request body is larger than any form or request of this project can be. */
export class PayloadTooLargeError extends DomainError {
  readonly status = 413;
}

/** The request needs a workspace session, and it has none (never opened, idle too long, or its link changed). */
export class UnauthorizedError extends DomainError {
  readonly status = 401;
}
