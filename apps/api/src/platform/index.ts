export { lowerHelperThreadPriority } from './helper-thread-priority.ts';
export { Clock, CONFIG, InjectConfig, InjectPrisma, PlatformModule, PRISMA } from './platform.module.ts';
export { randomTicket, StsTickets } from './sts-tickets.ts';
