export { GatewayEndpoints, gatewayFormEndpoints } from './gateway-endpoints.ts';
export { ToolCallApprovalsController } from './tool-call-approvals.controller.ts';
export { ToolCallApprovalsService } from './tool-call-approvals.service.ts';
export { GatewayModule } from './gateway.module.ts';
