/**
 * @overview KEK rotation, the background half: once a new KEK is configured (the old one moved to
 * PREVIOUS_KEY_ENCRYPTION_KEYS), `vault.rewrap` re-wraps every vault data key and re-seals every
 * private signing key still under an earlier KEK, batch by batch, until none is left. Each row is
 * updated on its own and only if still under the KEK read, so a run cut short (a killed worker) is
 * simply run again, and nothing is ever decrypted into storage. Values never leave the vault's
 * cipher; the job reports counts only.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';

import type { Config } from '@crossgate/config';
import { type CatalogueJob, type JobItem, jobId, JobName } from '@crossgate/jobs';
import { type PrismaClient, SecretStore, SigningKeyRepository } from '@crossgate/store';

import { InjectConfig, InjectPrisma } from '../platform/platform.module.ts';

const batchSize = 200;

export interface RewrapOutcome {
  rewrapped: number;
  resealed: number;
  /** Vault versions under a KEK that is not configured at all: they cannot be moved, and an operator must look. */
  stranded: number;
}

@Injectable()
export class VaultRewrapProcessor {
  private readonly logger = new Logger('VaultRewrap');

  constructor(
    @Inject(SecretStore) private readonly secrets: SecretStore,
    @Inject(SigningKeyRepository) private readonly signingKeys: SigningKeyRepository,
    @InjectPrisma() private readonly prisma: PrismaClient,
    @InjectConfig() private readonly config: Config,
  ) {}

  /** Handles `vault.rewrap`: loops until nothing is left under an earlier KEK, reporting progress (0–100). */
  async rewrap(job: CatalogueJob<typeof JobName.VaultRewrap>): Promise<RewrapOutcome> {
    const total = Math.max(1, await this.underEarlierKeks());
    let rewrapped = 0;
    let resealed = 0;
    let stranded = 0;
    for (;;) {
      const vault = await this.secrets.rewrapBatch(batchSize);
      const keys = await this.signingKeys.resealBatch(batchSize);
      rewrapped += vault.rewrapped;
      resealed += keys.resealed;
      stranded = vault.stranded;
      await job.updateProgress(Math.min(100, Math.round(((rewrapped + resealed) / total) * 100)));
      if (vault.remaining + keys.remaining === 0 || vault.rewrapped + keys.resealed === 0) {
        break;
      }
    }
    await job.updateProgress(100);
    this.logger.log(`Moved to key-encryption key "${this.config.keys.encryptionKeyId}": ${rewrapped} vault data keys re-wrapped, ${resealed} signing keys re-sealed`);
    if (stranded > 0) {
      this.logger.warn(`${stranded} vault versions are under a key-encryption key that is not configured; they cannot be opened until it is`);
    }
    return { rewrapped, resealed, stranded };
  }

  /** At worker start: the rewrap job, when anything is still under an earlier KEK (one job id per current KEK). */
  async startupItems(): Promise<{ item: JobItem; jobId: string }[]> {
    if ((await this.underEarlierKeks()) === 0) {
      return [];
    }
    return [{ item: { name: JobName.VaultRewrap, data: {} }, jobId: jobId(JobName.VaultRewrap, this.config.keys.encryptionKeyId) }];
  }

  private async underEarlierKeks(): Promise<number> {
    const previous = this.config.keys.previousEncryptionKeys.map((kek) => kek.id);
    if (previous.length === 0) {
      return 0;
    }
    const [versions, keys] = await Promise.all([this.prisma.secretVersion.count({ where: { kekId: { in: previous } } }), this.prisma.signingKey.count({ where: { kekId: { in: previous } } })]);
    return versions + keys;
  }
}
