/**
 * @overview Crossgate's shared vocabulary: admin roles and permissions, the admin resources, and
 * the enumerations every layer agrees on. Pure data and types; safe for the browser bundle.
 */
export * from './admin-access.ts';
export * from './enums.ts';
export * from './audit.ts';
export * from './clock.ts';
export * from './separation-of-duties.ts';
