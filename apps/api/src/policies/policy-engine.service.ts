/**
 * @overview The compiled policy index every decision on this instance reads, and the directory the
 * token endpoint serves from, kept current across instances: a write to a policy, client, resource,
 * trusted IdP, user, group or membership bumps PolicyVersion in its own transaction and, once committed,
 * is announced on the coordination port's channel; every instance rebuilds when it hears it, and
 * checks the version every second in case it missed the message. An instance that cannot confirm its version for
 * `staleAfterMs` (or never loaded) refuses to decide: a stale index could still allow what an admin
 * has just revoked.
 */
import { performance } from 'node:perf_hooks';

import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';

import { Coordination, type Unsubscribe } from '@crossgate/coordination';
import { type ClientRow, compilePolicies, type Decision, type DecisionRequest, decide, type PolicyIndex, type PolicyRow, PolicyUnavailableError } from '@crossgate/policy';
import { PolicySourceRepository } from '@crossgate/store';

import { type AdminResource, bumpPolicyVersion, CrudService } from '../crud/index.ts';
import { Clock } from '../platform/index.ts';
import { Directory } from './directory.ts';

/** How often the version is checked, in case an invalidation message was missed. */
export const versionCheckIntervalMs = 1000;
/** How long an unconfirmed index is still used; past it, every decision is refused. */
export const staleAfterMs = 5000;
/** A load that takes longer is given up on, so a hung connection cannot stop later checks. */
const loadTimeoutMs = 3000;

/** The compiled index with the rows and version it was built from, and the directory of that version. */
export interface PolicySnapshot {
  readonly index: PolicyIndex;
  readonly directory: Directory;
  readonly policies: readonly PolicyRow[];
  readonly clients: readonly ClientRow[];
  readonly version: bigint;
}

/** The coordination channel policy and client writes are announced on. */
export const policyChannel = 'policies:changed';

@Injectable()
export class PolicyEngineService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('policy-engine');
  private snapshotState: PolicySnapshot | null = null;
  /** `performance.now()` of the last successful version read; monotonic, unlike the injectable clock. */
  private confirmedAt = Number.NEGATIVE_INFINITY;
  private unsubscribe: Unsubscribe | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private failing = false;
  private closed = false;
  private attempts = 0;
  private appliedAttempt = 0;

  constructor(
    private readonly source: PolicySourceRepository,
    @Inject(Coordination) private readonly coordination: Coordination,
    private readonly clock: Clock,
    crud: CrudService,
  ) {
    crud.onCommit((resource) => this.committed(resource));
  }

  async onApplicationBootstrap(): Promise<void> {
    // The version check covers what is missed while the subscription cannot be made or is down.
    this.coordination.subscribe(policyChannel, () => void this.refresh()).then(
      (unsubscribe) => {
        if (this.closed) {
          void unsubscribe();
        } else {
          this.unsubscribe = unsubscribe;
        }
      },
      (error: unknown) => this.logger.warn(`Cannot subscribe to ${policyChannel}: ${String(error)}`),
    );
    this.timer = setInterval(() => void this.refresh(), versionCheckIntervalMs);
    this.timer.unref();
    await this.refresh();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    if (this.timer) {
      clearInterval(this.timer);
    }
    await this.unsubscribe?.().catch(() => undefined);
    await this.running?.catch(() => undefined);
  }

  /** The current snapshot, or PolicyUnavailableError when it was never loaded or could not be confirmed lately. */
  snapshot(): PolicySnapshot {
    const snapshot = this.snapshotState;
    if (!snapshot) {
      throw new PolicyUnavailableError('The policy set has not been loaded yet');
    }
    const age = performance.now() - this.confirmedAt;
    if (age > staleAfterMs) {
      throw new PolicyUnavailableError(`The policy version could not be confirmed for ${Math.round(age / 1000)} s`);
    }
    return snapshot;
  }

  /** Decides against the current index; throws PolicyUnavailableError instead of deciding on a stale one. */
  decide(request: DecisionRequest): Decision {
    return decide(this.snapshot().index, request);
  }

  /**
   * Reads the version and rebuilds when it moved. Calls during a refresh coalesce into one more run,
   * so a message that arrives mid-rebuild is never lost.
   */
  refresh(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.loadWithin(loadTimeoutMs);
      } while (this.again && !this.closed);
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async loadWithin(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref();
    });
    try {
      await Promise.race([this.load(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async load(): Promise<void> {
    if (this.closed) {
      return;
    }
    const started = performance.now();
    const attempt = ++this.attempts;
    try {
      // Version first: rows read after it are at least that new, so a write in between only costs one more rebuild.
      const version = await this.source.version();
      if (this.snapshotState?.version !== version) {
        const [policies, clients, directoryRows] = await Promise.all([this.source.activePolicies(), this.source.activeClients(), this.source.directory()]);
        const index = compilePolicies(policies, clients, { now: this.clock.now() });
        // A load given up on may still finish; it must not replace what a later load applied.
        if (attempt > this.appliedAttempt) {
          this.appliedAttempt = attempt;
          this.snapshotState = { index, directory: new Directory(directoryRows), policies, clients, version };
        }
        for (const problem of index.problems) {
          this.logger.warn(`Policy ${problem.policyId} compiled with a problem: ${problem.reason}`);
        }
      }
      this.confirmedAt = Math.max(this.confirmedAt, started);
      if (this.failing) {
        this.failing = false;
        this.logger.log('The policy version can be read again');
      }
    } catch (error) {
      if (!this.failing && !this.closed) {
        this.failing = true;
        this.logger.warn(`Cannot read the policy version; decisions are refused after ${staleAfterMs} ms: ${String(error)}`);
      }
    }
  }

  /**
   * After a committed write that bumped the version: tells the other instances, and resolves once
   * this one has rebuilt, so the writer's next request here already sees its change.
   */
  announceChange(): Promise<void> {
    if (this.closed) {
      return Promise.resolve();
    }
    this.coordination.publish(policyChannel, 'changed').catch((error: unknown) => {
      this.logger.warn(`Cannot announce a policy change (other instances notice within ${versionCheckIntervalMs} ms): ${String(error)}`);
    });
    return this.refresh();
  }

  private async committed(resource: AdminResource): Promise<void> {
    if (resource.afterChange === bumpPolicyVersion) {
      await this.announceChange();
    }
  }
}
