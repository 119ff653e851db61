/** Managed connections: credentials, rotation, the ladder, and PairConnections, which says what an app pair hands out. */
import { Module } from '@nestjs/common';

import { ConnectionLadderRepository, type PrismaClient } from '@crossgate/store';

import { PRISMA } from '../platform/index.ts';
import { PoliciesModule } from '../policies/index.ts';
import { StsModule } from '../sts/index.ts';
import { ConnectionCredentialController } from './connection-credential.controller.ts';
import { ConnectionCredentialService } from './connection-credential.service.ts';
import { ConnectionRotationController } from './connection-rotation.controller.ts';
import { ConnectionRotationService } from './connection-rotation.service.ts';
import { ConnectionsLadderController } from './connections-ladder.controller.ts';
import { ConnectionsLadderService } from './connections-ladder.service.ts';
import { PairConnections } from './pair-connections.service.ts';

@Module({
  imports: [PoliciesModule, StsModule],
  controllers: [ConnectionsLadderController, ConnectionCredentialController, ConnectionRotationController],
  providers: [
    ConnectionsLadderService,
    ConnectionCredentialService,
    ConnectionRotationService,
    PairConnections,
    { provide: ConnectionLadderRepository, inject: [PRISMA], useFactory: (prisma: PrismaClient) => new ConnectionLadderRepository(prisma) },
  ],
  exports: [ConnectionCredentialService, PairConnections],
})
export class ConnectionsModule {}
