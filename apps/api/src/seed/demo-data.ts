import type { CrudService } from '../crud/crud.service.ts';

/** Placeholder replaced by the demo organisation below. */
export async function seedDemoData(_crud: CrudService): Promise<{ created: number }> {
  return { created: 0 };
}
