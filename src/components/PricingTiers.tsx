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
          {/* formatPrice says "Free" for 0, which the Free card's name already says. */}
          <p className="price">{tier.priceCents > 0 ? formatPrice(tier.priceCents, tier.currency, tier.interval) : "No charge"}</p>
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
