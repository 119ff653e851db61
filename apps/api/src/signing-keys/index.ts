export { SigningKeysModule } from './signing-keys.module.ts';
