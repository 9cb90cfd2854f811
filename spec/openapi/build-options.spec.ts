import { IsString } from 'class-validator';
import { buildOpenApi, OpenApiDocumentError, Webhook } from 'hookspec';
import type { BuildOpenApiOptions } from 'hookspec';
import { describe, expect, it } from 'vitest';

@Webhook('user.renamed')
class UserRenamed {
  @IsString() name!: string;
}

const build = (options: unknown) => () => buildOpenApi(options as BuildOpenApiOptions);

describe('buildOpenApi options', () => {
  it('refuses an unknown option with a did-you-mean, so a typo fails instead of vanishing', () => {
    expect(build({ webhooks: [UserRenamed], envelop: 'standard' })).toThrow(OpenApiDocumentError);
    expect(build({ webhooks: [UserRenamed], envelop: 'standard' })).toThrow(
      expect.objectContaining({
        code: 'unknown-option',
        message:
          "buildOpenApi(options): unknown option 'envelop' (did you mean 'envelope'?). " +
          'Known options: webhooks, info, document, servers, tags, envelope, converters.',
      }),
    );
  });

  it('names every unknown option, with no guess for one that is not close to any', () => {
    expect(build({ webhooks: [UserRenamed], Info: {}, colour: 'blue' })).toThrow(
      expect.objectContaining({
        code: 'unknown-option',
        message: expect.stringMatching(
          /^buildOpenApi\(options\): unknown options 'Info' \(did you mean 'info'\?\), 'colour'\. Known options:/,
        ),
      }),
    );
  });

  it('refuses options that are not an object, with an example', () => {
    expect(build([UserRenamed])).toThrow(
      expect.objectContaining({
        code: 'invalid-option',
        message:
          'buildOpenApi(options) needs an options object, e.g. { webhooks: [Subscription, BillingWebhooks] }; got an array.',
      }),
    );
  });

  it("refuses an envelope other than 'none' or 'standard'", () => {
    expect(build({ webhooks: [UserRenamed], envelope: 'svix' })).toThrow(
      expect.objectContaining({
        code: 'invalid-option',
        message: "buildOpenApi(options): envelope must be 'none' or 'standard', got 'svix'.",
      }),
    );
  });

  it('accepts every documented option', () => {
    const document = buildOpenApi({
      webhooks: [UserRenamed],
      info: { title: 'Users', version: '2.0.0' },
      servers: [{ url: 'https://users.example.com' }],
      tags: [{ name: 'users', description: 'Users' }],
      envelope: 'none',
      converters: {},
    });
    expect(document.info).toEqual({ title: 'Users', version: '2.0.0' });
    expect(Object.keys(document.webhooks ?? {})).toEqual(['user.renamed']);
  });
});
