/**
 * @overview The admin role table (libs/domain) enforced by Casbin. The model is plain RBAC over
 * (role, object, action), with `*` standing for every object.
 */
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { type Enforcer, newEnforcer, newModelFromString, StringAdapter } from 'casbin';

import { type AdminRole, type Permission, roleGrants } from '@crossgate/domain';

const model = `
[request_definition]
r = role, obj, act

[policy_definition]
p = role, obj, act

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.role == p.role && (p.obj == "*" || r.obj == p.obj) && r.act == p.act
`;

function policyLines(): string {
  return Object.entries(roleGrants)
    .flatMap(([role, grants]) => grants.map((grant) => `p, ${role}, ${grant.object}, ${grant.action}`))
    .join('\n');
}

@Injectable()
export class AccessControl implements OnModuleInit {
  private enforcer: Enforcer | undefined;

  async onModuleInit(): Promise<void> {
    this.enforcer = await newEnforcer(newModelFromString(model), new StringAdapter(policyLines()));
  }

  /** Fails closed: before the enforcer is loaded, nothing is allowed. */
  allows(role: AdminRole, permission: Permission): boolean {
    if (!this.enforcer) {
      return false;
    }
    const [object, action] = permission.split(':');
    return this.enforcer.enforceSync(role, object, action);
  }
}
