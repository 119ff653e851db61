/**
 * @overview Builds the REST controller for one admin resource: the ra-data-simple-rest routes under
 * /api/<object>, each declaring its permission and its OpenAPI shape. Only the resource's declared
 * operations get a route.
 */
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Put,
  Query,
  Res,
  type Type,
} from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';

import type { StoredRecord } from '@crossgate/store';

import { Authorize, Context, type RequestContext } from '../auth/index.ts';
import { contentRange, type RawListQuery } from '../http/index.ts';
import type { AdminResource, Operation } from './admin-resource.ts';
import { CrudService } from './crud.service.ts';

function jsonSchemaOf(schema: z.ZodType): object {
  return z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }) as object;
}

export function crudController(resource: AdminResource): Type {
  const { object, label } = resource;

  @ApiTags(object)
  @Controller(`api/${object}`)
  class ResourceController {
    constructor(@Inject(CrudService) private readonly crud: CrudService) {}

    async list(@Query() query: RawListQuery, @Res({ passthrough: true }) response: Response): Promise<StoredRecord[]> {
      const { records, skip, total } = await this.crud.list(resource, query);
      response.setHeader('Content-Range', contentRange(object, skip, records.length, total));
      return records;
    }

    get(@Param('id') id: string): Promise<StoredRecord> {
      return this.crud.get(resource, id);
    }

    create(@Body() body: unknown, @Context() context: RequestContext): Promise<StoredRecord> {
      return this.crud.create(resource, body, context);
    }

    update(@Param('id') id: string, @Body() body: unknown, @Context() context: RequestContext): Promise<StoredRecord> {
      return this.crud.update(resource, id, body, context);
    }

    remove(@Param('id') id: string, @Context() context: RequestContext): Promise<StoredRecord> {
      return this.crud.delete(resource, id, context);
    }
  }

  const routes: Record<Operation, { method: keyof ResourceController; decorators: MethodDecorator[] }> = {
    list: {
      method: 'list',
      decorators: [
        Get(),
        Authorize(`${object}:read`),
        ApiOperation({ summary: `List ${object}` }),
        ApiQuery({ name: 'sort', required: false, description: `JSON ["field","ASC"]; fields: ${resource.list.sortable.join(', ')}` }),
        ApiQuery({ name: 'range', required: false, description: 'JSON [start,end], inclusive, at most 500 rows' }),
        ApiQuery({
          name: 'filter',
          required: false,
          description: `JSON object; keys: q, id, ${Object.keys(resource.list.filters).join(', ')}`,
        }),
      ],
    },
    get: { method: 'get', decorators: [Get(':id'), Authorize(`${object}:read`), ApiOperation({ summary: `Read one ${label}` })] },
    create: {
      method: 'create',
      decorators: [
        Post(),
        HttpCode(201),
        Authorize(`${object}:write`),
        ApiOperation({ summary: `Create a ${label}` }),
        ApiBody({ schema: jsonSchemaOf(resource.createSchema) }),
      ],
    },
    update: {
      method: 'update',
      decorators: [
        Put(':id'),
        Authorize(`${object}:write`),
        ApiOperation({ summary: `Change a ${label}; fields left out keep their value` }),
        ApiBody({ schema: jsonSchemaOf(resource.updateSchema) }),
      ],
    },
    delete: {
      method: 'remove',
      decorators: [
        Delete(':id'),
        Authorize(`${object}:write`),
        ApiOperation({ summary: resource.deletion === 'soft' ? `Delete a ${label} (kept for history)` : `Delete a ${label}` }),
      ],
    },
  };

  for (const operation of resource.operations) {
    const { method, decorators } = routes[operation];
    const descriptor = Object.getOwnPropertyDescriptor(ResourceController.prototype, method)!;
    for (const decorate of decorators) {
      decorate(ResourceController.prototype, method, descriptor);
    }
  }
  const pascal = object.replace(/(^|-)([a-z])/g, (_, __, letter: string) => letter.toUpperCase());
  Object.defineProperty(ResourceController, 'name', { value: `${pascal}Controller` });
  return ResourceController;
}
