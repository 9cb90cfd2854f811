/** A pino-compatible logger: `logger.info({ messageId }, 'delivered')`. pino, bunyan-style and console-like objects fit. */
export interface WebhookLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/** The default: says nothing. */
export const silentLogger: WebhookLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
