/** Who and what a fresh platform starts with: users on each plan, and companions with traits. */
import type { PlanId } from './plans';

export interface SeedUser {
  readonly email: string;
  readonly password: string;
  readonly displayName: string;
  readonly plan: PlanId;
  readonly tokens: number;
}

export interface SeedCompanion {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly traits: readonly { readonly key: string; readonly label: string; readonly value: string }[];
}

export interface Seed {
  readonly users: readonly SeedUser[];
  readonly companions: readonly SeedCompanion[];
}

export const devPassword = 'studio-dev';

export const devSeed: Seed = {
  users: [
    { email: 'alice@example.com', password: devPassword, displayName: 'Alice', plan: 'pro', tokens: 500 },
    { email: 'bob@example.com', password: devPassword, displayName: 'Bob', plan: 'free', tokens: 60 },
    { email: 'carol@example.com', password: devPassword, displayName: 'Carol', plan: 'studio', tokens: 5000 },
  ],
  companions: [
    {
      id: 'cmp_aurora01',
      name: 'Aurora',
      description: 'A cartographer of northern skies who sketches what she sees.',
      traits: [
        { key: 'hair', label: 'Hair', value: 'long silver hair in a loose braid' },
        { key: 'eyes', label: 'Eyes', value: 'pale green eyes' },
        { key: 'outfit', label: 'Outfit', value: 'a deep blue wool coat with brass buttons' },
        { key: 'accessory', label: 'Accessory', value: 'a leather satchel of rolled star charts' },
      ],
    },
    {
      id: 'cmp_kenji002',
      name: 'Kenji',
      description: 'A tea merchant and amateur astronomer from a mountain town.',
      traits: [
        { key: 'hair', label: 'Hair', value: 'short black hair' },
        { key: 'eyes', label: 'Eyes', value: 'warm brown eyes' },
        { key: 'outfit', label: 'Outfit', value: 'an indigo haori over a grey kimono' },
      ],
    },
    {
      id: 'cmp_pip00003',
      name: 'Pip',
      description: 'A small clockwork fox that keeps the workshop tidy.',
      traits: [
        { key: 'body', label: 'Body', value: 'a copper clockwork fox with visible gears' },
        { key: 'eyes', label: 'Eyes', value: 'glowing amber glass eyes' },
      ],
    },
  ],
};
