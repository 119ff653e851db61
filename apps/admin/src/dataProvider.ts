/**
 * The admin API speaks the ra-data-simple-rest dialect (sort, range, filter; Content-Range). A
 * resource is named after its permission object; the few whose route is deeper say where it is.
 */
import type { DataProvider } from 'react-admin';
import simpleRestProvider from 'ra-data-simple-rest';

import { httpClient } from './http.ts';

const base = simpleRestProvider('/api', httpClient);

/** Resources whose route under /api is not their name. */
const routes: Record<string, string> = { 'access-reviews': 'access-reviews/campaigns' };
const route = (resource: string) => routes[resource] ?? resource;

export const dataProvider: DataProvider = {
  getList: (resource, params) => base.getList(route(resource), params),
  getOne: (resource, params) => base.getOne(route(resource), params),
  getMany: (resource, params) => base.getMany(route(resource), params),
  getManyReference: (resource, params) => base.getManyReference(route(resource), params),
  create: (resource, params) => base.create(route(resource), params),
  update: (resource, params) => base.update(route(resource), params),
  updateMany: (resource, params) => base.updateMany(route(resource), params),
  delete: (resource, params) => base.delete(route(resource), params),
  deleteMany: (resource, params) => base.deleteMany(route(resource), params),
};
