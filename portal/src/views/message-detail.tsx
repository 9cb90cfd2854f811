/*
 * One message: its payload, each delivery with its attempts, and one attempt opened: the request as
 * hookspec sent it (the signature redacted) and the response as it came back.
 */
import { useEffect, useState } from 'preact/hooks';
import { formatDuration, pretty } from '../format';
import { endpointHref } from '../route';
import { usePortal } from '../session';
import { Code, ErrorNotice, Gate, Heading, Loading, StateBadge, Success, TableScroll, Time, useLoad } from '../ui';
import type { Attempt, Delivery, Message, ResendResult } from '../wire';

/** hookspec's version, for the `user-agent` it sends; set by scripts/build-portal.cjs. */
declare const HOOKSPEC_VERSION: string;

const POLL_MS = 2000;
/** How long the page keeps refreshing a message that is still on its way. */
const POLL_FOR_MS = 2 * 60 * 1000;

export function MessageDetail({ id }: { id: string }) {
  const { api } = usePortal();
  const { data, error, reload } = useLoad(() => api.get<Message>(`/messages/${encodeURIComponent(id)}`), [id]);
  const [opened] = useState(() => Date.now());
  const waiting = data?.deliveries.some((delivery) => delivery.state === 'pending' || delivery.state === 'failing');

  // A delivery on its way: refresh, so the customer sees its attempts come in.
  useEffect(() => {
    if (!waiting || Date.now() - opened > POLL_FOR_MS) return undefined;
    const timer = window.setTimeout(reload, POLL_MS);
    return () => window.clearTimeout(timer);
  }, [data]);

  if (error !== undefined && data === undefined) {
    return (
      <>
        <Heading>Message</Heading>
        <ErrorNotice error={error} retry={reload} />
        <p>
          <a href="#/messages">Back to the messages</a>
        </p>
      </>
    );
  }
  if (data === undefined) return <Loading what="the message" />;
  return (
    <>
      <p class="breadcrumb">
        <a href="#/messages">Messages</a>
      </p>
      <Heading>
        <code>{data.event}</code>
      </Heading>
      <dl class="facts">
        <dt>Message id</dt>
        <dd>
          <code>{data.id}</code>
        </dd>
        <dt>Sent</dt>
        <dd>
          <Time iso={data.createdAt} />
        </dd>
      </dl>
      <div class="toolbar">
        <button type="button" class="button-secondary" onClick={reload}>
          Refresh
        </button>
      </div>
      <section aria-labelledby="resend-title" class="panel">
        <h2 id="resend-title">Resend</h2>
        <Gate needs={['resend']}>
          <Resend message={data} onResent={reload} />
        </Gate>
      </section>
      <section aria-labelledby="deliveries-title">
        <h2 id="deliveries-title">Deliveries</h2>
        {data.deliveries.length === 0 ? (
          <p>No endpoint received this event when it was sent.</p>
        ) : (
          data.deliveries.map((delivery) => (
            <DeliveryView key={delivery.endpointId} message={data} delivery={delivery} />
          ))
        )}
      </section>
      <section aria-labelledby="payload-title">
        <h2 id="payload-title">Payload</h2>
        {data.payload === null ? (
          <p>
            The payload was erased
            {data.erasedAt && (
              <>
                {' '}
                on <Time iso={data.erasedAt} />
              </>
            )}
            .
          </p>
        ) : (
          <Code code={pretty(data.payload)} label="Payload" />
        )}
      </section>
    </>
  );
}

function Resend({ message, onResent }: { message: Message; onResent: () => void }) {
  const { api } = usePortal();
  const [result, setResult] = useState<ResendResult>();
  const [error, setError] = useState<unknown>();
  const resend = async () => {
    setError(undefined);
    setResult(undefined);
    try {
      setResult(await api.post<ResendResult>(`/messages/${encodeURIComponent(message.id)}/resend`, {}));
      onResent();
    } catch (failure) {
      setError(failure);
    }
  };
  if (message.payload === null) return <p>It cannot be resent: its payload was erased.</p>;
  return (
    <>
      <p>Sends it again to each of its endpoints with the same webhook-id, so your server can tell it is a repeat.</p>
      <button type="button" onClick={resend}>
        Resend the message
      </button>
      {error !== undefined && <ErrorNotice error={error} />}
      {result !== undefined && (
        <Success>
          <p>
            {result.restarted === 0
              ? 'Nothing was resent.'
              : `Resent to ${result.restarted} ${result.restarted === 1 ? 'endpoint' : 'endpoints'}.`}
            {result.skipped.length > 0 &&
              ` Skipped: ${result.skipped.map((skip) => `${skip.endpointId} (${skip.reason})`).join(', ')}.`}
          </p>
        </Success>
      )}
    </>
  );
}

function DeliveryView({ message, delivery }: { message: Message; delivery: Delivery }) {
  const [open, setOpen] = useState<number | undefined>();
  const headingId = `delivery-${delivery.endpointId}`;
  return (
    <article class="delivery" aria-labelledby={headingId}>
      <h3 id={headingId}>
        <a class="url" href={endpointHref(delivery.endpointId)}>
          {delivery.url}
        </a>
      </h3>
      <p>
        <StateBadge state={delivery.state} />
        {delivery.nextAttemptAt !== undefined && (
          <>
            {' '}
            Next attempt <Time iso={delivery.nextAttemptAt} />
          </>
        )}
      </p>
      {delivery.attempts.length === 0 ? (
        <p class="muted">No attempt yet.</p>
      ) : (
        <TableScroll label={`Attempts to ${delivery.url}`}>
          <table>
            <thead>
              <tr>
                <th scope="col">Attempt</th>
                <th scope="col">Started</th>
                <th scope="col">Result</th>
                <th scope="col">Took</th>
                <th scope="col">
                  <span class="visually-hidden">Details</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {delivery.attempts.map((attempt) => (
                <tr key={attempt.attempt}>
                  <td>{attempt.attempt}</td>
                  <td>
                    <Time iso={attempt.startedAt} />
                  </td>
                  <td>
                    <AttemptResult attempt={attempt} />
                  </td>
                  <td>{formatDuration(attempt.durationMs)}</td>
                  <td>
                    <button
                      type="button"
                      class="button-secondary button-small"
                      aria-expanded={open === attempt.attempt}
                      aria-controls={`${headingId}-attempt`}
                      onClick={() => setOpen(open === attempt.attempt ? undefined : attempt.attempt)}
                    >
                      {open === attempt.attempt ? 'Hide' : 'Details'}
                      <span class="visually-hidden"> of attempt {attempt.attempt}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <div id={`${headingId}-attempt`}>
        {delivery.attempts
          .filter((attempt) => attempt.attempt === open)
          .map((attempt) => (
            <AttemptDetail key={attempt.attempt} message={message} delivery={delivery} attempt={attempt} />
          ))}
      </div>
    </article>
  );
}

function AttemptResult({ attempt }: { attempt: Attempt }) {
  const ok = attempt.status !== undefined && attempt.status >= 200 && attempt.status < 300;
  return (
    <span class={ok ? 'result-ok' : 'result-failed'}>
      {attempt.status !== undefined ? `HTTP ${attempt.status}` : (attempt.errorCode ?? 'No response')}
    </span>
  );
}

/**
 * The request as sent: hookspec keeps no copy of its headers, so they are rebuilt from what it always
 * sends (the id, the attempt's timestamp, the content type and its user agent). The signature is never
 * shown: it would let anyone replay the request for the next five minutes.
 */
function requestHeaders(message: Message, attempt: Attempt): readonly [string, string][] {
  return [
    ['content-type', 'application/json'],
    ['user-agent', `hookspec/${HOOKSPEC_VERSION}`],
    ['webhook-id', message.id],
    ['webhook-timestamp', String(Math.floor(new Date(attempt.startedAt).getTime() / 1000))],
    ['webhook-signature', 'v1,… (redacted)'],
  ];
}

function AttemptDetail({ message, delivery, attempt }: { message: Message; delivery: Delivery; attempt: Attempt }) {
  return (
    <section class="attempt" aria-label={`Attempt ${attempt.attempt}`}>
      <h4>Request</h4>
      <p>
        <code>POST {delivery.url}</code>
      </p>
      <dl class="headers">
        {requestHeaders(message, attempt).map(([name, value]) => (
          <div key={name}>
            <dt>{name}</dt>
            <dd>
              <code>{value}</code>
            </dd>
          </div>
        ))}
      </dl>
      <p class="hint">Your endpoint's own headers, if any, were sent too. The body is the payload below.</p>
      <h4>Response</h4>
      {attempt.status !== undefined ? (
        <p>
          HTTP status <strong>{attempt.status}</strong> after {formatDuration(attempt.durationMs)}
        </p>
      ) : (
        <p>
          No response: <code>{attempt.errorCode ?? 'error'}</code>
          {attempt.error && <> — {attempt.error}</>}
        </p>
      )}
      {attempt.response !== undefined && attempt.response !== '' ? (
        <>
          <Code code={attempt.response} label={`Response body of attempt ${attempt.attempt}`} />
          {attempt.responseTruncated && <p class="hint">Only the first 20 kB of the response were kept.</p>}
        </>
      ) : (
        attempt.status !== undefined && <p class="muted">The response had no body.</p>
      )}
    </section>
  );
}
