/** Users: just-in-time provisioning from an IdP's ID token, the public surface for the token exchange. */
import { Module } from '@nestjs/common';

import { UserProvisioningService } from './user-provisioning.service.ts';

@Module({ providers: [UserProvisioningService], exports: [UserProvisioningService] })
export class UsersModule {}
