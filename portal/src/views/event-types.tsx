/* The event catalogue: each webhook you can receive, the fields of its body, and an example. */
import { pretty } from '../format';
import { schemaRows } from '../schema-rows';
import { usePortal } from '../session';
import { Code, Empty, ErrorNotice, Heading, Loading, TableScroll, useLoad } from '../ui';
import type { EventType } from '../wire';

export function EventTypes() {
  const { api } = usePortal();
  const { data, error, reload } = useLoad(() => api.get<{ data: EventType[] }>('/event-types'), []);
  return (
    <>
      <Heading>Event types</Heading>
      <p class="lead">The webhooks you can receive. Each is a POST whose JSON body has the fields below.</p>
      {error !== undefined ? (
        <ErrorNotice error={error} retry={reload} />
      ) : data === undefined ? (
        <Loading what="event types" />
      ) : data.data.length === 0 ? (
        <Empty title="No event types" />
      ) : (
        <>
          <nav aria-label="Event types" class="toc">
            <ul>
              {data.data.map((type) => (
                <li key={type.name}>
                  <a href={`#/event-types`} onClick={jumpTo(type.name)}>
                    <code>{type.name}</code>
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          {data.data.map((type) => (
            <EventTypeView key={type.name} type={type} />
          ))}
        </>
      )}
    </>
  );
}

const sectionId = (name: string) => `event-${name}`;

/** In-page links cannot use the fragment (it holds the route): they focus the section instead. */
function jumpTo(name: string) {
  return (event: Event) => {
    event.preventDefault();
    const section = document.getElementById(sectionId(name));
    section?.focus();
    section?.scrollIntoView();
  };
}

function EventTypeView({ type }: { type: EventType }) {
  const rows = schemaRows(type.schema);
  const titleId = `${sectionId(type.name)}-title`;
  return (
    <section class="panel event-type" id={sectionId(type.name)} tabIndex={-1} aria-labelledby={titleId}>
      <h2 id={titleId}>
        <code>{type.name}</code>
        {type.deprecated && <span class="badge badge-exhausted">Deprecated</span>}
      </h2>
      {type.summary && <p class="summary">{type.summary}</p>}
      {type.description && <p>{type.description}</p>}
      {type.tags && type.tags.length > 0 && <p class="muted">Tags: {type.tags.join(', ')}</p>}
      <h3>Fields</h3>
      {rows.length === 0 ? (
        <p>The body has no named fields.</p>
      ) : (
        <TableScroll label={`Fields of ${type.name}`}>
          <table>
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Type</th>
                <th scope="col">Required</th>
                <th scope="col">Description</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.path}>
                  <th scope="row">
                    <code>{row.path}</code>
                  </th>
                  <td>{row.type}</td>
                  <td>{row.required ? 'Yes' : 'No'}</td>
                  <td>{row.description}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
      <h3>Example body</h3>
      {type.example === undefined ? (
        <p class="muted">No example is available for this event.</p>
      ) : (
        <Code code={pretty(type.example)} label={`Example body of ${type.name}`} />
      )}
    </section>
  );
}
