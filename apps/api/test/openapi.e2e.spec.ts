import { AdminHttp } from '@crossgate/testing';

import { adminResources } from '../src/admin-resources.ts';
import { startTestApi, type TestApi } from './support/test-api.ts';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi();
});

afterAll(async () => {
  await api.close();
});

describe('OpenAPI document', () => {
  it('should describe every admin resource, the audit log and sign-in, with request body schemas', async () => {
    const response = await AdminHttp.anonymous(api.baseUrl).get<{
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties?: object } }> } }>>;
    }>('/api/docs/openapi.json');
    expect(response.status).toBe(200);
    const paths = response.body.paths;
    for (const resource of adminResources) {
      expect(paths).toHaveProperty([`/api/${resource.object}`, 'get']);
      expect(paths).toHaveProperty([`/api/${resource.object}/{id}`, 'get']);
    }
    expect(paths).toHaveProperty(['/api/audit/verify', 'get']);
    expect(paths).toHaveProperty(['/api/audit/export', 'get']);
    const createClient = paths['/api/clients']?.['post']?.requestBody?.content['application/json']?.schema;
    expect(createClient?.properties).toHaveProperty('clientId');
    expect(createClient?.properties).toHaveProperty('scopeCeiling');
  });

  it('should serve the interactive documentation page at /api/docs', async () => {
    const response = await fetch(`${api.baseUrl}/api/docs`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('swagger');
  });
});
