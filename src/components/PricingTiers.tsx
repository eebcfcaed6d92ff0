import type { ReactNode } from "react";
import { formatPrice } from "~/utils/format";
import type { RouterOutputs } from "~/utils/trpc";

type Tier = RouterOutputs["billing"]["pricingTiers"][number];

export function PricingTiers({ tiers, currentTierId, action }: { tiers: Tier[]; currentTierId?: string; action?: (tier: Tier) => ReactNode }) {
  return (
    <div className="tiers">
      {tiers.map((tier) => (
        <section key={tier.id} className={`tier${tier.id === currentTierId ? " current" : ""}`} aria-labelledby={`tier-${tier.id}`} data-tier={tier.id}>
          {tier.id === currentTierId ? <span className="badge">Your plan</span> : null}
          <h3 id={`tier-${tier.id}`}>{tier.name}</h3>
          <p className="price">{formatPrice(tier.priceCents, tier.currency, tier.priceCents > 0 ? tier.interval : undefined)}</p>
          <p className="muted">{tier.maxSubscriptions === null ? "Unlimited shows" : `Up to ${tier.maxSubscriptions} shows`}</p>
          <ul>
            {tier.features.map((feature) => (
              <li key={feature}>{feature}</li>
            ))}
          </ul>
          {action?.(tier)}
        </section>
      ))}
    </div>
  );
}
