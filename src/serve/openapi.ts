/** The service's OpenAPI 3.1 description, served at GET /openapi.json. */
import { FLOW_JSON_SCHEMA } from './flow-json.js';

export function openApiDocument(o: { maxFlows: number; maxBodyBytes: number; classes: readonly string[]; version: string }): object {
  const { $id: _id, ...flow } = FLOW_JSON_SCHEMA;
  const error = {
    type: 'object',
    required: ['error', 'message'],
    properties: {
      error: { type: 'string', description: 'HTTP reason phrase.' },
      message: { type: 'string', description: 'What was wrong, with the field path (`body/3/srcPort must be integer`) or CSV line.' },
      badRows: { type: 'array', items: { type: 'object', properties: { line: { type: 'integer' }, field: { type: 'string' }, reason: { type: 'string' } } } },
    },
  };
  const classified = {
    type: 'object',
    required: ['start', 'duration', 'proto', 'srcAddr', 'srcPort', 'dstAddr', 'dstPort', 'packets', 'bytes', 'predicted', 'score'],
    properties: {
      start: { type: 'string', format: 'date-time' },
      duration: { type: 'number' },
      proto: { type: 'string' },
      srcAddr: { type: 'string' },
      srcPort: { type: 'integer' },
      dstAddr: { type: 'string' },
      dstPort: { type: 'integer' },
      packets: { type: 'number' },
      bytes: { type: 'number' },
      predicted: { type: 'string', enum: [...o.classes] },
      score: { type: 'number', description: 'Probability of the predicted class (the raw output for a model trained with --loss mse).' },
      probabilities: { type: 'object', additionalProperties: { type: 'number' }, description: 'Per class (absent for --loss mse models).' },
    },
  };
  const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
  return {
    openapi: '3.1.0',
    info: {
      title: 'ntc network traffic classifier',
      version: o.version,
      description:
        'Classifies network flows with a trained ntc model. Each request is judged on its own: flows are grouped by source ' +
        'address, ordered by start time and cut into windows of the model\'s sequence length, exactly as `ntc evaluate` treats a ' +
        'file; no state is kept between requests, so send a source\'s flows together to give them context.',
    },
    paths: {
      '/v1/classify': {
        post: {
          summary: 'Classify flows',
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: { type: 'array', maxItems: o.maxFlows, items: { $ref: '#/components/schemas/Flow' } } },
              'text/csv': { schema: { type: 'string', description: 'A CIDDS or nfdump CSV file, header first (plain or gzipped).' } },
            },
          },
          responses: {
            200: {
              description: 'One result per flow, in request order.',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    required: ['classes', 'flows'],
                    properties: { classes: { type: 'array', items: { type: 'string' } }, flows: { type: 'array', items: { $ref: '#/components/schemas/ClassifiedFlow' } } },
                  },
                },
              },
            },
            400: errorResponse('Invalid body: the message names the field path or CSV line.'),
            413: errorResponse(`Body larger than ${o.maxBodyBytes} bytes or more than ${o.maxFlows} flows.`),
            415: errorResponse('Content type other than application/json or text/csv.'),
          },
        },
      },
      '/healthz': { get: { summary: 'Liveness and the loaded model', responses: { 200: { description: 'Serving.' } } } },
      '/metrics': { get: { summary: 'Prometheus metrics (text format 0.0.4)', responses: { 200: { description: 'Metrics.', content: { 'text/plain': {} } } } } },
      '/openapi.json': { get: { summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1.' } } } },
    },
    components: { schemas: { Flow: flow, ClassifiedFlow: classified, Error: error } },
  };
}
