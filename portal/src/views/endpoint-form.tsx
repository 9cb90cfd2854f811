/* Add an endpoint, or change one: its URL, description and the events it receives. */
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { endpointHref } from '../route';
import { navigate, usePortal } from '../session';
import { ErrorNotice, Gate, Heading, Loading, useLoad } from '../ui';
import type { Endpoint, EndpointWithSecret, EventType } from '../wire';

export function EndpointForm({ id }: { id?: string }) {
  const { api } = usePortal();
  const loaded = useLoad(
    async () => ({
      eventTypes: (await api.get<{ data: EventType[] }>('/event-types')).data,
      endpoint: id === undefined ? undefined : await api.get<Endpoint>(`/endpoints/${encodeURIComponent(id)}`),
    }),
    [id],
  );
  const title = id === undefined ? 'Add an endpoint' : 'Change the endpoint';
  return (
    <>
      <Heading>{title}</Heading>
      <Gate needs={['manage-endpoints']}>
        {loaded.error !== undefined ? (
          <ErrorNotice error={loaded.error} retry={loaded.reload} />
        ) : loaded.data === undefined ? (
          <Loading what="the form" />
        ) : (
          <Form eventTypes={loaded.data.eventTypes} endpoint={loaded.data.endpoint} />
        )}
      </Gate>
    </>
  );
}

function Form({ eventTypes, endpoint }: { eventTypes: readonly EventType[]; endpoint: Endpoint | undefined }) {
  const { api, reveal } = usePortal();
  const [url, setUrl] = useState(endpoint?.url ?? '');
  const [description, setDescription] = useState(endpoint?.description ?? '');
  const [allEvents, setAllEvents] = useState(endpoint?.events === undefined);
  const [events, setEvents] = useState<readonly string[]>(endpoint?.events ?? []);
  const [error, setError] = useState<unknown>();
  const [saving, setSaving] = useState(false);
  const [noEvents, setNoEvents] = useState(false);

  useEffect(() => setNoEvents(false), [events, allEvents]);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!allEvents && events.length === 0) {
      setNoEvents(true);
      return;
    }
    setSaving(true);
    setError(undefined);
    const chosen = allEvents ? undefined : [...events];
    try {
      if (endpoint === undefined) {
        const created = await api.post<EndpointWithSecret>('/endpoints', {
          url,
          ...(description === '' ? {} : { description }),
          ...(chosen === undefined ? {} : { events: chosen }),
        });
        reveal(created.endpoint.id, created.secret);
        navigate(endpointHref(created.endpoint.id));
      } else {
        await api.patch<Endpoint>(`/endpoints/${encodeURIComponent(endpoint.id)}`, {
          url,
          description: description === '' ? null : description,
          events: chosen ?? null,
        });
        navigate(endpointHref(endpoint.id));
      }
    } catch (failure) {
      setError(failure);
      setSaving(false);
    }
  };

  const fieldError = (field: string) => (error instanceof ApiError ? error.fieldMessage(field) : undefined);
  const urlError = fieldError('url');
  const eventsError = noEvents ? 'Choose at least one event, or receive all of them.' : fieldError('events');
  const toggle = (name: string, on: boolean) =>
    setEvents((list) => (on ? [...list.filter((item) => item !== name), name] : list.filter((item) => item !== name)));

  return (
    <form class="form" onSubmit={submit} noValidate>
      {error !== undefined && <ErrorNotice error={error} />}
      <div class="field">
        <label for="endpoint-url">Endpoint URL</label>
        <p class="hint" id="endpoint-url-hint">
          An https:// address of your server that accepts POST requests.
        </p>
        <input
          id="endpoint-url"
          type="url"
          required
          autoComplete="url"
          value={url}
          onInput={(event) => setUrl(event.currentTarget.value)}
          aria-invalid={urlError !== undefined}
          aria-describedby={urlError === undefined ? 'endpoint-url-hint' : 'endpoint-url-hint endpoint-url-error'}
        />
        {urlError !== undefined && (
          <p class="field-error" id="endpoint-url-error">
            {urlError}
          </p>
        )}
      </div>
      <div class="field">
        <label for="endpoint-description">Description (optional)</label>
        <input
          id="endpoint-description"
          type="text"
          maxLength={1000}
          value={description}
          onInput={(event) => setDescription(event.currentTarget.value)}
        />
      </div>
      <fieldset class="field" aria-describedby={eventsError === undefined ? undefined : 'endpoint-events-error'}>
        <legend>Events to receive</legend>
        <label class="choice">
          <input type="radio" name="scope" checked={allEvents} onChange={() => setAllEvents(true)} />
          All events, including those added later
        </label>
        <label class="choice">
          <input type="radio" name="scope" checked={!allEvents} onChange={() => setAllEvents(false)} />
          Only the events I choose
        </label>
        {!allEvents && (
          <ul class="checklist">
            {eventTypes.map((type) => (
              <li key={type.name}>
                <label class="choice">
                  <input
                    type="checkbox"
                    checked={events.includes(type.name)}
                    onChange={(event) => toggle(type.name, event.currentTarget.checked)}
                  />
                  <code>{type.name}</code>
                  {type.summary && <span class="muted"> — {type.summary}</span>}
                </label>
              </li>
            ))}
          </ul>
        )}
        {eventsError !== undefined && (
          <p class="field-error" id="endpoint-events-error">
            {eventsError}
          </p>
        )}
      </fieldset>
      <div class="actions">
        <button type="submit" disabled={saving}>
          {endpoint === undefined ? 'Add endpoint' : 'Save changes'}
        </button>
        <a class="button button-secondary" href={endpoint === undefined ? '#/endpoints' : endpointHref(endpoint.id)}>
          Cancel
        </a>
      </div>
    </form>
  );
}
