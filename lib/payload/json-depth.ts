/**
 * How deep a webhook body may nest: objects and arrays inside one another, the body itself being level 1.
 * Far above any real payload, and far below the depth at which the recursive walks of class-transformer,
 * class-validator and JSON.stringify exhaust the stack (a 3,000-level body did): a body nested deeper is
 * refused with a typed error on both sides instead of crashing with a RangeError.
 */
export const MAX_JSON_DEPTH = 128;

/**
 * The path to the first value nested deeper than `max` levels (`a.b[0].c…`, shortened), or undefined when
 * the value fits. Walks with its own stack, so the check itself cannot overflow; a cycle counts as too deep.
 */
export function findTooDeep(value: unknown, max: number = MAX_JSON_DEPTH): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  // Every verified body is walked: the plain check first, without a frame or a path segment per object;
  // the path is only worked out for a body that is too deep.
  if (!nestsDeeper(value, 1, max)) return undefined;
  const pending: Frame[] = [{ value, depth: 1, segment: '', parent: undefined }];
  for (let frame = pending.pop(); frame !== undefined; frame = pending.pop()) {
    if (frame.depth > max) return pathOf(frame);
    const container = frame.value as Record<string, unknown>;
    const array = Array.isArray(container);
    for (const key of Object.keys(container)) {
      const child = container[key];
      if (typeof child !== 'object' || child === null) continue;
      const segment = array ? `[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
      pending.push({ value: child, depth: frame.depth + 1, segment, parent: frame });
    }
  }
  return undefined;
}

/**
 * Whether an object or array at `depth` holds one nested deeper than `max`. Recursive, but never more
 * than `max` + 1 calls deep (a cycle, too, stops there), so it cannot exhaust the stack.
 */
function nestsDeeper(container: object, depth: number, max: number): boolean {
  if (depth > max) return true;
  if (Array.isArray(container)) {
    for (let index = 0; index < container.length; index++) {
      const child: unknown = container[index];
      if (typeof child === 'object' && child !== null && nestsDeeper(child, depth + 1, max)) return true;
    }
    return false;
  }
  const record = container as Record<string, unknown>;
  // for…in without an own-property test: twice as fast, and its only extra keys (enumerable inherited
  // ones, a polluted prototype) can only make this say "deeper", which the exact walk then settles.
  for (const key in record) {
    const child = record[key];
    if (typeof child === 'object' && child !== null && nestsDeeper(child, depth + 1, max)) return true;
  }
  return false;
}

/** One object or array on the walk; the path is rebuilt from the parents only for the answer. */
interface Frame {
  readonly value: unknown;
  readonly depth: number;
  readonly segment: string;
  readonly parent: Frame | undefined;
}

function pathOf(frame: Frame): string {
  const segments: string[] = [];
  for (let at: Frame | undefined = frame; at !== undefined; at = at.parent) segments.unshift(at.segment);
  const text = (segments.length > 8 ? [...segments.slice(0, 5), '…', ...segments.slice(-2)] : segments).join('');
  return text.startsWith('.') ? text.slice(1) : text;
}
