import NextLink from "next/link";
import type { ComponentProps } from "react";

/**
 * next/link without prefetching every page a link in view leads to: on a phone the first seconds go
 * to the page that was opened, not to loading and running the code of the pages it links to. A link
 * still loads its page's code when it is hovered or touched, before the click lands.
 */
export function Link(props: ComponentProps<typeof NextLink>) {
  return <NextLink prefetch={false} {...props} />;
}
