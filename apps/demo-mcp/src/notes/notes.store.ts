/**
 * @overview The demo's data: notes kept in this process's memory, gone on restart. Each note records
 * who wrote it (user and agent), which is the point of the demo.
 */
import { randomUUID } from 'node:crypto';

import { type Caller } from '../access-tokens/access-token.ts';

export interface Note {
  id: string;
  text: string;
  author: Caller;
  createdAt: string;
}

/** Oldest notes are dropped beyond this, so a looping agent cannot grow the process without bound. */
export const maxNotes = 1_000;

export class NotesStore {
  private readonly notes: Note[] = [];

  constructor(private readonly now: () => Date = () => new Date()) {}

  list(): Note[] {
    return [...this.notes];
  }

  add(text: string, author: Caller): Note {
    const note: Note = { id: randomUUID(), text, author, createdAt: this.now().toISOString() };
    this.notes.push(note);
    if (this.notes.length > maxNotes) {
      this.notes.shift();
    }
    return note;
  }
}
