// A focused JSON schema for GitHub Actions workflows: the subset this project uses, strict about unknown keys
// so a typo (`runs_on`, `with:` under a job) fails here instead of on GitHub. Reference:
// https://docs.github.com/en/actions/writing-workflows/workflow-syntax-for-github-actions

const stringMap = {
  type: 'object',
  additionalProperties: { type: ['string', 'number', 'boolean'] },
} as const;

const expression = { type: 'string', pattern: '^\\$\\{\\{.*\\}\\}$' } as const;

const permissionLevel = { enum: ['read', 'write', 'none'] } as const;

const permissions = {
  oneOf: [
    { enum: ['read-all', 'write-all'] },
    {
      type: 'object',
      propertyNames: {
        enum: [
          'actions',
          'attestations',
          'checks',
          'contents',
          'deployments',
          'id-token',
          'issues',
          'discussions',
          'packages',
          'pages',
          'pull-requests',
          'repository-projects',
          'security-events',
          'statuses',
        ],
      },
      additionalProperties: permissionLevel,
    },
  ],
} as const;

const concurrency = {
  oneOf: [
    { type: 'string' },
    {
      type: 'object',
      additionalProperties: false,
      required: ['group'],
      properties: { group: { type: 'string' }, 'cancel-in-progress': { type: ['boolean', 'string'] } },
    },
  ],
} as const;

const branchFilter = { type: 'array', items: { type: 'string' }, minItems: 1 } as const;

const pushLike = {
  oneOf: [
    { type: 'null' },
    {
      type: 'object',
      additionalProperties: false,
      properties: {
        branches: branchFilter,
        'branches-ignore': branchFilter,
        tags: branchFilter,
        'tags-ignore': branchFilter,
        paths: branchFilter,
        'paths-ignore': branchFilter,
        types: branchFilter,
      },
    },
  ],
} as const;

const dispatchInput = {
  type: 'object',
  additionalProperties: false,
  required: ['description'],
  properties: {
    description: { type: 'string', minLength: 1 },
    required: { type: 'boolean' },
    default: { type: ['string', 'boolean', 'number'] },
    type: { enum: ['string', 'boolean', 'choice', 'number', 'environment'] },
    options: { type: 'array', items: { type: 'string' } },
  },
} as const;

const on = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    push: pushLike,
    pull_request: pushLike,
    pull_request_target: pushLike,
    merge_group: pushLike,
    release: pushLike,
    schedule: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['cron'],
        // Five fields; GitHub rejects seconds.
        properties: { cron: { type: 'string', pattern: '^\\S+( \\S+){4}$' } },
      },
    },
    workflow_dispatch: {
      oneOf: [
        { type: 'null' },
        {
          type: 'object',
          additionalProperties: false,
          properties: {
            inputs: {
              type: 'object',
              propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_-]*$' },
              additionalProperties: dispatchInput,
            },
          },
        },
      ],
    },
  },
} as const;

const step = {
  type: 'object',
  additionalProperties: false,
  properties: {
    id: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_-]*$' },
    name: { type: 'string', minLength: 1 },
    if: { type: ['string', 'boolean'] },
    uses: { type: 'string', minLength: 1 },
    run: { type: 'string', minLength: 1 },
    with: stringMap,
    env: stringMap,
    shell: { type: 'string' },
    'working-directory': { type: 'string' },
    'continue-on-error': { type: ['boolean', 'string'] },
    'timeout-minutes': { oneOf: [{ type: 'number', exclusiveMinimum: 0 }, expression] },
  },
  // A step either runs an action or a script, never both and never neither; `with` only goes with `uses`.
  oneOf: [
    { required: ['uses'], not: { required: ['run'] } },
    { required: ['run'], not: { anyOf: [{ required: ['uses'] }, { required: ['with'] }] } },
  ],
} as const;

const matrixValue = { type: ['string', 'number', 'boolean'] } as const;

const strategy = {
  type: 'object',
  additionalProperties: false,
  properties: {
    'fail-fast': { type: ['boolean', 'string'] },
    'max-parallel': { type: ['number', 'string'] },
    matrix: {
      type: 'object',
      minProperties: 1,
      properties: {
        include: { type: 'array', minItems: 1, items: { type: 'object', additionalProperties: matrixValue } },
        exclude: { type: 'array', minItems: 1, items: { type: 'object', additionalProperties: matrixValue } },
      },
      additionalProperties: { type: 'array', minItems: 1, items: matrixValue },
    },
  },
} as const;

const container = {
  oneOf: [
    { type: 'string' },
    {
      type: 'object',
      additionalProperties: false,
      required: ['image'],
      properties: {
        image: { type: 'string' },
        options: { type: 'string' },
        env: stringMap,
        volumes: { type: 'array', items: { type: 'string' } },
        ports: { type: 'array' },
      },
    },
  ],
} as const;

const job = {
  type: 'object',
  additionalProperties: false,
  required: ['runs-on', 'steps'],
  properties: {
    name: { type: 'string' },
    'runs-on': { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, minItems: 1 }] },
    needs: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    if: { type: ['string', 'boolean'] },
    permissions,
    env: stringMap,
    'timeout-minutes': { oneOf: [{ type: 'number', exclusiveMinimum: 0 }, expression] },
    'continue-on-error': { type: ['boolean', 'string'] },
    concurrency,
    strategy,
    container,
    environment: { type: ['string', 'object'] },
    outputs: stringMap,
    defaults: {
      type: 'object',
      additionalProperties: false,
      properties: {
        run: {
          type: 'object',
          additionalProperties: false,
          properties: { shell: { type: 'string' }, 'working-directory': { type: 'string' } },
        },
      },
    },
    steps: { type: 'array', minItems: 1, items: step },
  },
} as const;

export const workflowSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  additionalProperties: false,
  required: ['name', 'on', 'jobs'],
  properties: {
    name: { type: 'string', minLength: 1 },
    'run-name': { type: 'string' },
    on,
    permissions,
    env: stringMap,
    concurrency,
    defaults: job.properties.defaults,
    jobs: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: '^[A-Za-z_][A-Za-z0-9_-]*$' },
      additionalProperties: job,
    },
  },
} as const;
