import { Injectable } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';

/** Who a request acts for, as the app's own authentication decided it. */
export interface Account {
  accountId: string;
}

/** A request after {@link BearerAuthGuard}: `user` is set when its bearer token is known. */
export type AuthenticatedRequest = IncomingMessage & { user?: Account };

/**
 * The demo's accounts: a fixed table of bearer tokens. A real app checks a session, a JWT or an API key
 * here (passport's `AuthGuard('jwt')` sets `req.user` the same way).
 */
export const DEMO_TOKENS: Readonly<Record<string, string>> = {
  'demo-token-acme': 'acct_acme',
  'demo-token-globex': 'acct_globex',
};

/**
 * The app's authentication, a global guard: maps `Authorization: Bearer <token>` to `req.user`. It lets
 * every request through; each route decides what an anonymous request gets (the management API's
 * `authorize` answers 401, `POST /payments` too).
 */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const match = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '');
    const accountId = match ? DEMO_TOKENS[match[1] as string] : undefined;
    if (accountId !== undefined) request.user = { accountId };
    return true;
  }
}

/** The account of an authenticated request; `undefined` when it has none (the management API's `authorize`). */
export function accountOf(request: { readonly user?: unknown }): string | undefined {
  const user = request.user as Partial<Account> | undefined;
  return typeof user?.accountId === 'string' ? user.accountId : undefined;
}
