/*
 * The portal token: the app puts it in the URL fragment (`#token=hsp_…`), which browsers never send to a
 * server nor write to its logs. The page moves it to sessionStorage (this tab only, gone when the tab
 * closes) and takes it out of the address bar, so it is not bookmarked, shared or kept in history.
 */

const STORAGE_KEY = 'hookspec-portal-token';
const FRAGMENT = /^#token=(hsp_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/;

/**
 * The token of this tab: a new one from the fragment replaces the stored one. `null`: the fragment held
 * something that is not a token (cut short when it was copied, most often), which the page says is not valid.
 */
export function takeToken(): string | null | undefined {
  const { hash } = window.location;
  if (hash.startsWith('#token=')) {
    window.history.replaceState(null, '', window.location.pathname + window.location.search + '#/endpoints');
    const token = FRAGMENT.exec(hash)?.[1];
    if (token === undefined) {
      forgetToken();
      return null;
    }
    try {
      window.sessionStorage.setItem(STORAGE_KEY, token);
    } catch {
      // Storage refused (a private window's quota): the token lives in memory until the tab reloads.
    }
    return token;
  }
  try {
    return window.sessionStorage.getItem(STORAGE_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

export function forgetToken(): void {
  try {
    window.sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // Nothing stored.
  }
}

/**
 * When the token says it expires, read from its payload without checking its signature: the page only
 * uses it to show the expired screen on time. The server decides, on every request, whether it is valid.
 */
export function tokenExpiry(token: string): number | undefined {
  const payload = token.slice('hsp_'.length).split('.')[0] ?? '';
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const exp = (JSON.parse(json) as { exp?: unknown }).exp;
    return typeof exp === 'number' ? exp : undefined;
  } catch {
    return undefined;
  }
}
