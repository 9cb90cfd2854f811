/*
 * The page's frame: it opens the session with the token, then shows the header, the navigation and the
 * current view. A token that is missing, expired or refused gets a screen of its own that says what to do.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError, PortalApi, apiBase } from './api';
import { zoneName } from './format';
import { useRoute } from './route';
import type { Route } from './route';
import { Portal } from './session';
import type { PortalContext } from './session';
import { forgetToken, tokenExpiry } from './token';
import { ErrorNotice, Heading, Loading, Time } from './ui';
import { EndpointDetail } from './views/endpoint-detail';
import { EndpointForm } from './views/endpoint-form';
import { EndpointList } from './views/endpoint-list';
import { EventTypes } from './views/event-types';
import { Guide } from './views/guide';
import { MessageDetail } from './views/message-detail';
import { MessageList } from './views/message-list';
import type { Session } from './wire';

type Refused = 'missing' | 'expired' | 'invalid';

export function App({ token }: { token: string | null | undefined }) {
  const [refused, setRefused] = useState<Refused | undefined>(
    token === undefined ? 'missing' : token === null ? 'invalid' : undefined,
  );
  const [session, setSession] = useState<Session | undefined>();
  const [failure, setFailure] = useState<unknown>();
  const [revealed, setRevealed] = useState<PortalContext['revealed']>();

  const api = useMemo(
    () =>
      new PortalApi(apiBase(window.location.pathname), token ?? '', (error) => {
        const expired = /expired/i.test(error.message) || (tokenExpiry(token ?? '') ?? Infinity) <= Date.now();
        forgetToken();
        setRefused(expired ? 'expired' : 'invalid');
      }),
    [token],
  );

  const open = () => {
    setFailure(undefined);
    api.get<Session>('/portal/session').then(setSession, (error: unknown) => {
      if (!(error instanceof ApiError && error.status === 401)) setFailure(error);
    });
  };
  useEffect(() => {
    if (typeof token === 'string') open();
  }, [api]);

  // The expired screen comes on time, even when the customer is only reading.
  useEffect(() => {
    if (session === undefined) return undefined;
    const left = new Date(session.expiresAt).getTime() - Date.now();
    const timer = window.setTimeout(
      () => {
        forgetToken();
        setRefused('expired');
      },
      Math.min(Math.max(left, 0), 2 ** 31 - 1),
    );
    return () => window.clearTimeout(timer);
  }, [session]);

  if (refused !== undefined) return <RefusedScreen why={refused} />;
  if (session === undefined) {
    return (
      <main id="main" class="shell-message">
        {failure === undefined ? <Loading what="your webhooks" /> : <ErrorNotice error={failure} retry={open} />}
      </main>
    );
  }
  const context: PortalContext = {
    api,
    session,
    revealed,
    reveal: (endpointId, secret) => setRevealed(secret === undefined ? undefined : { endpointId, secret }),
  };
  return (
    <Portal.Provider value={context}>
      <Frame session={session} />
    </Portal.Provider>
  );
}

const NAV: readonly { readonly href: string; readonly label: string; readonly views: readonly Route['view'][] }[] = [
  { href: '#/endpoints', label: 'Endpoints', views: ['endpoints', 'endpoint', 'endpoint-new', 'endpoint-edit'] },
  { href: '#/messages', label: 'Messages', views: ['messages', 'message'] },
  { href: '#/event-types', label: 'Event types', views: ['event-types'] },
  { href: '#/guide', label: 'Receiving guide', views: ['guide'] },
];

function Frame({ session }: { session: Session }) {
  const route = useRoute();
  return (
    <>
      <a class="skip-link" href="#main" onClick={skipToMain}>
        Skip to content
      </a>
      <header class="banner">
        <p class="brand">Webhooks</p>
        <p class="session-info">
          {session.owner === null ? 'Account-wide access' : <>Account {session.owner}</>}
          {' · '}link valid until <Time iso={session.expiresAt} /> ({zoneName()})
        </p>
        <nav aria-label="Webhooks">
          <ul>
            {NAV.map((item) => (
              <li key={item.href}>
                <a href={item.href} aria-current={item.views.includes(route.view) ? 'page' : undefined}>
                  {item.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        <View route={route} />
      </main>
    </>
  );
}

/** The skip link's target is in the page, not a view: it must not change the route. */
function skipToMain(event: Event) {
  event.preventDefault();
  document.getElementById('main')?.focus();
}

function View({ route }: { route: Route }) {
  switch (route.view) {
    case 'endpoints':
      return <EndpointList />;
    case 'endpoint-new':
      return <EndpointForm />;
    case 'endpoint':
      return <EndpointDetail key={route.id} id={route.id} />;
    case 'endpoint-edit':
      return <EndpointForm key={route.id} id={route.id} />;
    case 'messages':
      return <MessageList key={route.filters.toString()} filters={route.filters} />;
    case 'message':
      return <MessageDetail key={route.id} id={route.id} />;
    case 'event-types':
      return <EventTypes />;
    case 'guide':
      return <Guide />;
    case 'not-found':
      return (
        <>
          <Heading>Page not found</Heading>
          <p>
            There is nothing at this address. <a href="#/endpoints">See your endpoints</a>.
          </p>
        </>
      );
  }
}

const REFUSED: Readonly<Record<Refused, { title: string; text: string }>> = {
  missing: {
    title: 'Open this page from your link',
    text:
      'This page shows your webhooks when it is opened from the link your provider gives you, in their ' +
      'dashboard or settings. Open it from there.',
  },
  expired: {
    title: 'This link has expired',
    text:
      'Links to this page are valid for a short time, to keep your webhooks safe. Open the page again from ' +
      "your provider's dashboard to get a new link.",
  },
  invalid: {
    title: 'This link is not valid',
    text:
      'The link was changed or cut short, or it was made for another server. Open the page again from your ' +
      "provider's dashboard, and copy the whole link if you paste it.",
  },
};

function RefusedScreen({ why }: { why: Refused }) {
  const { title, text } = REFUSED[why];
  return (
    <main id="main" class="shell-message" data-screen={`refused-${why}`}>
      <Heading>{title}</Heading>
      <p>{text}</p>
    </main>
  );
}
