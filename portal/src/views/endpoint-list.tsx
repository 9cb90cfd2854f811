import { Pager, useCursors } from '../pager';
import { endpointHref } from '../route';
import { usePortal } from '../session';
import { Empty, ErrorNotice, Gate, Heading, Loading, TableScroll, Time, useLoad } from '../ui';
import type { Endpoint, Page } from '../wire';

export function EndpointList() {
  const { api } = usePortal();
  const pages = useCursors();
  const { data, error, loading, reload } = useLoad(
    () => api.get<Page<Endpoint>>('/endpoints', { cursor: pages.cursor, limit: 20 }),
    [pages.cursor],
  );
  return (
    <>
      <Heading>Endpoints</Heading>
      <p class="lead">The URLs where you receive webhooks, and the events each one receives.</p>
      <Gate needs={['manage-endpoints']}>
        <p>
          <a class="button" href="#/endpoints/new">
            Add an endpoint
          </a>
        </p>
      </Gate>
      {error !== undefined ? (
        <ErrorNotice error={error} retry={reload} />
      ) : data === undefined || loading ? (
        <Loading what="endpoints" />
      ) : data.data.length === 0 ? (
        <Empty title="No endpoints yet">
          <p>Add the URL of your server to start receiving webhooks. The receiving guide shows how to verify them.</p>
        </Empty>
      ) : (
        <>
          <TableScroll label="Endpoints">
            <table>
              <thead>
                <tr>
                  <th scope="col">URL</th>
                  <th scope="col">Events</th>
                  <th scope="col">Status</th>
                  <th scope="col">Added</th>
                </tr>
              </thead>
              <tbody>
                {data.data.map((endpoint) => (
                  <tr key={endpoint.id}>
                    <td>
                      <a href={endpointHref(endpoint.id)} class="url">
                        {endpoint.url}
                      </a>
                      {endpoint.description && <div class="muted">{endpoint.description}</div>}
                    </td>
                    <td>{endpoint.events ? endpoint.events.join(', ') : 'All events'}</td>
                    <td>
                      <EnabledBadge endpoint={endpoint} />
                    </td>
                    <td>
                      <Time iso={endpoint.createdAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
          <Pager
            label="Endpoint"
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

const REASONS: Readonly<Record<string, string>> = {
  gone: 'it answered 410 Gone',
  failing: 'it failed for too long',
};

export function EnabledBadge({ endpoint }: { endpoint: Endpoint }) {
  if (endpoint.enabled) return <span class="badge badge-delivered">Enabled</span>;
  const reason = endpoint.disabledReason;
  return (
    <span class="badge badge-exhausted">Disabled{reason === undefined ? '' : `: ${REASONS[reason] ?? reason}`}</span>
  );
}
