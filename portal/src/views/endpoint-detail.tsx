/*
 * One endpoint: what it receives, how its deliveries went, and every action on it, each shown only when
 * the token allows it (the Gate says why when not).
 */
import { useState } from 'preact/hooks';
import { fromLocalInput, toLocalInput, zoneName } from '../format';
import { endpointHref, messageHref, messagesHref } from '../route';
import { navigate, usePortal } from '../session';
import { CopyButton, ErrorNotice, Gate, Heading, Loading, Success, Time, useLoad } from '../ui';
import type { Endpoint, EndpointStats, EndpointWithSecret, EventType, RecoverResult, SendResult } from '../wire';
import { EnabledBadge } from './endpoint-list';

const DAY_MS = 24 * 60 * 60 * 1000;

export function EndpointDetail({ id }: { id: string }) {
  const { api } = usePortal();
  const path = `/endpoints/${encodeURIComponent(id)}`;
  const { data, error, reload } = useLoad(() => api.get<Endpoint>(path), [id]);
  if (error !== undefined) {
    return (
      <>
        <Heading>Endpoint</Heading>
        <ErrorNotice error={error} retry={reload} />
        <p>
          <a href="#/endpoints">Back to your endpoints</a>
        </p>
      </>
    );
  }
  if (data === undefined) return <Loading what="the endpoint" />;
  return (
    <>
      <p class="breadcrumb">
        <a href="#/endpoints">Endpoints</a>
      </p>
      <Heading>
        <span class="url">{data.url}</span>
      </Heading>
      <SecretOnce endpointId={data.id} />
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <EnabledBadge endpoint={data} />
        </dd>
        <dt>Events</dt>
        <dd>{data.events ? data.events.map((name) => <code key={name}>{name} </code>) : 'All events'}</dd>
        {data.description && (
          <>
            <dt>Description</dt>
            <dd>{data.description}</dd>
          </>
        )}
        <dt>Endpoint id</dt>
        <dd>
          <code>{data.id}</code>
        </dd>
        <dt>Added</dt>
        <dd>
          <Time iso={data.createdAt} />
        </dd>
        <dt>Changed</dt>
        <dd>
          <Time iso={data.updatedAt} />
        </dd>
      </dl>
      <p>
        <a href={messagesHref({ endpointId: data.id })}>See the messages sent to this endpoint</a>
      </p>
      <Stats path={path} />
      <section aria-labelledby="manage-title" class="panel">
        <h2 id="manage-title">Manage</h2>
        <Gate needs={['manage-endpoints']}>
          <Manage endpoint={data} path={path} onChange={reload} />
        </Gate>
      </section>
      <section aria-labelledby="test-title" class="panel">
        <h2 id="test-title">Send a test event</h2>
        <Gate needs={['manage-endpoints']}>
          <SendTest path={path} endpoint={data} />
        </Gate>
      </section>
      <section aria-labelledby="secret-title" class="panel">
        <h2 id="secret-title">Signing secret</h2>
        <p>
          Your server checks each webhook's signature with this endpoint's secret. It is shown only when the endpoint is
          added and when the secret is rotated.
        </p>
        <Gate needs={['manage-endpoints', 'view-secret']}>
          <Rotate path={path} endpointId={data.id} />
        </Gate>
      </section>
      <section aria-labelledby="recover-title" class="panel">
        <h2 id="recover-title">Recover failed deliveries</h2>
        <Gate needs={['resend']}>
          <Recover path={path} />
        </Gate>
      </section>
    </>
  );
}

/** The secret just made for this endpoint (on creation or rotation), shown until the customer hides it. */
function SecretOnce({ endpointId }: { endpointId: string }) {
  const { revealed, reveal } = usePortal();
  if (revealed === undefined || revealed.endpointId !== endpointId) return null;
  return (
    <div class="notice notice-secret" role="status">
      <h2>Your signing secret</h2>
      <p>Copy it now and store it in your server's configuration: it will not be shown again.</p>
      <p class="secret">
        <code data-secret>{revealed.secret}</code>
      </p>
      <div class="actions">
        <CopyButton text={revealed.secret} label="Copy the secret" />
        <button type="button" class="button-secondary" onClick={() => reveal(endpointId, undefined)}>
          I have stored it, hide it
        </button>
      </div>
    </div>
  );
}

function Stats({ path }: { path: string }) {
  const { api } = usePortal();
  const [since] = useState(() => new Date(Date.now() - DAY_MS).toISOString());
  const { data, error } = useLoad(() => api.get<EndpointStats>(`${path}/stats`, { since }), [path]);
  return (
    <section aria-labelledby="stats-title" class="panel">
      <h2 id="stats-title">Last 24 hours</h2>
      {error !== undefined ? (
        <ErrorNotice error={error} />
      ) : data === undefined ? (
        <Loading what="delivery counts" />
      ) : (
        <dl class="stats">
          <div>
            <dt>Delivered</dt>
            <dd>{data.delivered}</dd>
          </div>
          <div>
            <dt>Failing</dt>
            <dd>{data.failing}</dd>
          </div>
          <div>
            <dt>Failed</dt>
            <dd>{data.exhausted}</dd>
          </div>
          <div>
            <dt>Pending</dt>
            <dd>{data.pending}</dd>
          </div>
          <div>
            <dt>Skipped</dt>
            <dd>{data.disabled}</dd>
          </div>
        </dl>
      )}
    </section>
  );
}

function Manage({ endpoint, path, onChange }: { endpoint: Endpoint; path: string; onChange: () => void }) {
  const { api } = usePortal();
  const [error, setError] = useState<unknown>();
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const act = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const toggle = () =>
    act(async () => {
      if (endpoint.enabled) await api.post(`${path}/disable`, { reason: 'Disabled in the portal' });
      else await api.post(`${path}/enable`);
      onChange();
    });
  const remove = () =>
    act(async () => {
      await api.delete(path);
      navigate('#/endpoints');
    });
  return (
    <>
      {error !== undefined && <ErrorNotice error={error} />}
      <div class="actions">
        <a class="button button-secondary" href={`${endpointHref(endpoint.id)}/edit`}>
          Change URL or events
        </a>
        <button type="button" class="button-secondary" onClick={toggle} disabled={busy}>
          {endpoint.enabled ? 'Disable' : 'Enable'}
        </button>
        {!confirming && (
          <button type="button" class="button-danger" onClick={() => setConfirming(true)} disabled={busy}>
            Delete…
          </button>
        )}
      </div>
      {!endpoint.enabled && (
        <p class="hint">While it is disabled nothing is sent to it; once enabled, recover what it missed below.</p>
      )}
      {confirming && (
        <div class="confirm" role="group" aria-labelledby="delete-question">
          <p id="delete-question">
            Delete this endpoint? Nothing more is sent to it; its messages stay in the history.
          </p>
          <div class="actions">
            <button type="button" class="button-danger" onClick={remove} disabled={busy}>
              Delete the endpoint
            </button>
            <button type="button" class="button-secondary" onClick={() => setConfirming(false)}>
              Keep it
            </button>
          </div>
        </div>
      )}
    </>
  );
}

function SendTest({ path, endpoint }: { path: string; endpoint: Endpoint }) {
  const { api } = usePortal();
  const types = useLoad(() => api.get<{ data: EventType[] }>('/event-types'), []);
  const [event, setEvent] = useState('');
  const [result, setResult] = useState<SendResult>();
  const [error, setError] = useState<unknown>();
  if (types.error !== undefined) return <ErrorNotice error={types.error} retry={types.reload} />;
  if (types.data === undefined) return <Loading what="event types" />;
  const choices = types.data.data.filter(
    (type) => endpoint.events === undefined || endpoint.events.includes(type.name),
  );
  const chosen = event === '' ? choices[0]?.name : event;
  const send = async (submitted: Event) => {
    submitted.preventDefault();
    setError(undefined);
    setResult(undefined);
    try {
      setResult(await api.post<SendResult>(`${path}/send-example`, { event: chosen }));
    } catch (failure) {
      setError(failure);
    }
  };
  if (chosen === undefined) return <p>This endpoint receives no event that exists now.</p>;
  return (
    <form class="inline-form" onSubmit={send}>
      <div class="field">
        <label for="test-event">Event</label>
        <select id="test-event" value={chosen} onChange={(change) => setEvent(change.currentTarget.value)}>
          {choices.map((type) => (
            <option key={type.name} value={type.name}>
              {type.name}
            </option>
          ))}
        </select>
      </div>
      <button type="submit">Send a test event</button>
      {error !== undefined && <ErrorNotice error={error} />}
      {result !== undefined && (
        <Success>
          {result.skipped.length > 0 ? (
            <p>Not sent: the endpoint is disabled. Enable it first.</p>
          ) : (
            <p>
              Sent, signed like every webhook. <a href={messageHref(result.id)}>Follow its delivery</a>.
            </p>
          )}
        </Success>
      )}
    </form>
  );
}

function Rotate({ path, endpointId }: { path: string; endpointId: string }) {
  const { api, reveal } = usePortal();
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<unknown>();
  const rotate = async () => {
    setError(undefined);
    try {
      const rotated = await api.post<EndpointWithSecret>(`${path}/rotate-secret`, {});
      reveal(endpointId, rotated.secret);
      setConfirming(false);
      document.querySelector<HTMLElement>('h1')?.focus();
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <>
      {error !== undefined && <ErrorNotice error={error} />}
      {confirming ? (
        <div class="confirm" role="group" aria-labelledby="rotate-question">
          <p id="rotate-question">
            Make a new secret? The current one keeps working beside it for 24 hours, so you can update your server
            without missing a webhook.
          </p>
          <div class="actions">
            <button type="button" onClick={rotate}>
              Rotate the secret
            </button>
            <button type="button" class="button-secondary" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <button type="button" class="button-secondary" onClick={() => setConfirming(true)}>
          Rotate the secret…
        </button>
      )}
    </>
  );
}

function Recover({ path }: { path: string }) {
  const { api } = usePortal();
  const [since, setSince] = useState(() => toLocalInput(new Date(Date.now() - DAY_MS).toISOString()));
  const [result, setResult] = useState<RecoverResult>();
  const [error, setError] = useState<unknown>();
  const recover = async (submitted: Event) => {
    submitted.preventDefault();
    setError(undefined);
    setResult(undefined);
    const iso = fromLocalInput(since);
    if (iso === undefined) {
      setError(new Error('invalid time'));
      return;
    }
    try {
      setResult(await api.post<RecoverResult>(`${path}/recover`, { since: iso }));
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <form class="inline-form" onSubmit={recover}>
      <p>
        Sends again, with a fresh retry schedule, the deliveries that failed for good or were skipped while the endpoint
        was disabled.
      </p>
      <div class="field">
        <label for="recover-since">Messages since ({zoneName()})</label>
        <input
          id="recover-since"
          type="datetime-local"
          required
          value={since}
          onInput={(event) => setSince(event.currentTarget.value)}
        />
      </div>
      <button type="submit">Recover</button>
      {error !== undefined &&
        (error instanceof Error && error.message === 'invalid time' ? (
          <p class="field-error" role="alert">
            Enter a date and time.
          </p>
        ) : (
          <ErrorNotice error={error} />
        ))}
      {result !== undefined && (
        <Success>
          <p>
            {result.recovered === 0
              ? 'Nothing to recover since then.'
              : `${result.recovered} ${result.recovered === 1 ? 'delivery starts' : 'deliveries start'} again.`}
          </p>
        </Success>
      )}
    </form>
  );
}
