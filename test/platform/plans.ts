/** Plans set the moderation level and the price of publishing. */

export type PlanId = 'free' | 'pro' | 'studio';
export type ModerationLevel = 'strict' | 'standard' | 'relaxed';

export interface Plan {
  readonly id: PlanId;
  readonly name: string;
  readonly moderationLevel: ModerationLevel;
  readonly pricing: { readonly baseTokens: number; readonly tokensPerMegapixel: number };
}

export const plans: Readonly<Record<PlanId, Plan>> = {
  free: { id: 'free', name: 'Free', moderationLevel: 'strict', pricing: { baseTokens: 10, tokensPerMegapixel: 8 } },
  pro: { id: 'pro', name: 'Pro', moderationLevel: 'standard', pricing: { baseTokens: 5, tokensPerMegapixel: 4 } },
  studio: { id: 'studio', name: 'Studio', moderationLevel: 'relaxed', pricing: { baseTokens: 2, tokensPerMegapixel: 2 } },
};

/** The price of publishing an image of this size: a base fee plus a rate per started megapixel. */
export function publishPrice(plan: Plan, width: number, height: number): number {
  return plan.pricing.baseTokens + Math.ceil((width * height) / 1_000_000) * plan.pricing.tokensPerMegapixel;
}
