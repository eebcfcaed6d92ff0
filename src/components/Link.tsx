import NextLink from "next/link";
import Router from "next/router";
import type { ComponentProps } from "react";

/**
 * next/link without prefetching every page a link in view leads to: on a phone the first seconds go
 * to the page that was opened, not to loading and running the code of the pages it links to. A link
 * still loads its page's code before the click lands: when it is hovered or touched (next/link's
 * own), or focused from the keyboard (through Next's router itself: no hook per link).
 */
export function Link({ onFocus, ...props }: Omit<ComponentProps<typeof NextLink>, "href"> & { href: string }) {
  return (
    <NextLink
      {...props}
      prefetch={props.prefetch ?? false}
      onFocus={(event) => {
        onFocus?.(event);
        void Router.prefetch(props.href);
      }}
    />
  );
}
