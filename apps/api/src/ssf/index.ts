export { pushDeliveryMethod, SsfStreamsService, type StreamConfiguration } from './ssf-streams.service.ts';
export { SsfModule } from './ssf.module.ts';
