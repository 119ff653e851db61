export { KillSwitchGate, killSwitchMaxAgeMs, type KillSwitchSubjects } from './kill-switch-gate.service.ts';
export { KillSwitchesModule } from './kill-switches.module.ts';
export { type BlastRadiusView, KillSwitchesService, type KillSwitchView, type ReceiptExport } from './kill-switches.service.ts';
