/* Messages, newest first, filtered by delivery state, event, endpoint and time, a page at a time. */
import { useState } from 'preact/hooks';
import { fromLocalInput, toLocalInput, zoneName } from '../format';
import { Pager, useCursors } from '../pager';
import { endpointHref, messageHref, messagesHref } from '../route';
import { navigate, usePortal } from '../session';
import { Empty, ErrorNotice, Heading, Loading, StateBadge, TableScroll, Time, stateLabel, useLoad } from '../ui';
import { DELIVERY_STATES } from '../wire';
import type { EventType, Message, Page } from '../wire';

const FILTERS = ['status', 'event', 'endpointId', 'since', 'until'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

function readFilters(search: URLSearchParams): Filters {
  const filters: Filters = {};
  for (const name of FILTERS) {
    const value = search.get(name);
    if (value !== null && value !== '') filters[name] = value;
  }
  return filters;
}

export function MessageList({ filters: search }: { filters: URLSearchParams }) {
  const { api } = usePortal();
  const filters = readFilters(search);
  const pages = useCursors();
  const { data, error, loading, reload } = useLoad(
    () => api.get<Page<Message>>('/messages', { ...filters, cursor: pages.cursor, limit: 20 }),
    [pages.cursor],
  );
  const filtered = Object.keys(filters).length > 0;
  return (
    <>
      <Heading>Messages</Heading>
      <p class="lead">Every webhook sent to you, newest first, with how each delivery went.</p>
      <FilterForm filters={filters} />
      <div class="toolbar">
        <button type="button" class="button-secondary" onClick={reload} disabled={loading}>
          Refresh
        </button>
      </div>
      {error !== undefined ? (
        <ErrorNotice error={error} retry={reload} />
      ) : data === undefined ? (
        <Loading what="messages" />
      ) : data.data.length === 0 ? (
        <Empty title={filtered ? 'No message matches these filters' : 'No messages yet'}>
          <p>
            {filtered
              ? 'Change or clear the filters to see more.'
              : 'Messages appear here as soon as one is sent to your endpoints. Send a test event from an endpoint to try it.'}
          </p>
        </Empty>
      ) : (
        <>
          <TableScroll label="Messages">
            <table>
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col">Sent</th>
                  <th scope="col">Deliveries</th>
                </tr>
              </thead>
              <tbody>
                {data.data.map((message) => (
                  <tr key={message.id}>
                    <td>
                      <a href={messageHref(message.id)}>
                        <code>{message.event}</code>
                      </a>
                      <div class="muted">
                        <code>{message.id}</code>
                      </div>
                    </td>
                    <td>
                      <Time iso={message.createdAt} />
                    </td>
                    <td>
                      {message.deliveries.length === 0 ? (
                        <span class="muted">None</span>
                      ) : (
                        <ul class="plain">
                          {message.deliveries.map((delivery) => (
                            <li key={delivery.endpointId}>
                              <StateBadge state={delivery.state} />{' '}
                              <a class="url muted" href={endpointHref(delivery.endpointId)}>
                                {delivery.url}
                              </a>
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          <Pager
            label="Message"
            page={pages.page}
            nextCursor={data.nextCursor}
            onNext={pages.next}
            onPrevious={pages.previous}
          />
        </>
      )}
    </>
  );
}

function FilterForm({ filters }: { filters: Filters }) {
  const { api } = usePortal();
  const types = useLoad(() => api.get<{ data: EventType[] }>('/event-types'), []);
  const [status, setStatus] = useState(filters.status ?? '');
  const [event, setEvent] = useState(filters.event ?? '');
  const [since, setSince] = useState(toLocalInput(filters.since));
  const [until, setUntil] = useState(toLocalInput(filters.until));
  const apply = (submitted: Event) => {
    submitted.preventDefault();
    navigate(
      messagesHref({
        status,
        event,
        endpointId: filters.endpointId,
        since: fromLocalInput(since),
        until: fromLocalInput(until),
      }),
    );
  };
  return (
    <form class="filters" onSubmit={apply} aria-label="Filter messages">
      <div class="field">
        <label for="filter-status">Delivery status</label>
        <select id="filter-status" value={status} onChange={(change) => setStatus(change.currentTarget.value)}>
          <option value="">Any</option>
          {DELIVERY_STATES.map((state) => (
            <option key={state} value={state}>
              {stateLabel(state)}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="filter-event">Event</label>
        <select id="filter-event" value={event} onChange={(change) => setEvent(change.currentTarget.value)}>
          <option value="">Any</option>
          {(types.data?.data ?? []).map((type) => (
            <option key={type.name} value={type.name}>
              {type.name}
            </option>
          ))}
          {event !== '' && !(types.data?.data ?? []).some((type) => type.name === event) && (
            <option value={event}>{event}</option>
          )}
        </select>
      </div>
      <div class="field">
        <label for="filter-since">From ({zoneName()})</label>
        <input
          id="filter-since"
          type="datetime-local"
          value={since}
          onInput={(change) => setSince(change.currentTarget.value)}
        />
      </div>
      <div class="field">
        <label for="filter-until">Until ({zoneName()})</label>
        <input
          id="filter-until"
          type="datetime-local"
          value={until}
          onInput={(change) => setUntil(change.currentTarget.value)}
        />
      </div>
      <div class="actions">
        <button type="submit">Apply filters</button>
        <a class="button button-secondary" href="#/messages">
          Clear
        </a>
      </div>
      {filters.endpointId !== undefined && (
        <p class="hint">
          Only messages to endpoint <code>{filters.endpointId}</code>.{' '}
          <a href={messagesHref({ ...filters, endpointId: undefined })}>Show all endpoints</a>
        </p>
      )}
    </form>
  );
}
