/**
 * @overview The SCIM 2.0 endpoints (RFC 7644 §3.2) at /scim/v2: Users and Groups (create, read,
 * list with `filter`, `startIndex` and `count`, replace, PATCH, delete) and the discovery endpoints
 * (§4). The routes are public to the admin guard; ScimAuthGuard admits only a trusted IdP's SCIM
 * token, and every answer, error or not, is `application/scim+json`.
 */
import { Body, Controller, Delete, Get, Header, HttpCode, Param, Patch, Post, Put, Query, Req, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';

import { Public } from '../auth/index.ts';
import { ScimAuthGuard, type ScimRequest } from './scim-auth.guard.ts';
import { ScimErrorFilter } from './scim-error.filter.ts';
import { type AttributesQuery, type ListQuery, type ScimCall, ScimService } from './scim.service.ts';
import { scimContentType } from './scim.error.ts';

function callOf(request: ScimRequest): ScimCall {
  if (request.scimClient === undefined) {
    throw new Error('ScimAuthGuard did not run');
  }
  return { client: request.scimClient, requestId: request.requestId ?? null };
}

@ApiExcludeController()
@Controller('scim/v2')
@Public()
@UseGuards(ScimAuthGuard)
@UseFilters(ScimErrorFilter)
export class ScimController {
  constructor(private readonly scim: ScimService) {}

  @Get('ServiceProviderConfig')
  @Header('Content-Type', scimContentType)
  serviceProviderConfig(): Promise<unknown> {
    return this.scim.serviceProviderConfig();
  }

  @Get('ResourceTypes')
  @Header('Content-Type', scimContentType)
  resourceTypes(): Promise<unknown> {
    return this.scim.resourceTypes();
  }

  @Get('ResourceTypes/:id')
  @Header('Content-Type', scimContentType)
  resourceType(@Param('id') id: string): Promise<unknown> {
    return this.scim.resourceTypes(id);
  }

  @Get('Schemas')
  @Header('Content-Type', scimContentType)
  schemas(): Promise<unknown> {
    return this.scim.schemas();
  }

  @Get('Schemas/:id')
  @Header('Content-Type', scimContentType)
  schema(@Param('id') id: string): Promise<unknown> {
    return this.scim.schemas(id);
  }

  @Get('Users')
  @Header('Content-Type', scimContentType)
  listUsers(@Req() request: ScimRequest, @Query() query: ListQuery): Promise<unknown> {
    return this.scim.listUsers(callOf(request), query);
  }

  @Post('Users')
  @HttpCode(201)
  @Header('Content-Type', scimContentType)
  createUser(@Req() request: ScimRequest, @Body() body: unknown): Promise<unknown> {
    return this.scim.createUser(callOf(request), body);
  }

  @Get('Users/:id')
  @Header('Content-Type', scimContentType)
  getUser(@Req() request: ScimRequest, @Param('id') id: string, @Query() query: AttributesQuery): Promise<unknown> {
    return this.scim.getUser(callOf(request), id, query);
  }

  @Put('Users/:id')
  @Header('Content-Type', scimContentType)
  replaceUser(@Req() request: ScimRequest, @Param('id') id: string, @Body() body: unknown): Promise<unknown> {
    return this.scim.replaceUser(callOf(request), id, body);
  }

  @Patch('Users/:id')
  @Header('Content-Type', scimContentType)
  patchUser(@Req() request: ScimRequest, @Param('id') id: string, @Body() body: unknown): Promise<unknown> {
    return this.scim.patchUser(callOf(request), id, body);
  }

  @Delete('Users/:id')
  @HttpCode(204)
  deleteUser(@Req() request: ScimRequest, @Param('id') id: string): Promise<void> {
    return this.scim.deleteUser(callOf(request), id);
  }

  @Get('Groups')
  @Header('Content-Type', scimContentType)
  listGroups(@Req() request: ScimRequest, @Query() query: ListQuery): Promise<unknown> {
    return this.scim.listGroups(callOf(request), query);
  }

  @Post('Groups')
  @HttpCode(201)
  @Header('Content-Type', scimContentType)
  createGroup(@Req() request: ScimRequest, @Body() body: unknown): Promise<unknown> {
    return this.scim.createGroup(callOf(request), body);
  }

  @Get('Groups/:id')
  @Header('Content-Type', scimContentType)
  getGroup(@Req() request: ScimRequest, @Param('id') id: string, @Query() query: AttributesQuery): Promise<unknown> {
    return this.scim.getGroup(callOf(request), id, query);
  }

  @Put('Groups/:id')
  @Header('Content-Type', scimContentType)
  replaceGroup(@Req() request: ScimRequest, @Param('id') id: string, @Body() body: unknown): Promise<unknown> {
    return this.scim.replaceGroup(callOf(request), id, body);
  }

  @Patch('Groups/:id')
  @Header('Content-Type', scimContentType)
  patchGroup(@Req() request: ScimRequest, @Param('id') id: string, @Body() body: unknown): Promise<unknown> {
    return this.scim.patchGroup(callOf(request), id, body);
  }

  @Delete('Groups/:id')
  @HttpCode(204)
  deleteGroup(@Req() request: ScimRequest, @Param('id') id: string): Promise<void> {
    return this.scim.deleteGroup(callOf(request), id);
  }
}
