/*
 * The API's cursor pagination: the page keeps the cursors it followed, so "Previous" goes back to the
 * cursor of the page before without the API having to page backwards.
 */
import { useState } from 'preact/hooks';

export function useCursors() {
  const [cursors, setCursors] = useState<readonly (string | undefined)[]>([undefined]);
  return {
    cursor: cursors[cursors.length - 1],
    page: cursors.length,
    next: (cursor: string) => setCursors((list) => [...list, cursor]),
    previous: () => setCursors((list) => (list.length > 1 ? list.slice(0, -1) : list)),
  };
}

export function Pager({
  label,
  page,
  nextCursor,
  onNext,
  onPrevious,
}: {
  label: string;
  page: number;
  nextCursor: string | undefined;
  onNext: (cursor: string) => void;
  onPrevious: () => void;
}) {
  if (page === 1 && nextCursor === undefined) return null;
  return (
    <nav class="pager" aria-label={`${label} pages`}>
      <button type="button" class="button-secondary" onClick={onPrevious} disabled={page === 1}>
        Previous page
      </button>
      <span>Page {page}</span>
      <button
        type="button"
        class="button-secondary"
        onClick={() => nextCursor !== undefined && onNext(nextCursor)}
        disabled={nextCursor === undefined}
      >
        Next page
      </button>
    </nav>
  );
}
