/** Signing keys in the admin API: list and rotate. */
import { Module } from '@nestjs/common';

import { SigningKeysController } from './signing-keys.controller.ts';
import { SigningKeysService } from './signing-keys.service.ts';

@Module({ controllers: [SigningKeysController], providers: [SigningKeysService] })
export class SigningKeysModule {}
