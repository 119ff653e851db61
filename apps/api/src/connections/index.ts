export { openConnectionCredential } from './connection-credential-opening.ts';
export { ConnectionCredentialController } from './connection-credential.controller.ts';
export { ConnectionCredentialService } from './connection-credential.service.ts';
export { ConnectionRotationController } from './connection-rotation.controller.ts';
export { ConnectionRotationService } from './connection-rotation.service.ts';
export { ConnectionsLadderController } from './connections-ladder.controller.ts';
export { ConnectionsLadderService } from './connections-ladder.service.ts';
export { connectionsResource } from './connections.resource.ts';
export { type ConnectionChoice, type HandedOut, PairConnections } from './pair-connections.service.ts';
