export type { Directory, DirectoryClientRow, DirectoryConnectionRow, DirectoryIdpRow, DirectoryResourceRow } from './directory.ts';
export { policiesResource } from './policies.resource.ts';
export { PolicyApprovalsController } from './policy-approvals.controller.ts';
export { PolicyApprovalsService, type PolicyApprovalView } from './policy-approvals.service.ts';
export { policyChannel, PolicyEngineService, type PolicySnapshot } from './policy-engine.service.ts';
export { PolicySimulationController } from './policy-simulation.controller.ts';
export { type Impact, PolicySimulationService, type Simulation } from './policy-simulation.service.ts';
export { servingSnapshot } from './serving-snapshot.ts';
export { PoliciesModule } from './policies.module.ts';
